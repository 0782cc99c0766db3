"""Fixtures for the action tests: the fake /api/v1 on 127.0.0.1, the real domain, tracker builders."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import yaml

BOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BOT))
sys.path.insert(0, str(BOT / "tests"))

import fake_api  # noqa: E402
from rasa_sdk import Tracker  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

PUBLIC = "http://portal.test"


@pytest.fixture(scope="session")
def api_server() -> Iterator[Any]:
    """One fake API server for the session; each test gets fresh state (see ``api``)."""
    _, server = fake_api.serve()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture()
def api(api_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[fake_api.FakeApi]:
    state = fake_api.FakeApi()
    api_server.RequestHandlerClass.api = state
    host, port = api_server.server_address[:2]
    monkeypatch.setenv("TONGBAN_API_URL", f"http://{host}:{port}/api/v1")
    monkeypatch.setenv("TONGBAN_BOT_TOKEN", fake_api.TOKEN)
    monkeypatch.setenv("TONGBAN_PUBLIC_URL", PUBLIC)
    monkeypatch.setenv("TONGBAN_API_TIMEOUT", "5")
    yield state
    assert not state.problems, "the fake /api/v1 does not fit the real one:\n" + "\n".join(state.problems)


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The bot's real domain, its files merged the way Rasa merges them."""
    merged: Dict[str, Any] = {"intents": [], "entities": [], "slots": {}, "forms": {}, "responses": {}, "actions": []}
    for path in sorted((BOT / "domain").glob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in ("intents", "entities", "actions"):
            merged[key] += part.get(key, [])
        for key in ("slots", "forms", "responses"):
            merged[key].update(part.get(key, {}))
    return merged


def make_tracker(
    text: str = "",
    *,
    sender: str = "wechat:oyORnuTest0001",
    intent: str = "inform",
    slots: Optional[Dict[str, Any]] = None,
    set_now: Optional[Dict[str, Any]] = None,
    active_loop: Optional[str] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    metadata: Optional[Dict[str, Any]] = None,
) -> Tracker:
    """A tracker after the user said ``text``; ``set_now`` are the slots extracted from that message."""
    all_slots = dict(slots or {})
    all_slots.update(set_now or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    if metadata is not None:
        latest["metadata"] = metadata  # what the gateway sent with the message (the request id)
    events: List[Dict[str, Any]] = [{"event": "user", "text": text, "parse_data": latest}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_now or {}).items()]
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": all_slots,
            "latest_message": latest,
            "events": events,
            "active_loop": {"name": active_loop} if active_loop else {},
            "latest_action_name": "action_listen",
        }
    )


def run(action: Any, tracker: Tracker, domain: Dict[str, Any]) -> tuple:
    """Runs an action; returns (events, dispatcher messages)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return events, dispatcher.messages


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The slot values the events set (last one wins)."""
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def texts(messages: List[Dict[str, Any]]) -> str:
    """All text the bot said, joined."""
    return "\n".join(m.get("text") or "" for m in messages)
