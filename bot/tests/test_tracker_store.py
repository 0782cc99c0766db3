"""The tracker store saves conversations without the query password (Rasa's own SQL store, on SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from tracker_store import SESSION_EVENTS, SESSION_INDEX, RedactingSQLTrackerStore

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


def _long_conversation(turns: int) -> list[Event]:
    events: list[Event] = [ActionExecuted("action_listen")]
    for n in range(turns):
        events += [said(f"第{n}个问题", "ask_faq"), ActionExecuted("action_answer_faq"), BotUttered(f"答{n}")]
        events.append(ActionExecuted("action_listen"))
    return events


def test_a_long_conversation_goes_on_in_a_new_session_that_keeps_the_slots(store: RedactingSQLTrackerStore) -> None:
    """A person who keeps writing: the next turn loads a short session (what Rasa replays and sends to the actions
    stays small), the case number they gave is still known, and the whole conversation stays stored."""
    import asyncio

    events = [*_long_conversation(SESSION_EVENTS // 4 + 2), SlotSet("case_no", CASE_NO), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("wechat:o2", events, slots=store.domain.slots)
    asyncio.run(store.save(tracker))

    current = asyncio.run(store.retrieve("wechat:o2"))
    assert current is not None
    assert len(current.events) < 10
    assert current.get_slot("case_no") == CASE_NO
    assert current.latest_action_name == "action_listen" and current.active_loop_name is None

    current.update(said("还有一个问题", "ask_faq"))
    current.update(ActionExecuted("action_answer_faq"))
    asyncio.run(store.save(current))
    everything = asyncio.run(store.retrieve_full_tracker("wechat:o2"))
    assert everything is not None
    asked = [e.text for e in everything.events if isinstance(e, UserUttered)]
    assert asked[0] == "第0个问题" and asked[-1] == "还有一个问题" and len(asked) == SESSION_EVENTS // 4 + 3


def test_a_paused_form_is_still_paused_in_the_new_session(store: RedactingSQLTrackerStore) -> None:
    """Asked for a case number, the person chatted about other things for a long while: the form still waits for
    the number, its question the last thing it did."""
    import asyncio

    events = [ActionExecuted("action_listen"), said("查进度", "query_progress"), ActionExecuted("progress_form")]
    events += [ActiveLoop("progress_form"), SlotSet("requested_slot", "case_no"), BotUttered("请提供办件编号")]
    events += _long_conversation(SESSION_EVENTS // 4 + 2)[:-1]
    events += [ActionExecuted("progress_form"), BotUttered("请提供办件编号"), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("wechat:o3", events, slots=store.domain.slots)
    asyncio.run(store.save(tracker))

    current = asyncio.run(store.retrieve("wechat:o3"))
    assert current is not None
    assert len(current.events) < 10
    assert current.active_loop_name == "progress_form" and current.get_slot("requested_slot") == "case_no"
    last_two = [e.action_name for e in current.events if isinstance(e, ActionExecuted)][-2:]
    assert last_two == ["progress_form", "action_listen"]


def test_a_session_starts_where_its_event_is_even_when_the_clock_reads_the_same(store: RedactingSQLTrackerStore) -> None:
    """MariaDB keeps Rasa's timestamps as single-precision FLOAT (steps of 128 s today): a session started a
    minute after the last one's turn carries the same stored time, and must still not read that turn."""
    import asyncio

    same = 1796502784.0
    events = [
        ActionExecuted("action_listen", timestamp=same),
        UserUttered("上一段的问题", {"name": "ask_faq"}, timestamp=same),
        ActionExecuted("action_listen", timestamp=same),
        ActionExecuted("action_session_start", timestamp=same),
        SessionStarted(timestamp=same),
        ActionExecuted("action_listen", timestamp=same),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events("wechat:o4", events, slots=store.domain.slots)))

    current = asyncio.run(store.retrieve("wechat:o4"))
    assert current is not None
    assert not [e for e in current.events if isinstance(e, UserUttered)]
    assert len(current.events) == 2


def test_the_session_start_is_found_by_index(store: RedactingSQLTrackerStore, tmp_path: Path) -> None:
    """A conversation of months is not read through to find where its session began; a second store on the same
    database (a restarted server, or the other one starting at the same time) starts with the index there."""
    import sqlalchemy

    indexes = {i["name"]: i["column_names"] for i in sqlalchemy.inspect(store.engine).get_indexes("events")}
    assert indexes[SESSION_INDEX] == ["sender_id", "type_name"]
    RedactingSQLTrackerStore(domain=store.domain, db=str(tmp_path / "tracker.db"))
