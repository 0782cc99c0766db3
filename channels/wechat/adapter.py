"""Official Account payloads and normalised messages: the callback XML in, the answer as WeChat text out."""

import re
from html import escape
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpy import parse_message
from wechatpy.events import ClickEvent, SubscribeEvent, SubscribeScanEvent, ViewEvent
from wechatpy.messages import (
    ImageMessage,
    LinkMessage,
    LocationMessage,
    ShortVideoMessage,
    TextMessage,
    VideoMessage,
    VoiceMessage,
)

from channels.messages import InboundMessage, OutboundMessage, is_url

CHANNEL = "wechat"
MAX_BODY_BYTES = 64 * 1024
TEXT_LIMIT_BYTES = 2048
"""A text message (passive reply or customer-service message) carries at most 2048 bytes."""
_REQUIRED = ("ToUserName", "FromUserName", "CreateTime", "MsgType")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")


class BadPayload(Exception):
    """A callback body that is not a WeChat (or WeCom) message; ``message`` says what is wrong, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def message_fields(xml: str) -> dict[str, Any]:
    """The fields of a WeChat or WeCom message's XML, with the ones every message has checked; raises
    ``BadPayload`` with the reason otherwise."""
    try:
        data = xmltodict.parse(xml)
    except (ExpatError, ValueError) as exc:
        raise BadPayload("消息不是有效的 XML") from exc
    root = data.get("xml") if isinstance(data, dict) else None
    if not isinstance(root, dict):
        raise BadPayload("消息缺少 <xml> 根元素")
    for name in _REQUIRED:
        if not isinstance(root.get(name), str) or not root[name].strip():
            raise BadPayload(f"消息缺少必填字段 {name}")
    if not root["CreateTime"].isdigit():
        raise BadPayload("消息的 CreateTime 不是时间戳")
    if len(root["FromUserName"]) > 64:  # openids are 28 characters, WeCom UserIDs at most 64
        raise BadPayload("消息的 FromUserName 过长")
    return root


def parse(xml: str) -> InboundMessage:
    """The callback's XML as a normalised message; raises ``BadPayload`` for anything else."""
    root = message_fields(xml)
    message = parse_message(xml)
    sender = root["FromUserName"]
    raw = {k: v for k, v in root.items() if isinstance(v, str)}
    if root["MsgType"].lower() == "event":
        event = str(root.get("Event") or "").lower()
        if not event:
            raise BadPayload("事件消息缺少必填字段 Event")
        key = f"{sender}:{root['CreateTime']}"  # events carry no MsgId
        if isinstance(message, SubscribeEvent | SubscribeScanEvent):
            return InboundMessage(CHANNEL, sender, key, "event", event="subscribe", raw=raw)
        if isinstance(message, ClickEvent):
            return InboundMessage(CHANNEL, sender, key, "event", text=str(message.key or ""), event="click", raw=raw)
        if isinstance(message, ViewEvent):
            return InboundMessage(CHANNEL, sender, key, "event", event="view", raw=raw)
        return InboundMessage(CHANNEL, sender, key, "event", event=event, raw=raw)
    message_id = root.get("MsgId")
    if not isinstance(message_id, str) or not message_id.strip().isdigit():
        raise BadPayload("消息缺少必填字段 MsgId")
    if isinstance(message, TextMessage):
        content = root.get("Content")
        if content is not None and not isinstance(content, str):
            raise BadPayload("消息的 Content 不是文本")
        return InboundMessage(CHANNEL, sender, message_id, "text", text=content or "", raw=raw)
    if isinstance(message, VoiceMessage) and message.recognition:  # WeChat's speech recognition, when enabled
        return InboundMessage(CHANNEL, sender, message_id, "text", text=str(message.recognition), raw=raw)
    return InboundMessage(CHANNEL, sender, message_id, "unsupported", text=_describe(message), raw=raw)


def _describe(message: Any) -> str:
    """What a media message was, for the transcript staff read."""
    if isinstance(message, ImageMessage):
        return "[图片]"
    if isinstance(message, VoiceMessage):
        return "[语音]"
    if isinstance(message, VideoMessage | ShortVideoMessage):
        return "[视频]"
    if isinstance(message, LocationMessage):
        return f"[位置] {message.label or ''}".strip()
    if isinstance(message, LinkMessage):
        return f"[链接] {message.title or ''}".strip()
    return f"[{message.type if isinstance(getattr(message, 'type', None), str) else '其他'}消息]"


# ---------------------------------------------------------------- answers as WeChat text


def _anchor(title: str, url: str) -> str:
    return f'<a href="{escape(url)}">{escape(title)}</a>'


def render(messages: list[OutboundMessage]) -> str:
    """An answer as one WeChat text: buttons become numbered choices (or links), links become anchors."""
    blocks: list[str] = []
    number = 0
    for message in messages:
        lines = [message.text] if message.text else []
        numbered: list[str] = []
        links = [_anchor(k["title"], k["url"]) for k in message.links + message.files]
        for button in message.buttons:
            if is_url(button["payload"]):
                links.append(_anchor(button["title"], button["payload"]))
            else:
                number += 1
                numbered.append(f"{number}. {button['title']}")
        if numbered:
            lines.append("请回复数字选择：\n" + "\n".join(numbered))
        lines += links
        if lines:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def split_text(text: str, limit: int = TEXT_LIMIT_BYTES) -> list[str]:
    """Cuts a text into parts of at most ``limit`` UTF-8 bytes, at sentence ends where it can."""
    parts: list[str] = []
    current = ""
    for piece in _SENTENCE_END.split(text):
        if len((current + piece).encode()) <= limit:
            current += piece
            continue
        if current.strip():
            parts.append(current.strip())
        current = piece
        while len(current.encode()) > limit:  # one sentence longer than a whole message: cut at a character
            cut = len(current.encode()[:limit].decode(errors="ignore"))
            parts.append(current[:cut].strip())
            current = current[cut:]
    if current.strip():
        parts.append(current.strip())
    return parts


def answer_texts(messages: list[OutboundMessage]) -> list[str]:
    """The WeChat texts that carry an answer, each within the byte limit."""
    return split_text(render(messages))
