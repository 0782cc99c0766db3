"""Delivery tasks for the exchange, the notification outbox's way (notifications/tasks.py): Celery on Redis when
``redis_url`` is set, a few threads of the app process otherwise. The unit of work is a counterpart's drain (it
claims its own batches), so a task queued twice sends nothing twice — the second finds nothing due.

Real time: when a transaction that staged records commits, the counterparts it noted (core/exchange/events.py) are
drained at once. Retries and anything whose hand-over was lost: the sweeper (a periodic job) drains every
counterpart with due records. Pulls and the daily reconciliation are periodic jobs too (channels/plugin.py).
"""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from celery import current_app, shared_task
from sqlalchemy import event
from sqlalchemy.orm import Session

from channels.exchange import pull, worker
from core.exchange import events, outbox
from core.exchange.config import connected
from core.settings import get_settings

log = logging.getLogger("tongban.exchange")

SWEEP_JOB = "exchange-sweep"
PULL_JOB = "exchange-pull"
RECONCILE_JOB = "exchange-reconcile"
LOCAL_THREADS = 2


@shared_task(name="exchange.drain")  # type: ignore[untyped-decorator]  # Celery ships no types
def drain_task(counterpart: str) -> int:
    """Sends one counterpart's due records."""
    return worker.drain(counterpart).confirmed


def enqueue(counterparts: set[str]) -> None:
    """Hands drains to the workers: Celery, or this process's threads (one queued drain per counterpart)."""
    if not counterparts:
        return
    url = get_settings().redis_url
    if url:
        with current_app.connection_for_write(url) as connection:
            for counterpart in sorted(counterparts):
                drain_task.apply_async((counterpart,), connection=connection)
        return
    for counterpart in sorted(counterparts):
        _local().submit(counterpart)


class _LocalRunner:
    """The embedded runner: a drain per counterpart at a time, one more queued behind it at most."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=LOCAL_THREADS, thread_name_prefix="exchange")
        self._queued: set[str] = set()
        self._running = 0
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)

    def submit(self, counterpart: str) -> None:
        with self._lock:
            if counterpart in self._queued:
                return
            self._queued.add(counterpart)
            self._running += 1
        self._pool.submit(self._run, counterpart)

    def _run(self, counterpart: str) -> None:
        with self._lock:
            self._queued.discard(counterpart)
        try:
            worker.drain(counterpart)
        except Exception:
            log.exception("向“%s”发送交换记录出错，将由补发扫描重试", counterpart)
        finally:
            with self._lock:
                self._running -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._lock:
            return self._idle.wait_for(lambda: self._running == 0, timeout)


@lru_cache(maxsize=1)
def _local() -> _LocalRunner:
    return _LocalRunner()


def wait_idle(timeout: float = 30.0) -> bool:
    """Waits until the embedded runner has nothing left to do (tests, the benchmark); True when idle."""
    return _local().wait_idle(timeout)


def sweep() -> int:
    """Drains every counterpart with due records (retries whose time has come, lost hand-overs)."""
    due = set(outbox.due_counterparts())
    enqueue(due)
    return len(due)


def pull_all() -> int:
    """Reads every connected counterpart's records and acknowledgements."""
    used = 0
    for adapter in connected():
        done = pull.pull(adapter.code)
        used += done.used + done.acknowledged
    return used


def reconcile_all() -> int:
    """Reconciles yesterday with every connected counterpart, once, after the nightly batch hour."""
    from core.clock import now

    if now().hour < get_settings().exchange_batch_hour:
        return 0
    differences = 0
    for adapter in connected():
        try:
            differences += sum(not r.matched for r in pull.reconcile_yesterday(adapter.code))
        except Exception:
            log.exception("与“%s”对账失败，下一轮再试", adapter.code)
    return differences


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        # SQLAlchemy announces a released SAVEPOINT as a commit too (the exchange's listener stages in one); the rows
        # are not committed until the outer transaction is, and a sender started now would not see them (MariaDB)
        return
    counterparts = events.take(session)
    if not counterparts:
        return
    try:
        enqueue(counterparts)
    except Exception:  # the commit stands; the sweeper sends them
        log.exception("交换记录已保存，但未能交给发送队列，将由补发扫描发送")


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session, *_args: object) -> None:
    events.forget(session)
