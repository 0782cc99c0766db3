"""Understanding what people type in Chinese: amounts with units, yes/no, choices, case numbers, ratings.

Pure functions with no I/O, so they are tested on their own (tests/test_parsing.py). Numbers go through
``cn2an`` after the colloquial forms it does not know are rewritten ("一点二亿", "三个亿", "5000w",
"3,500万"); units are recognised per family and converted to the unit the question asks in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import cn2an


class ParseError(ValueError):
    """The text could not be understood as the expected kind of answer; the message says why (Chinese)."""


# --- text normalisation -------------------------------------------------------------------------------------------


def normalize(text: Optional[str]) -> str:
    """NFKC (full-width digits and letters become ASCII, ㎡ becomes m2), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


# --- case numbers and query passwords --------------------------------------------------------------------------------

CASE_NO = re.compile(r"(?<![A-Za-z0-9])KF\d{12}(?!\d)", re.IGNORECASE)
CASE_NO_FULL = re.compile(r"^KF\d{12}$")
QUERY_CODE = re.compile(r"(?<![A-Za-z0-9])\d{6}(?!\d)")


def find_case_no(text: Optional[str]) -> Optional[str]:
    """The first case number in the text (``KF`` + 12 digits), upper-cased; spaces and dashes inside tolerated."""
    t = normalize(text)
    match = CASE_NO.search(t)
    if not match:
        match = CASE_NO.search(re.sub(r"(?<=[A-Za-z0-9])[\s\-_]+(?=[0-9])", "", t))
    return match.group(0).upper() if match else None


def normalize_case_no(value: Optional[str]) -> Optional[str]:
    """A slot value made canonical (``kf2026...`` → ``KF2026...``), or None when it is not a case number."""
    return find_case_no(value)


def find_query_code(text: Optional[str]) -> Optional[str]:
    """A 6-digit query password in the text (never digits taken from inside a case number)."""
    t = CASE_NO.sub(" ", normalize(text))
    match = QUERY_CODE.search(t)
    return match.group(0) if match else None


# --- numbers -------------------------------------------------------------------------------------------------------

