"""WeCom callback payloads: the decrypted XML as a normalised message, and the texts sent back.

wechatpy knows WeCom's text, media and menu messages; a template card's button click it returns as an
unknown message, so its fields (``EventKey``, ``TaskId``, ``ResponseCode``, ``CardType``) are read from the
XML itself.
"""

import hashlib
from dataclasses import dataclass, field
from typing import Literal
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy.enterprise import parse_message
from wechatpy.enterprise.messages import TextMessage, VoiceMessage

from channels.wechat.adapter import BadPayload, message_fields, split_text

CHANNEL = "wecom"
MAX_BODY_BYTES = 64 * 1024
TEXT_LIMIT_BYTES = 2048
"""A WeCom text message carries at most 2048 bytes; WeCom cuts the rest."""
CARD_CLICK = "template_card_event"
_CARD_FIELDS = ("EventKey", "TaskId", "ResponseCode", "CardType")

Kind = Literal["card_click", "text", "event", "unsupported"]


@dataclass(frozen=True)
class WeComMessage:
    """One message or event from a WeCom member.

    ``dedup_key`` identifies it however often WeCom delivers it: the MsgId of a message; the member and
    CreateTime of an event (WECHAT.md), with the card's task id for a click, since one member may click
    two cards within a second.
    """

    kind: Kind
    sender: str
    dedup_key: str
    text: str = ""
    event: str = ""
    event_key: str = ""
    task_id: str = ""
    response_code: str = ""
    card_type: str = ""
    raw: dict[str, str] = field(default_factory=dict)


def envelope(body: str) -> str:
    """The ``Encrypt`` field of a posted callback body; raises ``BadPayload`` when there is none."""
    try:
        data = xmltodict.parse(body)
    except (ExpatError, ValueError) as exc:
        raise BadPayload("消息不是有效的 XML") from exc
    root = data.get("xml") if isinstance(data, dict) else None
    encrypted = root.get("Encrypt") if isinstance(root, dict) else None
    if not isinstance(encrypted, str) or not encrypted.strip():
        raise BadPayload("加密消息缺少必填字段 Encrypt")
    return encrypted.strip()


def _key(*parts: str) -> str:
    key = ":".join(parts)
    return key if len(key) <= 128 else hashlib.sha256(key.encode()).hexdigest()


def parse(xml: str) -> WeComMessage:
    """The decrypted callback XML as a normalised message; raises ``BadPayload`` for anything else."""
    root = message_fields(xml)
    raw = {k: v for k, v in root.items() if isinstance(v, str)}
    sender = root["FromUserName"].strip()
    if root["MsgType"].lower() == "event":
        event = str(root.get("Event") or "").strip().lower()
        if not event:
            raise BadPayload("事件消息缺少必填字段 Event")
        if event == CARD_CLICK:
            card = {name: root.get(name) for name in _CARD_FIELDS}
            for name, value in card.items():
                if value is not None and not isinstance(value, str):
                    raise BadPayload(f"卡片事件的 {name} 不是文本")
            task = str(card["TaskId"] or "").strip()
            if not task:
                raise BadPayload("卡片事件缺少必填字段 TaskId")
            return WeComMessage(
                "card_click",
                sender,
                _key(sender, root["CreateTime"], task),
                event=event,
                event_key=str(card["EventKey"] or "").strip(),
                task_id=task,
                response_code=str(card["ResponseCode"] or "").strip(),
                card_type=str(card["CardType"] or "").strip(),
                raw=raw,
            )
        return WeComMessage(
            "event", sender, _key(sender, root["CreateTime"]), event=event, event_key=raw.get("EventKey", ""), raw=raw
        )
    message_id = root.get("MsgId")
    if not isinstance(message_id, str) or not message_id.strip().isdigit():
        raise BadPayload("消息缺少必填字段 MsgId")
    message = parse_message(xml)
    if isinstance(message, TextMessage):
        content = root.get("Content")
        if content is not None and not isinstance(content, str):
            raise BadPayload("消息的 Content 不是文本")
        return WeComMessage("text", sender, message_id.strip(), text=content or "", raw=raw)
    if isinstance(message, VoiceMessage) and root.get("Recognition"):
        return WeComMessage("text", sender, message_id.strip(), text=str(root["Recognition"]), raw=raw)
    return WeComMessage("unsupported", sender, message_id.strip(), raw=raw)


def reply_text(text: str) -> str:
    """A text for a passive reply, within WeCom's byte limit (cut at a sentence end where it can)."""
    parts = split_text(text, TEXT_LIMIT_BYTES)
    return parts[0] if parts else ""
