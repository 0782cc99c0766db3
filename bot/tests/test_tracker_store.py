"""The tracker store saves conversations without the query password (Rasa's own SQL store, on SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from tracker_store import RedactingSQLTrackerStore

BOT = Path(__file__).resolve().parent.parent
CASE_NO = "KF202611260017"


def said(text: str, intent: str, entities: list[dict[str, object]] | None = None) -> UserUttered:
    entities = entities or []
    return UserUttered(
        text, {"name": intent, "confidence": 1.0}, entities, {"text": text, "intent": {"name": intent}, "entities": entities}
    )


def entity(name: str, value: str, text: str) -> dict[str, object]:
    start = text.index(value)
    return {"entity": name, "value": value, "start": start, "end": start + len(value), "extractor": "RegexEntityExtractor"}


@pytest.fixture()
def store(tmp_path: Path) -> RedactingSQLTrackerStore:
    return RedactingSQLTrackerStore(domain=Domain.load(str(BOT / "domain")), db=str(tmp_path / "tracker.db"))


def stored_json(store: RedactingSQLTrackerStore, sender: str) -> str:
    import asyncio

    tracker = asyncio.run(store.retrieve_full_tracker(sender))
    assert tracker is not None
    return json.dumps(tracker.current_state(EventVerbosity.ALL), ensure_ascii=False)


def test_a_progress_check_is_saved_without_the_password(store: RedactingSQLTrackerStore) -> None:
    import asyncio

    both = f"查{CASE_NO}，密码３８５９２０"
    events = [
        said("查进度", "query_progress"),
        SlotSet("requested_slot", "case_no"),
        said(CASE_NO, "query_progress", [entity("case_no", CASE_NO, CASE_NO)]),
        SlotSet("case_no", CASE_NO),
        SlotSet("requested_slot", "query_code"),
        said("385920", "inform", [entity("query_code", "385920", "385920")]),
        SlotSet("query_code", "385920"),
        ActionExecuted("action_query_progress"),
        BotUttered(f"办件 {CASE_NO} 的办理进度：……"),
        SlotSet("query_code", None),
        said(both, "query_progress", [entity("case_no", CASE_NO, both), entity("query_code", "３８５９２０", both)]),
        SlotSet("query_code", "385920"),
    ]
    tracker = DialogueStateTracker.from_events("wechat:o1", events, slots=store.domain.slots)
    asyncio.run(store.save(tracker))

    saved = stored_json(store, "wechat:o1")
    assert "385920" not in saved and "３８５９２０" not in saved
    assert CASE_NO in saved and "查进度" in saved
    assert f"查{CASE_NO}，密码******" in saved
    again = asyncio.run(store.retrieve("wechat:o1"))
    assert again is not None and again.get_slot("query_code") is None and again.get_slot("case_no") == CASE_NO
    assert tracker.get_slot("query_code") == "385920"  # the turn in progress keeps its own copy


def test_later_saves_add_only_the_new_events(store: RedactingSQLTrackerStore) -> None:
    import asyncio

    tracker = DialogueStateTracker.from_events("web:1", [said("你好", "greet")], slots=store.domain.slots)
    asyncio.run(store.save(tracker))
    tracker.update(said("123456", "inform", [entity("query_code", "123456", "123456")]))
    tracker.update(SlotSet("query_code", "123456"))
    asyncio.run(store.save(tracker))
    saved = asyncio.run(store.retrieve_full_tracker("web:1"))
    assert saved is not None
    assert [e.text for e in saved.events if isinstance(e, UserUttered)] == ["你好", "******"]
