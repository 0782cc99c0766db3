"""The bot over HTTP: a user turn goes to Rasa's REST channel, its replies come back as outbound messages.

Rasa answers with a list of dicts: ``text``, ``buttons`` ([{title, payload}]), ``image``, ``attachment`` and
``custom``. Our actions use ``custom`` for what Rasa has no field for::

    {"custom": {"text": "...", "links": [{"title", "url"}], "files": [...], "buttons": [...], "fallback": true}}

``fallback: true`` marks a turn where the bot could not answer (counted to offer a person).
``expects: "query_code"`` comes with the bot's question for the query password: the person's next message is
the password, which the conversation store keeps redacted (``channels/privacy.py``).
"""

import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx

from channels import privacy
from channels.messages import Button, Link, OutboundMessage, is_url
from core.metrics import BOT_TURN_SECONDS
from core.observability import HEADER, new_request_id, request_id
from core.settings import get_settings

log = logging.getLogger("tongban.channels")


class BotUnavailable(Exception):
    """Rasa could not be reached or gave no usable answer."""


@dataclass
class BotReply:
    """What the bot answered to one turn."""

    messages: list[OutboundMessage]
    fallback: bool = False
    handoff: str | None = None  # the bot's hand-off action asked for a person, with this reason
    expects: str = ""  # "query_code": the bot asked for the query password (the answer is stored redacted)


HANDOFF_REASONS = {"user_request": "用户请求人工服务", "repeated_failure": "机器人多次未能回答，转人工"}


@lru_cache
def _client(timeout: float) -> httpx.Client:
    # One pooled client per process: keeping the connection to Rasa open saves a handshake per turn.
    return httpx.Client(timeout=timeout, limits=httpx.Limits(max_connections=64, max_keepalive_connections=32))


def ask(sender: str, text: str) -> BotReply:
    """Posts one user turn to Rasa and returns its answer; raises ``BotUnavailable`` when it cannot."""
    settings = get_settings()
    # The request id goes along twice: as a header (Rasa's own logs) and in the message's metadata, which the
    # actions read to send it back to the API (bot/actions/common.py), so one id names the whole turn.
    rid = request_id() or new_request_id()
    began = time.perf_counter()
    try:
        response = _client(settings.rasa_timeout_seconds).post(
            settings.rasa_url,
            json={"sender": sender, "message": text, "metadata": {"request_id": rid}},
            headers={HEADER: rid},
        )
        response.raise_for_status()
        replies = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        BOT_TURN_SECONDS.labels("unavailable").observe(time.perf_counter() - began)
        log.warning("智能客服（Rasa）不可用：%s", exc)
        raise BotUnavailable(str(exc)) from exc
    BOT_TURN_SECONDS.labels("answered").observe(time.perf_counter() - began)
    if not isinstance(replies, list):
        raise BotUnavailable("Rasa 的回答不是列表")
    log.info("智能客服已回答（%s 条消息）", len(replies))
    return convert(replies)


def _buttons(items: Any) -> list[Button]:
    if not isinstance(items, list):
        return []
    return [
        Button(title=str(b.get("title") or b.get("payload")), payload=str(b.get("payload") or b.get("url") or ""))
        for b in items
        if isinstance(b, dict) and (b.get("payload") or b.get("url"))
    ]


def _links(items: Any) -> list[Link]:
    if not isinstance(items, list):
        return []
    return [
        Link(title=str(k.get("title") or k["url"]), url=str(k["url"]))
        for k in items
        if isinstance(k, dict) and isinstance(k.get("url"), str) and is_url(k["url"])
    ]


def convert(replies: list[Any]) -> BotReply:
    """Rasa's replies as outbound messages; a reply with only buttons or links joins the message before it."""
    messages: list[OutboundMessage] = []
    fallback = False
    handoff: str | None = None
    expects = ""
    for reply in replies:
        if not isinstance(reply, dict):
            continue
        found = reply.get("custom")
        custom: dict[str, Any] = found if isinstance(found, dict) else {}
        fallback = fallback or bool(custom.get("fallback"))
        if custom.get("expects") == privacy.QUERY_CODE:
            expects = privacy.QUERY_CODE
        if isinstance(custom.get("handoff"), dict):
            handoff = HANDOFF_REASONS.get(str(custom["handoff"].get("reason")), "用户请求人工服务")
        text = str(reply.get("text") or custom.get("text") or "").strip()
        buttons = _buttons(reply.get("buttons")) + _buttons(custom.get("buttons"))
        links = _links(custom.get("links"))
        files = _links(custom.get("files"))
        if isinstance(reply.get("image"), str) and is_url(reply["image"]):
            files.append(Link(title="图片", url=reply["image"]))
        attachment = reply.get("attachment")
        if isinstance(attachment, str) and is_url(attachment):
            files.append(Link(title="附件", url=attachment))
        if not (text or buttons or links or files):
            continue
        if not text and messages:
            last = messages[-1]
            last.buttons += buttons
            last.links += links
            last.files += files
            continue
        messages.append(OutboundMessage(text=text, buttons=buttons, links=links, files=files))
    return BotReply(messages=messages, fallback=fallback, handoff=handoff, expects=expects)
