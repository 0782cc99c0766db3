"""The delivery reliability run (issue 6, acceptance 2), shared by the test and bench/notification_delivery.py.

Staff bound to WeCom are notified through the real path: events published in this process's transactions,
their rows handed to Redis after commit, sent by real Celery workers (``celery -A tongban.celery
worker -B``, in their own processes) to the fake WeCom API, which fails a share of the calls with HTTP 500
or errcode 45009 and drops (as WeCom does) any member's 31st message within 60 s. Part-way the worker is
killed with SIGKILL and a new one started. At the end every notification must have reached its member
exactly once, and no member more than 30 in any minute.
"""

import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from core.db import session_scope
from core.events.kinds import EventKind
from core.events.service import Recipient, publish
from core.org.models import User
from core.settings import get_settings
from notifications.connections import redis_for
from notifications.models import Notification, Status
from tests import processes
from tests.event_examples import example
from tests.fakes.wecom_api import AGENT_ID, CORP_ID, SECRET, FakeWeCom

BATCH = 100
"""Events per transaction, as a busy app would commit them."""


@dataclass
class Report:
    """What a run measured."""

    notifications: int
    members: int
    seconds: float
    delivered: int
    exactly_once: bool
    missing: int
    repeated: int
    failed_rows: int
    injected_failures: int
    retries: int
    duplicates_dropped: int
    violations: int
    most_in_a_minute: int
    killed_at_deliveries: int

    def lines(self) -> list[str]:
        """The report as printable lines."""
        return [
            f"notifications: {self.notifications} to {self.members} members",
            f"time: {self.seconds:.1f} s, {self.delivered / self.seconds:.1f} deliveries/s",
            f"delivered exactly once: {self.exactly_once} (missing {self.missing}, repeated {self.repeated}, "
            f"failed rows {self.failed_rows})",
            f"worker killed (SIGKILL) after {self.killed_at_deliveries} deliveries, a new one started",
            f"injected failures (HTTP 500 / 45009): {self.injected_failures}; retries: {self.retries}; "
            f"repeats dropped by WeCom's duplicate check: {self.duplicates_dropped}",
            f"rate violations (31st message in 60 s): {self.violations}; most to one member in 60 s: "
            f"{self.most_in_a_minute}",
        ]


def plan(count: int, members: int, busy: int, busy_load: int) -> list[int]:
    """Which member each notification goes to: ``busy`` members get ``busy_load`` each (beyond WeCom's 30 a
    minute, so that some must wait), the rest is spread over the others."""
    targets = [m for m in range(busy) for _ in range(busy_load)]
    others = members - busy
    targets += [busy + n % others for n in range(count - len(targets))]
    return targets[:count]


def _members(count: int) -> list[int]:
    with session_scope() as db:
        users = [
            User(
                username=f"bench{n:03d}",
                name=f"测试{n:03d}",
                password_hash="!",
                is_staff=True,
                wecom_userid=f"member{n:03d}",
                notify_channels=["inbox", "wecom"],
            )
            for n in range(count)
        ]
        db.add_all(users)
        db.flush()
        return [u.id for u in users]


class Worker:
    """A Celery worker with its embedded beat (a child process), in a process group of its own."""

    def __init__(self, env: dict[str, str], workdir: Path, name: str) -> None:
        command = [sys.executable, "-m", "celery", "-A", "tongban.celery", "worker", "-B"]
        command += ["-P", "threads", "-c", "8", "--loglevel", "WARNING", "-n", f"{name}@%h"]
        command += ["-s", str(workdir / f"beat-{name}"), "--without-mingle", "--without-gossip"]
        self.log = workdir / f"{name}.log"
        with self.log.open("w") as out:
            self.process = processes.spawn(command, env=env, output=out)

    def kill(self) -> None:
        """SIGKILL to the worker and its beat: no warm shutdown, in-flight tasks and leases abandoned."""
        processes.kill(self.process)

    def stop(self) -> None:
        """SIGTERM (a warm shutdown), then SIGKILL to whatever of the group lingers."""
        processes.stop(self.process)


