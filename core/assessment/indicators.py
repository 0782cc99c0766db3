"""The indicators an assessment scheme may weigh: what each measures (the formula shown to users), which way is
better, and how its value becomes a score from 0 to 100.

Three ways to score, kept simple so that a department can check its own score by hand:

- a rate (按时办结率 …): score = rate × 100 (85% → 85 points);
- a ratio against the promise (平均用时比): linear between two bounds — at or under 0.5 (half the promised time
  used) 100 points, at or over 1.5 zero, in between 100 × (1.5 − ratio); a department that uses exactly the
  promised time gets 50;
- a count (逾期办件数): 100 points at zero, 10 points off for each, not below zero.

An indicator with nothing to measure for a department in the period (no concluded case, no warning …) is
"不涉及": it gets no score and its weight is spread over the department's other indicators in proportion
(total = Σ weight × score ÷ Σ weight of the indicators that apply). A department with none applies is not
ranked. How each is measured in the database is core/assessment/measures.py.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class Scoring(StrEnum):
    """How a value turns into points."""

    RATE = "rate"
    RATIO = "ratio"
    COUNT = "count"


RATIO_BEST, RATIO_WORST = Decimal("0.5"), Decimal("1.5")
POINTS_PER_COUNT = Decimal(10)
SIGN_WORKING_DAYS = 1
"""A warning is signed for in time by 17:30 of the first working day after it was raised."""

SCORING_TEXT = {
    Scoring.RATE: "得分 = 比率 × 100（如 85% 得 85 分）",
    Scoring.RATIO: "用时比 ≤ 0.5 得 100 分，≥ 1.5 得 0 分，其间得分 = 100 × (1.5 − 用时比)（用足承诺时限得 50 分）",
    Scoring.COUNT: "0 件得 100 分，每件扣 10 分，扣完为止",
}


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalogue."""

    code: str
    name: str
    definition: str
    """The formula in words, shown beside the score."""
    higher_is_better: bool
    scoring: Scoring
    unit: str
    """What the items of its explanation are (办件, 项目节点 …)."""
    numerator_label: str
    denominator_label: str

    @property
    def direction(self) -> str:
        """越高越好 / 越低越好."""
        return "越高越好" if self.higher_is_better else "越低越好"

    @property
    def scoring_text(self) -> str:
        """How the value becomes points, in words."""
        return SCORING_TEXT[self.scoring]

    def value(self, numerator: Decimal, denominator: Decimal) -> Decimal | None:
        """The measured value (a rate, a ratio or a count); ``None`` when the indicator does not apply."""
        if denominator <= 0:
            return None
        if self.scoring == Scoring.COUNT:
            return numerator
        return (numerator / denominator).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    def score(self, value: Decimal | None) -> Decimal | None:
        """The value's points from 0 to 100, to the cent; ``None`` when it does not apply."""
        if value is None:
            return None
        if self.scoring == Scoring.RATE:
            points = value * HUNDRED
        elif self.scoring == Scoring.RATIO:
            points = HUNDRED * (RATIO_WORST - value) / (RATIO_WORST - RATIO_BEST)
        else:
            points = HUNDRED - POINTS_PER_COUNT * value
        return min(HUNDRED, max(Decimal(0), points)).quantize(CENT, ROUND_HALF_UP)

    def shown(self, value: Decimal | None) -> str:
        """The value as people read it: 85.00%, 0.82, 3 件; 不涉及 when it does not apply."""
        if value is None:
            return "不涉及"
        if self.scoring == Scoring.RATE:
            return f"{(value * HUNDRED).quantize(CENT, ROUND_HALF_UP)}%"
        if self.scoring == Scoring.COUNT:
            return f"{int(value)} 件"
        return f"{value.quantize(CENT, ROUND_HALF_UP)}"


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "case_on_time_rate",
            "办件按时办结率",
            "按时办结率 = 考核期内办结且办结时间不晚于承诺办结时间的办件数 ÷ 考核期内办结的办件数",
            True,
            Scoring.RATE,
            "办件",
            "按时办结件数",
            "办结件数",
        ),
        Indicator(
            "handling_time_ratio",
            "平均办理用时比",
            "用时比 = 考核期内办结办件的实际用时（受理至办结）合计 ÷ 承诺用时（受理至承诺办结时间）合计，"
            "即平均办理天数 ÷ 平均承诺天数；补正和特别程序期间顺延",
            False,
            Scoring.RATIO,
            "办件",
            "实际用时合计（天）",
            "承诺用时合计（天）",
        ),
        Indicator(
            "overdue_count",
            "逾期办件数",
            "逾期办件数 = 考核期内在办（期内受理或办结、期末仍未办结）的办件中，考核期内超过承诺办结时间仍未办结的件数"
            "（包括逾期后办结的）",
            False,
            Scoring.COUNT,
            "办件",
            "逾期件数",
            "在办件数",
        ),
        Indicator(
            "warning_sign_rate",
            "预警按时签收率",
            "按时签收率 = 考核期内发出的预警中，在发出后 1 个工作日内（次一工作日 17:30 前）签收的件数 ÷ 应签收的预警数"
            "（未签收前已因主体完成而解除的不计）",
            True,
            Scoring.RATE,
            "预警",
            "按时签收件数",
            "应签收预警数",
        ),
        Indicator(
            "warning_close_rate",
            "预警销警率",
            "销警率 = 考核期内发出的预警中，考核期末前已销警的件数 ÷ 考核期内发出的预警数"
            "（因主体完成或改期而解除的不计）",
            True,
            Scoring.RATE,
            "预警",
            "已销警件数",
            "预警数",
        ),
        Indicator(
            "node_on_time_rate",
            "项目节点按时完成率",
            "按时完成率 = 计划完成日期在考核期内的重大项目审批节点中，实际完成日期不晚于计划完成日期的个数 ÷ 这些节点数"
            "（不涉及的节点不计）",
            True,
            Scoring.RATE,
            "项目节点",
            "按时完成节点数",
            "到期节点数",
        ),
        Indicator(
            "supervision_feedback_rate",
            "监管反馈及时率",
            "反馈及时率 = 反馈时限（未认领的按认领时限）在考核期内的审批推送中，在反馈时限内反馈监管结果的件数 ÷ 这些推送数",
            True,
            Scoring.RATE,
            "审批推送",
            "按时反馈件数",
            "到期推送数",
        ),
        Indicator(
            "bad_rating_follow_up_rate",
            "差评按时整改率",
            "按时整改率 = 整改时限（差评后 5 个工作日）在考核期内的差评中，在时限内答复整改情况的件数 ÷ 这些差评数",
            True,
            Scoring.RATE,
            "差评",
            "按时整改件数",
            "到期差评数",
        ),
    )
}
"""The catalogue, in the order schemes and pages list them."""


def get_indicator(code: str) -> Indicator | None:
    """The indicator of that code, if it exists."""
    return INDICATORS.get(code)
