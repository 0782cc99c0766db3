"""The knowledge editor's forms: each kind's fields with their Chinese labels, what is typed in the form ↔ a
draft's data, and a field of a draft as readable text (the version page and its comparison)."""

import re
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.errors import ValidationFailed
from core.items import service as item_service
from core.org import service as org_service
from knowledge import service as knowledge_service
from knowledge.models import LEGAL_STATUSES
from knowledge.schemas import ARTICLE_NUMBER, SCHEMAS
from web.common import checked, texts, to_date, to_int, validation_message

FIELD_LABELS: dict[str, dict[str, str]] = {
    "faq": {
        "service_item_id": "关联事项",
        "question": "问题",
        "answer": "解答",
        "keywords": "关键词",
        "alternatives": "其他问法",
    },
    "law": {
        "doc_no": "文号",
        "issuer": "制定机关",
        "title": "名称",
        "category": "类别",
        "published_on": "公布日期",
        "effective_on": "施行日期",
        "legal_status": "效力状态",
        "amended_on": "修改日期",
        "repealed_on": "废止日期",
        "replaced_by_id": "替代法规",
        "sort_order": "排序",
        "articles": "条文",
    },
    "policy": {
        "doc_no": "文号",
        "issuer": "发文机关",
        "title": "标题",
        "category": "类别",
        "published_on": "发布日期",
        "valid_from": "有效期起",
        "valid_until": "有效期止",
        "target_groups": "适用对象",
        "summary": "内容摘要",
        "sections": "政策原文",
        "interpretation": "政策解读",
    },
    "glossary": {"term": "词条", "explanation": "解释", "synonyms": "同义词"},
    "bundle": {
        "theme": "主题",
        "applicant_type": "申请人类型",
        "description": "说明",
        "item_ids": "包含事项",
        "materials": "合并材料",
        "promised_limit": "承诺时限（工作日）",
        "steps": "办理流程",
    },
    "link": {
        "department_id": "部门",
        "name": "系统名称",
        "system_type": "系统类型",
        "public": "对公众开放",
        "icon": "图标",
        "url": "链接",
        "intro": "简介",
        "sort_order": "排序",
        "tags": "标签",
    },
}
# pydantic's names for nested fields, for error messages
_NESTED_LABELS = {"number": "条文序号", "text": "条文内容", "heading": "标题"}
LIST_FIELDS = {"keywords", "alternatives", "synonyms", "target_groups", "steps", "tags"}
DATE_FIELDS = {"published_on", "effective_on", "amended_on", "repealed_on", "valid_from", "valid_until"}
SUMMARY_MARK = "（摘要）"
"""Written after an article's number (“第八条（摘要） …”) when the text is a summary, not the original wording."""
INT_FIELDS = {"sort_order", "promised_limit"}
APPLICANT_TYPES = ("个人", "企业")
_SPLIT_PARAGRAPHS = re.compile(r"\n\s*\n")
_ARTICLE_START = re.compile(
    r"^(第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)[\s　]*([（(]摘要[）)])?[\s　:：]*(.*)$", re.S
)
_BAR = re.compile(r"\s*[|｜]\s*")


# ---------------------------------------------------------------- form text ↔ draft data


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _paragraphs(value: str) -> list[str]:
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip() for p in _SPLIT_PARAGRAPHS.split(value) if p.strip()] if value else []


def _short(value: str, width: int = 20) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= width else flat[:width] + "…"


def parse_articles(value: str) -> list[dict[str, Any]]:
    """One article per paragraph, each starting with its number: "第一条 为了……"; "第八条（摘要） ……" marks a
    summary of an article whose original wording is not at hand."""
    articles = []
    for n, paragraph in enumerate(_paragraphs(value), start=1):
        found = _ARTICLE_START.match(paragraph)
        if not found:
            raise ValidationFailed(
                f"条文第{n}段“{_short(paragraph)}”没有以“第X条”开头：每条条文另起一段，以“第一条”“第三十条”这样的序号开头，条文之间空一行",
                field="articles",
            )
        number, summary, body = found.group(1), bool(found.group(2)), found.group(3).strip()
        if not ARTICLE_NUMBER.match(number):
            raise ValidationFailed(f"条文序号“{number}”应写作“第三十条”的形式", field="articles")
        if not body:
            raise ValidationFailed(f"“{number}”缺少条文内容", field="articles")
        articles.append({"number": number, "text": body, "summary": summary})
    if not articles:
        raise ValidationFailed("请填写条文，每条以“第X条”开头，条文之间空一行", field="articles")
    return articles


