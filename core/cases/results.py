"""What an applicant takes home from a concluded case: the result notice (办理结果通知书) and, for a licence
issued with it, the e-licence (电子证照), each as a PDF.

Only the account that filed the case downloads them (the applicant's own results: a number in an address
never decides whose), only once the case has ended, and every download is audited.
"""

from datetime import datetime

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.cases.enums import CONCLUSION_RESULT_LABELS, CaseStatus
from core.cases.models import Case, Licence
from core.clock import now
from core.errors import Conflict, NotFound, PermissionDenied
from core.files.service import FileContent
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.security import mask_id_number
from core.settings import get_settings

_env = Environment(loader=PackageLoader("core.cases", "templates"), autoescape=select_autoescape())
ENDED = {CaseStatus.CONCLUDED, CaseStatus.REFUSED}
NOTICE, LICENCE = "notice", "licence"
DOCUMENT_LABELS = {NOTICE: "办理结果通知书", LICENCE: "电子证照"}


def licence_of(db: Session, case: Case) -> Licence | None:
    """The licence the case concluded with, if one was issued."""
    return db.scalar(select(Licence).where(Licence.case_id == case.id))


def available(db: Session, case: Case) -> list[str]:
    """Which documents the case has: none while it runs, the notice once ended, the licence when issued."""
    if case.status not in ENDED:
        return []
    return [NOTICE, LICENCE] if licence_of(db, case) is not None else [NOTICE]


def _check_owner(user: User | None, case: Case) -> User:
    citizen = org_service.require(user, Permission.CASE_APPLY)
    if case.owner_user_id != citizen.id:
        raise PermissionDenied("只能下载本人申报办件的办理结果")
    return citizen


def _opinion(case: Case) -> str:
    public = [s for s in case.steps if s.action in ("decide", "refuse") and s.opinion_public and s.opinion]
    return public[-1].opinion if public else ""


def render_html(case: Case, licence: Licence | None, document: str, printed_at: datetime | None = None) -> str:
    """The document as HTML (what the PDF is made from)."""
    result = case.conclusion_result
    return _env.get_template("result_notice.html").render(
        title=DOCUMENT_LABELS[document],
        case=case,
        licence=licence if document == LICENCE else None,
        licence_no=licence.licence_no if licence else "",
        centre=get_settings().centre_name,
        id_number=mask_id_number(case.applicant.id_number),
        result_label=CONCLUSION_RESULT_LABELS.get(result, "") if result is not None else "",
        opinion=_opinion(case),
        printed_at=printed_at or now(),
        base_url=get_settings().base_url,
    )


def download(db: Session, user: User | None, case: Case, document: str) -> FileContent:
    """The applicant's own result document as PDF; refused for anyone else, for a running case, or for a licence
    the case did not issue. The download is audited."""
    _check_owner(user, case)
    if document not in DOCUMENT_LABELS:
        raise NotFound("没有这种办理结果文件")
    if case.status not in ENDED:
        raise Conflict(f"办件{case.case_no}尚未办结，办结后可下载办理结果", code="not_concluded")
    licence = licence_of(db, case)
    if document == LICENCE and licence is None:
        raise NotFound("该办件没有签发电子证照")
    from weasyprint import HTML  # heavy import, only when a document is downloaded

    pdf = bytes(HTML(string=render_html(case, licence, document)).write_pdf())
    record_event(
        db,
        action=f"case.result_download.{document}",
        entity="case",
        entity_id=str(case.id),
        details={"document": DOCUMENT_LABELS[document], "licence_id": licence.id if licence else None},
    )
    name = licence.licence_no if document == LICENCE and licence else case.case_no
    return FileContent(f"{document}-{name}.pdf", "application/pdf", pdf)
