"""“施工许可申请表在哪下载”: the blank forms and filled samples of the item the person asks about (issue 18, 4.13).

The item is the one the search recognises in the question (``recognised_item``, the recogniser the guides use),
else an item hit on top; its templates come from ``GET /items/{id}/templates`` (the current version of each),
sent as download links, with a preview link where there is one and the guide's link.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.choice import item_id_of, recognised
from actions.client import ApiError, SearchResult, public_link
from actions.common import HANDOFF_BUTTONS, buttons, client, is_meaningful, latest_text

ASK_ITEM = "请告诉我是哪个事项的表格，例如：“施工许可申请表在哪下载”“户外广告申请表模板”。"
UNAVAILABLE = "抱歉，表格下载暂时无法查询，请稍后再试，或说“转人工”联系工作人员。"


def item_of(result: SearchResult) -> Optional[Tuple[int, str]]:
    """(id, name) of the item the question is about: the recognised one, else an item hit on top."""
    item = recognised(result)
    if item is not None:
        return item["id"], item["name"]
    hits = result.get("hits") or []
    if hits and result.get("answered"):
        found = item_id_of(hits[0])
        if found is not None:
            return found, str(hits[0].get("title") or "")
    return None


def format_templates(item_id: int, name: str, templates: List[Dict[str, Any]]) -> str:
    """The download links, one line a template; the guide's link last."""
    guide = public_link(f"/guides/{item_id}")
    if not templates:
        return f"「{name}」暂时没有可下载的表格模板，所需材料请见办事指南：{guide}"
    lines = [f"「{name}」的表格下载："]
    for template in templates:
        line = f"· {template.get('material_name', '')}（{template.get('kind_label', '')}）：{public_link(template.get('download_link', ''))}"
        if template.get("preview_link"):
            line += f"\n  预览：{public_link(template['preview_link'])}"
        lines.append(line)
    lines.append(f"完整办事指南：{guide}")
    return "\n".join(lines)


class ActionSendTemplates(Action):
    """Sends the template links of the item the person asks about."""

    def name(self) -> Text:
        return "action_send_templates"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[EventType]:
        text = latest_text(tracker)
        if not is_meaningful(text):
            dispatcher.utter_message(text=ASK_ITEM)
            return []
        try:
            async with client(tracker) as api:
                found = item_of(await api.search_knowledge(text[:500]))
                if found is None:
                    dispatcher.utter_message(text=ASK_ITEM)
                    return []
                item_id, name = found
                templates = await api.request("GET", f"/items/{int(item_id)}/templates")
        except ApiError as error:
            dispatcher.utter_message(text=UNAVAILABLE if error.unavailable else error.message, buttons=HANDOFF_BUTTONS[:1])
            return []
        dispatcher.utter_message(
            text=format_templates(item_id, name, list(templates or [])),
            buttons=buttons(f"{name}要什么材料") if name else None,
        )
        dispatcher.utter_message(text=f"您问的是「{name}」的表格，如不是，请告诉我具体事项。")
        return [SlotSet("failure_count", 0)]
