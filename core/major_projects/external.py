"""A node of a major project filled from an approval handled outside the platform, in the city's 投资建设一网通办平台
(reported through core/exchange). The approval names the project by its 投资项目代码 and the approval by its item
code; the node it fills is the project's open node of that approval (its approval code, or its service item's code).

Accepted there: the node is 办理中 with the day as its actual start. Approved (审批结果 0 出证办结): done, with its actual
finish. Refused: the node stays open, with a note. The note names the city system and the document number, so the
tracking page says where the dates came from. A repeat of what the node already says changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.items.models import ServiceItem
from core.major_projects.enums import DONE, IN_PROGRESS, OPEN_NODE_STATES
from core.major_projects.models import MajorProject, ProjectNode

APPROVED = "0"


@dataclass(frozen=True)
class CityApproval:
    """An approval as the city system reports it."""

    project_code: str
    approval_code: str
    approval_name: str
    accepted_at: datetime
    concluded_at: datetime | None
    result: str | None
    document_no: str


class NoNode(Exception):
    """The approval names no project or node of ours; the message says which, in Chinese."""


def _node(db: Session, project: MajorProject, code: str) -> ProjectNode | None:
    item_ids = list(db.scalars(select(ServiceItem.id).where(ServiceItem.code == code)))
    for node in project.nodes:
        if node.approval_code == code or (node.service_item_id is not None and node.service_item_id in item_ids):
            return node
    return None


def fill_from_city(db: Session, approval: CityApproval) -> ProjectNode:
    """Fills the node the approval belongs to; :class:`NoNode` when there is none to fill."""
    project = db.scalar(select(MajorProject).where(MajorProject.project_code == approval.project_code))
    if project is None:
        raise NoNode(f"项目代码 {approval.project_code} 在本平台没有对应的重大项目")
    node = _node(db, project, approval.approval_code)
    if node is None:
        raise NoNode(
            f"重大项目“{project.name}”没有审批事项“{approval.approval_name}”（{approval.approval_code}）的节点"
        )
    if node.state not in OPEN_NODE_STATES and node.state != DONE:
        raise NoNode(f"重大项目“{project.name}”的“{node.name}”节点已标为不涉及，不能填入市级系统的审批")
    source = f"市级投资建设一网通办平台办理{('，文号 ' + approval.document_no) if approval.document_no else ''}"
    if approval.concluded_at is not None and approval.result == APPROVED:
        node.state = DONE
        node.actual_start = node.actual_start or approval.accepted_at.date()
        node.actual_finish = approval.concluded_at.date()
    elif approval.concluded_at is not None:
        node.note = f"{node.note}\n{approval.concluded_at.date()} {source}，未予批准，节点仍待办理".strip()
        return node
    elif node.state != DONE:
        node.state = IN_PROGRESS
        node.actual_start = approval.accepted_at.date()
    if source not in node.note:
        node.note = f"{node.note}\n{source}".strip()
    return node
