"""Hand-off to a person ("转人工"): the gateway queues the conversation for staff on the custom message."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import handoff, latest_text
from actions.guards import clear_answer
from actions.knowledge import answer_from_knowledge

ASKS_FOR_A_PERSON = re.compile(r"人工|真人|客服|工作人员|坐席|转接|专人|领导|找(个)?人|叫(个)?人|人来")
"""Words of a request for a person; a message without them that the NLU took for one is often a service question
(“放线以后验线找谁”), which the knowledge base answers when it can."""


async def _answers_instead(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType] | None:
    """The knowledge answer to a message that asks for no person but names a service item, or that the search
    answers clearly (“农用地转建设用地谁批”) (None: hand off)."""
    text = latest_text(tracker)
    if ASKS_FOR_A_PERSON.search(text) or (tracker.active_loop or {}).get("name"):
        return None
    result = await clear_answer(tracker, text)
    if result is None:
        return None
    return await answer_from_knowledge(dispatcher, tracker, text, result=result)


class ActionHandoff(Action):
    """The user asked for a person; an intake in progress is paused and kept."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        answered = await _answers_instead(dispatcher, tracker)
        if answered is not None:
            return answered
        events = handoff(dispatcher, tracker, "user_request")
        if (tracker.active_loop or {}).get("name") == "project_form":
            dispatcher.utter_message(text="您的报建填写进度已保存，之后说“继续报建”即可接着填。")
        return events
