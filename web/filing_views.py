"""What the filing pages show of a project, beyond its questions (web/filing_answers.py): guidance letter
versions, the departments' reviews, the flow diagram and the project facts as shown. The portal wizard
(web/portal_filing.py) and the public letter verification page (web/portal_letters.py) list letters the same way."""

import logging
import subprocess
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from core.projects import service
from core.projects.diagram import flow_svg
from core.projects.models import Derivation, GuidanceLetter, Project
from core.rules.engine import DerivedFlow
from core.security import mask_phone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LetterRow:
    """A guidance letter version as the pages list it."""

    version: int
    code: str
    is_final: bool
    issued_at: datetime
    superseded: bool
    pdf_url: str
    verify_path: str


def pdf_url(letter: GuidanceLetter) -> str:
    """Where the letter's PDF is served (the API's public letter route)."""
    return f"/api/v1/letters/{letter.verification_code}/pdf"


def letter_row(letter: GuidanceLetter) -> LetterRow:
    """A letter version as a row of the project page, the flow page and the verification page."""
    return LetterRow(
        version=letter.version,
        code=letter.verification_code,
        is_final=letter.is_final,
        issued_at=letter.issued_at,
        superseded=letter.superseded_at is not None,
        pdf_url=pdf_url(letter),
        verify_path=f"/letters/{letter.verification_code}",
    )


def info_shown(project: Project, key: str) -> str:
    """A project fact for the overview; the phone masked, as the API and the letter show it."""
    value: str = getattr(project, key) or ""
    return mask_phone(value) if key == "contact_phone" and value else value


def diagram(flow: DerivedFlow) -> Markup | None:
    """The flow drawn as inline SVG, or None when it cannot be drawn here (the tables say it all too)."""
    if not flow.items():
        return None
    try:
        # Safe to inline: Graphviz drew it from escaped labels (core.projects.diagram).
        return Markup(flow_svg(flow))
    except (RuntimeError, subprocess.SubprocessError):  # Graphviz's `dot` missing or failing
        log.exception("流程图生成失败")
        return None


@dataclass(frozen=True)
class ReviewRow:
    """One department's review as the flow page lists it."""

    department: str
    status: str
    reviewer: str
    confirmed_at: datetime | None
    opinion: str


def review_rows(derivation: Derivation) -> list[ReviewRow]:
    """The departments' reviews of a derivation, their status in words."""
    return [
        ReviewRow(
            department=r.department.name,
            status=service.REVIEW_STATUS_LABELS.get(r.status, r.status),
            reviewer=r.reviewer_name,
            confirmed_at=r.confirmed_at,
            opinion=r.opinion,
        )
        for r in derivation.reviews
    ]
