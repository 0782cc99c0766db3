"""Who the bot is: the assistant of the centre it serves, by the centre's configured name (``centre_name``)."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.client import ApiError
from actions.common import client

DEFAULT_CENTRE = "便民服务中心"
"""Said when the platform cannot be asked: a name that is true of every centre."""


def identity_line(centre: str) -> str:
    """The bot's answer to “你是机器人吗”: whose assistant it is, that it is no person, how to reach one."""
    return f"我是{centre or DEFAULT_CENTRE}的智能助手“通办小助手”，不是真人。需要工作人员帮忙时，请说“转人工”。"


class ActionIAmABot(Action):
    """Introduces the bot with the name the centre configured on the platform (asked of the API each time, so a
    renamed centre is introduced by its new name without retraining the bot)."""

    def name(self) -> Text:
        return "action_iamabot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        try:
            async with client(tracker) as api:
                centre = str((await api.centre()).get("name") or "")
        except ApiError:
            centre = ""
        dispatcher.utter_message(text=identity_line(centre))
        return []
