"""Issue 14, acceptance 1 on MariaDB: two processes scanning at the same moment make one warning per subject and
state — yellow, then red (the yellow one ended once), then the escalation — and announce each once."""

import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.early_warnings.models import EarlyWarning
from core.events.models import DomainEvent
from tests import processes
from tests.conftest import IS_MYSQL
from tests.early_warnings.conftest import at, node, project, set_thresholds
from tests.world import World

NODES = 120
"""Per department: enough that the two scans' inserts and locks overlap."""


def scan_twice_at_once(moment: datetime, log: Path) -> list[str]:
    """Two processes scan at ``moment``, starting within a millisecond of each other; their reports."""
    start_at = time.time() + 4  # both have imported everything by then
    command = [sys.executable, "-m", "tests.early_warnings.scan_child", moment.isoformat(), str(start_at)]
    outputs = [log.with_suffix(f".{n}.txt") for n in (1, 2)]
    children = []
    for path in outputs:
        with path.open("wb") as out:
            children.append(processes.spawn(command, env=dict(os.environ), output=out))
    try:
        codes = [child.wait(180) for child in children]
    finally:
        for child in children:
            processes.stop(child)
    texts = [path.read_text() for path in outputs]
    assert codes == [0, 0], texts
    return texts


def counts(db: Session) -> dict[str, int]:
    db.rollback()
    active = db.scalar(select(func.count()).select_from(EarlyWarning).where(EarlyWarning.active_key.is_not(None)))
    total = db.scalar(select(func.count()).select_from(EarlyWarning))
    unannounced = db.scalar(select(func.count()).select_from(EarlyWarning).where(EarlyWarning.announced_at.is_(None)))
    escalated = db.scalar(select(func.count()).select_from(EarlyWarning).where(EarlyWarning.escalated_at.is_not(None)))
    lists = db.scalar(select(func.count()).select_from(DomainEvent).where(DomainEvent.kind == "warning.digest"))
    return {
        "active": active or 0,
        "total": total or 0,
        "unannounced": unannounced or 0,
        "escalated": escalated or 0,
        "lists": lists or 0,
    }


@pytest.mark.mysql_only
@pytest.mark.slow  # two scanning processes of their own
@pytest.mark.skipif(not IS_MYSQL, reason="two processes on one MariaDB")
def test_two_scans_at_once_make_one_warning_per_state_and_announce_it_once(
    projects: World, db: Session, tmp_path: Path
) -> None:
    set_thresholds(db, "node", yellow=2, escalate=2)
    for department in (projects.dept_a, projects.dept_b):
        owner = project(db, department, name=f"{department.name}重点项目")
        for n in range(NODES):
            node(db, owner, department, date(2026, 10, 9), name=f"审批事项{n:03d}")
    db.commit()
    subjects = 2 * NODES

    scan_twice_at_once(at(9, 30, 0, 15), tmp_path / "yellow")
    assert counts(db) == {"active": subjects, "total": subjects, "unannounced": 0, "escalated": 0, "lists": 2}

    reports = scan_twice_at_once(at(10, 10, 0, 15), tmp_path / "red")
    assert sorted(r.split()[-3] for r in reports if "raised=" in r) == ["ended=0", f"ended={subjects}"]
    assert counts(db) == {"active": subjects, "total": 2 * subjects, "unannounced": 0, "escalated": 0, "lists": 4}
    db.rollback()
    ended = db.scalar(select(func.count()).select_from(EarlyWarning).where(EarlyWarning.state == "ended"))
    assert ended == subjects

    scan_twice_at_once(at(10, 13, 0, 15), tmp_path / "escalation")
    assert counts(db) == {
        "active": subjects,
        "total": 2 * subjects,
        "unannounced": 0,
        "escalated": subjects,
        "lists": 6,
    }
