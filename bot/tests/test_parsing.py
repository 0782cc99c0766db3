"""Chinese amounts and units, yes/no, choices, case numbers, ratings and corrections (actions/parsing.py)."""

import pytest
from actions.parsing import (
    ParseError,
    UnknownAnswer,
    correction_value,
    find_case_no,
    find_query_code,
    format_quantity,
    identify_field,
    normalize_case_no,
    parse_choice,
    parse_quantity,
    parse_rating_level,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("五千万", "元", 50_000_000),
        ("1.2亿元", "元", 120_000_000),
        ("1.2亿", "元", 120_000_000),
        ("一点二亿", "元", 120_000_000),
        ("一个亿", "元", 100_000_000),
        ("三个亿左右", "元", 300_000_000),
        ("1亿2000万", "元", 120_000_000),
        ("一亿二千万元", "元", 120_000_000),
        ("3,500万元", "元", 35_000_000),
        ("5000w", "元", 50_000_000),
        ("8000万元人民币", "元", 80_000_000),
        ("500万元", "元", 5_000_000),
        ("我们算了一下，总投资五千万元左右", "元", 50_000_000),
        ("50000000", "元", 50_000_000),
        ("２５００万", "元", 25_000_000),  # full-width digits
        ("两万平方米", "平方米", 20_000),
        ("两万", "平方米", 20_000),
        ("12000平米", "平方米", 12_000),
        ("3.2万㎡", "平方米", 32_000),
        ("3万平", "平方米", 30_000),
        ("两万五千平米", "平方米", 25_000),
        ("1.5公顷", "平方米", 15_000),
        ("0", "平方米", 0),
        ("800吨标煤", "吨标准煤", 800),
        ("1500吨标准煤", "吨标准煤", 1500),
        ("八百", "吨标准煤", 800),
        ("2.5万吨标准煤", "吨标准煤", 25_000),
        ("没有", "吨标准煤", 0),
        ("300万千瓦时", "千瓦时", 3_000_000),
        ("一年大概500万度电", "千瓦时", 5_000_000),
        ("500万度", "千瓦时", 5_000_000),
        ("1200兆瓦时", "千瓦时", 1_200_000),
        ("80万kWh", "千瓦时", 800_000),
        ("1200吨", "吨", 1200),
        ("一年烧一千三百吨煤", "吨", 1300),
        ("1.2万吨", "吨", 12_000),
        ("500公斤", "吨", 0.5),
        ("不烧煤", "吨", 0),
        ("十二", "", 12),
    ],
)
def test_quantities(text: str, unit: str, expected: float) -> None:
    assert parse_quantity(text, unit) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "unit", "reason"),
    [
        ("两万平方米", "元", "金额"),  # an area given for an amount
        ("300万千瓦时", "元", "金额"),
        ("5000万元", "平方米", "面积"),
        ("几百万", "元", "具体"),
        ("上千万吧", "元", "具体"),
        ("不好说", "元", "数值"),
        ("", "元", "数值"),
        ("abc", "千瓦时", "数值"),
        ("800吨标煤", "吨", "能耗"),  # standard coal given for physical coal
        ("1200吨煤", "吨标准煤", "煤炭消费量"),  # and the other way round
    ],
)
def test_quantities_refused_with_a_reason(text: str, unit: str, reason: str) -> None:
    with pytest.raises(ParseError) as error:
        parse_quantity(text, unit)
    assert reason in str(error.value)


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (120_000_000, "元", "1.2亿元"),
        (20_000, "平方米", "2万平方米"),
        (800, "吨标准煤", "800吨标准煤"),
        (3_000_000, "千瓦时", "300万千瓦时"),
        (1300, "吨", "1300吨"),
    ],
)
def test_format_quantity(value: float, unit: str, expected: str) -> None:
    assert format_quantity(value, unit) == expected


@pytest.mark.parametrize(
    "text",
    [
        "是",
        "是的",
        "对",
        "对的",
        "有",
        "有的",
        "需要",
        "要",
        "会的",
        "嗯",
        "涉及",
        "列入了",
        "yes",
        "是的，要设置招牌",
        "要设置招牌",
        "没问题",
        "我们要建地下室",
        "ok",
    ],
)
def test_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "否",
        "不是",
        "不",
        "没有",
        "没",
        "无",
        "不需要",
        "不用",
        "不涉及",
        "不会",
        "没有地下室",
        "No",
        "非常确定不需要",
        "地下室不建",
        "n",
    ],
)
def test_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["不知道", "不清楚", "这个不确定", "什么意思"])
def test_yes_no_unknown(text: str) -> None:
    with pytest.raises(UnknownAnswer):
        parse_yes_no(text)


@pytest.mark.parametrize("text", ["要砍几棵树咋办", "地下室是不是不用办人防", "排污要不要另外申请", "有地下室怎么办", "用电算吗"])
def test_a_question_asked_back_is_no_answer(text: str) -> None:
    """Asked back instead of answered: neither yes (“…咋办”) nor no (“…是不是不用办”); the question is explained."""
    with pytest.raises(UnknownAnswer):
        parse_yes_no(text)


@pytest.mark.parametrize("text", ["五千万", "苏州恒创科技有限公司", "开发区科技大道88号"])
def test_yes_no_unclear(text: str) -> None:
    with pytest.raises(ParseError):
        parse_yes_no(text)


