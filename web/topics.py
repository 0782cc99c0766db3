"""Special-topic filing guides (专项报建指导): the portal's flowchart pages and the admin's step editor."""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.deps import DB, ReadDB
from core.errors import ValidationFailed
from core.items import service as item_service
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.topics import service as topic_service
from core.topics.flowchart import FlowchartUnavailable
from core.topics.models import SpecialTopic
from core.topics.schemas import STEP_KIND_LABELS, TopicIn, TopicSummary
from web.common import Form, WebUser, flash, redirect, render, text, validation_message
from web.deps import OnError, staff_with

router = APIRouter(include_in_schema=False)

STEP_FIELDS = ("key", "name", "kind", "department_code", "duration", "description", "next", "service_item_code")
STEP_LABELS = {
    "title": "标题",
    "summary": "简介",
    "key": "环节编号",
    "name": "环节名称",
    "kind": "环节类型",
    "department_code": "办理部门",
    "duration": "办理时限",
    "description": "环节说明",
    "next": "后续环节",
    "service_item_code": "对应事项",
}
BLANK_ROWS = 3
_NEXT_SEPARATORS = re.compile(r"[,，、;；\s]+")


def _flowchart(db: Session, topic: SpecialTopic) -> tuple[Markup | None, str]:
    """The topic's flowchart ready to inline, or why it cannot be shown."""
    try:
        # Safe to inline: Graphviz drew it from escaped labels (core.topics.flowchart).
        return Markup(topic_service.flowchart_svg(db, topic)), ""
    except FlowchartUnavailable as error:
        return None, error.message


# ---------------------------------------------------------------- portal


@router.get("/filing/topics", response_class=HTMLResponse)
def topics(request: Request, db: ReadDB, user: WebUser) -> HTMLResponse:
    """Cards of the five special topics."""
    rows = [TopicSummary.from_model(t) for t in topic_service.list_topics(db)]
    return render(request, "topics/list.html", {"topics": rows})


@router.get("/filing/topics/{code}", response_class=HTMLResponse)
def topic(code: str, request: Request, db: ReadDB, user: WebUser) -> HTMLResponse:
    """A topic's business flowchart, then its steps in order with their departments and application links."""
    row = topic_service.get_topic(db, code)
    svg, unavailable = _flowchart(db, row)
    context = {
        "topic": topic_service.topic_out(db, row),
        "svg": svg,
        "unavailable": unavailable,
        "others": topic_service.list_topics(db),
        "kind_labels": STEP_KIND_LABELS,
    }
    return render(request, "topics/topic.html", context)


# ---------------------------------------------------------------- admin


RulesManager = Annotated[User, Depends(staff_with(Permission.RULES_MANAGE))]


def _rows(topic: SpecialTopic) -> list[dict[str, str]]:
    """The stored steps as the form's rows (text, next keys comma-separated)."""
    rows = []
    for step in topic_service.as_input(topic).steps:
        row = {f: str(getattr(step, f) or "") for f in STEP_FIELDS if f != "next"}
        rows.append(row | {"kind": step.kind.value, "next": ", ".join(step.next)})
    return rows


def _form_values(form: FormData) -> dict[str, Any]:
    """The posted title, summary and step rows as typed, blank rows left out."""
    columns = {f: [v.strip() if isinstance(v, str) else "" for v in form.getlist(f)] for f in STEP_FIELDS}
    count = max(len(values) for values in columns.values())
    rows = []
    for index in range(count):
        row = {f: columns[f][index] if index < len(columns[f]) else "" for f in STEP_FIELDS}
        if any(row[f] for f in STEP_FIELDS if f != "kind"):
            rows.append(row)
    return {"title": text(form, "title"), "summary": text(form, "summary"), "rows": rows}


def _topic_in(values: dict[str, Any]) -> TopicIn:
    """The typed rows as a topic; a Chinese message naming the row when a value is not acceptable."""
    steps = [
        {**row, "next": [k for k in _NEXT_SEPARATORS.split(row["next"]) if k], "kind": row["kind"] or "step"}
        for row in values["rows"]
    ]
    try:
        return TopicIn.model_validate({"title": values["title"], "summary": values["summary"], "steps": steps})
    except ValidationError as exc:
        message = validation_message(exc, STEP_LABELS)
        location = exc.errors()[0].get("loc", ())
        if len(location) >= 2 and location[0] == "steps" and isinstance(location[1], int):
            message = f"第{location[1] + 1}行：{message}"
        raise ValidationFailed(message) from exc


def _form_context(db: Session, row: SpecialTopic, values: dict[str, Any]) -> dict[str, Any]:
    svg, unavailable = _flowchart(db, row)
    blank = {f: "" for f in STEP_FIELDS} | {"kind": "step"}
    return {
        "topic": row,
        "values": values,
        "rows": [*values["rows"], *[dict(blank) for _ in range(BLANK_ROWS)]],
        "kinds": STEP_KIND_LABELS,
        "departments": org_service.list_departments(db=db),
        "items": item_service.list_items(db, published_only=False),
        "svg": svg,
        "unavailable": unavailable,
    }


@router.get("/admin/filing/topics", response_class=HTMLResponse)
def admin_topics(request: Request, db: DB, manager: RulesManager) -> HTMLResponse:
    """The topics with their step counts and last change."""
    rows = [TopicSummary.from_model(t) for t in topic_service.list_topics(db)]
    return render(request, "admin/topics/list.html", {"topics": rows})


@router.get("/admin/filing/topics/{code}", response_class=HTMLResponse)
def admin_topic(code: str, request: Request, db: DB, manager: RulesManager) -> HTMLResponse:
    """The edit form of a topic, its current flowchart beside."""
    row = topic_service.get_topic(db, code)
    values = {"title": row.title, "summary": row.summary, "rows": _rows(row)}
    return render(request, "admin/topics/form.html", _form_context(db, row, values))


@router.post("/admin/filing/topics/{code}", response_class=HTMLResponse)
def admin_topic_update(
    code: str, request: Request, db: DB, form: Form, manager: RulesManager, on_error: OnError
) -> Response:
    """Saves the title, summary and steps; on a mistake shows the form again as typed, with the reason."""
    row = topic_service.get_topic(db, code)
    values = _form_values(form)
    on_error.show("admin/topics/form.html", lambda: _form_context(db, topic_service.get_topic(db, code), values))
    topic_service.save_topic(db, manager, code, _topic_in(values))
    flash(request, f"“{row.title}”已保存，流程图已更新")
    return redirect(f"/admin/filing/topics/{code}")
