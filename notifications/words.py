"""The plain words every notification text is made of: the message, cutting, and facts as text
(notifications/render.py and notifications/render_projects.py write with them)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.settings import get_settings


@dataclass(frozen=True)
class Message:
    """A notification in plain words: what the inbox shows and what the channel messages are made of."""

    title: str
    body: str
    link: str


def cut(text: str, limit: int) -> str:
    """The text within ``limit`` characters, an ellipsis marking the cut."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def when(value: Any) -> str:
    """An ISO time from the facts as 2026-09-24 10:00 (or as given when it is not one)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value


def day(value: Any) -> str:
    """An ISO day or time from the facts as 2026-09-24."""
    return when(value)[:10]


def s(value: object, default: str = "") -> str:
    """A fact as text, ``default`` when it is missing or empty."""
    return default if value is None or value == "" else str(value)


def admin_link(path: str) -> str:
    """An address in the admin site."""
    return get_settings().site_url(path)