@contextmanager
def _configured(redis_url: str, fake: FakeWeCom) -> Iterator[dict[str, str]]:
    """This process's settings pointed at Redis and the fake; the workers' environment to match."""
    settings = get_settings()
    values = {
        "redis_url": redis_url,
        "wecom_corp_id": CORP_ID,
        "wecom_secret": SECRET,
        "wecom_agent_id": AGENT_ID,
        "wecom_api_base_url": fake.base_url,
    }
    saved = {name: getattr(settings, name) for name in values}
    env = dict(os.environ, TONGBAN_DATABASE_URL=settings.database_url, TONGBAN_NOTIFICATION_RETRY_BASE_SECONDS="1")
    env |= {f"TONGBAN_{name.upper()}": str(value) for name, value in values.items()}
    try:
        for name, value in values.items():
            setattr(settings, name, type(saved[name])(value) if name == "wecom_secret" else value)
        yield env
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)


def _wecom_rows() -> dict[str, int]:
    with session_scope() as db:
        query = select(Notification.status, func.count()).where(Notification.channel == "wecom")
        return {status: n for status, n in db.execute(query.group_by(Notification.status))}


def run(
    *,
    redis_url: str,
    count: int,
    members: int,
    busy: int,
    busy_load: int,
    fail_share: float = 0.1,
    kill_after: float = 0.4,
    timeout: float = 600,
) -> Report:
    """Publishes ``count`` notifications, kills the worker part-way, and waits until all are delivered."""
    redis_for(redis_url).flushdb()
    fake = FakeWeCom(fail_share=fail_share).start()
    workdir = Path(tempfile.mkdtemp(prefix="tongban-reliability-"))
    workers: list[Worker] = []
    try:
        with _configured(redis_url, fake) as env:
            user_ids = _members(members)
            targets = plan(count, members, busy, busy_load)
            started = time.monotonic()
            workers.append(Worker(env, workdir, "first"))
            for start in range(0, count, BATCH):
                with session_scope() as db:
                    for n in range(start, min(count, start + BATCH)):
                        facts = {"item_name": f"事项{n}", "case_no": f"KF{n:08d}", "url": f"http://tongban.test/p/{n}"}
                        to = [Recipient(user_id=user_ids[targets[n]])]
                        pushed = example(EventKind.SUPERVISION_PUSHED, **facts)
                        publish(db, EventKind.SUPERVISION_PUSHED, pushed, subject=f"bench:{n}", to=to)
            _wait_for(lambda: len(fake.deliveries) >= count * kill_after, timeout, workers, fake)
            workers[0].kill()
            killed_at = len(fake.deliveries)
            workers.append(Worker(env, workdir, "second"))
            _wait_for(lambda: _wecom_rows().get(Status.DELIVERED, 0) >= count, timeout, workers, fake)
            seconds = time.monotonic() - started
            workers[-1].stop()
            return _report(fake, count, members, seconds, killed_at)
    finally:
        for worker in workers:
            worker.stop()
        fake.close()
        redis_for(redis_url).flushdb()


def _wait_for(done: Callable[[], bool], timeout: float, workers: list[Worker], fake: FakeWeCom) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        rows = _wecom_rows()
        if rows.get(Status.FAILED):
            raise AssertionError(f"有通知发送失败：{rows}")
        if workers[-1].process.poll() is not None:
            raise AssertionError(f"worker 意外退出：\n{workers[-1].log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"超时：{rows}，已送达 {len(fake.deliveries)}\n{workers[-1].log.read_text()[-3000:]}")
        time.sleep(0.5)


def _report(fake: FakeWeCom, count: int, members: int, seconds: float, killed_at: int) -> Report:
    with session_scope() as db:
        rows = list(
            db.execute(
                select(Notification.event_id, Notification.status, Notification.attempts).where(
                    Notification.channel == "wecom"
                )
            )
        )
    expected = {f"#e{event_id}" for event_id, _, _ in rows}
    received = Counter("#" + d.body["textcard"]["url"].split("#", 1)[1] for d in fake.deliveries)
    missing = len(expected - set(received))
    repeated = sum(n - 1 for n in received.values() if n > 1) + len(set(received) - expected)
    injected = sum(1 for c in fake.sends() if c.status == 500 or (c.status == 200 and c.answer.get("errcode") == 45009))
    return Report(
        notifications=count,
        members=members,
        seconds=seconds,
        delivered=len(fake.deliveries),
        exactly_once=missing == 0 and repeated == 0 and len(rows) == count,
        missing=missing,
        repeated=repeated,
        failed_rows=sum(1 for _, status, _ in rows if status == Status.FAILED),
        injected_failures=injected,
        retries=sum(attempts for _, _, attempts in rows) - len(rows),
        duplicates_dropped=len(fake.duplicates),
        violations=len(fake.violations),
        most_in_a_minute=fake.most_in_a_minute(),
        killed_at_deliveries=killed_at,
    )
