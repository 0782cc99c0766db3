"""Codes an item carries (DOMAIN.md): the type of case it makes (办件类型)."""

from enum import IntEnum


class CaseType(IntEnum):
    """办件类型."""

    IMMEDIATE = 1
    PROMISED = 2
    JOINT = 3
    REPORTED = 4


CASE_TYPE_LABELS = {1: "即办件", 2: "承诺件", 3: "联办件", 4: "上报件"}
