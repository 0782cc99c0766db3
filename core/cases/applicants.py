"""Applicants belong to whoever gave their details: a citizen's account, or the centre's windows (identity checked
in person). The same ID number typed from another account finds nothing of theirs and changes nothing of theirs.

Look-ups by ID number (带出以往信息):
- a citizen gets back only what their own account gave before, in full;
- a window clerk gets the applicants of the departments they can reach (a case there), masked, and every
  look-up is audited as a read of personal data.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.service import record_read
from core.cases.models import Applicant, Case, JointTask
from core.cases.schemas import ApplicantIn, ApplicantOut
from core.errors import ValidationFailed
from core.org import service as org_service
from core.org.models import User
from core.org.permissions import Permission
from core.security import keyed_hash, mask_id_number

KINDS = ("personal", "enterprise")


def _index(kind: str, id_number: str) -> str:
    return keyed_hash(f"{kind}:{id_number.strip().upper()}")


def owner_for(user: User | None) -> int | None:
    """Whose record an application by this user uses: a citizen's own account's; the centre's (None) for staff."""
    return user.id if user is not None and not user.is_staff else None


def find(db: Session, *, kind: str, id_number: str, owner_user_id: int | None) -> Applicant | None:
    """Returns the record this owner (an account, or None for the centre) keeps for this ID number, if any."""
    owner = Applicant.owner_user_id.is_(None) if owner_user_id is None else Applicant.owner_user_id == owner_user_id
    query = select(Applicant).where(Applicant.kind == kind, Applicant.id_index == _index(kind, id_number), owner)
    return db.scalars(query.order_by(Applicant.id).limit(1)).first()


def validate(data: ApplicantIn) -> None:
    """Raises a Chinese error naming the first invalid field."""
    problems = data.problems()
    if problems:
        field, message = problems[0]
        raise ValidationFailed(message, field=f"applicant.{field}")


def upsert(db: Session, data: ApplicantIn, *, owner_user_id: int | None) -> Applicant:
    """Returns the owner's record for these details, updating contact data that changed; another owner's record
    for the same ID number is never read or written."""
    validate(data)
    applicant = find(db, kind=data.kind, id_number=data.id_number, owner_user_id=owner_user_id)
    if applicant is None:
        applicant = Applicant(
            kind=data.kind,
            id_index=_index(data.kind, data.id_number),
            id_number=data.id_number,
            owner_user_id=owner_user_id,
        )
        db.add(applicant)
    for field in ("name", "phone", "address", "legal_representative", "contact_name"):
        value = getattr(data, field)
        if value and getattr(applicant, field, None) != value:
            setattr(applicant, field, value)
    return applicant


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed("申请人类型应为 personal（个人）或 enterprise（企业）", field="kind")


def _is_window_staff(user: User) -> bool:
    return Permission.CASE_REGISTER in user.permissions


def _reachable(db: Session, user: User, kind: str, id_number: str) -> list[Applicant]:
    """Records for this ID number with a case in a department the user can reach, newest case first."""
    rows = db.execute(
        select(Case.id, Case.applicant_id, Case.department_id)
        .join(Applicant, Applicant.id == Case.applicant_id)
        .where(Applicant.kind == kind, Applicant.id_index == _index(kind, id_number))
        .order_by(Case.submitted_at.desc(), Case.id.desc())
    ).all()
    if not rows:
        return []
    departments: dict[int, set[int]] = {case_id: {department_id} for case_id, _, department_id in rows}
    for case_id, department_id in db.execute(
        select(JointTask.case_id, JointTask.department_id).where(JointTask.case_id.in_(departments))
    ):
        departments[case_id].add(department_id)
    found: dict[int, None] = {}
    for case_id, applicant_id, _ in rows:
        if org_service.can_reach_department(user, departments[case_id]):
            found.setdefault(applicant_id)
    records = {a.id: a for a in db.scalars(select(Applicant).where(Applicant.id.in_(found)))}
    return [records[applicant_id] for applicant_id in found]


def prefill(db: Session, user: User, *, kind: str, id_number: str) -> ApplicantOut | None:
    """Earlier details for an ID number or credit code: a citizen's own, whole; for a window clerk those of an
    applicant of their departments, masked and audited; None when there is nothing the caller may see."""
    _check_kind(kind)
    if not _is_window_staff(user):
        org_service.require(user, Permission.CASE_APPLY)
        own = find(db, kind=kind, id_number=id_number, owner_user_id=user.id)
        return ApplicantOut.from_model(own) if own is not None else None
    reachable = _reachable(db, user, kind, id_number)
    centre = next((a for a in reachable if a.owner_user_id is None), None)
    shown = centre or (reachable[0] if reachable else None)
    result = ApplicantOut.from_model(shown, masked=True) if shown is not None else None
    # a miss is recorded too (someone trying numbers); the record is written before the answer leaves
    record_read(
        db,
        "applicant",
        shown.id if shown is not None else "",
        action="applicant.prefill_read",
        details={"kind": kind, "id_number": mask_id_number(id_number.strip().upper()), "found": shown is not None},
        operation="event",
    )
    return result


def reusable_source(db: Session, user: User, *, kind: str, id_number: str) -> Applicant | None:
    """The record whose earlier materials and e-licences the caller may reuse for this ID number: a citizen's
    own; for a window clerk the centre's own record, when it has a case in their departments."""
    _check_kind(kind)
    if not _is_window_staff(user):
        org_service.require(user, Permission.CASE_APPLY)
        return find(db, kind=kind, id_number=id_number, owner_user_id=user.id)
    return next((a for a in _reachable(db, user, kind, id_number) if a.owner_user_id is None), None)
