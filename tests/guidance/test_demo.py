"""The demo 帮办代办: a roster of three, bookings served and rated in the past weeks and some to come, made through
the services (so each has its 帮办员, its place taken and its confirmation); seeding again adds nothing."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.guidance import demo
from core.guidance.models import GuidanceBooking, GuidancePlace, GuidanceStaff
from tests.world import World


def test_the_demo_has_a_roster_and_bookings_past_and_coming(world: World, db: Session) -> None:
    made = demo.seed(db, weeks=3)
    assert made > 5
    assert db.scalar(select(func.count()).select_from(GuidanceStaff)) == 3
    rows = list(db.scalars(select(GuidanceBooking)))
    assert len(rows) == made
    statuses = {b.status for b in rows}
    assert {"done", "booked"} <= statuses
    assert any(b.rating for b in rows) and all(b.record for b in rows if b.status == "done")
    assert sum(db.scalars(select(GuidancePlace.taken))) == sum(b.status != "cancelled" for b in rows)
    assert demo.seed(db) == 0
