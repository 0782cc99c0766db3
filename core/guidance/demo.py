"""Demo 帮办代办: three 帮办员 on the roster (two for the busiest departments, one for everything and the projects),
and bookings of the demo citizens — served and rated over the past weeks, and some still to come — made by the
same service calls the portal uses, with the clock set to each moment."""

import random
from collections import Counter
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.audit.context import Actor, acting
from core.calendar.service import add_working_days
from core.errors import AppError
from core.guidance import service, staffing
from core.guidance.enums import Mode, Period
from core.guidance.models import GuidanceStaff
from core.guidance.schemas import BookingIn, RatingIn, RecordIn, StaffIn
from core.items.models import ServiceItem
from core.org import service as org_service
from core.org.models import User
from core.projects.models import Project

PASSWORD = "Demo@2026tb"  # the demo password (core/seed/demo.py DEMO_PASSWORD)
HELPERS = (("helper1", "何帮办"), ("helper2", "韩帮办"), ("helper3", "罗帮办"))
CITIZENS = (("13800000000", "李明"), ("13800000011", "赵晓燕"), ("13800000012", "孙建华"))
QUESTIONS = ("需要准备哪些材料", "申请表怎么填写", "网上申报不会操作", "施工方案的要求", "多个事项能否一起办")
RECORDS = (
    "逐项讲解了申请材料，现场核对后可当场受理",
    "指导完成网上申报，材料已提交",
    "解答了办理流程和时限，约定补齐后再来",
)


def _helper(db: Session, username: str, name: str) -> User:
    user = org_service.get_user_by_username(db=db, username=username)
    if user is None:
        user = org_service.create_user(db=db, username=username, name=name, password=PASSWORD, role_codes=["helper"])
    return user


def _citizen(db: Session, phone: str, name: str) -> User:
    user = org_service.get_user_by_login(db=db, login=phone)
    return user or org_service.register_citizen(db=db, phone=phone, name=name, password=PASSWORD)


def seed_roster(db: Session, admin: User) -> list[GuidanceStaff]:
    """The roster: the two departments with the most items get a 帮办员 each; the third covers everything."""
    busiest = Counter(db.scalars(select(ServiceItem.department_id).where(ServiceItem.is_published.is_(True))))
    top = [department_id for department_id, _ in busiest.most_common(2)]
    roster = []
    for (username, name), departments in zip(HELPERS, ([top[0]] if top else [], top[1:2], []), strict=True):
        user = _helper(db, username, name)
        roster.append(
            staffing.save_staff(db, admin, None, StaffIn(user_id=user.id, department_ids=departments, capacity=3))
        )
    return roster


def _book(db: Session, who: User, moment: datetime, data: BookingIn) -> int | None:
    clock.freeze(moment)
    try:
        with db.begin_nested():
            return service.book(db, who, data).id
    except AppError:
        return None  # a full half-day: the demo citizen picks another


def seed(db: Session, rng: random.Random | None = None, weeks: int = 6) -> int:
    """The roster and the bookings (none when a roster exists); the number of bookings made."""
    rng = rng or random.Random(2026)
    if db.scalar(select(func.count()).select_from(GuidanceStaff)):
        return 0
    admin = org_service.get_user_by_username(db=db, username="admin")
    if admin is None:
        return 0
    start = clock.now()
    made = 0
    try:
        with acting(Actor(id=None, name="演示数据", kind="system")):
            seed_roster(db, admin)
            citizens = [_citizen(db, phone, name) for phone, name in CITIZENS]
            items = list(db.scalars(select(ServiceItem).where(ServiceItem.is_published.is_(True)).limit(12)))
            projects = list(db.scalars(select(Project).where(Project.owner_user_id.is_not(None)).limit(3)))
            db.flush()
            if not items:
                return 0
            day = start.date() - timedelta(days=7 * weeks)
            while day < start.date() + timedelta(days=10):
                day = add_working_days(day, 1)
                for who in rng.sample(citizens, rng.randint(0, len(citizens))):
                    project = next((p for p in projects if p.owner_user_id == who.id), None)
                    use_project = project is not None and rng.random() < 0.3
                    data = BookingIn(
                        service_item_id=None if use_project else rng.choice(items).id,
                        project_id=project.id if use_project and project else None,
                        mode=Mode.ONSITE if use_project else rng.choice([Mode.WINDOW, Mode.WINDOW, Mode.ONLINE]),
                        day=day,
                        period=rng.choice(list(Period)),
                        question=rng.choice(QUESTIONS),
                    )
                    booked_at = datetime.combine(add_working_days(day - timedelta(days=6), 1), time(9, 30))
                    booking_id = _book(db, who, min(booked_at, start), data)
                    if booking_id is None:
                        continue
                    made += 1
                    if day >= start.date():
                        continue
                    booking = service.get_for(db, admin, booking_id)
                    clock.freeze(datetime.combine(day, time(11 if data.period == Period.AM else 16, 0)))
                    if rng.random() < 0.1:
                        continue  # not recorded yet
                    staffing.record(db, booking.staff.user, booking, RecordIn(record=rng.choice(RECORDS)))
                    if rng.random() < 0.7:
                        rating = RatingIn(
                            rating=rng.choice([5, 5, 5, 4, 4, 3]), comment=rng.choice(["", "讲解很耐心", "效率高"])
                        )
                        service.rate(db, who, booking, rating)
                db.commit()
    finally:
        clock.freeze(None)
    return made
