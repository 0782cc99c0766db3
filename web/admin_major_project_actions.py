"""Admin site, the forms of a major project's page: planning, nodes, milestones, 问题协调 and 会商.

Each form posts here, the core's service decides, and a refusal shows the project page again with the Chinese
message above the form that was sent and what was typed in it (nothing saved).
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.deps import DB
from core.errors import ValidationFailed
from core.major_projects import coordination, service, tracking
from core.major_projects.schemas import IssueIn, MeetingIn, MilestoneIn, MilestonePatch, NodeIn, NodePatch
from core.org.models import User
from web.admin_major_projects import Reader, project_context
from web.common import Form, checked, flash, redirect, text, texts, to_date, to_int, validation_message
from web.deps import OnError

router = APIRouter(prefix="/admin/major-projects", include_in_schema=False)

LABELS = {
    "name": "名称",
    "title": "问题",
    "topic": "会商议题",
    "body": "答复内容",
    "note": "说明",
    "content": "决定内容",
    "time_limit_days": "承诺时限",
    "planned_finish": "计划完成日期",
    "due_on": "要求解决日期",
    "held_on": "会商日期",
}
DECISION_ROWS = 3
"""Decision lines the meeting form offers."""


def _on_error(on_error: Any, db: Session, user: User, project_id: int, form: FormData, failed: str) -> None:
    values = {key: text(form, key) for key in form} | {"department_ids": texts(form, "department_ids")}

    def context() -> dict[str, Any]:
        fresh = service.get_for(db, user, project_id)
        return {**project_context(db, user, fresh), "values": values, "failed": failed}

    on_error.show("admin/major_projects/project.html", context)


def _parse(model: type[BaseModel], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, LABELS)) from exc


def _act(
    request: Request,
    db: Session,
    user: User,
    on_error: Any,
    form: FormData,
    project_id: int,
    failed: str,
    work: Callable[[Any], str],
) -> Response:
    """Runs one form's work on the project the user may see; flashes what it says and goes back to the page."""
    project = service.get_for(db, user, project_id)
    _on_error(on_error, db, user, project_id, form, failed)
    message = work(project)
    flash(request, message)
    return redirect(f"/admin/major-projects/{project_id}#{failed}")


def _dates(form: FormData, *names: str) -> dict[str, Any]:
    labels = {
        "planned_start": "计划开始日期",
        "planned_finish": "计划完成日期",
        "actual_start": "实际开始日期",
        "actual_finish": "实际完成日期",
    }
    return {name: to_date(text(form, name), labels[name]) for name in names}


@router.post("/{project_id}/plan", response_class=HTMLResponse)
def plan(request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int) -> Response:
    """Plans the nodes again from the start date typed in."""

    def work(project: Any) -> str:
        start = to_date(text(form, "start"), "起始日期")
        if start is None:
            raise ValidationFailed("请填写审批起始日期", field="start")
        tracking.plan(db, user, project, start)
        return f"已从 {start} 起按工作日重新编排审批节点计划（已完成和手工调整的节点保留原计划）"

    return _act(request, db, user, on_error, form, project_id, "plan", work)


@router.post("/{project_id}/nodes", response_class=HTMLResponse)
def add_node(request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int) -> Response:
    """A node added by hand."""

    def work(project: Any) -> str:
        data = _parse(
            NodeIn,
            {
                "name": text(form, "name"),
                "department_id": to_int(text(form, "department_id"), "部门"),
                "stage": text(form, "stage") or "other",
                "depends_on": texts(form, "depends_on"),
                "time_limit_days": to_int(text(form, "time_limit_days"), "承诺时限", 0),
                "note": text(form, "note"),
                **_dates(form, "planned_start", "planned_finish"),
            },
        )
        if data.department_id is None:
            raise ValidationFailed("请选择节点的负责部门", field="department_id")
        node = tracking.add_node(db, user, project, data)
        return f"已添加审批节点“{node.name}”"

    return _act(request, db, user, on_error, form, project_id, "node-add", work)


@router.post("/{project_id}/nodes/update", response_class=HTMLResponse)
def update_node(request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int) -> Response:
    """Records a node's actual dates or state, or moves its planned dates by hand (blank fields stay)."""

    def work(project: Any) -> str:
        node_id = to_int(text(form, "node_id"), "审批节点")
        if node_id is None:
            raise ValidationFailed("请选择要更新的审批节点", field="node_id")
        node = tracking.get_node(project, node_id)
        dates = {
            k: v
            for k, v in _dates(form, "planned_start", "planned_finish", "actual_start", "actual_finish").items()
            if v
        }
        values: dict[str, Any] = dates | ({"state": text(form, "state")} if text(form, "state") else {})
        if text(form, "note"):
            values["note"] = text(form, "note")
        if checked(form, "release"):
            values["planned_fixed"] = False
        if not values:
            raise ValidationFailed("请填写要更新的日期、状态或说明", field="node_id")
        tracking.update_node(db, user, project, node, _parse(NodePatch, values))
        return f"已更新审批节点“{node.name}”"

    return _act(request, db, user, on_error, form, project_id, "node-update", work)


