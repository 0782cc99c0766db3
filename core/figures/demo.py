"""Demo figures: after the demo cases and ratings are made, the boards' figures are built from them at once, so the
boards show the demo's year before the periodic refresh first runs."""

from sqlalchemy.orm import Session

from core.figures.scheduled import rebuild


def seed(db: Session) -> int:
    """Rebuilds every figure from the demo data; the number of days counted."""
    return rebuild(db)
