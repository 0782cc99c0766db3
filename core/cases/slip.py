"""The acceptance slip (受理通知书) as a PDF with an embedded CJK font (WeasyPrint)."""

from datetime import datetime

from jinja2 import Environment, PackageLoader, select_autoescape

from core.cases.models import Case
from core.cases.query_codes import SlipCode
from core.cases.service import deadline
from core.clock import now
from core.security import mask_id_number
from core.settings import get_settings

_env = Environment(loader=PackageLoader("core.cases", "templates"), autoescape=select_autoescape())


def render_html(case: Case, code: SlipCode, printed_at: datetime | None = None) -> str:
    """The slip as HTML (also what the PDF is made from)."""
    due = deadline(case)
    return _env.get_template("acceptance_slip.html").render(
        case=case,
        centre=get_settings().centre_name,
        query_code=code.code,
        code_note=code.note,
        id_number=mask_id_number(case.applicant.id_number),
        due_at=due.due_at if due else None,
        printed_at=printed_at or now(),
        base_url=get_settings().base_url,
    )


def render_pdf(case: Case, code: SlipCode) -> bytes:
    """The slip as PDF bytes."""
    from weasyprint import HTML  # heavy import, only when a slip is printed

    return bytes(HTML(string=render_html(case, code)).write_pdf())
