"""How the knowledge base plugs into the core: its tables, its demo content and its warm-up."""

from collections.abc import Callable

from sqlalchemy.orm import Session

MODELS = "knowledge.models"


def seed(db: Session, progress: Callable[[str, int, int], None] | None = None) -> None:
    """Loads the demo knowledge (FAQs, laws, policies, glossary, bundles, links) once."""
    from knowledge.seed_loader import seed_knowledge

    seed_knowledge(db, progress)


def initialize() -> None:
    """Loads jieba's dictionary at start-up rather than on the first query."""
    from knowledge.search import tokens

    tokens.initialize()