INVESTORS = {"government": "政府投资", "enterprise": "企业投资"}
TYPES = {
    "industrial": "工业项目",
    "residential": "居住项目",
    "public_building": "公共建筑",
    "municipal": "市政及管线工程",
    "renovation": "既有建筑装修改造",
}
INDUSTRIES = {
    "chemical": "化学原料和化学制品制造",
    "pharmaceutical": "医药制造（化学药品原料药）",
    "electroplating": "金属表面处理（含电镀工艺）",
    "equipment": "通用及专用设备制造",
    "electronics": "计算机、通信和其他电子设备制造",
    "warehouse": "仓储物流（不含危险品）",
    "hazardous_warehouse": "危险品仓储",
    "other": "其他",
}


@pytest.mark.parametrize(
    ("text", "options", "key", "expected"),
    [
        ("企业投资", INVESTORS, "investor", "enterprise"),
        ("我们公司自己投的", INVESTORS, "investor", "enterprise"),
        ("财政资金", INVESTORS, "investor", "government"),
        ("2", INVESTORS, "investor", "enterprise"),
        ("第一个", INVESTORS, "investor", "government"),
        ("government", INVESTORS, "investor", "government"),
        ("工业项目", TYPES, "project_type", "industrial"),
        ("建厂房", TYPES, "project_type", "industrial"),
        ("住宅小区", TYPES, "project_type", "residential"),
        ("学校", TYPES, "project_type", "public_building"),
        ("老楼装修改造", TYPES, "project_type", "renovation"),
        ("修路", TYPES, "project_type", "municipal"),
        ("危险品仓储", INDUSTRIES, "industry", "hazardous_warehouse"),
        ("普通仓库物流", INDUSTRIES, "industry", "warehouse"),
        ("做芯片的", INDUSTRIES, "industry", "electronics"),
        ("制药", INDUSTRIES, "industry", "pharmaceutical"),
        ("电镀", INDUSTRIES, "industry", "electroplating"),
        ("都不是", INDUSTRIES, "industry", "other"),
        ("出让", {"allocated": "划拨", "transfer": "出让"}, "land_supply", "transfer"),
        ("招拍挂买的地", {"allocated": "划拨", "transfer": "出让"}, "land_supply", "transfer"),
        ("设备制造", INDUSTRIES, "", "equipment"),  # unknown key: label matching only
    ],
)
def test_choices(text: str, options: dict, key: str, expected: str) -> None:
    assert parse_choice(text, options, key) == expected


def test_choice_refused_lists_the_options() -> None:
    with pytest.raises(ParseError) as error:
        parse_choice("随便", INVESTORS, "investor")
    assert "政府投资、企业投资" in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("帮我查一下KF202611260017的进度", "KF202611260017"),
        ("kf202611260017", "KF202611260017"),
        ("编号：KF 2026 1126 0017", "KF202611260017"),
        ("ＫＦ２０２６１１２６００１７", "KF202611260017"),
        ("KF2026112600171", None),  # 13 digits
        ("KF20261126001", None),
        ("没有编号", None),
    ],
)
def test_case_numbers(text: str, expected: str) -> None:
    assert find_case_no(text) == expected


def test_normalize_case_no() -> None:
    assert normalize_case_no("kf202611260017") == "KF202611260017"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("385920", "385920"),
        ("密码是 385920", "385920"),
        ("KF202611260017 密码604213", "604213"),
        ("KF202611260017", None),
        ("12345", None),
        ("13812345678", None),
    ],
)
def test_query_codes(text: str, expected: str) -> None:
    assert find_query_code(text) == expected


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("非常满意", 5),
        ("很满意", 5),
        ("五星", 5),
        ("满意", 4),
        ("挺好的", 4),
        ("基本满意", 3),
        ("一般般", 3),
        ("还行吧", 3),
        ("不满意", 2),
        ("不太满意", 2),
        ("非常不满意", 1),
        ("很不满意", 1),
        ("太差了", 1),
        ("5", 5),
        ("1分", 1),
        ("3星", 3),
    ],
)
def test_rating_levels(text: str, level: int) -> None:
    assert parse_rating_level(text) == level


def test_rating_level_refused() -> None:
    with pytest.raises(ParseError):
        parse_rating_level("嗯")


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("刚才投资额说错了，是1.2亿", "total_investment", "1.2亿"),
        ("投资额应该是1.2亿不是1亿", "total_investment", "1.2亿"),
        ("总投资改成8000万", "total_investment", "8000万"),
        ("面积说错了，是3万平方米", "floor_area", "3万平方米"),
        ("用电量说错了，改为500万千瓦时", "electricity_kwh", "500万千瓦时"),
        ("刚才能耗填错了，应该是1200吨标煤", "energy_tce", "1200吨标煤"),
        ("刚才煤炭消费量填错了，应该是1300吨", "coal_tonnes", "1300吨"),
        ("项目类型选错了，应该是公共建筑", "project_type", "公共建筑"),
        ("地址改为成都路8号", "location", "成都路8号"),
        ("联系电话改成13912345678", "contact_phone", "13912345678"),
        ("刚才投资额说错了", "total_investment", None),
        ("我要改一下面积", "floor_area", None),
    ],
)
def test_corrections(text: str, field: str, value: str) -> None:
    assert identify_field(text) == field
    assert correction_value(text) == value


def test_correction_uses_the_api_labels_first() -> None:
    labels = {"sewage_to_network": "是否向城镇排水管网排放污水", "digs_road": "是否占用、挖掘城市道路"}
    assert identify_field("排水那题选错了，要排放污水", labels) == "sewage_to_network"
