"""Hand-off to a person ("转人工"): the gateway queues the conversation for staff on the custom message."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import handoff


class ActionHandoff(Action):
    """The user asked for a person; an intake in progress is paused and kept."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        events = handoff(dispatcher, tracker, "user_request")
        if (tracker.active_loop or {}).get("name") == "project_form":
            dispatcher.utter_message(text="您的报建填写进度已保存，之后说“继续报建”即可接着填。")
        return events
