"""帮办代办 / 导办 booking in the chat: "我想预约帮办（事项）" finds the item, lists its next free half-days as buttons
("预约 12月07日 上午"), and a button books that half-day through /api/v1/guidance for the account bound to the
channel user. The API decides everything (free places, working days, whose account); the bot only relays."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.client import ApiError
from actions.common import buttons, client, latest_text
from actions.guards import BOOKING_WORDS, search_first

UNAVAILABLE = "抱歉，预约系统暂时无法访问，请稍后再试，或在门户网站“帮办预约”中预约。"
ASK_ITEM = "请告诉我需要帮办的事项，例如回复“预约帮办 施工许可”。"
MAX_BUTTONS = 6
_CHOICE = re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(上午|下午)")
_FILLER = re.compile(r"我想|我要|想|帮我|请|预约|约一?个|约|帮办员?|代办|导办|服务|一下|申请|指导|怎么|能|吗|找人|窗口|线上|网上|的|[，。？！,.?!\s]")
PERIODS = {"上午": "am", "下午": "pm"}


def chosen_half_day(text: str, today: Optional[date] = None) -> Optional[tuple[date, str]]:
    """The half-day a button (or the user) named: 12月07日 上午 → the next such date, and am/pm."""
    found = _CHOICE.search(text or "")
    if not found:
        return None
    today = today or date.today()
    month, day = int(found.group(1)), int(found.group(2))
    try:
        when = date(today.year, month, day)
        if when < today:
            when = date(today.year + 1, month, day)
    except ValueError:
        return None
    return when, PERIODS[found.group(3)]


def mode_of(text: str) -> str:
    """线上帮办 when the user asked for it online, else 窗口导办."""
    return "online" if any(word in (text or "") for word in ("线上", "网上", "视频", "远程")) else "window"


def button_title(row: Dict[str, Any]) -> str:
    day = date.fromisoformat(str(row["day"]))
    return f"预约 {day.month:02d}月{day.day:02d}日 {'上午' if row['period'] == 'am' else '下午'}"


class ActionGuidance(Action):
    """Offers the free half-days of an item, or books the half-day the user chose."""

    def name(self) -> Text:
        return "action_guidance"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = latest_text(tracker)
        item_id = tracker.get_slot("guidance_item_id")
        choice = chosen_half_day(text)
        if choice is None and not item_id:  # “帮办代办收不收费” asks about the service, it books nothing
            answered = await search_first(dispatcher, tracker, BOOKING_WORDS)
            if answered is not None:
                return answered
        try:
            async with client(tracker) as api:
                if not api.has_channel_user:
                    dispatcher.utter_message(text="当前渠道无法识别您的身份，请在门户网站登录后在“帮办预约”中预约。")
                    return []
                if choice is not None and item_id:
                    return await self._book(dispatcher, tracker, api, int(item_id), choice)
                return await self._offer(dispatcher, tracker, api, text)
        except ApiError as error:
            dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message)
            return []

    async def _offer(self, dispatcher: CollectingDispatcher, tracker: Tracker, api: Any, text: str) -> List[EventType]:
        query = _FILLER.sub("", text)
        item: Optional[Dict[str, Any]] = None
        if len(query) >= 2:
            found = await api.list_items(query)
            item = found[0] if found else None
        if item is None and tracker.get_slot("guidance_item_id"):
            item = {"id": tracker.get_slot("guidance_item_id"), "name": tracker.get_slot("guidance_item_name")}
        if item is None:
            dispatcher.utter_message(text=ASK_ITEM)
            return []
        rows = await api.request("GET", "/guidance/free", params={"service_item_id": item["id"], "days": 5})
        free = [row for row in rows or [] if row.get("free", 0) > 0][:MAX_BUTTONS]
        mode = mode_of(text)
        events: List[EventType] = [
            SlotSet("guidance_item_id", item["id"]),
            SlotSet("guidance_item_name", item.get("name", "")),
            SlotSet("guidance_mode", mode),
        ]
        if not free:
            dispatcher.utter_message(text=f"“{item.get('name', '')}”近期的帮办名额已约满，请过几天再试，或致电政务服务中心。")
            return events
        way = "线上帮办" if mode == "online" else "窗口导办"
        dispatcher.utter_message(
            text=f"“{item.get('name', '')}”近期可预约的{way}时段如下，请选择：",
            buttons=buttons(*(button_title(row) for row in free)),
        )
        return events

    async def _book(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, api: Any, item_id: int, choice: tuple[date, str]
    ) -> List[EventType]:
        day, period = choice
        body = {
            "service_item_id": item_id,
            "mode": tracker.get_slot("guidance_mode") or "window",
            "day": day.isoformat(),
            "period": period,
        }
        made = await api.request("POST", "/guidance/bookings", body=body)
        dispatcher.utter_message(
            text=(
                f"预约成功！预约号 {made['booking_no']}\n帮办内容：{made['subject']}\n服务方式：{made['mode_label']}\n"
                f"时间：{made['day']} {made['period_label']}\n帮办员：{made['staff_name']}\n"
                "确认消息已发送到您的消息中心，预约日前一个工作日会再提醒您；如需取消，请在预约日前一天及以前在门户网站操作。"
            )
        )
        return [SlotSet("guidance_item_id", None), SlotSet("guidance_item_name", None), SlotSet("guidance_mode", None)]
