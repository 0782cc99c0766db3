"""Excel export of the bookings the managers filtered (openpyxl), audited as an export."""

from io import BytesIO

from openpyxl import Workbook
from sqlalchemy.orm import Session

from core.audit.hooks import record_event
from core.guidance.schemas import BookingOut
from core.guidance.staffing import BookingFilter, list_bookings
from core.org.models import User

HEADERS = (
    "预约号",
    "帮办内容",
    "部门",
    "服务方式",
    "日期",
    "时段",
    "状态",
    "帮办员",
    "预约人",
    "服务情况",
    "满意度",
    "评价",
)


def bookings_xlsx(db: Session, user: User | None, found: BookingFilter) -> bytes:
    """The filtered bookings as a workbook (the booker's name masked)."""
    rows = [BookingOut.from_model(b) for b in list_bookings(db, user, found)]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "帮办预约"
    sheet.append(HEADERS)
    for r in rows:
        sheet.append(
            (
                r.booking_no,
                r.subject,
                r.department_name,
                r.mode_label,
                r.day.isoformat(),
                r.period_label,
                r.status_label,
                r.staff_name,
                r.booker_name,
                r.record,
                r.rating if r.rating is not None else "",
                r.rating_comment,
            )
        )
    for column, width in zip("ABCDEFGHIJKL", (18, 30, 16, 10, 12, 16, 8, 10, 10, 40, 8, 30), strict=True):
        sheet.column_dimensions[column].width = width
    record_event(db, action="guidance.export", entity="guidance_booking", details={"rows": len(rows)})
    out = BytesIO()
    book.save(out)
    return out.getvalue()
