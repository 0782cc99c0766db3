"""The guidance letter PDF: everything the enterprise must know is printed, in the embedded CJK font, over pages."""

import io
import re
import subprocess
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
import segno
from PIL import Image

from core.projects import diagram
from core.projects.letter_pdf import (
    Confirmation,
    LetterContent,
    indicator_rows,
    render_letter_html,
    render_letter_pdf,
    verification_qr,
)
from core.rules.document import ApprovalDef, IntermediaryDef, MaterialChange, RuleDef, RuleSetDocument
from core.rules.engine import DerivedFlow, derive

VERIFY_URL = "https://zwfw.example.gov.cn/letters/verify?no=XM2025-000123-V2"
VERIFY_CODE = "K7Q2M9"

DEPARTMENTS = {
    "fgj": "发展和改革局",
    "zrj": "自然资源和规划局",
    "sthj": "生态环境分局",
    "rfb": "人民防空办公室",
    "zjj": "住房和城乡建设局",
    "cgj": "城市管理局",
}

DOCUMENT = RuleSetDocument(
    approvals=[
        ApprovalDef(
            code="project_filing",
            name="企业投资项目备案",
            stage="land_planning",
            department_code="fgj",
            time_limit_days=3,
            materials=["项目备案信息表"],
        ),
        ApprovalDef(
            code="site_selection",
            name="建设项目用地预审与选址意见书",
            stage="land_planning",
            department_code="zrj",
            time_limit_days=20,
            materials=["用地预审与选址申请表"],
        ),
        ApprovalDef(
            code="energy_review",
            name="固定资产投资项目节能审查",
            stage="land_planning",
            department_code="fgj",
            time_limit_days=15,
            materials=["节能报告"],
            depends_on=["project_filing"],
        ),
        ApprovalDef(
            code="land_planning_permit",
            name="建设用地规划许可证核发",
            stage="land_planning",
            department_code="zrj",
            time_limit_days=10,
            materials=["建设用地规划许可申请表", "国有建设用地使用权出让合同"],
            depends_on=["site_selection", "project_filing"],
        ),
        ApprovalDef(
            code="eia_approval",
            name="建设项目环境影响报告书审批",
            stage="engineering",
            department_code="sthj",
            time_limit_days=30,
            materials=["环境影响报告书", "公众参与说明"],
            depends_on=["project_filing"],
        ),
        ApprovalDef(
            code="planning_permit",
            name="建设工程规划许可证核发",
            stage="engineering",
            department_code="zrj",
            time_limit_days=10,
            materials=["建设工程设计方案总平面图"],
            depends_on=["land_planning_permit"],
        ),
        ApprovalDef(
            code="civil_air_defence",
            name="人防工程防护设计审查",
            stage="engineering",
            department_code="rfb",
            time_limit_days=5,
            materials=["人防工程设计文件"],
            depends_on=["planning_permit"],
        ),
        ApprovalDef(
            code="construction_permit",
            name="建筑工程施工许可证核发",
            stage="construction",
            department_code="zjj",
            time_limit_days=3,
            materials=["施工合同", "施工图审查合格书"],
            depends_on=["planning_permit", "eia_approval"],
        ),
        ApprovalDef(
            code="drainage_permit",
            name="城镇污水排入排水管网许可证核发",
            stage="construction",
            department_code="cgj",
            time_limit_days=7,
            materials=["排水户基本情况表"],
        ),
        ApprovalDef(
            code="joint_acceptance",
            name="联合竣工验收",
            stage="completion",
            department_code="zjj",
            time_limit_days=12,
            materials=["竣工验收报告"],
            depends_on=["construction_permit"],
        ),
    ],
    intermediaries=[
        IntermediaryDef(
            code="eia_report",
            name="环境影响报告书编制",
            serves=["eia_approval"],
            description="由具备能力的技术单位编制环境影响报告书",
            typical_days=40,
        ),
        IntermediaryDef(code="energy_report", name="节能报告编制", serves=["energy_review"]),
        IntermediaryDef(
            code="drawings_review",
            name="施工图设计文件审查",
            serves=["construction_permit"],
            description="施工图审查机构对施工图进行技术审查",
        ),
    ],
    rules=[
        RuleDef(
            code="enterprise_filing",
            name="企业投资备案制",
            condition='investor == "enterprise" and not in_approval_catalogue',
            add_approvals=[
                "project_filing",
                "land_planning_permit",
                "planning_permit",
                "construction_permit",
                "joint_acceptance",
            ],
            reason="企业投资且未列入核准目录的项目实行备案管理",
            legal_basis="《企业投资项目核准和备案管理条例》第三条",
        ),
        RuleDef(
            code="allocated_site",
            name="划拨用地选址",
            condition='land_supply == "allocated"',
            add_approvals=["site_selection"],
            reason="以划拨方式供应土地的项目须先取得选址意见书",
            otherwise="土地以{land_supply}方式供应，不需核发选址意见书",
            legal_basis="《中华人民共和国城乡规划法》第三十六条",
        ),
        RuleDef(
            code="energy_threshold",
            name="节能审查门槛",
            condition="energy_tce >= 1000",
            add_approvals=["energy_review"],
            add_intermediaries=["energy_report"],
            reason="年综合能源消费量{energy_tce}，达到节能审查标准",
            otherwise="年综合能源消费量{energy_tce}，不足1000吨标准煤，不单独进行节能审查",
            legal_basis="《固定资产投资项目节能审查办法》第六条",
        ),
        RuleDef(
            code="chemical_eia",
            name="化工项目环评报告书",
            condition='industry == "chemical"',
            add_approvals=["eia_approval"],
            add_intermediaries=["eia_report"],
            add_materials=[MaterialChange(approval="construction_permit", name="环境影响评价批复文件")],
            reason="所属行业为{industry}，应编制环境影响报告书",
            legal_basis="《建设项目环境影响评价分类管理名录》第二十六类",
        ),
        RuleDef(
            code="basement_air_defence",
            name="结建人防",
            condition="has_basement",
            add_approvals=["civil_air_defence"],
            add_materials=[MaterialChange(approval="planning_permit", name="人防工程设计说明")],
            reason="项目建设地下室，应同步修建防空地下室",
            legal_basis="《中华人民共和国人民防空法》第二十二条",
        ),
        RuleDef(
            code="sewage_permit",
            name="排水许可",
            condition="sewage_to_network",
            add_approvals=["drainage_permit"],
            reason="项目向城镇排水管网排放污水",
            legal_basis="《城镇排水与污水处理条例》第二十一条",
        ),
        RuleDef(
            code="drawings_review_area",
            name="施工图审查",
            condition="floor_area > 300",
            add_intermediaries=["drawings_review"],
            reason="总建筑面积{floor_area}，须进行施工图审查",
            legal_basis="《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》第三条",
        ),
    ],
)

