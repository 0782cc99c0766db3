"""Cases made in bulk (straight into the tables, as a busy year would leave them) and delivery run to the end, for the
exchange's volume tests and its benchmark (bench/exchange.py). No test configuration is imported here, so the
benchmark can use it with its own settings."""

from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from channels.exchange import pull, worker
from core import clock
from core.cases.models import Applicant, Case, CaseStep, Licence
from core.exchange import outbox
from core.exchange.adapters import ADAPTERS
from core.exchange.enums import Status
from core.exchange.models import ExchangeRecord
from core.items.models import ServiceItem

START = datetime(2026, 9, 21, 9, 0)


def make_cases(db: Session, item: ServiceItem, count: int, *, start: datetime = START) -> list[int]:
    """``count`` cases of department A's item, accepted with a step each; every third concluded (出证办结), every
    seventh refused at the window (不予受理, with its reason). Returns their ids."""
    applicant = db.scalar(select(Applicant.id).limit(1))
    if applicant is None:
        applicant = db.execute(
            insert(Applicant).values(
                kind="enterprise",
                name="XX建设有限公司",
                id_number="91511602MA6XXXXX1Y",
                id_index="x",
                phone="13800000000",
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    rows = []
    base = db.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0
    for n in range(count):
        at = start + timedelta(minutes=n % 600)
        concluded = n % 3 == 0
        refused = n % 7 == 0 and not concluded
        rows.append(
            {
                "case_no": f"KF{base + n + 1:010d}",
                "service_item_id": item.id,
                "department_id": item.department_id,
                "applicant_id": applicant,
                "case_type": 2,
                "submit_channel": n % 8,
                "status": "concluded" if concluded else ("refused" if refused else "processing"),
                "current_step": "conclude" if concluded else "review",
                "joint_stage": 0,
                "promised_limit": 5,
                "limit_unit": "工作日",
                "submitted_at": at,
                "accepted_at": None if refused else at,
                "due_at": at + timedelta(days=7),
                "concluded_at": at + timedelta(hours=3) if concluded or refused else None,
                "conclusion_result": 0 if concluded else (6 if refused else None),
                "conclusion_reason": "材料不齐全" if refused else "",
                "version": 1,
                "created_at": at,
                "updated_at": at + timedelta(hours=3),
            }
        )
    db.execute(insert(Case), rows)
    ids = list(db.scalars(select(Case.id).where(Case.id > base).order_by(Case.id)))
    db.execute(
        insert(CaseStep),
        [
            {
                "case_id": case_id,
                "step": "accept",
                "action": "accept",
                "result_code": 4,
                "opinion": "材料齐全，予以受理",
                "opinion_public": True,
                "handler_name": "张窗口",
                "department_name": item.department.name,
                "created_at": START + timedelta(minutes=i % 600),
            }
            for i, case_id in enumerate(ids)
        ],
    )
    db.commit()
    return ids


def licence_for_case(db: Session, case_id: int, name: str) -> Licence:
    """Issues a licence for a concluded case (the four-certificates test)."""
    case = db.get(Case, case_id)
    assert case is not None and case.concluded_at is not None
    licence = Licence(
        licence_no=f"ZZ{case_id:08d}",
        name=name,
        holder_id=case.applicant_id,
        holder_name=case.applicant.name,
        department_id=case.department_id,
        case_id=case.id,
        issued_at=case.concluded_at,
        trust_level="A",
        details={},
    )
    db.add(licence)
    db.commit()
    return licence


def deliver_all(*, rounds: int = 200, threads: int = 1) -> int:
    """Drains every counterpart until nothing is left to send, moving the clock past each back-off; pulls the
    acknowledgements of queued records. Returns the rounds it took."""
    moment = clock.now()
    for round_no in range(1, rounds + 1):
        due = outbox.due_counterparts()
        if due:
            if threads > 1:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(threads) as pool:
                    list(pool.map(worker.drain, [c for c in due for _ in range(threads)]))
            else:
                for counterpart in due:
                    worker.drain(counterpart)
        for counterpart in {a.code for a in ADAPTERS.values() if a.pushes}:
            pull.pull(counterpart)
        if not outbox.due_counterparts() and not _waiting():
            return round_no
        moment += timedelta(minutes=31)
        clock.freeze(moment)
    from core.db import session_scope

    with session_scope() as db:
        left = db.execute(
            select(ExchangeRecord.counterpart, ExchangeRecord.kind, ExchangeRecord.status, ExchangeRecord.last_error)
            .where(ExchangeRecord.status.in_([Status.PENDING, Status.RETRYING, Status.SENT]))
            .limit(5)
        ).all()
    raise AssertionError(f"records still waiting after every round: {left}")


def _waiting() -> bool:
    from core.db import session_scope

    with session_scope() as db:
        return (
            db.scalar(
                select(ExchangeRecord.id)
                .where(ExchangeRecord.status.in_([Status.PENDING, Status.RETRYING, Status.SENT]))
                .limit(1)
            )
            is not None
        )