@router.post("/{project_id}/milestones", response_class=HTMLResponse)
def add_milestone(request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int) -> Response:
    """A milestone with its planned (and, when reached, actual) dates."""

    def work(project: Any) -> str:
        dates = _dates(form, "planned_start", "planned_finish", "actual_start", "actual_finish")
        if dates["planned_finish"] is None:
            raise ValidationFailed("请填写里程碑的计划完成日期", field="planned_finish")
        data = _parse(
            MilestoneIn,
            {
                "kind": text(form, "kind"),
                "name": text(form, "name"),
                "department_id": to_int(text(form, "department_id"), "部门"),
                "note": text(form, "note"),
                **dates,
            },
        )
        milestone = tracking.add_milestone(db, user, project, data)
        return f"已添加里程碑“{milestone.name}”"

    return _act(request, db, user, on_error, form, project_id, "milestone-add", work)


@router.post("/{project_id}/milestones/update", response_class=HTMLResponse)
def update_milestone(
    request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int
) -> Response:
    """Records a milestone reached, or corrects its dates (blank fields stay)."""

    def work(project: Any) -> str:
        milestone_id = to_int(text(form, "milestone_id"), "里程碑")
        if milestone_id is None:
            raise ValidationFailed("请选择要更新的里程碑", field="milestone_id")
        milestone = tracking.get_milestone(project, milestone_id)
        dates = _dates(form, "planned_start", "planned_finish", "actual_start", "actual_finish")
        values = {k: v for k, v in dates.items() if v} | ({"note": text(form, "note")} if text(form, "note") else {})
        if not values:
            raise ValidationFailed("请填写要更新的日期或说明", field="milestone_id")
        tracking.update_milestone(db, user, project, milestone, _parse(MilestonePatch, values))
        return f"已更新里程碑“{milestone.name}”"

    return _act(request, db, user, on_error, form, project_id, "milestone-update", work)


@router.post("/{project_id}/issues", response_class=HTMLResponse)
def raise_issue(request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int) -> Response:
    """问题协调: a problem for the departments ticked."""

    def work(project: Any) -> str:
        due = to_date(text(form, "due_on"), "要求解决日期")
        if due is None:
            raise ValidationFailed("请填写要求解决日期", field="due_on")
        departments = [d for d in (to_int(x, "协调部门") for x in texts(form, "department_ids")) if d is not None]
        data = _parse(
            IssueIn,
            {
                "title": text(form, "title"),
                "description": text(form, "description"),
                "department_ids": departments,
                "due_on": due,
                "raised_by_name": text(form, "raised_by_name"),
            },
        )
        issue = coordination.raise_issue(db, user, project, data)
        return f"已提出协调问题“{issue.title}”，请协调部门于 {issue.due_on} 前答复"

    return _act(request, db, user, on_error, form, project_id, "issue-raise", work)


@router.post("/{project_id}/issues/{issue_id}/reply", response_class=HTMLResponse)
def reply(
    request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int, issue_id: int
) -> Response:
    """A department's reply."""

    def work(project: Any) -> str:
        coordination.reply(db, user, project, coordination.get_issue(db, project, issue_id), text(form, "body"))
        return "答复已提交"

    return _act(request, db, user, on_error, form, project_id, f"issue-{issue_id}", work)


@router.post("/{project_id}/issues/{issue_id}/close", response_class=HTMLResponse)
def close(
    request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int, issue_id: int
) -> Response:
    """Closes a problem with how it was solved."""

    def work(project: Any) -> str:
        coordination.close(db, user, project, coordination.get_issue(db, project, issue_id), text(form, "note"))
        return "协调问题已办结"

    return _act(request, db, user, on_error, form, project_id, f"issue-{issue_id}", work)


@router.post("/{project_id}/meetings", response_class=HTMLResponse)
def record_meeting(request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int) -> Response:
    """A 会商 meeting with up to three decisions."""

    def work(project: Any) -> str:
        held = to_date(text(form, "held_on"), "会商日期")
        if held is None:
            raise ValidationFailed("请填写会商日期", field="held_on")
        decisions = [
            {
                "content": text(form, f"decision_{n}"),
                "department_id": to_int(text(form, f"decision_department_{n}"), "责任部门"),
                "owner_name": text(form, f"decision_owner_{n}"),
                "due_on": to_date(text(form, f"decision_due_{n}"), "完成期限"),
            }
            for n in range(1, DECISION_ROWS + 1)
            if text(form, f"decision_{n}")
        ]
        data = _parse(
            MeetingIn,
            {
                "held_on": held,
                "topic": text(form, "topic"),
                "host_name": text(form, "host_name"),
                "participants": text(form, "participants"),
                "summary": text(form, "summary"),
                "decisions": decisions,
            },
        )
        meeting = coordination.record_meeting(db, user, project, data)
        return f"已记录会商“{meeting.topic}”，决定 {len(meeting.decisions)} 项"

    return _act(request, db, user, on_error, form, project_id, "meeting-add", work)


@router.post("/{project_id}/decisions/{decision_id}", response_class=HTMLResponse)
def mark_decision(
    request: Request, db: DB, form: Form, user: Reader, on_error: OnError, project_id: int, decision_id: int
) -> Response:
    """A decision done on the day typed in."""

    def work(project: Any) -> str:
        done = to_date(text(form, "done_on"), "完成日期")
        if done is None:
            raise ValidationFailed("请填写完成日期", field="done_on")
        coordination.mark_decision(db, user, project, decision_id, done)
        return "已登记会商决定的完成情况"

    return _act(request, db, user, on_error, form, project_id, "meetings", work)
