"""Window numbers (窗口号): the hall window a clerk works at, and the windows a department's text names.

A department keeps its windows as the text the centre writes on its signs ("A12-A14", "A31", "B01-B08、C03");
a staff account names one window ("A12"). When the department's text can be read as such a list, a clerk's window
must be one of them (typed "a12" is stored as the list spells it, "A12"), so that the hall board never shows a
window the department does not have; a text that cannot be read ("二楼东侧") checks nothing, as the centre may
write its signs as it likes. Two clerks may share a window (morning and afternoon shifts).
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from core.errors import ValidationFailed
from core.org.models import Department

MAX_LENGTH = 16
NAME = re.compile(r"[A-Za-z0-9-]{1,16}")
PART = re.compile(r"([A-Za-z]*)(\d+)(?:-([A-Za-z]*)(\d+))?")
SEPARATORS = re.compile(r"[,，、;；/\s]+")
FORMAT_MESSAGE = "窗口号只能由字母、数字和“-”组成，不超过16个字符，如 A12"


@dataclass(frozen=True)
class Run:
    """A run of windows on a department's sign: prefix and numbers, ``width`` digits as written (A01-A06: 2)."""

    prefix: str
    first: int
    last: int
    width: int

    def name(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.width}d}"


def runs(text: str) -> list[Run] | None:
    """The runs a department's window text names, or None when it names none or cannot be read as a list."""
    found = []
    for part in (p for p in SEPARATORS.split(text.strip().upper()) if p):
        match = PART.fullmatch(part)
        if match is None:
            return None
        prefix, first, other, last = match.groups()
        if other and other != prefix:
            return None  # "A10-B12" is no run
        low, high = int(first), int(last) if last else int(first)
        if high < low:
            return None
        found.append(Run(prefix, low, high, len(first)))
    return found or None


def names(text: str, limit: int = 200) -> list[str]:
    """The windows a department's text names, in its order (none when it cannot be read, or names over ``limit``)."""
    found = runs(text) or []
    if sum(r.last - r.first + 1 for r in found) > limit:
        return []
    return list(_each(found))


def _each(found: list[Run]) -> Iterator[str]:
    for run in found:
        for number in range(run.first, run.last + 1):
            yield run.name(number)


def normalised(value: str | None) -> str | None:
    """A typed window number trimmed and in capitals; None for an empty one; refused (Chinese) when malformed."""
    value = (value or "").strip().upper()
    if not value:
        return None
    if NAME.fullmatch(value) is None:
        raise ValidationFailed(FORMAT_MESSAGE, field="window")
    return value


def in_department(window: str, department: Department, sign: str | None = None) -> str:
    """The window as the department's sign (``sign``, or the department's own) spells it; refused when the sign
    lists windows and this is none of them (a sign that lists none, or cannot be read, accepts any well-formed
    window as typed)."""
    sign = (department.windows or "") if sign is None else sign
    found = runs(sign)
    if found is None:
        return window
    match = re.fullmatch(r"([A-Z]*)(\d+)", window)
    if match is not None:
        prefix, number = match.group(1), int(match.group(2))
        for run in found:
            if run.prefix == prefix and run.first <= number <= run.last:
                return run.name(number)
    name = department.short_name or department.name
    raise ValidationFailed(f"窗口号“{window}”不是{name}的窗口（{sign}），请核对", field="window")


def checked(value: str | None, *, is_staff: bool, department: Department | None) -> str | None:
    """The window a staff account may be given: well formed, staff only, of the account's department."""
    window = normalised(value)
    if window is None:
        return None
    if not is_staff:
        raise ValidationFailed("只有工作人员账号可以设置窗口号", field="window")
    if department is None:
        raise ValidationFailed("设置窗口号前请先选择所属部门", field="window")
    return in_department(window, department)
