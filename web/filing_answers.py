"""The indicators step's questions as a form: a saved answer as its field shows it, what was typed parsed
back (总投资 typed in 万元, saved in 元), and each applicable question as a row of the wizard."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from starlette.datastructures import FormData

from core.errors import ValidationFailed
from core.rules import indicators as ind
from web.common import text

INVESTMENT = "total_investment"
YUAN_PER_WAN = Decimal(10_000)
YES_NO = {"yes": True, "no": False}
# Answers other questions depend on: filing.js re-posts the form as soon as one of them is chosen.
REPOST_KEYS = ind.GATING_KEYS


@dataclass(frozen=True)
class QuestionRow:
    """A question as the wizard shows it: options, the value to show and an error, if any."""

    key: str
    label: str
    prompt: str
    kind: str
    options: list[tuple[str, str]]
    unit: str
    help: str
    value: str
    unanswered: bool
    reposts: bool
    error: str


def _number_text(value: Decimal) -> str:
    """A number as typed, without exponent or trailing zeros."""
    plain = format(value.normalize(), "f")
    return plain.rstrip("0").rstrip(".") if "." in plain else plain


def _shown_value(question: ind.Question, value: ind.IndicatorValue) -> str:
    """A saved answer as its form field shows it (总投资 in 万元)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if question.kind == "number" and isinstance(value, int | float):
        number = Decimal(repr(float(value)))
        return _number_text(number / YUAN_PER_WAN if question.key == INVESTMENT else number)
    return str(value)


def _parse_answer(question: ind.Question, typed: str) -> ind.IndicatorValue:
    """One typed or chosen answer; blank is "not answered". Choices are checked by the service."""
    if not typed:
        return None
    if question.kind == "yes_no":
        return YES_NO.get(typed, typed)
    if question.kind == "choice":
        return typed
    try:
        number = Decimal(typed.replace(",", "").replace("，", "").replace(" ", ""))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        unit = "万元" if question.key == INVESTMENT else question.unit
        raise ValidationFailed(f"{question.label}应为数字（单位：{unit}）", field=question.key)
    return float(number * YUAN_PER_WAN if question.key == INVESTMENT else number)


def typed_answers(form: FormData) -> dict[str, str]:
    """What the form holds for each question on it; a radio group left unchosen is not sent at all."""
    return {q.key: text(form, q.key) for q in ind.QUESTIONS if q.key in form}


def parsed_answers(typed: dict[str, str], *, lenient: bool = False) -> dict[str, ind.IndicatorValue]:
    """Typed answers parsed; leniently, the ones that do not parse are left out (to decide what to show)."""
    parsed: dict[str, ind.IndicatorValue] = {}
    for key, value in typed.items():
        try:
            parsed[key] = _parse_answer(ind.QUESTION_BY_KEY[key], value)
        except ValidationFailed:
            if not lenient:
                raise
    return parsed


def question_rows(values: ind.Indicators, typed: dict[str, str] | None, errors: dict[str, str]) -> list[QuestionRow]:
    open_keys = {q.key for q in ind.unanswered(values)}
    rows = []
    for q in ind.applicable(values):
        options = list(q.options.items()) if q.kind == "choice" else [("yes", "是"), ("no", "否")]
        shown = typed[q.key] if typed is not None and q.key in typed else _shown_value(q, values.get(q.key))
        is_investment = q.key == INVESTMENT
        rows.append(
            QuestionRow(
                key=q.key,
                label=f"{q.label}（万元）" if is_investment else q.label,
                prompt="项目总投资是多少万元？" if is_investment else q.prompt,
                kind=q.kind,
                options=options if q.kind != "number" else [],
                unit="万元" if is_investment else q.unit,
                help="请以万元为单位填写，系统换算为元保存，如 8000 万元填 8000。" if is_investment else q.help,
                value=shown,
                unanswered=q.key in open_keys,
                reposts=q.key in REPOST_KEYS,
                error=errors.get(q.key, ""),
            )
        )
    return rows
