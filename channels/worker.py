"""Bot turns run on a small pool of threads, so that a callback can stop waiting (WeChat's reply window)
while the turn goes on; a delivery of a message already being worked on in this process joins that turn."""

import contextvars
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from channels import gateway
from channels.messages import InboundMessage, OutboundMessage

log = logging.getLogger("tongban.channels")

_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="channels")
_lock = threading.Lock()
_running: dict[tuple[str, str], "Future[gateway.Turn]"] = {}


def submit(inbound: InboundMessage, reply_by: float | None = None) -> tuple["Future[gateway.Turn]", bool]:
    """Starts the gateway's turn for the message and returns it with True; or returns the turn already
    running in this process for the same message, with False (that delivery only joins it)."""
    key = (inbound.channel, inbound.message_id)
    with _lock:
        running = _running.get(key)
        if running is not None:
            return running, False
        # The turn runs under the request id of the callback that brought the message (contextvars do not
        # cross into a pool's threads by themselves).
        future = _pool.submit(contextvars.copy_context().run, gateway.take_turn, inbound, reply_by)
        _running[key] = future

    def forget(_done: "Future[gateway.Turn]") -> None:
        with _lock:
            _running.pop(key, None)

    future.add_done_callback(forget)
    return future, True


def after(future: "Future[gateway.Turn]", then: Callable[[list[OutboundMessage]], Any]) -> None:
    """Calls ``then`` with the turn's answer on a pool thread once the turn is over (errors are logged)."""

    def run(done: "Future[gateway.Turn]") -> None:
        try:
            then(done.result().answer)
        except Exception:
            log.exception("渠道消息后续处理失败")

    context = contextvars.copy_context()
    future.add_done_callback(lambda done: _pool.submit(context.run, run, done))


def run_later(function: Callable[..., Any], *args: Any) -> None:
    """Runs a function on a pool thread (deliveries that need not hold up the response)."""

    def run() -> None:
        try:
            function(*args)
        except Exception:
            log.exception("渠道消息后续处理失败")

    _pool.submit(contextvars.copy_context().run, run)
