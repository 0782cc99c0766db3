"""The closed vocabularies of service guidance, with the Chinese words people read."""

from enum import StrEnum


class Mode(StrEnum):
    """How the guidance is given."""

    WINDOW = "window"
    ONLINE = "online"
    ONSITE = "onsite"


class Period(StrEnum):
    """Half a working day."""

    AM = "am"
    PM = "pm"


class Status(StrEnum):
    """Where a booking stands."""

    BOOKED = "booked"
    DONE = "done"
    CANCELLED = "cancelled"


MODE_LABELS = {Mode.WINDOW: "窗口导办", Mode.ONLINE: "线上帮办", Mode.ONSITE: "上门服务"}
PERIOD_LABELS = {Period.AM: "上午", Period.PM: "下午"}
PERIOD_HOURS = {Period.AM: "9:00–12:00", Period.PM: "14:00–17:00"}
STATUS_LABELS = {Status.BOOKED: "已预约", Status.DONE: "已服务", Status.CANCELLED: "已取消"}
