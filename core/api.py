"""The core's /api/v1: the routers of every domain and errors as ``{"error": {"code", "message"}}``."""

import inspect
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.assessment.views import router as assessment_router
from core.audit.views import router as audit_router
from core.cases.views import router as cases_router
from core.early_warnings.views import router as warnings_router
from core.errors import AppError, ValidationFailed, http_message
from core.evaluation.views import router as evaluation_router
from core.exchange.views import router as exchange_router
from core.figures.views import router as figures_router
from core.guidance.views import router as guidance_router
from core.items.views import router as items_router
from core.major_projects.views import my_router as my_projects_router
from core.major_projects.views import router as major_projects_router
from core.org.views import router as org_router
from core.projects.views import router as projects_router
from core.projects.views import rule_changes_router
from core.rules.views import router as rules_router
from core.supervision.views import router as supervision_router
from core.topics.views import router as topics_router

_FIELD_NAMES = {
    "id_number": "证件号码",
    "phone": "联系电话",
    "name": "名称",
    "service_item_id": "事项",
    "opinion": "意见",
    "reason": "理由",
    "result": "结果代码",
    "case_no": "办件编号",
    "query_code": "查询密码",
    "username": "登录名",
    "password": "密码",
    "page": "页码",
    "page_size": "每页条数",
    "date_from": "开始日期",
    "date_to": "结束日期",
    "kind": "类型",
    "materials": "材料",
    "enterprise_name": "建设单位",
    "credit_code": "统一社会信用代码",
    "location": "建设地点",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "action": "操作",
    "approval_code": "事项",
    "stage": "阶段",
    "time_limit_days": "承诺时限",
    "note": "发布说明",
    "condition": "条件",
    "priority": "优先级",
    "code": "编码",
    "level": "评价等级",
    "comment": "评价意见",
    "answer": "答复",
    "department_ids": "监管部门",
    "fields": "推送字段",
    "claim_days": "认领时限",
    "feedback_days": "反馈时限",
    "inspected": "是否开展检查",
    "inspected_on": "检查日期",
    "problems_found": "是否发现问题",
    "problems": "发现的问题",
    "measures": "采取的措施",
    "attachment_ids": "附件",
    "file": "文件",
    "subject_kind": "预警类型",
    "subject_id": "对象编号",
    "yellow_days": "黄色预警天数",
    "escalate_days": "升级天数",
    "is_enabled": "是否启用",
    "plan": "处理措施",
    "promised_on": "承诺完成日期",
    "state": "状态",
    "category": "项目类别",
    "lead_department_id": "牵头部门",
    "leader_id": "责任领导",
    "officer_id": "帮办专员",
    "investment": "总投资",
    "planned_start": "计划开始日期",
    "planned_finish": "计划完成日期",
    "actual_start": "实际开始日期",
    "actual_finish": "实际完成日期",
    "start": "起始日期",
    "department_id": "部门",
    "due_on": "要求完成日期",
    "done_on": "完成日期",
    "held_on": "会商日期",
    "topic": "会商议题",
    "title": "标题",
    "body": "内容",
    "content": "内容",
    "major_project_id": "重大项目",
    "depends_on": "前置节点",
    "scheme_id": "考核方案",
    "period": "考核期",
    "period_kind": "考核周期",
    "indicators": "考核指标",
    "indicator": "考核指标",
    "weight": "权重",
    "value": "分值",
    "accepted": "是否采纳",
    "months": "月数",
    "address": "地址",
    "legal_representative": "法定代表人",
    "project_name": "申报事由",
}


class ErrorDetail(BaseModel):
    """What went wrong, in Chinese, with a stable code; ``field`` names the input to correct when there is one."""

    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """The body of every 4xx answer of /api/v1."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorOut, "description": "错误：{error: {code, message, field?}}，message 为中文，可直接展示"}
}
"""Declared on every /api/v1 route, so that the OpenAPI tells clients the real shape of an error (FastAPI's
default 422 schema, ``{"detail": [...]}``, is not what the error handlers below send)."""


DOMAIN_ROUTERS = (
    org_router,
    items_router,
    cases_router,
    evaluation_router,
    audit_router,
    projects_router,
    rules_router,
    rule_changes_router,
    topics_router,
    supervision_router,
    warnings_router,
    major_projects_router,
    my_projects_router,
    assessment_router,
    exchange_router,
    figures_router,
    guidance_router,
)
"""The core's part of /api/v1, in matching order (the composition root, tongban/asgi.py, includes each under the
prefix itself: one level, so that its prefix index sees each domain's paths)."""


def _describe(error: dict[str, object]) -> tuple[str, str]:
    loc = error.get("loc", ())
    location = [str(p) for p in (loc if isinstance(loc, tuple | list) else ()) if p not in ("body", "query", "path")]
    field = ".".join(location)
    label = _FIELD_NAMES.get(location[-1], location[-1]) if location else "请求内容（JSON）"
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    assert isinstance(ctx, dict)
    if kind == "missing":
        return field, f"缺少必填项：{label}"
    if kind in ("string_too_short",):
        return field, f"{label}不能为空" if ctx.get(
            "min_length"
        ) == 1 else f"{label}至少需要{ctx.get('min_length')}个字符"
    if kind == "string_too_long":
        return field, f"{label}不能超过{ctx.get('max_length')}个字符"
    if kind in ("int_parsing", "int_type", "float_parsing"):
        return field, f"{label}应为数字"
    if kind in ("date_parsing", "date_from_datetime_parsing", "datetime_parsing"):
        return field, f"{label}应为日期，格式如 2026-01-31"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return field, f"{label}超出允许范围"
    if kind in ("literal_error", "enum"):
        return field, f"{label}的取值不在允许范围内：{ctx.get('expected', '')}"
    if kind == "json_invalid":
        return field, "请求内容不是有效的 JSON"
    if kind == "value_error":
        text = str(ctx.get("error", "取值不正确"))
        return field, f"{label}{text}" if text.startswith("不能") else text  # 名称不能包含…
    return field, f"{label}格式不正确"


def install_error_handlers(app: FastAPI) -> None:
    """Every error answers as JSON with a Chinese message."""

    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.to_dict(), status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        field, message = _describe(exc.errors()[0])
        body = {"error": {"code": "invalid", "message": message, "field": field}}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, _exc: OverflowError) -> Response:
        # An integer the database cannot hold (an id of 2**63 or more in an address, a query, a body or a form)
        # reaches the driver, which refuses to convert it. It is the caller's input that is out of range: answer
        # as for any invalid input, through the AppError handler in force (JSON for the API, a page for pages).
        error = ValidationFailed("输入的编号或数字超出允许范围，请检查后重试", code="out_of_range")
        answer = app.exception_handlers[AppError](request, error)
        return await answer if inspect.isawaitable(answer) else answer

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": {"code": f"http_{exc.status_code}", "message": http_message(exc)}}, exc.status_code
        )
