"""The guidance letter (指导意见书): the confirmed approval flow as a PDF the enterprise keeps (WeasyPrint)."""

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import segno
from jinja2 import Environment, PackageLoader, select_autoescape

from core.projects.diagram import flow_svg
from core.rules.engine import DerivedFlow, FlowItem, Reason
from core.rules.indicators import QUESTIONS, display
from core.settings import get_settings

_env = Environment(loader=PackageLoader("core.projects", "templates"), autoescape=select_autoescape())

KIND_NAMES = {"approval": "审批事项", "intermediary": "中介服务"}


@dataclass(frozen=True)
class Confirmation:
    """One department's review of the flow: who confirmed it, when, their opinion and what they changed."""

    department_name: str
    reviewer_name: str
    confirmed_at: datetime | None
    opinion: str
    changes: list[str]


@dataclass(frozen=True)
class LetterContent:
    """Everything a guidance letter prints; the caller gathers it, this module only lays it out."""

    project_code: str
    project_name: str
    enterprise_name: str
    credit_code: str
    location: str
    contact_name: str
    contact_phone_masked: str
    indicators: list[tuple[str, str]]  # (label, displayed value) rows
    flow: DerivedFlow  # the flow as it stands: confirmed (正式) or derived, awaiting the departments (初稿)
    confirmations: list[Confirmation]
    letter_version: int
    verification_code: str
    verification_url: str
    issued_at: datetime
    issuer: str = field(default_factory=lambda: get_settings().centre_name)  # one name for the centre everywhere
    is_final: bool = True
    """False for the 初稿: every page says so (a watermark and the running head), and the text claims no
    department's confirmation, since none has been given yet."""

    @property
    def letter_no(self) -> str:
        """The letter number printed on every page: project code and letter version."""
        return f"{self.project_code}-V{self.letter_version}"


def indicator_rows(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Label and displayed answer for each answered question, in the order the questions are asked."""
    rows: list[tuple[str, str]] = []
    for question in QUESTIONS:
        value = values.get(question.key)
        if isinstance(value, str | int | float | bool):  # None (unanswered) and anything foreign are left out
            rows.append((question.label, display(question.key, value)))
    return rows


def verification_qr(url: str) -> segno.QRCode:
    """The QR code printed on the letter: scanning it opens the verification page."""
    return segno.make_qr(url, error="m")


def render_letter_html(content: LetterContent) -> str:
    """The letter as HTML (also what the PDF is made from)."""
    flow = content.flow
    names = {item.code: item.name for item in flow.items()} | {i.code: i.name for i in flow.intermediaries}
    diagram = flow_svg(flow) if flow.items() else ""
    return _env.get_template("guidance_letter.html").render(
        c=content,
        flow=flow,
        names=names,
        kinds=KIND_NAMES,
        window=working_day_window,
        basis=reason_line,
        diagram_uri=_data_uri("image/svg+xml", diagram.encode()) if diagram else "",
        qr_uri=verification_qr(content.verification_url).svg_data_uri(scale=4),  # with the standard 4-module quiet zone
    )


def render_letter_pdf(content: LetterContent) -> bytes:
    """The letter as A4 PDF bytes with the CJK font embedded."""
    from weasyprint import HTML  # heavy import, only when a letter is printed

    return bytes(HTML(string=render_letter_html(content)).write_pdf())


def working_day_window(item: FlowItem) -> str:
    """When the approval is expected to be handled, counted in working days from the start of the project."""
    first, last = item.start_day + 1, item.finish_day
    if item.time_limit_days == 0:
        return f"第{max(item.start_day, 1)}个工作日（即办）"
    if first == last:
        return f"第{first}个工作日"
    return f"第{first}–{last}个工作日"


def reason_line(reason: Reason) -> str:
    """A reason as printed: 依据：explanation（legal basis）."""
    basis = f"（{reason.legal_basis}）" if reason.legal_basis else ""
    return f"依据：{reason.text}{basis}"


def _data_uri(media_type: str, data: bytes) -> str:
    # Base64 rather than percent-encoding: WeasyPrint reads both, base64 keeps the HTML small for CJK text.
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"
