"""Demo warnings in every state: the scan run three working days ago and now over the demo's open cases and
major projects, and the departments' officers signing for, handling and the 项目专员 closing some of the early
ones in between — so the lists show 待签收, 已签收, 已处理, 已销警 and 已解除 (a yellow warning that turned red), and
the escalated ones. Runs once: when a warning exists it does nothing."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.audit.context import Actor, acting
from core.calendar.service import add_working_days, is_working_day
from core.early_warnings import scheduled, service
from core.early_warnings.models import EarlyWarning
from core.early_warnings.schemas import CloseIn, HandleIn
from core.early_warnings.states import OPEN
from core.org import service as org_service
from core.org.models import Department, User

TRACKER = "tracker"
"""The demo's 项目专员 (core/major_projects/demo.py), who closes handled warnings."""


def _working_day_before(day: datetime, count: int) -> datetime:
    found = day.date()
    while count:
        found -= timedelta(days=1)
        count -= is_working_day(found)
    return datetime.combine(found, time(8, 0))


def _officer(db: Session, department_id: int) -> User | None:
    department = db.get(Department, department_id)
    if department is None:
        return None
    return org_service.get_user_by_username(db=db, username=f"officer_{department.code.lower()}")


def _as(user: User) -> Actor:
    return Actor(id=user.id, name=f"{user.name}({user.username})", kind="user")


def _handle_some(db: Session, at: datetime) -> None:
    """The open warnings in turn (of departments with a demo officer): one left open, one signed, one handled, one
    closed, and again — so every state shows however the demo's warnings fall across the departments."""
    tracker = org_service.get_user_by_username(db=db, username=TRACKER)
    warnings = db.scalars(select(EarlyWarning).where(EarlyWarning.state == OPEN).order_by(EarlyWarning.id)).all()
    turn = 0
    for warning in warnings:
        officer = _officer(db, warning.department_id)
        if officer is None:
            continue
        place, turn = turn % 4, turn + 1
        if place == 0:
            continue
        clock.freeze(at + timedelta(hours=1, minutes=place))
        with acting(_as(officer)):
            service.sign(db, officer, warning)
            if place >= 2:
                plan = HandleIn(
                    reason="前置条件未落实，材料需补充",
                    plan="已与建设单位对接，补齐材料后加快办理",
                    promised_on=add_working_days(at.date(), 5),
                )
                service.handle(db, officer, warning, plan)
        if place == 3 and tracker is not None:
            clock.freeze(at + timedelta(hours=3, minutes=place))
            with acting(_as(tracker)):
                service.close(db, tracker, warning, CloseIn(note="已核实整改措施落实到位，同意销警"))
    db.commit()


def seed(db: Session) -> int:
    """The demo's warnings (once); how many there are."""
    if db.scalar(select(func.count()).select_from(EarlyWarning)):
        return 0
    db.commit()  # the scans write in transactions of their own
    now = clock.now()
    earlier = _working_day_before(now, 3)
    try:
        clock.freeze(earlier)
        scheduled.scan(earlier)
        _handle_some(db, earlier)
        clock.freeze(now)
        scheduled.scan(now)
    finally:
        clock.freeze(None)
    db.expire_all()
    return int(db.scalar(select(func.count()).select_from(EarlyWarning)) or 0)
