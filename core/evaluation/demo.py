"""Demo ratings (好差评): most concluded demo cases rated by their applicants a few hours after conclusion, mostly
satisfied, a few not — the bad ones with their follow-up, answered by the department unless they are recent — so
that the boards' rating figures and the follow-up list have something to show."""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.calendar.service import add_working_days
from core.cases.enums import CaseStatus
from core.cases.models import Case
from core.clock import now
from core.evaluation.enums import ANSWERED, BAD_LEVELS, PENDING
from core.evaluation.models import Evaluation
from core.evaluation.service import FOLLOW_UP_WORKING_DAYS

LEVELS = (5, 4, 3, 2, 1)
WEIGHTS = (62, 24, 7, 5, 2)
COMMENTS = {5: "窗口服务热情，一次办好", 4: "办理顺利", 3: "还可以", 2: "等待时间较长", 1: "材料要求反复变化，跑了三趟"}
ANSWER = "已电话回访申请人，说明情况并改进窗口一次性告知"


def seed(db: Session, rng: random.Random | None = None, share: float = 0.6) -> int:
    """Rates ``share`` of the concluded cases that have no rating yet (none at all when some exist); the number."""
    if db.scalar(select(Evaluation.id).limit(1)) is not None:
        return 0
    rng = rng or random.Random(2026)
    concluded = db.execute(
        select(Case.id, Case.department_id, Case.concluded_at).where(
            Case.status == CaseStatus.CONCLUDED, Case.concluded_at.is_not(None)
        )
    ).all()
    at, made = now(), 0
    for case_id, department_id, concluded_at in concluded:
        if rng.random() > share or concluded_at is None:
            continue
        rated_at: datetime = min(concluded_at + timedelta(hours=rng.randint(1, 30)), at)
        level = rng.choices(LEVELS, WEIGHTS)[0]
        bad = level in BAD_LEVELS
        due = datetime.combine(add_working_days(rated_at.date(), FOLLOW_UP_WORKING_DAYS), time(17, 30))
        answered = bad and due < at - timedelta(days=2)
        db.add(
            Evaluation(
                case_id=case_id,
                level=level,
                comment=COMMENTS[level],
                channel=rng.choice(("web", "wechat", "window")),
                department_id=department_id,
                follow_up_status=(ANSWERED if answered else PENDING) if bad else None,
                follow_up_due_at=due if bad else None,
                follow_up_answer=ANSWER if answered else "",
                follow_up_at=due - timedelta(days=1) if answered else None,
                created_at=rated_at,
            )
        )
        made += 1
    db.flush()
    return made
