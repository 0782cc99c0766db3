"""The words of a warning: its levels and the states of its handling (签收 → 处理 → 销警, or 解除 by itself)."""

YELLOW, RED = "yellow", "red"
LEVEL_LABELS = {YELLOW: "黄色预警", RED: "红色预警"}

OPEN, SIGNED, HANDLED, CLOSED, ENDED = "open", "signed", "handled", "closed", "ended"
STATE_LABELS = {OPEN: "待签收", SIGNED: "已签收", HANDLED: "已处理", CLOSED: "已销警", ENDED: "已解除"}
LIVE = (OPEN, SIGNED, HANDLED)
"""States in which the responsible department still has something to do (and a red warning may escalate)."""


def active_key(kind: str, subject_id: int, level: str) -> str:
    """``<kind>:<subject id>:<level>``: unique while the subject stays in that state (core/early_warnings/models.py)."""
    return f"{kind}:{subject_id}:{level}"
