"""Publishes N notifications to WeCom members in the cluster (the Celery drill), as the app does: events in
transactions, their outbox rows handed to Redis after commit. Run with the cluster's settings:

    bash scripts/cluster.sh run python -m tests.drills.notify 150

Not a test module: it runs in its own process, on the cluster's database and Redis.
"""

import sys

import tongban.celery  # noqa: F401  (the one Celery app: rows are handed to the cluster's Redis through it)
from core.audit.context import SYSTEM, acting
from core.db import session_scope
from core.events.kinds import EventKind
from core.events.service import Recipient, publish
from core.org.models import User
from core.plugins import load_models
from tests.event_examples import example

MEMBERS = 10
"""Few enough that none passes WeCom's 30 a minute with 150 notifications (15 each)."""


def main(count: int) -> None:
    load_models()
    with session_scope() as db, acting(SYSTEM):
        users = [
            User(
                username=f"drill{n:03d}",
                name=f"演练{n:03d}",
                password_hash="!",
                is_staff=True,
                wecom_userid=f"drill{n:03d}",
                notify_channels=["wecom"],
            )
            for n in range(MEMBERS)
        ]
        db.add_all(users)
        db.flush()
        ids = [u.id for u in users]
    for start in range(0, count, 50):
        with session_scope() as db, acting(SYSTEM):
            for n in range(start, min(count, start + 50)):
                facts = {"item_name": f"演练事项{n}", "case_no": f"KF{n:08d}", "url": f"http://tongban.test/drill/{n}"}
                payload = example(EventKind.SUPERVISION_PUSHED, **facts)
                to = [Recipient(user_id=ids[n % MEMBERS])]
                publish(db, EventKind.SUPERVISION_PUSHED, payload, subject=f"drill:{n}", to=to)
    print(f"published {count}")


if __name__ == "__main__":
    main(int(sys.argv[1]))
