"""Loads the demo knowledge from knowledge/seed/*.json, published as the first version of each entry.

Demo content skips the review step (there is no second person yet); its revisions are recorded as
published by "演示数据" so the history is complete. A law names the law that replaced it by title
(``replaced_by``), which must come earlier in laws.json. On a database seeded before, only the laws it
lacks (by title) are added, so a new law of the seed reaches it while the curators' edits stay.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.audit.context import Actor, acting
from core.items.models import ServiceItem
from core.org.models import Department
from knowledge import workflow
from knowledge.models import Faq, Law, Revision

SEED = Path(__file__).parent / "seed"
AUTHOR = "演示数据"


def _load(name: str) -> list[dict[str, Any]]:
    path = SEED / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def _publish(db: Session, kind: str, data: dict[str, Any]) -> None:
    data = dict(data)
    replaced_by = data.pop("replaced_by_title", None)
    if replaced_by:
        data["replaced_by_id"] = db.scalar(select(Law.id).where(Law.title == replaced_by))
        if data["replaced_by_id"] is None:
            raise ValueError(
                f"laws.json: 《{data['title']}》 is replaced by 《{replaced_by}》, which must come earlier"
            )
    clean = workflow.validate(kind, data)
    revision = Revision(
        kind=kind,
        version=1,
        status="pending",
        title=workflow.title_of(kind, clean),
        data=clean,
        author_name=AUTHOR,
        reviewer_name=AUTHOR,
    )
    db.add(revision)
    db.flush()
    workflow.publish(db, revision)


def _entries(db: Session) -> list[tuple[str, dict[str, Any]]]:
    items = {i.name: i.id for i in db.scalars(select(ServiceItem))}
    departments = {d.code: d.id for d in db.scalars(select(Department))}
    out: list[tuple[str, dict[str, Any]]] = []
    for row in _load("glossary.json"):
        out.append(("glossary", row))
    for row in _load("faqs.json"):
        data: dict[str, Any] = {k: row[k] for k in ("question", "answer", "keywords", "alternatives") if k in row}
        data["service_item_id"] = items.get(row.get("item_name", ""))
        out.append(("faq", data))
    out += [("law", data) for data in _laws()]
    for row in _load("policies.json"):
        out.append(("policy", row))
    for row in _load("bundles.json"):
        data = {k: v for k, v in row.items() if k != "item_names"}
        data["item_ids"] = [items[n] for n in row.get("item_names", []) if n in items]
        out.append(("bundle", data))
    for row in _load("links.json"):
        data = {k: v for k, v in row.items() if k not in ("department_code", "order")}
        data["department_id"] = departments.get(row.get("department_code", ""))
        data["sort_order"] = row.get("order", 0)
        out.append(("link", data))
    return out


def _laws() -> list[dict[str, Any]]:
    out = []
    for row in _load("laws.json"):
        data = {k: v for k, v in row.items() if k not in ("articles", "order", "replaced_by")}
        data["sort_order"] = row.get("order", 0)
        data["articles"] = [
            {"number": a["no"], "text": a["text"], "summary": a.get("summary", False)} for a in row.get("articles", [])
        ]
        if row.get("replaced_by"):
            data["replaced_by_title"] = row["replaced_by"]
        out.append(data)
    return out


def top_up_laws(db: Session) -> int:
    """Publishes the seed laws a database lacks (by title); returns how many."""
    present = set(db.scalars(select(Law.title)))
    missing = [data for data in _laws() if data["title"] not in present]
    with acting(Actor(id=None, name=AUTHOR, kind="system")):
        for data in missing:
            _publish(db, "law", data)
    db.commit()
    return len(missing)


def seed_knowledge(db: Session, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Publishes the demo knowledge once; when FAQs exist, only the seed laws the database lacks. Returns the
    number of entries published."""
    if db.scalar(select(func.count()).select_from(Faq)):
        return top_up_laws(db)
    entries = _entries(db)
    with acting(Actor(id=None, name=AUTHOR, kind="system")):
        for n, (kind, data) in enumerate(entries, start=1):
            _publish(db, kind, data)
            if progress and (n % 50 == 0 or n == len(entries)):
                db.commit()
                progress("知识库", n, len(entries))
    db.commit()
    return len(entries)
