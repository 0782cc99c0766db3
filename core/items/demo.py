"""Demo acceptance management: every published item published as version 1 (so the demo cases record the guide
they were filed under), the 受理指导 of a few items, and blank forms and filled samples for their application
forms, laid out as PDF with WeasyPrint at seed time."""

from functools import lru_cache
from html import escape

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.clock import now
from core.items import templates
from core.items.models import ItemTemplate, ItemVersion, ServiceItem
from core.items.templates import TemplateKind
from core.items.versions import snapshot

FORMS = {
    "建筑工程施工许可证申请表": [
        ("建设单位", "某某置业有限公司"),
        ("统一社会信用代码", "91110105MA01ABCD2X"),
        ("工程名称", "城东安置房项目一期"),
        ("建设地址", "城东区安置路18号"),
        ("建筑面积（平方米）", "52,600"),
        ("合同价格（万元）", "18,500"),
        ("施工单位", "某某建设集团有限公司"),
        ("监理单位", "某某工程监理有限公司"),
        ("计划开工日期", "2027年3月1日"),
        ("联系人及电话", "张工 138****5678"),
    ],
    "户外广告设置申请表": [
        ("申请人", "某某餐饮管理有限公司"),
        ("统一社会信用代码", "91110105MA02EFGH3Y"),
        ("设置地点", "人民路56号临街外墙"),
        ("广告形式", "店招（非发光）"),
        ("规格（米）", "长6.0 × 高1.2"),
        ("设置期限", "2027年1月1日至2029年12月31日"),
        ("联系人及电话", "李女士 139****4321"),
    ],
    "建设工程规划许可申请表": [
        ("建设单位", "某某置业有限公司"),
        ("项目名称", "城东安置房项目一期"),
        ("用地位置", "城东区安置路以北、规划二路以东"),
        ("用地面积（平方米）", "26,800"),
        ("总建筑面积（平方米）", "52,600"),
        ("建筑层数", "地上18层，地下2层"),
        ("联系人及电话", "张工 138****5678"),
    ],
}

GUIDANCE = {
    "建筑工程施工许可证申请表": (
        [
            "核对申请表加盖建设单位公章，与营业执照名称一致",
            "核对施工合同、监理合同的工程名称和合同价格与申请表一致",
            "通过电子证照库调取营业执照、不动产权证书，确认在有效期内",
            "确认施工图审查合格书的项目名称与规划许可一致",
        ],
        [
            "合同价格填写为含税价与合同不一致",
            "施工单位名称与资质证书不一致（如缺少“有限公司”）",
            "用地手续仍为临时用地或未完成出让",
        ],
        [
            {
                "what": "工程投资额30万元以下或建筑面积300平方米以下",
                "why": "依据《建筑工程施工许可管理办法》第二条，无需办理施工许可证，告知申请人直接开工备案",
            },
            {
                "what": "尚未取得建设工程规划许可证",
                "why": "依据《中华人民共和国建筑法》第八条，规划许可是申领施工许可证的前置条件，不属于补正范围",
            },
        ],
    ),
    "户外广告设置申请表": (
        ["核对设置地点与房屋产权或租赁合同的地址一致", "核对效果图标明尺寸、材质和安装方式"],
        ["效果图未标注尺寸", "租赁合同已过期"],
        [
            {
                "what": "设置地点位于禁止设置户外广告的区域",
                "why": "依据本市户外广告设置规划，禁设区域不予许可，告知申请人另选地点",
            }
        ],
    ),
}


def _form_html(title: str, rows: list[tuple[str, str]], *, filled: bool) -> str:
    cells = "".join(
        f"<tr><th>{escape(label)}</th><td>{escape(value) if filled else ''}</td></tr>" for label, value in rows
    )
    mark = '<p class="mark">填写样表（仅供参考）</p>' if filled else ""
    signature = "某某置业有限公司（盖章）  2027年1月5日" if filled else "申请人（盖章）：          年    月    日"
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 22mm 18mm; }}
body {{ font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; font-size: 12pt; }}
h1 {{ text-align: center; font-size: 18pt; margin: 0 0 8mm; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ border: 1px solid #333; padding: 3.2mm 3mm; text-align: left; }}
th {{ width: 36%; background: #f2f2f2; font-weight: normal; }}
td {{ color: #0b3d91; }}
.mark {{ color: #b00; text-align: right; font-size: 11pt; margin: 0 0 4mm; }}
.sign {{ margin-top: 14mm; text-align: right; }}
</style></head><body>{mark}<h1>{escape(title)}</h1><table>{cells}</table>
<p class="sign">{escape(signature)}</p></body></html>"""


@lru_cache(maxsize=16)
def form_pdf(title: str, filled: bool) -> bytes:
    """A demo form as PDF (made once per process: the layout takes a moment)."""
    from weasyprint import HTML  # heavy import, only when the demo is seeded

    return bytes(HTML(string=_form_html(title, FORMS[title], filled=filled)).write_pdf())


def seed(db: Session) -> None:
    """Versions, guidance and templates, once (a database that has templates already is left as it is)."""
    if db.scalar(select(func.count()).select_from(ItemTemplate)):
        return
    items = list(db.scalars(select(ServiceItem).where(ServiceItem.is_published.is_(True))))
    for item in items:
        if item.published_version == 0:
            db.add(
                ItemVersion(item_id=item.id, version=1, snapshot=snapshot(item), note="首次发布", published_at=now())
            )
            item.published_version = 1
        for material in item.materials:
            if material.name not in FORMS:
                continue
            for kind, filled in ((TemplateKind.BLANK, False), (TemplateKind.SAMPLE, True)):
                label = templates.KIND_LABELS[kind]
                templates.add_generated(
                    db,
                    item,
                    material,
                    kind,
                    filename=f"{material.name}（{label}）.pdf",
                    content=form_pdf(material.name, filled),
                )
            if material.name in GUIDANCE:
                item.acceptance_checklist, item.common_mistakes, item.refusal_grounds = GUIDANCE[material.name]
    db.flush()
