"""Delivery tasks: Celery on Redis when ``redis_url`` is set, the same code in a small thread pool otherwise.

The Celery app is the composition root's (tongban/celery.py): production runs ``celery -A tongban.celery
worker`` (any number of them) and one ``celery -A tongban.celery beat``, which runs the platform's periodic
jobs (core/jobs.py and the plugins': the sweeper below, the case deadline scan, the supervision chasing,
answering messages kept while the bot was down); both read the same ``TONGBAN_*`` settings as the app. The tasks
here are shared tasks, bound to that app wherever it is loaded.
With no Redis the app process sends by itself: new rows go to a pool of threads at once, and the
plugin's periodic job (the embedded scheduler) runs the sweeper for retries, queued and interrupted rows.
"""

import contextvars
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache

from celery import current_app, shared_task

from core.settings import get_settings
from notifications import delivery

log = logging.getLogger("tongban.notifications")

SWEEP_SECONDS = 10.0
SWEEP_JOB = "notifications-sweep"
SWEEP_TASK = "notifications.sweep"
LOCAL_THREADS = 4


@shared_task(name="notifications.deliver")  # type: ignore[untyped-decorator]  # Celery ships no types
def deliver_task(notification_id: int) -> str:
    """Delivers one outbox row; a retry or a queued message is scheduled again for its time."""
    outcome = delivery.deliver(notification_id)
    if outcome.retry_in is not None:
        try:
            enqueue([notification_id], delay=outcome.retry_in)
        except Exception:  # the row says when; the sweeper queues it if this did not
            log.exception("通知 %s 的重试未能排队，将由补发扫描发送", notification_id)
    return outcome.status


@shared_task(name=SWEEP_TASK)  # type: ignore[untyped-decorator]  # Celery ships no types
def sweep_task() -> int:
    """Queues rows whose retry time has come or whose sender stopped (periodic, Celery beat)."""
    return sweep()


def sweep() -> int:
    """Queues due and abandoned rows; returns how many."""
    ids = delivery.due()
    enqueue(ids)
    return len(ids)


def enqueue(notification_ids: list[int], delay: float = 0.0) -> None:
    """Hands rows to the workers: Celery (with a countdown for later), or this process's threads."""
    if not notification_ids:
        return
    url = get_settings().redis_url
    if url:
        with current_app.connection_for_write(url) as connection:
            for notification_id in notification_ids:
                deliver_task.apply_async((notification_id,), countdown=delay or None, connection=connection)
        return
    if delay:
        return  # the embedded sweeper sends it when its time has come
    for notification_id in notification_ids:
        _local().submit(notification_id)


class _LocalRunner:
    """The embedded task runner: a few threads in the app process."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=LOCAL_THREADS, thread_name_prefix="notifications")
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, notification_id: int) -> None:
        # The delivery's log lines carry the request id of the work that queued it, as a Celery task's do.
        future = self._pool.submit(contextvars.copy_context().run, self._run, notification_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)
            self._idle.notify_all()

    @staticmethod
    def _run(notification_id: int) -> None:
        try:
            delivery.deliver(notification_id)
        except Exception:
            log.exception("通知 %s 投递出错，将由补发扫描重试", notification_id)

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: not self._pending, timeout)


@lru_cache(maxsize=1)
def _local() -> _LocalRunner:
    return _LocalRunner()


def wait_idle(timeout: float = 10.0) -> bool:
    """Waits until the embedded runner has nothing left to do (tests and the demo); True when idle."""
    return _local().wait_idle(timeout)
