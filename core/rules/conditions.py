"""Rule conditions: expressions over the indicators, parsed and type-checked by the rule-engine library.

Example: ``investor == "enterprise" and not in_approval_catalogue``. Only indicator names from the question
catalogue may appear; a condition that does not parse or names an unknown indicator is reported in Chinese.
"""

import re
from functools import lru_cache

import rule_engine

from core.rules.indicators import LAND_SUPPLIES, QUESTION_BY_KEY, QUESTIONS, Indicators

CHOICE_VALUES = {"land_supply": LAND_SUPPLIES}  # includes the implied 原有用地

_TYPES = {
    "choice": rule_engine.DataType.STRING,
    "yes_no": rule_engine.DataType.BOOLEAN,
    "number": rule_engine.DataType.FLOAT,
}
_CONTEXT = rule_engine.Context(
    type_resolver=rule_engine.type_resolver_from_dict({q.key: _TYPES[q.kind] for q in QUESTIONS}),
    default_value=None,
)


class ConditionError(ValueError):
    """A condition that cannot be used, with a message for the admin who wrote it."""


_COMPARED_CHOICE = re.compile(r'\b([a-z_]+)\s*(?:==|!=)\s*"([^"]*)"')
_LISTED_CHOICES = re.compile(r"\b([a-z_]+)\s+in\s+\[([^\]]*)\]")


def _unknown_choice(text: str) -> str | None:
    """A choice value the condition compares with that the question does not offer (it would never match)."""
    pairs = [(m.group(1), [m.group(2)]) for m in _COMPARED_CHOICE.finditer(text)]
    pairs += [(m.group(1), re.findall(r'"([^"]*)"', m.group(2))) for m in _LISTED_CHOICES.finditer(text)]
    for key, values in pairs:
        question = QUESTION_BY_KEY.get(key)
        options = CHOICE_VALUES.get(key, question.options if question else {})
        for value in values:
            if question is not None and question.kind != "choice":
                return f"“{question.label}”不是选择题，不能与文字“{value}”比较"
            if question is not None and value not in options:
                return f"“{value}”不是“{question.label}”的可选值（可选：{'、'.join(options)}）"
    return None


@lru_cache(maxsize=2048)
def compile_condition(text: str) -> rule_engine.Rule:
    """The parsed condition, or ConditionError saying what is wrong with it."""
    problem = _unknown_choice(text)
    if problem:
        raise ConditionError(problem)
    try:
        return rule_engine.Rule(text, context=_CONTEXT)
    except rule_engine.errors.SymbolResolutionError as error:
        raise ConditionError(f"条件中的“{error.symbol_name}”不是已知的指标名称") from error
    except rule_engine.errors.RuleSyntaxError as error:
        raise ConditionError(f"条件语法错误：{text}") from error
    except rule_engine.errors.EvaluationError as error:
        raise ConditionError("条件中比较的两边类型不一致（例如数字与文字、是否题与数字），请检查指标和取值") from error
    except rule_engine.errors.EngineError as error:
        raise ConditionError(f"条件无法使用：{error.message}") from error


def holds(text: str, values: Indicators) -> bool | None:
    """Whether the condition holds; None when it needs an indicator that was not asked (the rule does not apply)."""
    rule = compile_condition(text)
    try:
        return bool(rule.matches(dict(values)))
    except rule_engine.errors.EvaluationError:
        return None
