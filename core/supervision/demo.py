"""Demo data for supervision (审管衔接): configurations for licensed items, and the year's pushes carried through
claims, feedback and escalations by the same service calls the pages use, each at its own moment.

Runs once: when a configuration exists it does nothing, so a rerun keeps the admins' edits. Pushes are made
for licences already issued (the demo cases are seeded before), at the moment each licence was issued.
"""

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import clock
from core.audit.context import Actor, acting
from core.calendar.service import add_working_days
from core.cases.models import Case, Licence
from core.org import service as org_service
from core.org.models import User
from core.supervision import configs, service
from core.supervision.approval_result import DEFAULT_FIELDS
from core.supervision.models import SupervisionConfig, SupervisionPush
from core.supervision.scheduled import escalate_push
from core.supervision.schemas import ConfigIn, FeedbackIn

T = TypeVar("T")

SUPERVISORS: dict[str, tuple[list[str], int | None]] = {
    # item → supervising department codes, claim days override (None: the settings' default)
    "占用、挖掘城市道路审批": (["D08", "D11"], None),
    "临时占用城市绿地审批": (["D11"], None),
    "建筑工程施工许可证核发": (["D05", "D15"], 2),
    "建设项目环境影响报告书（表）审批": (["D06"], None),
    "城市排水许可证核发": (["D14", "D06"], None),
    "道路货物运输经营许可（开业）": (["D08"], None),
    "公共场所卫生许可证": (["D09"], None),
    "食品经营许可": (["D07", "D09"], 2),
    "公众聚集场所投入使用、营业前消防安全检查": (["D15"], 2),
    "烟草专卖零售许可证核发": (["D36", "D07"], None),
    "商品房预售许可": (["D05", "D16"], None),
    "林木采伐许可证核发": (["D12"], None),
}
NOTES = {
    "公众聚集场所投入使用、营业前消防安全检查": "请于营业后一个月内开展首次消防监督检查",
    "食品经营许可": "纳入“双随机、一公开”抽查对象名录",
}
PROBLEMS = [
    ("现场消防通道被占用", "责令当场清理，已复查整改到位"),
    ("施工围挡不规范，未设置警示标志", "下达整改通知书，限期三日整改"),
    ("从业人员健康证明过期两人", "责令暂停上岗，已补办健康证明"),
    ("排水口未按许可位置设置", "责令限期整改并复查"),
]
CLEAN_MEASURES = ["检查未发现问题，纳入日常监管", "已建立监管台账，按计划开展巡查"]
NOT_INSPECTED = ["已纳入本季度“双随机、一公开”抽查计划", "已列入下月专项检查计划"]


def _at(moment: datetime, user: User | None, action: Callable[[], T]) -> T:
    clock.freeze(moment)
    actor = Actor(id=user.id, name=user.name, kind="user", ip="10.0.0.1") if user else Actor(None, "演示数据", "system")
    with acting(actor):
        return action()


def _working_moment(start: datetime, days: int, rng: random.Random) -> datetime:
    day = add_working_days(start.date(), days) if days else start.date()
    moment = datetime.combine(day, time(9)) + timedelta(minutes=rng.randrange(0, 8 * 60))
    return max(moment, start + timedelta(minutes=30))


def seed_configs(db: Session, admin: User) -> list[SupervisionConfig]:
    """Push configurations of the licensed items that have supervising departments in the demo."""
    from core.items.models import ServiceItem

    made = []
    for name, (codes, claim_days) in SUPERVISORS.items():
        item = db.scalar(select(ServiceItem).where(ServiceItem.name == name))
        departments = [org_service.get_department_by_code(db=db, code=c) for c in codes]
        if item is None or not item.issues_licence or None in departments:
            continue
        data = ConfigIn(
            service_item_id=item.id,
            department_ids=[d.id for d in departments if d is not None],
            fields=[*DEFAULT_FIELDS, "project_name", "address"],
            note=NOTES.get(name, ""),
            claim_days=claim_days,
        )
        made.append(configs.save(db, admin, None, data))
    return made


def _backfill_pushes(db: Session) -> list[SupervisionPush]:
    configured = select(SupervisionConfig.service_item_id)
    rows = db.execute(
        select(Case, Licence)
        .join(Licence, Licence.case_id == Case.id)
        .where(Case.service_item_id.in_(configured))
        .order_by(Licence.issued_at)
    ).all()
    made: list[SupervisionPush] = []
    for case, licence in rows:
        clock.freeze(licence.issued_at)
        made += service.push_approval(db, case, licence)
    return made


def _feedback(rng: random.Random) -> FeedbackIn:
    if rng.random() < 0.15:
        return FeedbackIn(inspected=False, problems_found=False, measures=rng.choice(NOT_INSPECTED))
    if rng.random() < 0.3:
        problems, measures = rng.choice(PROBLEMS)
        return FeedbackIn(inspected=True, problems_found=True, problems=problems, measures=measures)
    return FeedbackIn(inspected=True, problems_found=False, measures=rng.choice(CLEAN_MEASURES))


def _play(db: Session, push: SupervisionPush, handler: User, today: datetime, rng: random.Random) -> None:
    """Carries one push as far as today allows: some claimed late (chased first), some answered."""
    if rng.random() > 0.85:
        return  # left unclaimed
    claim_at = _working_moment(push.pushed_at, rng.choice([0, 1, 1, 2, 3, push.claim_days + 2]), rng)
    if claim_at > today:
        return
    clock.freeze(claim_at)
    escalate_push(db, push)  # whatever chasing was due before the claim
    _at(claim_at, handler, lambda: service.claim(db, handler, push))
    if rng.random() > 0.8:
        return  # claimed, no feedback yet
    answer_at = _working_moment(claim_at, rng.randint(1, push.feedback_days + 4), rng)
    if answer_at > today:
        return
    data = _feedback(rng)
    if data.inspected:
        data.inspected_on = _working_moment(claim_at, max(0, (answer_at - claim_at).days // 2), rng).date()
        data.inspected_on = min(data.inspected_on, answer_at.date())
    clock.freeze(answer_at)
    escalate_push(db, push)
    _at(answer_at, handler, lambda: service.give_feedback(db, handler, push, data))


def seed(db: Session, rng: random.Random | None = None, progress: Callable[[str, int, int], None] | None = None) -> int:
    """Configurations, pushes of the licences issued so far, claims, feedback and escalations; the number of
    pushes made (0 when a configuration already exists)."""
    rng = rng or random.Random(2026)
    if db.scalar(select(func.count()).select_from(SupervisionConfig)):
        return 0
    admin = org_service.get_user_by_username(db=db, username="admin")
    if admin is None:
        return 0
    today = clock.now()
    try:
        with acting(Actor(id=None, name="演示数据", kind="system")):
            seed_configs(db, admin)
            db.flush()
            pushes = _backfill_pushes(db)
            for number, push in enumerate(pushes, start=1):
                handler = org_service.get_user_by_username(db=db, username=f"officer_{push.department.code.lower()}")
                if handler is not None:
                    _play(db, push, handler, today, rng)
                if number % 50 == 0:
                    db.commit()
                    if progress:
                        progress("审管衔接", number, len(pushes))
            clock.freeze(today)
            for push in pushes:
                escalate_push(db, push)  # what waits past its threshold today
        db.commit()
    finally:
        clock.freeze(None)
    return len(pushes)
