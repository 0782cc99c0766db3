"""Admin site, what leaves a case on paper or as a file: the acceptance slip, a reissued query password and the
applicant's uploaded materials. The rules (who, when, what is audited) are in core/cases/query_codes.py and
core/cases/materials.py; these routes only send the result."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from core.audit.context import acting
from core.cases import materials, query_codes, slip
from core.cases.models import Case
from core.deps import DB
from core.errors import ValidationFailed
from web.admin_cases import ScopedCase, case_context
from web.common import Form, file_response, text
from web.deps import OnError, Staff

router = APIRouter(prefix="/admin", include_in_schema=False)


def _pdf(case: Case, code: query_codes.SlipCode) -> Response:
    return Response(
        slip.render_pdf(case, code),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="slip-{case.case_no}.pdf"'},
    )


@router.post("/cases/{case_id}/slip")
def print_slip(request: Request, db: DB, form: Form, staff: Staff, case: ScopedCase, on_error: OnError) -> Response:
    """打印受理通知书 (after 受理); the password is on a window case's first print only."""
    on_error.show("admin/case.html", lambda: {**case_context(case, staff), "failed_action": "slip"})
    with acting(action="case.print_slip"):
        code = query_codes.print_slip(db, staff, case)
        db.flush()
    return _pdf(case, code)


@router.post("/cases/{case_id}/query-code")
def reissue_query_code(
    request: Request, db: DB, form: Form, staff: Staff, case: ScopedCase, on_error: OnError
) -> Response:
    """重新发放查询密码: an explicit, confirmed action; the applicant is told on their channel."""
    on_error.show("admin/case.html", lambda: {**case_context(case, staff), "failed_action": "reissue"})
    if text(form, "confirm") != "1":
        raise ValidationFailed("请先核验申请人身份并勾选确认，再重新发放查询密码", field="confirm")
    with acting(action="case.reissue_query_code"):
        code = query_codes.reissue(db, staff, case)
        db.flush()
    return _pdf(case, code)


@router.get("/cases/{case_id}/materials/{material_id}")
def material_file(material_id: int, db: DB, staff: Staff, case: ScopedCase) -> Response:
    """One uploaded material of the case, for staff of its department (the opening is audited)."""
    with acting(action="case.material_download"):
        found = materials.open_file(db, staff, case, material_id)
    return file_response(found)
