"""The rule editor's form (rule ⇄ what is typed, with Chinese errors naming the field) and the form helpers the
department review's form shares with it."""

import re
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from core.errors import ValidationFailed
from core.rules import indicators as ind
from core.rules.document import RuleDef, RuleSetDocument
from web.common import checked, texts, to_int, validation_message

RULE_LABELS = {
    "code": "规则编码",
    "name": "规则名称",
    "priority": "优先级",
    "condition": "条件",
    "add_approvals": "增加的审批事项",
    "remove_approvals": "排除的审批事项",
    "add_materials": "增加的材料",
    "remove_materials": "去除的材料",
    "add_intermediaries": "增加的中介服务",
    "remove_intermediaries": "排除的中介服务",
    "reason": "理由",
    "otherwise": "条件不成立时的理由",
    "legal_basis": "法律依据",
    "enabled": "启用",
}
CODE_RULE = "只能使用小写英文字母、数字和下划线，以字母开头，共 2 至 50 个字符"
CHOICE_FIELDS = ("add_approvals", "remove_approvals", "add_intermediaries", "remove_intermediaries")
MATERIAL_FIELDS = ("add_materials", "remove_materials")
TEXT_FIELDS = ("code", "name", "priority", "condition", "reason", "otherwise", "legal_basis")
KIND_LABELS = {"choice": "选项（文字）", "yes_no": "是否（true / false）", "number": "数字"}
_MATERIAL_LINE = re.compile(r"^([^:：]+?)\s*[:：]\s*(.+)$")


def form_lines(value: str) -> list[str]:
    """The non-empty lines of a textarea."""
    return [line.strip() for line in value.splitlines() if line.strip()]


def invalid_input(error: ValidationError, labels: dict[str, str]) -> ValidationFailed:
    """The first problem of a pydantic error in Chinese, naming the form field it belongs to."""
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ())]
    field = location[0] if location else None
    label = labels.get(field or "", field or "输入")
    if field == "code" and first.get("type") == "string_pattern_mismatch":
        return ValidationFailed(f"{label}{CODE_RULE}", field=field)
    if len(location) > 1 and location[1].isdigit():  # a line of a list field
        label = f"{label}第 {int(location[1]) + 1} 项"
    return ValidationFailed(validation_message(error, {location[-1]: label} if location else {}), field=field)


def form_number(value: str, field: str, label: str) -> int | None:
    """A whole number from a form field, or a Chinese error naming the field."""
    try:
        return to_int(value, label)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field=field) from error


def question_rows() -> list[dict[str, str]]:
    """The indicators a condition may name: key, label, type and the values it can take."""
    rows = []
    for question in ind.QUESTIONS:
        options = ind.LAND_SUPPLIES if question.key == "land_supply" else question.options
        if question.kind == "choice":
            values = "、".join(f'"{k}"（{v}）' for k, v in options.items())
        elif question.kind == "yes_no":
            values = "true（是）、false（否）"
        else:
            values = f"数字，单位：{question.unit}" if question.unit else "数字"
        implied = "；可由其他回答推定" if question.key in ind.IMPLIED else ""
        rows.append(
            {
                "key": question.key,
                "label": question.label,
                "kind": KIND_LABELS[question.kind],
                "accepts": values,
                "note": (question.help + implied).lstrip("；"),
            }
        )
    return rows


def rule_values(rule: RuleDef | None) -> dict[str, Any]:
    """A rule as the form shows it (an empty form with defaults for None)."""
    if rule is None:
        values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "") | {"priority": "100", "enabled": True}
        return values | {key: [] for key in CHOICE_FIELDS} | dict.fromkeys(MATERIAL_FIELDS, "")
    values = {key: str(getattr(rule, key)) for key in TEXT_FIELDS}
    values["enabled"] = rule.enabled
    for key in CHOICE_FIELDS:
        values[key] = list(getattr(rule, key))
    for key in MATERIAL_FIELDS:
        values[key] = "\n".join(f"{m.approval}：{m.name}" for m in getattr(rule, key))
    return values


def rule_form_values(form: FormData) -> dict[str, Any]:
    """What was typed, kept as typed, to show the form again."""
    values: dict[str, Any] = {}
    for key in (*TEXT_FIELDS, *MATERIAL_FIELDS):
        raw = form.get(key)
        values[key] = raw.replace("\r\n", "\n").strip() if isinstance(raw, str) else ""
    for key in CHOICE_FIELDS:
        values[key] = texts(form, key)
    values["enabled"] = checked(form, "enabled")
    return values


def parse_materials(value: str, field: str, document: RuleSetDocument) -> list[dict[str, str]]:
    """One material per line, "审批编码：材料名称" (the approval's name is understood too)."""
    by_name = {a.name: a.code for a in document.approvals}
    materials = []
    for number, line in enumerate(form_lines(value), start=1):
        found = _MATERIAL_LINE.match(line)
        if not found:
            message = f"{RULE_LABELS[field]}第 {number} 行“{line}”应写作“审批编码：材料名称”"
            raise ValidationFailed(message, field=field)
        approval = found.group(1).strip()
        materials.append({"approval": by_name.get(approval, approval), "name": found.group(2).strip()})
    return materials


def rule_from_values(values: dict[str, Any], document: RuleSetDocument) -> RuleDef:
    """The rule the form describes; a Chinese error naming the field when something is wrong."""
    data: dict[str, Any] = {key: values[key] for key in TEXT_FIELDS if key != "priority"}
    data["priority"] = form_number(values["priority"], "priority", RULE_LABELS["priority"])
    if data["priority"] is None:
        data["priority"] = 100
    data["enabled"] = bool(values["enabled"])
    for key in CHOICE_FIELDS:
        data[key] = list(values[key])
    for key in MATERIAL_FIELDS:
        data[key] = parse_materials(values[key], key, document)
    try:
        return RuleDef.model_validate(data)
    except ValidationError as error:
        raise invalid_input(error, RULE_LABELS) from error
