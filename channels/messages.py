"""The normalised messages between the channels and the bot: what a person sent, what goes back."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypedDict

from core.clock import now

InboundType = Literal["text", "event", "unsupported"]


class Button(TypedDict):
    """A choice offered to the person; choosing it sends ``payload`` to the bot."""

    title: str
    payload: str


class Link(TypedDict):
    """A link (a guide, a FAQ, a PDF letter) shown with the answer."""

    title: str
    url: str


@dataclass(frozen=True)
class InboundMessage:
    """One message from a person, whatever the channel.

    ``message_id`` identifies the message within its channel (WeChat's MsgId; ``FromUserName:CreateTime``
    for events), so that a delivery repeated by the channel is recognised. ``payload`` is set when the person
    chose a button (the bot gets the payload, the transcript shows ``text``).
    """

    channel: str
    sender_id: str
    message_id: str
    type: InboundType
    text: str = ""
    event: str = ""
    payload: str = ""
    raw: dict[str, Any] = field(default_factory=dict)
    received_at: datetime = field(default_factory=now)

    @property
    def sender_key(self) -> str:
        """``<channel>:<sender_id>``, the sender name the bot and the API know the person by."""
        return f"{self.channel}:{self.sender_id}"


@dataclass
class OutboundMessage:
    """One answer to a person: text with optional buttons, links and files (each a title and an address)."""

    text: str = ""
    buttons: list[Button] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    files: list[Link] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The message as JSON for the store and the web chat."""
        return {"text": self.text, "buttons": self.buttons, "links": self.links, "files": self.files}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "OutboundMessage":
        """Reads a message stored by ``to_dict``."""
        return cls(
            text=str(data.get("text") or ""),
            buttons=[Button(title=str(b["title"]), payload=str(b["payload"])) for b in data.get("buttons") or []],
            links=[Link(title=str(k["title"]), url=str(k["url"])) for k in data.get("links") or []],
            files=[Link(title=str(k["title"]), url=str(k["url"])) for k in data.get("files") or []],
        )


def is_url(value: str) -> bool:
    """True for an http(s) address (a button that opens a page rather than answering the bot)."""
    return value.startswith(("https://", "http://"))


def choices(messages: list[OutboundMessage]) -> list[Button]:
    """The buttons of an answer that answer the bot, in order; channels without buttons number them 1, 2, 3…"""
    return [b for m in messages for b in m.buttons if not is_url(b["payload"])]