def parse_sections(value: str) -> list[dict[str, str]]:
    """One section per paragraph: its first line is the heading, the lines after it the text."""
    sections = []
    for n, paragraph in enumerate(_paragraphs(value), start=1):
        heading, _, body = paragraph.partition("\n")
        if not body.strip():
            raise ValidationFailed(
                f"政策原文第{n}节“{_short(heading)}”缺少正文：每节第一行写标题，下一行起写正文，节与节之间空一行",
                field="sections",
            )
        sections.append({"heading": heading.strip(), "text": body.strip()})
    return sections


def parse_qa(value: str) -> list[dict[str, str]]:
    """Q&A pairs: a paragraph per pair, the question on the first line, the answer below it."""
    pairs = []
    for n, paragraph in enumerate(_paragraphs(value), start=1):
        question, _, answer = paragraph.partition("\n")
        question = re.sub(r"^问[:：]\s*", "", question.strip())
        answer = re.sub(r"^答[:：]\s*", "", answer.strip())
        if not question or not answer:
            raise ValidationFailed(
                f"热点问答第{n}组“{_short(paragraph)}”不完整：第一行写问题，下一行写答案，组与组之间空一行",
                field="qa",
            )
        pairs.append({"q": question, "a": answer})
    return pairs


def parse_materials(value: str) -> list[dict[str, Any]]:
    """One material per line: 名称｜对应事项（用；分隔）｜备注 (the last two may be left out)."""
    materials = []
    for line in _lines(value):
        parts = [*_BAR.split(line, maxsplit=2), "", ""]
        name, for_items, notes = parts[0].strip(), parts[1].strip(), parts[2].strip()
        if not name:
            raise ValidationFailed(f"材料“{_short(line)}”缺少名称", field="materials")
        items = [i.strip() for i in re.split(r"[;；]", for_items) if i.strip()]
        materials.append({"name": name, "for_items": items, "notes": notes})
    return materials


FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "faq": ("service_item_id", "question", "answer", "keywords", "alternatives"),
    "law": (
        "doc_no",
        "issuer",
        "title",
        "category",
        "published_on",
        "effective_on",
        "legal_status",
        "amended_on",
        "repealed_on",
        "replaced_by_id",
        "sort_order",
        "articles",
    ),
    "policy": (
        "doc_no",
        "issuer",
        "title",
        "category",
        "published_on",
        "valid_from",
        "valid_until",
        "target_groups",
        "summary",
        "sections",
        "background",
        "key_points",
        "qa",
    ),
    "glossary": ("term", "explanation", "synonyms"),
    "bundle": ("theme", "applicant_type", "description", "materials", "promised_limit", "steps"),
    "link": ("department_id", "name", "system_type", "icon", "url", "intro", "sort_order", "tags"),
}


def form_values(form: FormData, kind: str) -> dict[str, Any]:
    """What was typed, kept as typed, to show the form again."""
    values: dict[str, Any] = {}
    for key in FORM_FIELDS[kind]:
        raw = form.get(key)
        values[key] = raw.replace("\r\n", "\n") if isinstance(raw, str) else ""
    if kind == "bundle":
        values["item_ids"] = texts(form, "item_ids")
    if kind == "link":
        values["public"] = checked(form, "public")
    return values


