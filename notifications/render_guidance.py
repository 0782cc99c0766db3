"""What 帮办预约 events say (core/guidance/events.py): the confirmation to the booker and the 帮办员, the reminder the
working day before, and the cancellation to the 帮办员. Each links to the booking's page."""

from collections.abc import Callable
from typing import Any

from core.events.kinds import EventKind, GuidanceBooked, GuidanceCancelled, GuidanceFacts, GuidanceReminder
from notifications.words import Message, day, s


def _lines(p: GuidanceFacts) -> str:
    lines = [
        f"预约号：{s(p.booking_no)}",
        f"帮办内容：{s(p.subject)}",
        f"服务方式：{s(p.mode_label)}",
        f"预约时间：{day(p.day)} {s(p.period_label)}",
        f"帮办员：{s(p.staff_name, '待安排')}",
    ]
    if p.address:
        lines.append(f"上门地址：{p.address}")
    return "\n".join(lines)


def _booked(p: GuidanceBooked) -> Message:
    body = f"帮办预约已确认（预约人：{s(p.booker_name)}）。\n{_lines(p)}\n如需取消，请在预约日前一天及以前操作。"
    return Message(f"帮办预约已确认：{day(p.day)} {s(p.period_label)[:2]}", body, s(p.url))


def _reminder(p: GuidanceReminder) -> Message:
    body = f"提醒：您预约的帮办服务在下一个工作日进行，请按时参加。\n{_lines(p)}"
    return Message(f"帮办预约提醒：{day(p.day)} {s(p.period_label)[:2]}", body, s(p.url))


def _cancelled(p: GuidanceCancelled) -> Message:
    reason = f"\n取消原因：{p.reason}" if p.reason else ""
    body = f"预约人{s(p.booker_name)}取消了帮办预约，该时段的名额已释放。{reason}\n{_lines(p)}"
    return Message(f"帮办预约已取消：{day(p.day)} {s(p.period_label)[:2]}", body, s(p.url))


GUIDANCE_RENDERERS: dict[EventKind, Callable[[Any], Message]] = {
    EventKind.GUIDANCE_BOOKED: _booked,
    EventKind.GUIDANCE_REMINDER: _reminder,
    EventKind.GUIDANCE_CANCELLED: _cancelled,
}
"""The guidance kinds' texts (merged into notifications/render.py ``RENDERERS``)."""
