"""Case numbers stay unique and consecutive when many windows register at the same moment."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core import clock
from core.audit.context import Actor, set_actor
from core.cases import service as case_service
from core.cases.models import Case
from core.cases.schemas import ApplicantIn, MaterialIn, SubmitIn
from core.db import get_sessionmaker, mark_for_writing
from core.org.models import User
from tests.conftest import WORKDAY, World
from tests.helpers import register, valid_id_number

THREADS, PER_THREAD = 8, 5


def register_in_parallel(world: World, per_thread: int, first_serial: int = 0) -> list[str]:
    """Eight windows register ``per_thread`` cases each, all starting at the same instant, each window in its own
    session and transaction per case (as the API does); returns the case numbers handed out."""
    clerk_id = world.users["clerk_a"].id
    item_id = world.item.id
    material_ids = [m.id for m in world.item.materials]
    start = threading.Barrier(THREADS)

    def window(number: int) -> list[str]:
        set_actor(Actor(id=clerk_id, name=f"张窗口(clerk_a) 窗口{number}", kind="user"))
        start.wait(timeout=30)
        made = []
        for k in range(per_thread):
            serial = first_serial + number * per_thread + k
            data = SubmitIn(
                service_item_id=item_id,
                applicant=ApplicantIn(
                    kind="personal", name=f"申请人{serial}", id_number=valid_id_number(serial), phone=f"139{serial:08d}"
                ),
                materials=[MaterialIn(item_material_id=m, paper=True) for m in material_ids],
            )
            session = get_sessionmaker()()
            try:
                mark_for_writing(session)
                clerk = session.get(User, clerk_id)
                made.append(case_service.register_at_window(session, clerk, data).case.case_no)
                session.commit()
            finally:
                session.close()
        return made

    with ThreadPoolExecutor(THREADS) as pool:
        return [n for batch in pool.map(window, range(THREADS)) for n in batch]


def test_parallel_window_registrations_get_distinct_consecutive_numbers(world: World, db) -> None:
    clock.freeze(WORKDAY)
    numbers = register_in_parallel(world, PER_THREAD)
    assert len(numbers) == THREADS * PER_THREAD
    assert len(set(numbers)) == len(numbers), sorted(numbers)
    assert all(re.fullmatch(r"KF20260924\d{4}", n) for n in numbers), numbers
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, THREADS * PER_THREAD + 1))
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Case)) == THREADS * PER_THREAD


def test_first_case_of_the_day_from_every_window_at_once(world: World, db) -> None:
    """The day's counter does not exist yet when all windows open: each morning every window registers at once."""
    for day in range(5):
        morning = WORKDAY + timedelta(days=day)
        clock.freeze(morning)
        numbers = register_in_parallel(world, 1, first_serial=day * THREADS)
        prefix = f"KF{morning:%Y%m%d}"
        assert sorted(numbers) == [f"{prefix}{seq:04d}" for seq in range(1, THREADS + 1)], (day, numbers)
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(Case)) == 5 * THREADS


def test_numbering_continues_through_the_day_and_restarts_the_next(client: TestClient, world: World) -> None:
    clock.freeze(WORKDAY)
    first = register(client, world)["case_no"]
    second = register(client, world)["case_no"]
    assert (first, second) == ("KF202609240001", "KF202609240002")
    clock.freeze(WORKDAY.replace(day=28))
    assert register(client, world)["case_no"] == "KF202609280001"
    clock.freeze(WORKDAY)
    assert register(client, world)["case_no"] == "KF202609240003"
