"""Checks of official identifiers, each with the standard it follows, and of the text people type."""

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def id_number_problem(value: str) -> str | None:
    """Why a resident ID number is invalid (GB 11643-1999, ISO 7064 MOD 11-2), or None if valid."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "身份证号码应为18位，前17位为数字，最后一位为数字或X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号码中的出生日期不存在"
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return "身份证号码校验位不正确，请核对后重新输入"
    return None


def credit_code_problem(value: str) -> str | None:
    """Why a unified social credit code is invalid (GB 32100-2015), or None if valid."""
    if len(value) != 18 or any(c not in _CREDIT_CHARS for c in value):
        return "统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）"
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(value[:17], _CREDIT_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    if _CREDIT_CHARS[check] != value[17]:
        return "统一社会信用代码校验位不正确，请核对后重新输入"
    return None


def phone_problem(value: str) -> str | None:
    """Why a phone number is invalid (mobile or landline with area code), or None if valid."""
    if not _PHONE.fullmatch(value):
        return "联系电话应为11位手机号或带区号的固定电话"
    return None


def credit_code_check_char(first17: str) -> str:
    """The check character that completes a 17-character credit code prefix (for demo data)."""
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def id_number_check_char(first17: str) -> str:
    """The check character that completes a 17-digit ID number prefix (for demo data)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


# C0 and C1 control characters (line breaks and tabs included), zero-width characters, and the bidirectional
# overrides and isolates that make a name read differently from what is stored (U+202E turns "张三gpj.exe" around).
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def hidden_character_problem(value: str) -> str | None:
    """A Chinese message when one-line text holds control or invisible characters, else None."""
    if _HIDDEN.search(value):
        return "不能包含换行、制表符等控制字符或零宽、方向控制等不可见字符，请删除后重试"
    return None


def _one_line(value: str) -> str:
    value = value.strip()
    if problem := hidden_character_problem(value):
        raise ValueError(problem)
    return value


OneLine = Annotated[str, AfterValidator(_one_line)]
"""One line of text a person typed (a name, an address): trimmed; control and invisible characters refused."""
