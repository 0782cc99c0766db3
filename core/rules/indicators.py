"""The project indicators (选填指标) a filer answers: the questions, when each applies, and their checks.

The same catalogue drives the web wizard, the API (``/projects/questions``) and the bot's intake form, and it
types the symbols that rule conditions may use.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

IndicatorValue = str | float | bool | None
Indicators = Mapping[str, IndicatorValue]

Kind = Literal["choice", "yes_no", "number"]

MAX_INVESTMENT_YUAN = 1e12  # 1 万亿元: larger than any single project in a development zone
MAX_FLOOR_AREA_M2 = 1e7
MAX_ENERGY_TCE = 1e8
MAX_ELECTRICITY_KWH = 1e11
MAX_COAL_TONNES = 1e8

ENERGY_REVIEW_TCE = 1000.0
ENERGY_REVIEW_COAL_TONNES = 1000.0
PROVINCIAL_REVIEW_TCE = 10000.0
PROVINCIAL_REVIEW_COAL_TONNES = 10000.0
"""The thresholds of 《固定资产投资项目节能审查和碳排放评价办法》（国家发展改革委令2025年第31号）第八条: a
separate energy review below 1,000 t standard coal *and* 1,000 t of coal a year is not needed; from 10,000 t (of
either) the province reviews, and such projects never go by the notify-and-commit route of 第十一条."""

INVESTORS = {"government": "政府投资", "enterprise": "企业投资"}
PROJECT_TYPES = {
    "industrial": "工业项目",
    "residential": "居住项目",
    "public_building": "公共建筑",
    "municipal": "市政及管线工程",
    "renovation": "既有建筑装修改造",
}
LAND_SUPPLIES = {"allocated": "划拨", "transfer": "出让", "existing": "原有用地"}
INDUSTRIES = {
    "chemical": "化学原料和化学制品制造",
    "pharmaceutical": "医药制造（化学药品原料药）",
    "electroplating": "金属表面处理（含电镀工艺）",
    "equipment": "通用及专用设备制造",
    "electronics": "计算机、通信和其他电子设备制造",
    "food": "农副食品加工",
    "warehouse": "仓储物流（不含危险品）",
    "hazardous_warehouse": "危险品仓储",
    "real_estate": "房地产开发",
    "hospital": "医院",
    "school": "学校",
    "road": "城市道路",
    "pipeline": "城市管网",
    "other": "其他",
}


@dataclass(frozen=True)
class Question:
    """One indicator: how it is asked, what it accepts and when it applies."""

    key: str
    label: str
    prompt: str
    kind: Kind
    options: Mapping[str, str] = field(default_factory=dict)
    unit: str = ""
    minimum: float = 0.0
    maximum: float = 0.0
    help: str = ""
    applies: Callable[[Indicators], bool] = lambda _: True


def _not_renovation(v: Indicators) -> bool:
    return v.get("project_type") != "renovation"


def _is_building(v: Indicators) -> bool:
    return v.get("project_type") not in ("municipal", None)


def _energy_questions_apply(_: Indicators) -> bool:
    """Where the energy figures are asked: every project (a renovation counts its added use), so the
    annual coal use is asked wherever the comprehensive energy use is."""
    return True


def _figure(v: Indicators, key: str) -> float | None:
    value = v.get(key)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def needs_energy_review(v: Indicators) -> bool:
    """Whether the energy figures answered so far call for a separate energy review (art. 8 of the 2025 measure)."""
    tce, coal = _figure(v, "energy_tce"), _figure(v, "coal_tonnes")
    return (tce is not None and tce >= ENERGY_REVIEW_TCE) or (coal is not None and coal >= ENERGY_REVIEW_COAL_TONNES)


def _regional_review_applies(v: Indicators) -> bool:
    """The regional-review question only matters for a project that needs a review below the provincial level
    (art. 11: in such an area these go by notify-and-commit), so it is asked once both figures show that."""
    tce, coal = _figure(v, "energy_tce"), _figure(v, "coal_tonnes")
    if tce is None or coal is None:
        return False
    return needs_energy_review(v) and tce < PROVINCIAL_REVIEW_TCE and coal < PROVINCIAL_REVIEW_COAL_TONNES


QUESTIONS: tuple[Question, ...] = (
    Question("investor", "投资主体", "项目由谁投资？", "choice", INVESTORS),
    Question(
        "in_approval_catalogue",
        "是否列入政府核准的投资项目目录",
        "项目是否列入《政府核准的投资项目目录》？",
        "yes_no",
        help="列入目录的企业投资项目实行核准制，其余实行备案制。",
        applies=lambda v: v.get("investor") == "enterprise",
    ),
    Question("project_type", "项目类型", "项目属于哪一类？", "choice", PROJECT_TYPES),
    Question(
        "alters_structure_or_facade",
        "是否改变建筑主体结构或外立面",
        "装修改造是否改变建筑主体结构或外立面？",
        "yes_no",
        applies=lambda v: v.get("project_type") == "renovation",
    ),
    Question("new_land", "是否新增用地", "项目是否需要新增建设用地？", "yes_no", applies=_not_renovation),
    Question(
        "land_supply",
        "土地供应方式",
        "新增用地以什么方式供应？",
        "choice",
        {k: LAND_SUPPLIES[k] for k in ("allocated", "transfer")},
        applies=lambda v: _not_renovation(v) and v.get("new_land") is True,
    ),
    Question(
        "total_investment",
        "总投资",
        "项目总投资是多少（元）？",
        "number",
        unit="元",
        maximum=MAX_INVESTMENT_YUAN,
    ),
    Question(
        "floor_area",
        "总建筑面积",
        "总建筑面积是多少（平方米）？装修改造填改造面积，市政工程没有建筑面积可填 0。",
        "number",
        unit="平方米",
        maximum=MAX_FLOOR_AREA_M2,
    ),
    Question(
        "civil_building",
        "是否民用建筑",
        "项目中是否包含民用建筑（如厂区内的研发办公楼、职工宿舍）？",
        "yes_no",
        # Not implied by 工业项目: an industrial project's office block or dormitory is a civil building and
        # brings 人防 (tests/rules/scenarios.json industrial_civil_dormitory), so the question names what it
        # means there instead of asking “是否为民用建筑” of a factory.
        help="住宅、办公、商业、学校、医院等属民用建筑；厂房、仓库等生产性建筑不属于。",
        applies=lambda v: v.get("project_type") in ("industrial", "renovation"),
    ),
    Question(
        "has_basement",
        "是否建设地下室",
        "是否建设地下室？",
        "yes_no",
        applies=lambda v: _not_renovation(v) and _is_building(v),
    ),
    Question(
        "energy_tce",
        "年综合能源消费量",
        "项目建成后年综合能源消费量是多少吨标准煤？",
        "number",
        unit="吨标准煤",
        maximum=MAX_ENERGY_TCE,
        help="含电力、煤炭、天然气等各类能源，折算为标准煤（电力按当量值折算）；改建和技术改造项目填增加的量。",
        applies=_energy_questions_apply,
    ),
    Question(
        "electricity_kwh",
        "年电力消费量",
        "项目建成后年用电量是多少千瓦时？",
        "number",
        unit="千瓦时",
        maximum=MAX_ELECTRICITY_KWH,
        help="用电量折算后计入年综合能源消费量；年用电量本身不再作为是否需要节能审查的标准。",
        applies=_energy_questions_apply,
    ),
    Question(
        "coal_tonnes",
        "年煤炭消费量",
        "项目建成后每年消费多少吨煤炭（按实物吨数，不烧煤填 0）？",
        "number",
        unit="吨",
        maximum=MAX_COAL_TONNES,
        help="按原煤、洗精煤等煤炭的实物吨数填写，不折算标准煤。年煤炭消费量达到1000吨的，须单独进行节能审查。",
        applies=_energy_questions_apply,
    ),
    Question(
        "regional_energy_review",
        "是否位于已实施区域节能审查的区域",
        "项目是否位于已实施区域节能审查的开发区、新区等区域内？",
        "yes_no",
        help="已实施区域节能审查的区域内，节能审查实行告知承诺制。不清楚的，可向园区管委会或发展改革部门咨询。",
        applies=_regional_review_applies,
    ),
    Question(
        "industry",
        "所属行业",
        "项目属于哪个行业（用于确定环评类别）？",
        "choice",
        INDUSTRIES,
        applies=_not_renovation,
    ),
    Question("sewage_to_network", "是否向城镇排水管网排放污水", "是否向市政排水管网排放污水？", "yes_no"),
    Question("digs_road", "是否占用、挖掘城市道路", "施工是否需要占用或挖掘城市道路？", "yes_no"),
    Question("bridge_pipeline", "是否在城市桥梁上架设管线", "是否在城市桥梁上架设各类市政管线？", "yes_no"),
    Question("moves_trees", "是否砍伐、移植城市树木", "是否需要砍伐或移植城市树木？", "yes_no"),
    Question("occupies_green_space", "是否临时占用城市绿地", "施工是否需要临时占用城市绿地？", "yes_no"),
    Question("outdoor_advertising", "是否设置户外广告", "是否设置户外广告或招牌？", "yes_no"),
)

QUESTION_BY_KEY = {q.key: q for q in QUESTIONS}

# Answers that decide which other questions apply: a client asks again after any of these changes.
# The energy figures also open one follow-up (whether the project lies in an area with a regional energy review,
# once they show a review is needed) but are not listed: a number has no short list of values a client could try
# (the bot's contract captures every combination of these answers), and every client asks for the next question
# after each answer anyway; deriving with the follow-up unanswered says which question is left.
GATING_KEYS = frozenset({"investor", "project_type", "new_land"})

# Values that follow from other answers and are therefore not asked.
IMPLIED: dict[str, Callable[[Indicators], IndicatorValue]] = {
    "civil_building": lambda v: True if v.get("project_type") in ("residential", "public_building") else None,
    "land_supply": lambda v: (
        "existing" if v.get("project_type") == "renovation" or v.get("new_land") is False else None
    ),
    "new_land": lambda v: False if v.get("project_type") == "renovation" else None,
    "industry": lambda v: "other" if v.get("project_type") == "renovation" else None,
}


def applicable(values: Indicators) -> list[Question]:
    """The questions that apply given the answers so far, in asking order."""
    return [q for q in QUESTIONS if q.applies(values)]


def effective(values: Indicators) -> dict[str, IndicatorValue]:
    """The answers with inapplicable ones dropped and implied ones filled in: what the rules see."""
    result: dict[str, IndicatorValue] = {}
    for question in QUESTIONS:
        implied = IMPLIED.get(question.key)
        implied_value = implied(values) if implied else None
        if implied_value is not None:
            result[question.key] = implied_value
        elif question.applies(values):
            result[question.key] = values.get(question.key)
        else:
            result[question.key] = None
    return result


def unanswered(values: Indicators) -> list[Question]:
    """Applicable questions still without an answer, in asking order."""
    return [q for q in applicable(values) if values.get(q.key) is None and IMPLIED.get(q.key, _none)(values) is None]


def _none(_: Indicators) -> None:
    return None


def value_problem(question: Question, value: object) -> str | None:
    """Why one answer is unacceptable for its question, or None."""
    if value is None:
        return None
    if question.kind == "yes_no":
        return None if isinstance(value, bool) else f"{question.label}应回答“是”或“否”"
    if question.kind == "choice":
        if value in question.options:
            return None
        choices = "、".join(question.options.values())
        return f"{question.label}只能选择：{choices}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{question.label}应为数字（单位：{question.unit}）"
    if value != value or value < question.minimum:  # NaN or negative
        return f"{question.label}不能为负数"
    if value > question.maximum:
        return f"{question.label}超出合理范围（不超过{_plain(question.maximum)}{question.unit}），请核对单位和数值"
    return None


def consistency_problems(values: Indicators) -> dict[str, str]:
    """Answers that contradict each other, by the field to correct."""
    problems: dict[str, str] = {}
    kind = values.get("project_type")
    area = values.get("floor_area")
    if kind in ("industrial", "residential", "public_building") and area is not None and area == 0:
        problems["floor_area"] = f"{PROJECT_TYPES[str(kind)]}的总建筑面积不能为 0，请填写新建建筑的面积"
    if kind == "renovation" and area is not None and area == 0:
        problems["floor_area"] = "装修改造应填写改造面积，不能为 0"
    investment = values.get("total_investment")
    if investment is not None and investment == 0:
        problems["total_investment"] = "总投资不能为 0"
    if values.get("land_supply") == "existing" and values.get("new_land") is True:
        problems["land_supply"] = "新增用地的供应方式应为划拨或出让"
    if kind == "renovation" and values.get("new_land") is True:
        problems["new_land"] = "装修改造在原有用地上实施，不新增用地"
    return problems


def _plain(number: float) -> str:
    if number >= 1e8:
        return f"{number / 1e8:g}亿"
    if number >= 1e4:
        return f"{number / 1e4:g}万"
    return f"{number:g}"


def display(key: str, value: IndicatorValue) -> str:
    """An answer as a person reads it (labels for choices, 是/否, numbers with units)."""
    question = QUESTION_BY_KEY.get(key)
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if question is None:
        return str(value)
    if question.kind == "choice":
        options = LAND_SUPPLIES if key == "land_supply" else question.options
        return options.get(str(value), str(value))
    if isinstance(value, int | float):
        if question.unit in ("元", "千瓦时") and value >= 1e4:
            in_wan = _number(value / 1e4)
            if float(in_wan.replace(",", "")) * 1e4 == value:  # never round 4,999,999 up to "500万"
                return f"{in_wan}万{question.unit}"
        return f"{_number(value)}{question.unit}"
    return str(value)


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")
