"""智慧城市平台 and 城市大脑: aggregate feeds — by department, item and month, the cases accepted, concluded, concluded on
time and overdue, and the on-time rate — computed on a schedule (every night for the running month, and the last
month on its first days) and sent as records that are updated while the month's figures still move."""

from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from core.cases.models import Case
from core.exchange.adapters.base import Adapter
from core.exchange.records import Outgoing
from core.items.models import ServiceItem
from core.org.models import Department


def month_bounds(day: date) -> tuple[datetime, datetime]:
    """The first moment of the day's month and of the next."""
    start = datetime(day.year, day.month, 1)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following


def monthly(db: Session, day: date) -> list[Outgoing]:
    """One record per department and item with cases in the day's month."""
    start, end = month_bounds(day)
    accepted = and_(Case.accepted_at >= start, Case.accepted_at < end)
    concluded = and_(Case.concluded_at >= start, Case.concluded_at < end)
    rows = db.execute(
        select(
            Department.code,
            ServiceItem.code,
            func.sum(case((accepted, 1), else_=0)),
            func.sum(case((concluded, 1), else_=0)),
            func.sum(case((and_(concluded, Case.first_overdue_at.is_(None)), 1), else_=0)),
            func.sum(case((and_(concluded, Case.first_overdue_at.is_not(None)), 1), else_=0)),
        )
        .join(ServiceItem, ServiceItem.id == Case.service_item_id)
        .join(Department, Department.id == Case.department_id)
        .where(accepted | concluded)
        .group_by(Department.code, ServiceItem.code)
        .order_by(Department.code, ServiceItem.code)
    ).all()
    month = f"{start.year:04d}-{start.month:02d}"
    out = []
    for department, item, n_accepted, n_concluded, on_time, overdue in rows:
        payload = {
            "TJYF": month,
            "SSBMBM": department,
            "SXBM": item,
            "SLS": int(n_accepted or 0),
            "BJS": int(n_concluded or 0),
            "AQBJS": int(on_time or 0),
            "YQS": int(overdue or 0),
        }
        if n_concluded:
            payload["AQL"] = f"{100 * int(on_time or 0) / int(n_concluded):.1f}"
        out.append(
            Outgoing("aggregate", f"{month}:{department}:{item}", payload, min(day, end.date() - timedelta(days=1)))
        )
    return out


SMART_CITY = Adapter(
    code="smart_city",
    sends=("aggregate",),
    receives=(),
    when="每晚汇总当月（月初另汇总上月）：按部门、事项的受理数、办结数、按期办结率",
    feed=monthly,
)
CITY_BRAIN = Adapter(
    code="city_brain",
    sends=("aggregate",),
    receives=(),
    when="每晚汇总当月（月初另汇总上月）：按部门、事项的受理数、办结数、按期办结率",
    feed=monthly,
)
