"""Text messages (短信) to a phone: the interface every provider implements, and the development provider.

A service sends through ``sms_sender()`` and never knows which gateway is behind it; the gateway is chosen by
``TONGBAN_SMS_PROVIDER``. ``console`` (the default) sends nothing: it writes the message to the log and to
``<data_dir>/sms_outbox.log``, where a developer — or a test — reads the code. A real gateway (a carrier's or a
cloud SMS service) is a class with the same ``send`` added to ``PROVIDERS``, its credentials in settings.
"""

import json
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from core.clock import now
from core.settings import get_settings

log = logging.getLogger("tongban.sms")


class SmsFailed(Exception):
    """The gateway did not take the message (the caller tells the person to try again later)."""


class SmsSender(Protocol):
    """What every provider does: deliver ``text`` to the mobile number ``phone`` or raise ``SmsFailed``."""

    def send(self, phone: str, text: str) -> None:
        """Sends one message."""
        ...


def masked(phone: str) -> str:
    """138****0001: what a log or a page may show of a number."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


class ConsoleSms:
    """Development and tests: the message goes to the log and to an outbox file, never to a phone. The number is
    written masked, so the outbox holds no personal data beyond the last four digits."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        """Writes the message instead of sending it."""
        log.warning("短信（未发送，开发模式）至 %s：%s", masked(phone), text)
        line = json.dumps({"at": now().isoformat(), "to": masked(phone), "text": text}, ensure_ascii=False)
        with self._lock:
            self.outbox.parent.mkdir(parents=True, exist_ok=True)
            with self.outbox.open("a", encoding="utf-8") as out:
                out.write(line + "\n")


def _console() -> SmsSender:
    return ConsoleSms(get_settings().data_dir / "sms_outbox.log")


PROVIDERS: dict[str, Callable[[], SmsSender]] = {"console": _console}


def sms_sender() -> SmsSender:
    """The provider the settings choose."""
    name = get_settings().sms_provider
    if name not in PROVIDERS:
        raise RuntimeError(f"未知的短信通道 TONGBAN_SMS_PROVIDER={name!r}，可选：{'、'.join(PROVIDERS)}")
    return PROVIDERS[name]()


def last_sent(to_masked: str, outbox: Path | None = None) -> str:
    """The text of the latest message the console provider wrote for a (masked) number — for development and
    tests, which have no phone to look at; empty when there is none."""
    path = outbox or get_settings().data_dir / "sms_outbox.log"
    if not path.is_file():
        return ""
    texts = [
        entry["text"]
        for entry in map(json.loads, path.read_text(encoding="utf-8").splitlines())
        if entry["to"] == to_masked
    ]
    return texts[-1] if texts else ""
