"""The codes of major project tracking and their Chinese labels (codes are stored; labels are shown)."""

from core.rules.document import STAGES as APPROVAL_STAGES

CATEGORY_LABELS = {
    "industry": "重大产业项目",
    "livelihood": "重点实事工程",
    "infrastructure": "基础设施",
    "other": "其他",
}

STAGE_LABELS = {
    "preparation": "前期",
    "approval": "审批",
    "construction": "建设",
    "completed": "竣工",
    "operating": "投产",
}

STATUS_LABELS = {"active": "跟踪中", "finished": "已完成", "cancelled": "已终止"}

PENDING, IN_PROGRESS, DONE, SKIPPED = "pending", "in_progress", "done", "skipped"
NODE_STATE_LABELS = {PENDING: "未开始", IN_PROGRESS: "办理中", DONE: "已完成", SKIPPED: "不涉及"}
OPEN_NODE_STATES = (PENDING, IN_PROGRESS)

MILESTONE_KINDS = {
    "land": "拿地",
    "groundbreaking": "开工",
    "topping_out": "主体封顶",
    "completion_acceptance": "竣工验收",
    "production": "投产",
    "custom": "自定义",
}
DEFAULT_MILESTONES = ("land", "groundbreaking", "topping_out", "completion_acceptance", "production")

ISSUE_OPEN, ISSUE_REPLIED, ISSUE_CLOSED = "open", "replied", "closed"
ISSUE_STATUS_LABELS = {ISSUE_OPEN: "待答复", ISSUE_REPLIED: "已答复", ISSUE_CLOSED: "已办结"}

WARNING_FILTERS = {"red": "红色预警", "yellow": "黄色预警", "none": "无预警"}
"""The list's warning filter: projects with an open red or yellow warning (core/early_warnings), or none."""

OTHER_STAGE = "other"
STAGE_NAMES = {**APPROVAL_STAGES, OTHER_STAGE: "其他"}
"""Approval stages of the nodes (立项用地规划许可 …), and 其他 for a node added by hand outside them."""


def choices_text(labels: dict[str, str]) -> str:
    """The allowed values as a person reads them in an error: 前期、审批、建设 …"""
    return "、".join(labels.values())
