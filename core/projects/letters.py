"""Guidance letters: issued from the confirmed flow, re-issued when the flow changes, every version kept."""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import now
from core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from core.files import service as file_service
from core.org.models import User
from core.projects import service
from core.projects.final_flow import apply_reviews
from core.projects.letter_pdf import Confirmation, LetterContent, indicator_rows, render_letter_pdf
from core.projects.models import DepartmentReview, Derivation, GuidanceLetter, Project
from core.rules.engine import DerivedFlow
from core.security import mask_phone
from core.settings import get_settings

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


def final_flow(db: Session, project: Project) -> tuple[Derivation, DerivedFlow]:
    """The latest derivation and its flow with the departments' reviews applied."""
    derivation = service.latest_derivation(db, project)
    if derivation is None or project.status == service.DRAFT:
        raise Conflict("请先完成填报并进行流程推演")
    return derivation, apply_reviews(DerivedFlow.model_validate(derivation.flow), derivation.reviews)


def letters_of(db: Session, project: Project) -> list[GuidanceLetter]:
    """Every letter version of the project, newest first."""
    return list(
        db.scalars(
            select(GuidanceLetter)
            .where(GuidanceLetter.project_id == project.id)
            .order_by(GuidanceLetter.version.desc())
        )
    )


def verify_url(code: str) -> str:
    """The portal page a letter's QR code and printed code lead to."""
    return get_settings().site_url(f"/letters/{code}")


def issue_letter(db: Session, user: User | None, project: Project) -> GuidanceLetter:
    """The letter for the current flow, asked for by its filer, a project guide or an administrator."""
    if user is None:
        raise NotAuthenticated("请先登录")
    if not service.can_issue_letter(user, project):
        raise PermissionDenied("只有项目的填报单位、报建专员和管理员可以出具指导意见书")
    return _current_letter(db, user, project)


def _current_letter(db: Session, user: User | None, project: Project) -> GuidanceLetter:
    """The latest letter if the flow is unchanged, else a new version (who may ask is checked by the caller)."""
    derivation, flow = final_flow(db, project)
    is_final = project.status == service.CONFIRMED
    fingerprint = service.flow_hash(flow)
    existing = letters_of(db, project)
    latest = existing[0] if existing else None
    if latest is not None and latest.flow_hash == fingerprint and latest.is_final == is_final:
        return latest
    code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    issued_at = now()
    version = (latest.version if latest else 0) + 1
    content = LetterContent(
        project_code=project.code or "",
        project_name=project.name,
        enterprise_name=project.enterprise_name,
        credit_code=project.credit_code,
        location=project.location,
        contact_name=project.contact_name,
        contact_phone_masked=mask_phone(project.contact_phone) if project.contact_phone else "",
        indicators=indicator_rows(project.indicators or {}),
        flow=flow,
        confirmations=[
            Confirmation(
                department_name=r.department.name,
                reviewer_name=r.reviewer_name,
                confirmed_at=r.confirmed_at,
                opinion=r.opinion,
                changes=[
                    f"{_ACTION_LABELS[a.action]}：{a.name or a.approval_code}（{a.opinion}）" for a in r.adjustments
                ],
            )
            for r in derivation.reviews
        ],
        letter_version=version,
        verification_code=code,
        verification_url=verify_url(code),
        issued_at=issued_at,
        is_final=is_final,
    )
    pdf = render_letter_pdf(content)
    stored = file_service.store(
        db, filename=f"指导意见书-{project.code}-V{version}.pdf", content=pdf, uploaded_by_id=user.id if user else None
    )
    db.flush()
    for older in existing:
        if older.superseded_at is None:
            older.superseded_at = issued_at
    letter = GuidanceLetter(
        project_id=project.id,
        derivation_id=derivation.id,
        version=version,
        verification_code=code,
        is_final=is_final,
        flow_hash=fingerprint,
        file_id=stored.id,
        issued_by_id=user.id if user else None,
        issued_at=issued_at,
    )
    db.add(letter)
    db.flush()
    return letter


_ACTION_LABELS = {"add": "新增", "correct": "更正", "remove": "删除"}


def derive_with_letter(db: Session, user: User | None, project: Project) -> GuidanceLetter:
    """流程推演 and its draft letter (初稿), as every client (API, portal, admin, demo) does it."""
    service.derive_project(db, user, project)
    return _current_letter(db, user, project)


def confirm_with_letter(
    db: Session, user: User | None, review: DepartmentReview, opinion: str
) -> GuidanceLetter | None:
    """A department confirms its items; the last confirmation issues the final letter (正式), returned."""
    service.confirm_review(db, user, review, opinion=opinion)
    project = service.review_project(db, review)
    return _current_letter(db, user, project) if project.status == service.CONFIRMED else None


def by_code(db: Session, code: str) -> GuidanceLetter:
    """The letter with this verification code (case and spaces forgiven)."""
    cleaned = "".join(code.split()).upper().replace("-", "")
    letter = db.scalar(select(GuidanceLetter).where(GuidanceLetter.verification_code == cleaned))
    if letter is None:
        raise NotFound("验证码对应的指导意见书不存在，请核对验证码")
    return letter


def pdf_bytes(letter: GuidanceLetter) -> bytes:
    """The stored PDF of a letter."""
    return file_service.read(letter.file)
