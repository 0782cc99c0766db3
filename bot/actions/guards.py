"""Search first, before a flow the NLU chose for a question (issue 15).

The progress query, rating, 我的办件, 我的项目 and the booking of 帮办 start a flow that asks for a case number
or lists the user's things. A question about a service that the NLU took for one of them (“排水许可几天能办好”
as a progress query, “节能审查意见批了以后项目规模变了咋办” as 我的项目, “办完事怎么打分评价” as a rating) is
answered from the knowledge base instead — when it asks something (怎么, 吗, 多久…), makes no request of the
user's own (我的, 帮我, 我要, a case number), has none of the flow's own words, and the search answers it clearly
or recognises the item it is about. Otherwise the flow goes on as before.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.client import ApiError
from actions.common import client, latest_text
from actions.knowledge import answer_from_knowledge

ASKS = re.compile(
    r"怎么|怎样|如何|咋|什么|啥|哪些|哪个|哪里|哪儿|多久|几天|多少|吗|么[？?]?$|要不要|能不能|可不可以|收不收|是不是|有没有|[？?]"
)
"""Words of a question (rather than a request to do something)."""
OWN_REQUEST = re.compile(r"我的|我们的|我家|帮我|给我|我要|我想|查一下|查下|查查|[Kk][Ff]\d")
"""A request about the user's own things: the flow is meant."""
PROGRESS_WORDS = re.compile(r"进度|办到哪|审到哪|批到哪|到哪一步|到哪了|哪个环节|进展|批下来(了)?没|好了没")
"""Words of a progress query (“审批到哪个环节了”): the form is meant."""
PROJECT_WORDS = re.compile(r"进度|进展|到哪|哪一步|怎么样了|批到|审到|项目[^，。？?]{0,4}(情况|状态)")
BOOKING_WORDS = re.compile(r"(?<!要不要)(?<!要不要先)(?<!需不需要)(?<!需不需要先)(?<!用不用)(?<!用不用先)(?<!提前)预约(?!吗)|约个|约一下|约到|订个")
"""Words of a booking (“预约帮办 施工许可”); asking whether one must book (“办事要不要先预约”, “需要提前预约吗”) is a
question about the centre, which the knowledge base answers."""


def asks_instead(text: str) -> bool:
    """Whether a message asks a question rather than making a request about the user's own things."""
    return bool(ASKS.search(text)) and not OWN_REQUEST.search(text)


async def search_first(
    dispatcher: CollectingDispatcher, tracker: Tracker, own: Optional[re.Pattern[str]] = None
) -> Optional[List[EventType]]:
    """The knowledge answer to the latest message when it is a service question rather than the flow's request
    (see the module's docstring); None when the flow should go on."""
    text = latest_text(tracker)
    if not asks_instead(text) or (own is not None and own.search(text)):
        return None
    result = await clear_answer(tracker, text)
    if result is None:
        return None
    return await answer_from_knowledge(dispatcher, tracker, text, result=result)


async def clear_answer(tracker: Tracker, text: str) -> Optional[Dict[str, Any]]:
    """The search's answer to ``text`` when it answers clearly or recognises the item asked about; None otherwise,
    and when the platform cannot be reached (the flow then goes on as the NLU chose)."""
    try:
        async with client(tracker) as api:
            result = await api.search_knowledge(text[:500])
    except ApiError:
        return None
    if result.get("answered") and (result.get("clear") or result.get("recognised_item")):
        return dict(result)
    return None


def answered_this_turn(tracker: Tracker) -> bool:
    """Whether the bot already said something since the user's last message (a flow ended early by
    ``search_first`` leaves the action after it nothing to say)."""
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "bot":
            return True
    return False