def data_from_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """The draft's content from the typed values; a Chinese error naming the field when one is wrong."""
    labels = FIELD_LABELS[kind]
    data: dict[str, Any] = {}
    for key in FORM_FIELDS[kind]:
        raw = str(values.get(key, "") or "")
        if key in ("background", "key_points", "qa"):
            continue
        if key in LIST_FIELDS:
            data[key] = _lines(raw)
        elif key in DATE_FIELDS:
            day = to_date(raw, labels[key])
            data[key] = day.isoformat() if day else None
        elif key in INT_FIELDS:
            data[key] = to_int(raw, labels[key], 0)
        elif key in ("service_item_id", "department_id", "replaced_by_id"):
            data[key] = to_int(raw, labels[key])
        elif key == "articles":
            data[key] = parse_articles(raw)
        elif key == "sections":
            data[key] = parse_sections(raw)
        elif key == "materials":
            data[key] = parse_materials(raw)
        elif key == "legal_status":
            data[key] = raw.strip() or "in_force"
        else:
            data[key] = raw.strip()
    if kind == "policy":
        interpretation: dict[str, Any] = {}
        if str(values.get("background", "")).strip():
            interpretation["background"] = str(values["background"]).strip()
        if _lines(str(values.get("key_points", ""))):
            interpretation["key_points"] = _lines(str(values["key_points"]))
        qa = parse_qa(str(values.get("qa", "")))
        if qa:
            interpretation["qa"] = qa
        data["interpretation"] = interpretation
    if kind == "bundle":
        ids = [to_int(i, "包含事项") for i in values.get("item_ids", [])]
        data["item_ids"] = [i for i in ids if i is not None]
        if not data["item_ids"]:
            raise ValidationFailed("请至少选择一个包含的事项", field="item_ids")
    if kind == "link":
        data["public"] = bool(values.get("public"))
    try:
        SCHEMAS[kind].model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(validation_message(exc, {**labels, **_NESTED_LABELS})) from exc
    return data


def values_from_data(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A draft's content as the form shows it."""
    values: dict[str, Any] = {}
    for key in FORM_FIELDS[kind]:
        value = data.get(key)
        if key in LIST_FIELDS:
            values[key] = "\n".join(str(v) for v in value or [])
        elif key == "articles":
            values[key] = "\n\n".join(
                f"{a.get('number', '')}{SUMMARY_MARK if a.get('summary') else ''} {a.get('text', '')}"
                for a in value or []
            )
        elif key == "sections":
            values[key] = "\n\n".join(f"{s.get('heading', '')}\n{s.get('text', '')}" for s in value or [])
        elif key == "materials":
            values[key] = "\n".join(
                "｜".join(
                    [str(m.get("name", "")), "；".join(m.get("for_items") or []), str(m.get("notes") or "")]
                ).rstrip("｜")
                for m in value or []
            )
        elif key in ("background", "key_points", "qa"):
            interpretation = data.get("interpretation") or {}
            if key == "background":
                values[key] = str(interpretation.get("background", "") or "")
            elif key == "key_points":
                values[key] = "\n".join(str(p) for p in interpretation.get("key_points", []) or [])
            else:
                values[key] = "\n\n".join(
                    f"问：{x.get('q', '')}\n答：{x.get('a', '')}" for x in interpretation.get("qa", []) or []
                )
        elif key == "legal_status":
            values[key] = str(value or "in_force")
        else:
            values[key] = "" if value is None else str(value)
    if kind == "bundle":
        values["item_ids"] = [str(i) for i in data.get("item_ids", [])]
    if kind == "link":
        values["public"] = bool(data.get("public", True))
    return values


# ---------------------------------------------------------------- a field as readable text


def display_names(db: Session) -> dict[str, dict[int, str]]:
    return {
        "items": {i.id: i.name for i in item_service.list_items(db, published_only=False)},
        "departments": {d.id: d.name for d in org_service.list_departments(db=db)},
        "laws": knowledge_service.law_titles(db=db),
    }


def display(kind: str, key: str, value: Any, names: dict[str, dict[int, str]]) -> str:
    """A field of a draft as readable text."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if key == "service_item_id":
        return names["items"].get(value, f"事项 {value}")
    if key == "department_id":
        return names["departments"].get(value, f"部门 {value}")
    if key == "replaced_by_id":
        return f"《{names['laws'][value]}》" if value in names.get("laws", {}) else f"法规 {value}"
    if key == "legal_status":
        return LEGAL_STATUSES.get(value, str(value))
    if key == "item_ids":
        return "\n".join(names["items"].get(i, f"事项 {i}") for i in value)
    if key == "public":
        return "是" if value else "否（仅工作人员可见）"
    if key in ("articles", "sections", "materials"):
        return str(values_from_data(kind, {key: value})[key])
    if key == "interpretation":
        shown = values_from_data("policy", {"interpretation": value})
        parts = [("出台背景", shown["background"]), ("主要内容", shown["key_points"]), ("热点问答", shown["qa"])]
        return "\n\n".join(f"【{label}】\n{text}" for label, text in parts if text)
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)
