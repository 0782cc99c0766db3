"""Applicants are kept once and reused: the same ID number or credit code finds the earlier record."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.models import Applicant, Case
from core.cases.schemas import ApplicantIn, ApplicantOut
from core.errors import ValidationFailed
from core.security import keyed_hash


def _index(kind: str, id_number: str) -> str:
    return keyed_hash(f"{kind}:{id_number.strip().upper()}")


def find(db: Session, *, kind: str, id_number: str) -> Applicant | None:
    """Returns the applicant with this ID number or credit code, if any applied before."""
    return db.scalar(select(Applicant).where(Applicant.kind == kind, Applicant.id_index == _index(kind, id_number)))


def validate(data: ApplicantIn) -> None:
    """Raises a Chinese error naming the first invalid field."""
    problems = data.problems()
    if problems:
        field, message = problems[0]
        raise ValidationFailed(message, field=f"applicant.{field}")


def upsert(db: Session, data: ApplicantIn) -> Applicant:
    """Returns the applicant for these details, updating contact data that changed."""
    validate(data)
    applicant = find(db, kind=data.kind, id_number=data.id_number)
    if applicant is None:
        applicant = Applicant(kind=data.kind, id_index=_index(data.kind, data.id_number), id_number=data.id_number)
        db.add(applicant)
    for field in ("name", "phone", "address", "legal_representative", "contact_name"):
        value = getattr(data, field)
        if value and getattr(applicant, field, None) != value:
            setattr(applicant, field, value)
    return applicant


def prefill(db: Session, *, kind: str, id_number: str, owner_user_id: int | None) -> ApplicantOut | None:
    """Earlier details for an ID number: for staff (``owner_user_id`` None) always; for a citizen only when
    they applied for this applicant from their own account before, so nobody learns a stranger's data."""
    applicant = find(db, kind=kind, id_number=id_number)
    if applicant is None:
        return None
    if owner_user_id is not None:
        own = db.scalar(
            select(Case.id).where(Case.applicant_id == applicant.id, Case.owner_user_id == owner_user_id).limit(1)
        )
        if own is None:
            return None
    return ApplicantOut(
        kind=applicant.kind,
        name=applicant.name,
        id_number=applicant.id_number,
        phone=applicant.phone,
        address=applicant.address,
        legal_representative=applicant.legal_representative,
        contact_name=applicant.contact_name,
    )