ANSWERS: dict[str, str | float | bool] = {
    "investor": "enterprise",
    "in_approval_catalogue": False,
    "project_type": "industrial",
    "new_land": True,
    "land_supply": "transfer",
    "total_investment": 1.2e8,
    "floor_area": 28000.0,
    "civil_building": False,
    "has_basement": True,
    "energy_tce": 500.0,
    "electricity_kwh": 3.2e6,
    "coal_tonnes": 0.0,
    "industry": "chemical",
    "sewage_to_network": True,
    "digs_road": False,
}

CONFIRMATIONS = [
    Confirmation(
        department_name="自然资源和规划局",
        reviewer_name="李明",
        confirmed_at=datetime(2025, 12, 3, 10, 30),
        opinion="同意按推演流程办理，用地规划许可与工程规划许可可并联申报。",
        changes=["建设用地规划许可证核发增加材料：宗地图"],
    ),
    Confirmation(
        department_name="生态环境分局",
        reviewer_name="王芳",
        confirmed_at=datetime(2025, 12, 4, 15, 0),
        opinion="环评报告书须在开工前取得批复。",
        changes=[],
    ),
]


def confirmed(flow: DerivedFlow) -> DerivedFlow:
    """The flow as the departments left it: every approval confirmed by its department."""
    for item in flow.items():
        item.confirmed_by = f"{item.department_name} 已确认（2025年12月04日）"
    return flow


