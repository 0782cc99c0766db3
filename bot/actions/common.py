"""Helpers shared by the actions: the user's text, link formatting, failure counting and the hand-off."""

from __future__ import annotations

import html
import os
import re
from datetime import date, datetime
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import TongbanClient

# After this many answers in a row that did not help, the bot hands the conversation to a person.
HANDOFF_AFTER_FAILURES = int(os.environ.get("TONGBAN_BOT_HANDOFF_AFTER", "2"))
HANDOFF_BUTTONS = [{"title": "转人工", "payload": "转人工"}, {"title": "换个问法", "payload": "换个问法"}]
_MEANINGFUL = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


def client(tracker: Tracker) -> TongbanClient:
    """The API client acting for this conversation's channel user, under the turn's request id."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    request_id = metadata.get("request_id") if isinstance(metadata, dict) else None
    return TongbanClient(tracker.sender_id, request_id=str(request_id) if request_id else None)


def latest_text(tracker: Tracker) -> str:
    """What the user typed last, trimmed."""
    return (tracker.latest_message or {}).get("text", "").strip()


def latest_intent(tracker: Tracker) -> str:
    """The intent of the user's last message (``nlu_fallback`` when unsure)."""
    return ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""


def is_meaningful(text: str) -> bool:
    """False for emoji-only, punctuation-only or empty messages."""
    return bool(_MEANINGFUL.search(text or ""))


def plain_snippet(snippet: str) -> str:
    """A search snippet as chat text: the <mark> highlighting dropped, HTML entities decoded."""
    return html.unescape(re.sub(r"</?mark>", "", snippet or "")).strip()


def format_date(value: Any) -> str:
    """An ISO date or datetime from the API as “2026年12月5日”; the input unchanged when it is not one."""
    if not value:
        return ""
    if isinstance(value, (date, datetime)):
        day = value if isinstance(value, date) else value.date()
    else:
        try:
            day = datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
        except ValueError:
            return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def failures(tracker: Tracker) -> int:
    """How many answers in a row did not help."""
    try:
        return int(tracker.get_slot("failure_count") or 0)
    except (TypeError, ValueError):
        return 0


def handoff(
    dispatcher: CollectingDispatcher, tracker: Tracker, reason: str, text: Optional[str] = None
) -> List[EventType]:
    """Hands the conversation to a person.

    The user is told; the gateway receives a custom message ``{"handoff": {...}}`` on which it puts the
    conversation in the staff queue and stops forwarding the user's messages to the bot until a clerk
    closes it. A form in progress is paused (its answers stay in the slots).
    """
    if text is None:
        text = (
            "好的，正在为您转接人工客服，请稍候。工作人员接入后会直接在这里回复您。\n"
            "人工服务时间：工作日 9:00-12:00、13:30-17:00；非工作时间的留言，工作人员上班后会尽快答复。"
        )
    dispatcher.utter_message(text=text)
    dispatcher.utter_message(
        json_message={
            "handoff": {
                "reason": reason,
                "last_message": latest_text(tracker),
                "active_loop": (tracker.active_loop or {}).get("name"),
            }
        }
    )
    events: List[EventType] = [SlotSet("failure_count", 0)]
    if (tracker.active_loop or {}).get("name"):
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events


def buttons(*titles: str) -> List[Dict[str, str]]:
    """Buttons whose payload is their own text, so they work the same when a channel shows them as text."""
    return [{"title": t, "payload": t} for t in titles]
