"""好差评: one rating per concluded case, and the follow-up a bad rating gets from the responsible department."""

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, created_at_column


class Evaluation(Base):
    """A rating of a concluded case (一事一评)."""

    __tablename__ = "evaluation"
    __table_args__ = (Index(None, "created_at"),)  # the figures (core/figures) count each day's ratings through it

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    level: Mapped[int] = mapped_column(Integer, comment="5 非常满意 … 1 非常不满意")
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(20), comment="web / wechat / webchat / window ...")
    rater_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    channel_user: Mapped[str | None] = mapped_column(String(90))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    follow_up_status: Mapped[str | None] = mapped_column(String(12), index=True, comment="差评：pending / answered")
    follow_up_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    follow_up_answer: Mapped[str] = mapped_column(Text, default="")
    follow_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    follow_up_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()