def letter(flow: DerivedFlow) -> LetterContent:
    return LetterContent(
        project_code="XM2025-000123",
        project_name="年产5万吨精细化学品项目",
        enterprise_name="示例新材料科技有限公司",
        credit_code="91320500MA1XXXXX0Q",
        location="XX经济开发区纬三路18号",
        contact_name="赵工",
        contact_phone_masked="138****5678",
        indicators=indicator_rows(ANSWERS),
        flow=flow,
        confirmations=CONFIRMATIONS,
        letter_version=2,
        verification_code=VERIFY_CODE,
        verification_url=VERIFY_URL,
        issued_at=datetime(2025, 12, 5, 9, 0),
    )


def pdf_text(pdf: Path, page: int | None = None) -> str:
    """The PDF's text in drawing order with all whitespace removed, so wrapped cell text still matches."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", "-raw", *pages, str(pdf), "-"], check=True, capture_output=True, text=True)
    return re.sub(r"\s+", "", out.stdout)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def flow() -> DerivedFlow:
    return confirmed(derive(ANSWERS, DOCUMENT, version=3, department_names=DEPARTMENTS))


@pytest.fixture(scope="module")
def pdf(flow: DerivedFlow, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("letter") / "letter.pdf"
    path.write_bytes(render_letter_pdf(letter(flow)))
    return path


def test_the_sample_flow_has_what_the_letter_must_show(flow: DerivedFlow) -> None:
    # Guards the fixture itself: rule-added materials, intermediaries and exclusions are all exercised.
    assert any(m.reason for item in flow.items() for m in item.materials)
    assert {i.code for i in flow.intermediaries} == {"eia_report", "drawings_review"}
    assert {r.code for r in flow.ruled_out} == {"site_selection", "energy_review", "energy_report"}


def test_letter_is_an_a4_pdf_with_title_and_letter_number(pdf: Path) -> None:
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "投资建设项目报建指导意见书" in text
    assert "XM2025-000123-V2" in text
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_every_approval_material_and_reason_is_printed(pdf: Path, flow: DerivedFlow) -> None:
    text = pdf_text(pdf)
    for item in flow.items():
        assert squeezed(item.name) in text
        assert squeezed(item.department_name) in text
        assert squeezed(item.confirmed_by) in text
        for material in item.materials:
            assert squeezed(material.name) in text
        for reason in item.reasons:
            assert squeezed(f"依据：{reason.text}") in text
            assert squeezed(reason.legal_basis) in text


def test_rule_added_materials_carry_their_reason(pdf: Path) -> None:
    text = pdf_text(pdf)
    assert (
        squeezed("环境影响评价批复文件【根据项目情况增加：所属行业为化学原料和化学制品制造，应编制环境影响报告书")
        in text
    )
    assert squeezed("人防工程设计说明【根据项目情况增加：项目建设地下室，应同步修建防空地下室") in text


def test_working_day_windows_follow_the_flow(pdf: Path, flow: DerivedFlow) -> None:
    text = pdf_text(pdf)
    filing = flow.item("project_filing")
    assert filing is not None
    assert f"第1–{filing.finish_day}个工作日" in text
    assert f"预计{flow.total_days}个工作日" in text


def test_intermediaries_and_ruled_out_items_are_printed_with_reasons(pdf: Path, flow: DerivedFlow) -> None:
    text = pdf_text(pdf)
    for intermediary in flow.intermediaries:
        assert squeezed(intermediary.name) in text
        for reason in intermediary.reasons:
            assert squeezed(reason.text) in text
            assert squeezed(reason.legal_basis) in text
    assert "环境影响报告书编制" in text and "由具备能力的技术单位编制环境影响报告书" in text
    for excluded in flow.ruled_out:
        assert squeezed(excluded.name) in text
        for reason in excluded.reasons:
            assert squeezed(reason.text) in text
            assert squeezed(reason.legal_basis) in text
    assert squeezed("土地以出让方式供应，不需核发选址意见书") in text
    assert squeezed("年综合能源消费量500吨标准煤，不足1000吨标准煤") in text


def test_indicators_and_project_summary_are_printed(pdf: Path) -> None:
    text = pdf_text(pdf)
    for label, value in indicator_rows(ANSWERS):
        assert squeezed(label + value) in text
    for fact in ("年产5万吨精细化学品项目", "示例新材料科技有限公司", "91320500MA1XXXXX0Q", "138****5678"):
        assert fact in text


def test_department_opinions_and_changes_are_printed(pdf: Path) -> None:
    text = pdf_text(pdf)
    for confirmation in CONFIRMATIONS:
        assert squeezed(confirmation.opinion) in text
        assert confirmation.reviewer_name in text
        for change in confirmation.changes:
            assert squeezed(change) in text
    assert "2025年12月03日10:30" in text


def test_verification_code_url_notes_and_issue_date_are_printed(pdf: Path) -> None:
    text = pdf_text(pdf)
    assert f"验证码：{VERIFY_CODE}" in text
    assert VERIFY_URL in text
    assert "本意见书根据填报指标自动推演并经部门审核确认，仅作办理指引，以各部门实际审批为准" in text
    assert "2025年12月05日" in text


def test_every_page_has_a_page_of_pages_footer(pdf: Path) -> None:
    pages = page_count(pdf)
    assert pages >= 2
    for page in range(1, pages + 1):
        assert f"第{page}页共{pages}页" in pdf_text(pdf, page)


def test_chinese_font_is_embedded(pdf: Path) -> None:
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    rows = [line for line in fonts.splitlines() if "WenQuanYi" in line]
    assert rows
    assert all(line.split()[-5] == "yes" for line in rows)  # the "emb" column


def test_first_page_renders_visible_content(pdf: Path) -> None:
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf)], check=True, capture_output=True
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    dark = sum(image.histogram()[:128])  # pixels darker than mid-grey
    assert image.size == (414, 585)  # A4 at 50 dpi
    assert dark > 0.01 * image.size[0] * image.size[1]


def test_diagram_is_drawn_with_the_chinese_font_and_embedded_in_the_letter(flow: DerivedFlow) -> None:
    svg = diagram.flow_svg(flow)
    assert svg.startswith("<svg") and "<?xml" not in svg and "DOCTYPE" not in svg
    assert 'font-family="WenQuanYi Micro Hei"' in svg
    for item in flow.items():
        assert f"{item.order}. {item.name[:4]}" in svg
    assert svg.count('class="cluster"') == sum(1 for stage in flow.stages if stage.items)
    arrows = re.findall(r'class="edge">\s*<title>(\w+)&#45;&gt;(\w+)</title>\s*<path fill="none" stroke="#4a6a8a"', svg)
    assert sorted(arrows) == sorted((dep, item.code) for item in flow.items() for dep in item.depends_on)


def test_diagram_leaves_out_arrows_implied_by_other_prerequisites(flow: DerivedFlow) -> None:
    implied = flow.model_copy(deep=True)
    acceptance = implied.item("joint_acceptance")
    assert acceptance is not None
    acceptance.depends_on = ["planning_permit", "construction_permit"]  # planning_permit precedes construction_permit
    svg = diagram.flow_svg(implied)
    assert "<title>construction_permit&#45;&gt;joint_acceptance</title>" in svg
    assert "<title>planning_permit&#45;&gt;joint_acceptance</title>" not in svg
    assert 'src="data:image/svg+xml;base64,' in render_letter_html(letter(flow))


def test_diagram_is_cached_by_content(flow: DerivedFlow) -> None:
    diagram._render.cache_clear()
    first = diagram.flow_svg(flow)
    again = diagram.flow_svg(flow.model_copy(deep=True))
    assert again is first
    assert diagram._render.cache_info().hits == 1
    renamed = flow.model_copy(deep=True)
    renamed.stages[0].items[0].name = "企业投资项目备案（变更）"
    assert "企业投资项目备案（变更）" in diagram.flow_svg(renamed)


def test_qr_code_encodes_exactly_the_verification_url(flow: DerivedFlow) -> None:
    # zbarimg is not installed here, so the QR is checked at its source: segno's matrix for the exact URL.
    qr = verification_qr(VERIFY_URL)
    assert qr.matrix == segno.make_qr(VERIFY_URL, error="m").matrix
    assert qr.matrix != segno.make_qr(VERIFY_URL + "x", error="m").matrix
    assert qr.svg_data_uri(scale=4) in render_letter_html(letter(flow))


def test_indicator_rows_follow_question_order_and_skip_unanswered() -> None:
    rows = indicator_rows({"project_type": "residential", "investor": "government", "floor_area": None})
    assert rows == [("投资主体", "政府投资"), ("项目类型", "居住项目")]
    assert ("总投资", "12,000万元") in indicator_rows(ANSWERS)


def long_document(approvals: int) -> RuleSetDocument:
    """A rule set whose one rule adds ``approvals`` approvals spread over the four stages, each after the one before."""
    stages = ["land_planning", "engineering", "construction", "completion"]
    defs = [
        ApprovalDef(
            code=f"approval_{n:02d}",
            name=f"测试审批事项第{n:02d}号",
            stage=stages[n * len(stages) // approvals],
            department_code=f"d{n % 7}",
            time_limit_days=1 + n % 9,
            materials=[f"第{n:02d}号事项申请表", f"第{n:02d}号事项附件"],
            depends_on=[f"approval_{n - 3:02d}"] if n >= 3 else [],
        )
        for n in range(approvals)
    ]
    rule = RuleDef(
        code="everything",
        name="全部事项",
        condition='investor == "enterprise"',
        add_approvals=[a.code for a in defs],
        reason="测试用规则",
        legal_basis="测试依据",
    )
    return RuleSetDocument(approvals=defs, rules=[rule])


def test_a_long_flow_paginates_with_repeated_table_headers(tmp_path: Path) -> None:
    flow = derive(
        {"investor": "enterprise"},
        long_document(40),
        version=1,
        department_names={f"d{n}": f"测试部门{n}" for n in range(7)},
    )
    assert len(flow.items()) == 40
    path = tmp_path / "long.pdf"
    path.write_bytes(render_letter_pdf(letter(flow)))
    text = pdf_text(path)
    for item in flow.items():
        assert item.name in text
        for material in item.materials:
            assert material.name in text
    assert page_count(path) >= 6
    # "前置事项" is only in the overview table's header: more than once means the header repeats on each page.
    assert text.count("前置事项") >= 2


def test_parallel_approvals_are_drawn_at_most_four_side_by_side() -> None:
    document = long_document(12)
    for approval in document.approvals:
        approval.stage, approval.depends_on = "engineering", []
    flow = derive({"investor": "enterprise"}, document, version=1)
    svg = diagram.flow_svg(flow)
    # The first text line of each node box sits on its row's baseline: count boxes per baseline.
    rows = Counter(re.findall(r'class="node">.*?<text[^>]* y="([-\d.]+)"', svg, re.DOTALL))
    assert sum(rows.values()) == 12
    assert max(rows.values()) == diagram.ROW_WIDTH