_CN_DIGIT = {
    "零": "0",
    "〇": "0",
    "一": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_NUMERAL_CHARS = "0123456789.零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟"
_NUMBER = re.compile(f"[{_NUMERAL_CHARS}]+")
_DIGITISH = re.compile(r"[0-9零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾]")
_VAGUE = re.compile(r"[几数若]+[十百千万亿]|[十百千万亿]多|上[百千万亿]|好几|几个")
_NOTHING = re.compile(
    r"^(没有|无|零|0|没|不涉及|不用|没得|暂无|还没有|没用|不消耗|不用电|不烧煤|不用煤|没有用煤)[。.!！的啊呢吧]*$"
)


def _cn_decimal(match: "re.Match[str]") -> str:
    whole, frac = match.group(1), match.group(2)
    try:
        whole_value = str(int(cn2an.cn2an(whole, "smart"))) if whole not in _CN_DIGIT else _CN_DIGIT[whole]
    except (ValueError, KeyError):
        return match.group(0)
    return whole_value + "." + "".join(_CN_DIGIT.get(c, c) for c in frac)


def _prepare_numbers(text: str) -> str:
    t = re.sub(r"(?<=\d)[,，](?=\d{3})", "", text)  # 3,500万
    t = re.sub(r"\s+", "", t)
    t = re.sub(r"([零〇一二两三四五六七八九十百千]+)点([零〇一二两三四五六七八九]+)", _cn_decimal, t)  # 一点二亿
    t = re.sub(r"([0-9一二两三四五六七八九十])个(亿|万)", r"\1\2", t)  # 三个亿
    t = re.sub(r"(?<=\d)[wW](?![a-zA-Z])", "万", t)  # 5000w
    t = re.sub(r"(?<=\d)[kK](?![a-zA-Z])", "千", t)  # 50k
    return t


def _to_number(expression: str) -> float:
    expression = expression.strip(".")
    if re.fullmatch(r"\d+(\.\d+)?", expression):
        return float(expression)
    try:
        return float(cn2an.cn2an(expression, "smart"))
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ParseError("没能识别出这个数字，请直接回复数值，例如“5000万”或“1.2亿”。") from exc


# --- units ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitFamily:
    """The units a question may be answered in, each with its factor to the question's unit."""

    name: str  # what to call the quantity in a message
    base: str  # the unit the API stores
    units: Tuple[Tuple[str, float], ...]  # (pattern, factor) — checked in order, longest first
    example: str


MONEY = UnitFamily(
    "金额",
    "元",
    (
        ("亿元", 1e8),
        ("万元", 1e4),
        ("千元", 1e3),
        ("百元", 1e2),
        ("元", 1.0),
        ("块钱", 1.0),
        ("块", 1.0),
        ("rmb", 1.0),
        ("人民币", 1.0),
        ("¥", 1.0),
        ("￥", 1.0),
    ),
    "5000万元",
)
AREA = UnitFamily(
    "面积",
    "平方米",
    (
        ("平方千米", 1e6),
        ("平方公里", 1e6),
        ("km2", 1e6),
        ("公顷", 1e4),
        ("亩", 10000 / 15),
        ("平方米", 1.0),
        ("平米", 1.0),
        ("平方", 1.0),
        ("m2", 1.0),
        ("平", 1.0),
        ("方", 1.0),
    ),
    "2万平方米",
)
ENERGY = UnitFamily(
    "能耗",
    "吨标准煤",
    (
        ("千克标准煤", 1e-3),
        ("千克标煤", 1e-3),
        ("公斤标准煤", 1e-3),
        ("公斤标煤", 1e-3),
        ("吨标准煤", 1.0),
        ("吨标煤", 1.0),
        ("tce", 1.0),
        ("标准煤", 1.0),
        ("标煤", 1.0),
        ("吨", 1.0),
    ),
    "800吨标准煤",
)
ELECTRICITY = UnitFamily(
    "用电量",
    "千瓦时",
    (
        ("吉瓦时", 1e6),
        ("gwh", 1e6),
        ("兆瓦时", 1e3),
        ("mwh", 1e3),
        ("千瓦小时", 1.0),
        ("千瓦时", 1.0),
        ("kwh", 1.0),
        ("度电", 1.0),
        ("度", 1.0),
    ),
    "300万千瓦时",
)
COAL = UnitFamily(
    "煤炭消费量",
    "吨",
    (
        ("公斤", 1e-3),
        ("kg", 1e-3),
        ("吨", 1.0),
    ),
    "1200吨",
)
"""Coal in physical tonnes (the energy measure's second test), not converted to standard coal."""
FAMILIES = (MONEY, AREA, ENERGY, ELECTRICITY, COAL)
_UNIT_ALIASES = {
    "元": MONEY,
    "万元": MONEY,
    "平方米": AREA,
    "吨标准煤": ENERGY,
    "吨标煤": ENERGY,
    "千瓦时": ELECTRICITY,
    "kWh": ELECTRICITY,
    "吨": COAL,
}

# Unit words that contain numeral characters are replaced before numbers are cut out ("300万千瓦时").
_PROTECT = (
    ("千瓦小时", "kwh"),
    ("千瓦时", "kwh"),
    ("千克", "kg"),
    ("平方千米", "km2"),
    ("兆瓦时", "mwh"),
    ("吉瓦时", "gwh"),
    ("万千瓦", "万kw"),
)


def family_for(unit: str) -> Optional[UnitFamily]:
    """The unit family of a question's unit (``元``, ``平方米``, ``吨标准煤``, ``千瓦时``), None for plain counts."""
    if not unit:
        return None
    if unit in _UNIT_ALIASES:
        return _UNIT_ALIASES[unit]
    for family in FAMILIES:
        if unit == family.base or any(unit == u for u, _ in family.units):
            return family
    return None


def _unit_in(text: str, family: UnitFamily) -> Optional[Tuple[str, float]]:
    lowered = text.lower().replace("kg标准煤", "千克标准煤").replace("kg标煤", "千克标煤")
    for unit, factor in family.units:
        if unit in lowered:
            return unit, factor
    return None


def _other_family(text: str, expected: Optional[UnitFamily]) -> Optional[UnitFamily]:
    lowered = text.lower()
    strong = {
        MONEY: ("元", "块钱", "人民币"),
        AREA: ("平方米", "平米", "平方", "m2", "公顷", "亩"),
        ENERGY: ("标煤", "标准煤", "tce"),
        ELECTRICITY: ("千瓦时", "kwh", "度电", "兆瓦时", "mwh", "千瓦小时"),
        COAL: ("吨煤", "原煤", "煤炭"),
    }
    for family, words in strong.items():
        if family is expected:
            continue
        if any(w in lowered for w in words):
            if family is ENERGY and expected is not None and expected is not ENERGY and "吨" not in lowered:
                continue
            return family
    return None


def parse_quantity(text: Optional[str], unit: str = "") -> float:
    """A number with an optional unit, converted to ``unit`` (the question's): "1.2亿元" → 120000000.

    Raises :class:`ParseError` with a reason to show when there is no number, the number is vague
    ("几百万"), or the unit belongs to another quantity (an area given for an amount).
    """
    family = family_for(unit)
    t = normalize(text)
    if not t:
        raise ParseError("请回复一个数值。")
    lowered = t.lower()
    if _NOTHING.match(lowered):
        return 0.0
    if _VAGUE.search(t):
        raise ParseError("需要一个具体的数值（可以是估算值），例如“" + (family.example if family else "100") + "”。")
    other = _other_family(t, family)
    if other is not None and family is not None:
        raise ParseError(
            f"这里需要填写{family.name}（单位：{family.base}），您给的像是{other.name}。请重新回复，例如“{family.example}”。"
        )
    prepared = lowered
    for word, token in _PROTECT:
        prepared = prepared.replace(word, token)
    prepared = _prepare_numbers(prepared)
    candidates = [m for m in _NUMBER.finditer(prepared) if _DIGITISH.search(m.group(0))]
    if not candidates:
        example = family.example if family else "100"
        raise ParseError(f"没能识别出数值，请直接回复数字，例如“{example}”。")
    best = max(candidates, key=lambda m: (len(m.group(0)), -m.start()))
    value = _to_number(best.group(0))
    if family is not None:
        rest = prepared[best.end() :]
        found = _unit_in(rest, family) or _unit_in(prepared, family)
        if found is not None:
            value *= found[1]
    if value < 0:
        raise ParseError("数值不能为负数。")
    return round(value, 6)


def format_quantity(value: float, unit: str = "") -> str:
    """A number as people write it: 120000000 元 → "1.2亿元", 20000 平方米 → "2万平方米"."""
    if value >= 1e8:
        text = f"{value / 1e8:.6g}亿"
    elif value >= 1e4:
        text = f"{value / 1e4:.6g}万"
    else:
        text = f"{value:.6g}"
    return text + unit


# --- yes / no ------------------------------------------------------------------------------------------------------

_UNKNOWN = (
    "不知道",
    "不清楚",
    "不确定",
    "不了解",
    "不太懂",
    "不懂",
    "什么意思",
    "啥意思",
    "不明白",
    "说不准",
    "没想好",
    "还没定",
    "待定",
)
_UNKNOWN_RE = re.compile(r"不(太|大|是很|很)?(清楚|知道|确定|了解|懂|明白)")
_FILLER = re.compile(
    r"[，,。.!！~～\s]|的|啊|呀|吧|呢|哦|哈|啦|嘛|了|非常|肯定是的|无论|不错|没问题|不过|有限公司|有限"
)
_NO_START = re.compile(r"^(不|没|无|否|未|非|别|n$|no\b|nope)")
_YES_START = re.compile(r"^(是|对|有|要|需要|会|涉及|列入|嗯|好|确定|肯定|当然|没错|对头|可以|yes|ok|y$)")
_NO_ANYWHERE = re.compile(
    r"不需要|不用|没有|不涉及|不会|不是|不要|无需|不设|不建|不挖|不砍|不占|不排|不改|未列入|没列入"
)
_YES_ANYWHERE = re.compile(r"需要|要|涉及|设置|会|建|排放|占用|挖|砍|移植|列入|改变|(?<!没)有")


_ASKS_BACK = re.compile(r"咋办|怎么办|咋弄|怎么弄|怎么处理|是不是|要不要|用不用|需不需要|算不算|[吗么嘛][？?]?$")
"""A question asked back (“要砍树咋办”, “是不是不用办”) is no answer: the question is explained instead."""


class UnknownAnswer(ParseError):
    """The user said they don't know: explain the question instead of re-asking bluntly."""


def parse_yes_no(text: Optional[str]) -> bool:
    """是/对/有/需要 → True, 否/不/没有/无 → False; "不知道" raises :class:`UnknownAnswer`.

    A yes/no word at the start decides; elsewhere in the sentence only in a short answer ("我们要建地下室"),
    so that names and other text ("苏州恒创科技有限公司") are not taken for an answer.
    """
    t = normalize(text).lower()
    if not t:
        raise ParseError("请回复“是”或“否”。")
    if any(w in t for w in _UNKNOWN) or _UNKNOWN_RE.search(t) or _ASKS_BACK.search(t):
        raise UnknownAnswer("没关系，我来解释一下。")
    if re.fullmatch(r"[\s，,。.!！]*(没问题|没错)[\s，,。.!！的]*", t):
        return True
    cleaned = _FILLER.sub("", t)
    if not cleaned:
        raise ParseError("请回复“是”或“否”。")
    if _NO_START.search(cleaned) or (len(cleaned) <= 20 and _NO_ANYWHERE.search(cleaned)):
        return False
    if _YES_START.search(cleaned) or (len(cleaned) <= 12 and _YES_ANYWHERE.search(cleaned)):
        return True
    raise ParseError("请回复“是”或“否”。")


# --- choices -------------------------------------------------------------------------------------------------------

# Words people use for the options of the known questions (checked before the labels; first match wins).
CHOICE_SYNONYMS: Dict[str, Sequence[Tuple[str, Sequence[str]]]] = {
    "investor": (
        ("government", ("政府", "财政", "国有资金", "政府投资", "公益", "代建")),
        ("enterprise", ("企业", "公司", "民营", "私企", "外资", "社会资本", "自筹", "自己投", "我们自己", "厂里")),
    ),
    "project_type": (
        ("renovation", ("装修", "改造", "翻新", "改建", "装饰")),
        ("municipal", ("市政", "道路", "管线", "管网", "桥梁", "修路", "排水", "燃气管")),
        ("residential", ("住宅", "小区", "商品房", "居住", "安置房", "公寓", "宿舍")),
        ("public_building", ("公共建筑", "学校", "医院", "办公楼", "商场", "商业", "写字楼", "体育馆", "酒店", "公建")),
        ("industrial", ("工业", "厂房", "工厂", "车间", "制造", "生产", "仓库", "厂")),
    ),
    "land_supply": (
        ("allocated", ("划拨",)),
        ("transfer", ("出让", "招拍挂", "挂牌", "拍卖", "招标", "买地", "买的地")),
        ("existing", ("原有", "自有", "现有")),
    ),
    "industry": (
        ("hazardous_warehouse", ("危险品仓储", "危化品", "危险化学品仓", "危险品仓库", "危废")),
        ("pharmaceutical", ("医药", "制药", "药厂", "原料药", "药品")),
        ("chemical", ("化工", "化学原料", "化学品", "化学制品", "涂料", "农药")),
        ("electroplating", ("电镀", "表面处理", "金属表面", "喷涂", "阳极氧化")),
        ("electronics", ("电子", "芯片", "半导体", "通信", "计算机", "集成电路", "pcb", "电路板")),
        ("equipment", ("设备", "机械", "装备", "机床", "零部件", "汽配")),
        ("food", ("食品", "农副", "粮油", "饮料", "肉类", "屠宰")),
        ("warehouse", ("仓储", "物流", "仓库", "冷链", "快递")),
        ("real_estate", ("房地产", "房产开发", "地产", "商品房")),
        ("hospital", ("医院", "诊所", "卫生院", "医疗")),
        ("school", ("学校", "幼儿园", "小学", "中学", "大学", "培训")),
        ("road", ("道路", "修路", "公路", "马路")),
        ("pipeline", ("管网", "管线", "管道", "排水管", "燃气管")),
        ("other", ("其他", "其它", "别的", "都不是", "以上都不")),
    ),
}
_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def _overlap(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    common = sum(1 for ch in set(a) if ch in b and ch not in "的和及其他（）()、，")
    return common / max(len(set(b)), 1)


def parse_choice(text: Optional[str], options: Mapping[str, str], key: str = "") -> str:
    """The option value the text means: its label, a synonym, its number in the list, or its key."""
    t = normalize(text)
    lowered = t.lower()
    if not t:
        raise ParseError("请从选项中选择一个。")
    values = list(options)
    for value, label in options.items():  # exact label or key
        if t == label or lowered == value.lower():
            return value
    ordinal = re.fullmatch(r"(?:第)?([0-9]{1,2}|[一二两三四五六七八九十])(?:个|项|种|类)?[。.]?", t)
    if ordinal:
        raw = ordinal.group(1)
        index = int(raw) if raw.isdigit() else _ORDINALS[raw]
        if 1 <= index <= len(values):
            return values[index - 1]
    for value, words in CHOICE_SYNONYMS.get(key, ()):
        if value in options and any(w in lowered for w in words):
            return value
    contained = [v for v, label in options.items() if label and (label in t or (len(t) >= 2 and t in label))]
    if len(contained) == 1:
        return contained[0]
    scored = sorted(((_overlap(t, label), v) for v, label in options.items()), reverse=True)
    if scored and scored[0][0] >= 0.5 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    raise ParseError("没能对应到选项，请从以下选项中选择：" + "、".join(options.values()) + "。")


# --- ratings -------------------------------------------------------------------------------------------------------

LEVEL_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
_LEVEL_WORDS: Tuple[Tuple[int, Tuple[str, ...]], ...] = (
    (
        1,
        (
            "非常不满意",
            "很不满意",
            "特别不满意",
            "极不满意",
            "十分不满意",
            "太差",
            "很差",
            "非常差",
            "极差",
            "差评",
            "一星",
            "1星",
            "一颗星",
            "垃圾",
            "糟糕",
        ),
    ),
    (
        5,
        (
            "非常满意",
            "很满意",
            "特别满意",
            "十分满意",
            "超级满意",
            "非常好",
            "很好",
            "五星",
            "5星",
            "五颗星",
            "太棒",
            "满分",
            "完美",
            "特别好",
        ),
    ),
    (3, ("基本满意", "一般", "还行", "还可以", "凑合", "中评", "三星", "3星", "马马虎虎", "过得去", "尚可")),
    (2, ("不满意", "不太满意", "不怎么样", "不好", "二星", "2星", "两星", "较差", "比较差", "有点差")),
    (4, ("满意", "好评", "挺好", "不错", "四星", "4星", "比较好", "挺满意", "好")),
)


def parse_rating_level(text: Optional[str]) -> int:
    """Five levels: 非常满意 5 … 非常不满意 1; also stars and a bare digit 1–5."""
    t = normalize(text)
    digit = re.fullmatch(r"([1-5])(?:分|星|级)?[。.!！]?", t)
    if digit:
        return int(digit.group(1))
    for level, words in _LEVEL_WORDS:
        if any(w in t for w in words):
            return level
    raise ParseError("请从五个等级中选一个：非常满意、满意、基本满意、不满意、非常不满意。")


# --- corrections ---------------------------------------------------------------------------------------------------

# Words people use for each answer they may want to correct: indicators and the project facts.
FIELD_WORDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("total_investment", ("总投资", "投资额", "投资金额", "投资总额", "投资规模", "投了", "投资是", "投资")),
    ("floor_area", ("建筑面积", "面积", "平方", "平米")),
    ("energy_tce", ("综合能耗", "能耗", "能源消费", "标煤", "标准煤", "用能")),
    ("electricity_kwh", ("用电量", "电力消费", "用电", "电量", "千瓦时", "度电")),
    ("coal_tonnes", ("煤炭消费", "煤炭", "用煤", "耗煤", "烧煤", "原煤")),
    ("regional_energy_review", ("区域节能审查", "区域能评", "告知承诺")),
    ("in_approval_catalogue", ("核准目录", "目录", "核准")),
    ("investor", ("投资主体", "谁投资", "政府投资还是企业投资", "投资方")),
    ("project_type", ("项目类型", "项目类别", "哪一类", "类型")),
    ("alters_structure_or_facade", ("主体结构", "外立面", "结构")),
    ("land_supply", ("供地", "供应方式", "划拨", "出让")),
    ("new_land", ("新增用地", "新增建设用地", "用地", "拿地")),
    ("civil_building", ("民用建筑", "民用")),
    ("has_basement", ("地下室", "地下")),
    ("industry", ("行业", "所属行业")),
    ("sewage_to_network", ("污水", "排水", "排放")),
    ("digs_road", ("挖掘城市道路", "占道", "挖路", "道路")),
    ("bridge_pipeline", ("桥梁", "桥上")),
    ("moves_trees", ("树木", "砍树", "移树", "砍伐", "移植")),
    ("occupies_green_space", ("绿地",)),
    ("outdoor_advertising", ("户外广告", "广告", "招牌")),
    ("credit_code", ("信用代码", "统一社会信用代码", "社会信用代码", "代码")),
    ("contact_phone", ("联系电话", "电话", "手机", "号码")),
    ("contact_name", ("联系人", "姓名")),
    ("enterprise_name", ("建设单位", "企业名称", "公司名称", "单位名称", "公司名", "企业名")),
    ("location", ("建设地点", "地点", "地址", "位置", "选址")),
    ("name", ("项目名称", "项目名", "名称", "名字")),
)
PROJECT_FACTS = ("name", "enterprise_name", "credit_code", "location", "contact_name", "contact_phone")
_STRONG_MARKERS = re.compile(
    r"(?:应该是|应当是|其实是|实际是|实际上是|更正为|更正成|改成|改为|换成|变成|写成|应为|正确的是)[:：]?"
)
_WEAK_MARKERS = re.compile(r"(?:是|为)[:：]?")
_NO_VALUE = re.compile(r"^(错|错了|不对|填错了|说错了|一下|下|一下吧|下吧|多少|什么)$")


def identify_field(text: Optional[str], labels: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """Which answer the user wants to correct ("刚才投资额说错了" → ``total_investment``), if named."""
    t = normalize(text)
    best: Optional[Tuple[int, str]] = None
    candidates: List[Tuple[str, Tuple[str, ...]]] = list(FIELD_WORDS)
    if labels:
        candidates = [(k, (label,)) for k, label in labels.items() if label] + candidates
    for key, words in candidates:
        for word in words:
            if word and word in t and (best is None or len(word) > best[0]):
                best = (len(word), key)
    return best[1] if best else None


def correction_value(text: Optional[str]) -> Optional[str]:
    """The new value in a correction ("刚才投资额说错了，是1.2亿" → "1.2亿"), None when none is given."""
    t = re.sub(r"(?:而)?不是[^，,。；;]*", "", normalize(text))
    parts = [p for p in re.split(r"[，,。；;！!]", t) if p.strip()]
    for markers in (_STRONG_MARKERS, _WEAK_MARKERS):
        for part in reversed(parts):
            match = markers.search(part)
            if match is not None:
                value = part[match.end() :].strip(" 。.!！")
                if value and not _NO_VALUE.match(value):
                    return value
    # "面积改一下 3万平方米": no marker, but a number at the end
    t = re.sub(r"一下|一些|一遍|一项|一题|一起|一共|一个", "", t)
    numbers = re.findall(r"[0-9.零〇一二两三四五六七八九十百千万亿]+[^，,。]*$", t)
    if numbers and _DIGITISH.search(numbers[-1]):
        return numbers[-1].strip()
    return None
