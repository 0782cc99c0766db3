"""The item form's repeated rows (材料目录, 办理流程, 常见问题) and the 受理指导 form, read from and written to
plain form fields: one numbered set of fields per row, an order number to reorder, a 删除 box to remove, and a few
empty rows to add (no script needed; the page works the same on a phone)."""

from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from core.errors import ValidationFailed
from core.items.schemas import GuidanceIn
from web.common import checked, text, to_int, validation_message

EMPTY_ROWS = 2
"""Empty rows offered at the end of each list for additions."""

MATERIAL_FIELDS = ("name", "form", "copies", "medium", "source", "licence_name", "notes")
MATERIAL_FORMS = ("原件", "复印件", "原件及复印件")
MATERIAL_MEDIA = ("纸质或电子", "纸质", "电子")
STEP_FIELDS = ("name", "description", "limit")
FAQ_FIELDS = ("q", "a")


def _rows(form: FormData, prefix: str, fields: tuple[str, ...]) -> list[tuple[int, dict[str, str], bool]]:
    """(order, values, ticked 必需) of each row kept: a row with a name (or question) and not marked 删除."""
    count = to_int(text(form, f"{prefix}_rows"), "行数", 0) or 0
    rows = []
    for index in range(min(count, 200)):
        key = f"{prefix}{index}_"
        values = {field: text(form, key + field) for field in fields}
        if checked(form, key + "remove") or not values[fields[0]]:
            continue
        order = to_int(text(form, key + "seq"), "排序", index + 1) or 0
        rows.append((order * 1000 + index, values | {"id": text(form, key + "id")}, checked(form, key + "required")))
    return sorted(rows, key=lambda row: row[0])


def materials(form: FormData) -> list[dict[str, Any]]:
    """The material list as typed, in the order asked for."""
    out = []
    for _, values, required in _rows(form, "m", MATERIAL_FIELDS):
        copies = to_int(values["copies"], f"材料“{values['name']}”的份数", 1)
        out.append(
            {
                "id": to_int(values["id"], "材料") if values["id"] else None,
                "name": values["name"],
                "required": required,
                "form": values["form"] or "原件",
                "copies": copies,
                "medium": values["medium"] or "纸质或电子",
                "source": values["source"] or "申请人自备",
                "licence_name": values["licence_name"],
                "notes": values["notes"],
            }
        )
    return out


def steps(form: FormData) -> list[dict[str, str]]:
    """The process steps as typed (name, description, time limit), in order."""
    return [
        {k: v for k, v in values.items() if k != "id" and (v or k == "description")}
        for _, values, _ in _rows(form, "s", STEP_FIELDS)
    ]


def faqs(form: FormData) -> list[dict[str, str]]:
    """The item's own questions and answers, in order; a question needs its answer."""
    out = []
    for _, values, _ in _rows(form, "f", FAQ_FIELDS):
        if not values["a"]:
            raise ValidationFailed(f"常见问题“{values['q']}”还没有填写答案", field="faqs")
        out.append({"q": values["q"], "a": values["a"]})
    return out


def lines(value: str) -> list[str]:
    """A text area's non-empty lines."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def guidance(form: FormData) -> GuidanceIn:
    """The 受理指导 form: checklist and mistakes one per line, refusal grounds as rows of 情形 and 理由."""
    grounds = []
    count = to_int(text(form, "g_rows"), "行数", 0) or 0
    for index in range(min(count, 100)):
        what, why = text(form, f"g{index}_what"), text(form, f"g{index}_why")
        if checked(form, f"g{index}_remove") or not (what or why):
            continue
        if not what or not why:
            raise ValidationFailed("每条不予受理的情形都要写明情形和理由", field="refusal_grounds")
        grounds.append({"what": what, "why": why})
    try:
        return GuidanceIn.model_validate(
            {
                "acceptance_checklist": lines(text(form, "acceptance_checklist")),
                "common_mistakes": lines(text(form, "common_mistakes")),
                "refusal_grounds": grounds,
            }
        )
    except ValidationError as exc:
        labels = {
            "acceptance_checklist": "受理核对要点",
            "common_mistakes": "常见错误",
            "refusal_grounds": "不予受理情形",
        }
        raise ValidationFailed(validation_message(exc, labels)) from exc
