"""Application forms sent more than once, and the files of forms that came back with an error.

Each application form carries a random key made when it is opened (幂等键). The first sending files the
application and records the key with what it filed; the same key sent again (the browser resending the form, a
double click, a retry after a timeout) files nothing and leads to what the first sending filed — one case, one
audit record, one notification.

A file chosen on a form that then came back with an error (a missing field, a wrong ID number) is kept as a
pending upload of that form's key, committed on its own before the form is checked, so that the rollback of the
refused application does not take it; the form shows it as attached and uses it when sent again.
"""

import re
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.cases.models import CaseBundle, CaseMaterial, PendingUpload, Submission
from core.clock import now
from core.errors import Conflict, ValidationFailed
from core.files import service as file_service
from core.files.models import StoredFile
from core.org.models import User
from core.security import new_token

_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
EXPIRED = "申报表单已失效，请重新打开申报页面填写"
PENDING_DAYS = 7
"""How long a file kept for a form that was never sent again stays (then it is deleted, bytes and all)."""


def new_form_key() -> str:
    """A fresh key for an application form."""
    return new_token(18)


def checked_key(form_key: str) -> str:
    """The form's key, or a Chinese error when the form did not come from our page."""
    if not _KEY.fullmatch(form_key):
        raise ValidationFailed(EXPIRED, field="form_key")
    return form_key


def earlier(db: Session, user: User, form_key: str) -> Submission | None:
    """What an earlier sending of this form filed, if it was filed."""
    return db.scalar(select(Submission).where(Submission.user_id == user.id, Submission.form_key == form_key))


def claim(db: Session, user: User, form_key: str) -> Submission:
    """Records the form's key before anything is filed. A second sending racing the first waits on the key's
    unique index and is refused here instead of filing a second case."""
    row = Submission(user_id=user.id, form_key=form_key)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError as exc:
        raise Conflict("该申请已提交，请勿重复提交；可在“我的办件”中查看", code="already_submitted") from exc
    return row


def filed(db: Session, submission: Submission, *, case_id: int | None = None, bundle: CaseBundle | None = None) -> None:
    """Says what the form filed, and lets go of its pending uploads (they are the case's materials now)."""
    submission.case_id = case_id
    submission.bundle_id = bundle.id if bundle is not None else None
    db.execute(
        delete(PendingUpload).where(
            PendingUpload.user_id == submission.user_id, PendingUpload.form_key == submission.form_key
        )
    )
    db.flush()


def keep_upload(db: Session, user: User, form_key: str, slot: str, stored: StoredFile) -> PendingUpload:
    """Keeps a file chosen for one material of the form (a later choice for the same material replaces it)."""
    found = db.scalar(
        select(PendingUpload).where(
            PendingUpload.user_id == user.id, PendingUpload.form_key == form_key, PendingUpload.slot == slot
        )
    )
    if found is not None:
        found.file_id = stored.id
        found.file = stored
        return found
    row = PendingUpload(user_id=user.id, form_key=form_key, slot=slot, file_id=stored.id)
    row.file = stored
    db.add(row)
    return row


def pending(db: Session, user: User, form_key: str) -> dict[str, PendingUpload]:
    """The files kept for this form, by material."""
    if not _KEY.fullmatch(form_key):
        return {}
    rows = db.scalars(select(PendingUpload).where(PendingUpload.user_id == user.id, PendingUpload.form_key == form_key))
    return {row.slot: row for row in rows}


def drop(db: Session, user: User, form_key: str, slot: str) -> None:
    """Takes a kept file off the form (the applicant chose 重新选择 or another way of providing it)."""
    db.execute(
        delete(PendingUpload).where(
            PendingUpload.user_id == user.id, PendingUpload.form_key == form_key, PendingUpload.slot == slot
        )
    )


def purge_pending(db: Session, *, days: int = PENDING_DAYS, limit: int = 1000) -> int:
    """Deletes the files kept for forms not sent again within ``days``: the pending row, and the file itself unless
    a case uses it after all. Returns how many were deleted."""
    cutoff = now() - timedelta(days=days)
    rows = list(db.scalars(select(PendingUpload).where(PendingUpload.created_at < cutoff).limit(limit)))
    for row in rows:
        db.delete(row)
    db.flush()
    for file_id in {row.file_id for row in rows}:
        used = db.scalar(select(CaseMaterial.id).where(CaseMaterial.file_id == file_id).limit(1))
        stored = db.get(StoredFile, file_id)
        if used is None and stored is not None:
            file_service.discard(db, stored)
    db.flush()
    return len(rows)
