"""Construction projects, their derivations, department reviews and guidance letters."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, created_at_column, updated_at_column
from core.files.models import StoredFile
from core.org.models import Department
from core.security import EncryptedString


class Project(Base):
    """投资建设项目: the record a filer fills in and project tracking follows through its approvals."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(20), unique=True, comment="项目编号，保存后生成")
    name: Mapped[str] = mapped_column(String(200))
    enterprise_name: Mapped[str] = mapped_column(String(200), default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="", comment="统一社会信用代码")
    location: Mapped[str] = mapped_column(String(300), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(EncryptedString, default="")
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    channel_user: Mapped[str | None] = mapped_column(String(90), index=True, comment="经机器人填报时的渠道用户")
    proxy_filer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True, comment="帮办代办：代建设单位填报的报建专员"
    )
    owner_confirmed_at: Mapped[datetime | None] = mapped_column(
        DateTime, comment="帮办代办：建设单位确认代办项目的时间"
    )
    invited_login: Mapped[str | None] = mapped_column(
        String(50), index=True, comment="帮办代办：尚未注册的建设单位将来的登录名（手机号的带密钥摘要）"
    )
    invited_phone: Mapped[str | None] = mapped_column(EncryptedString, comment="帮办代办：邀请注册的手机号（加密）")
    status: Mapped[str] = mapped_column(String(12), index=True, comment="draft / derived / in_review / confirmed")
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Derivation(Base):
    """One run of the rule engine for a project: the indicators it saw, the rule-set version and the flow."""

    __tablename__ = "derivation"
    __table_args__ = (UniqueConstraint("project_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    rule_set_version: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[dict[str, Any]] = mapped_column(JSON)
    flow: Mapped[dict[str, Any]] = mapped_column(JSON)
    trigger: Mapped[str] = mapped_column(String(20), default="filer", comment="filer / guide / rules_published")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()

    reviews: Mapped[list["DepartmentReview"]] = relationship(order_by="DepartmentReview.id", lazy="selectin")


class DepartmentReview(Base):
    """部门审核与确认: one department's check of its items in a derivation."""

    __tablename__ = "department_review"
    __table_args__ = (UniqueConstraint("derivation_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    derivation_id: Mapped[int] = mapped_column(ForeignKey("derivation.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), index=True, comment="pending / confirmed")
    opinion: Mapped[str] = mapped_column(Text, default="")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewer_name: Mapped[str] = mapped_column(String(50), default="")
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    department: Mapped[Department] = relationship(lazy="joined")
    adjustments: Mapped[list["ReviewAdjustment"]] = relationship(order_by="ReviewAdjustment.id", lazy="selectin")


class ReviewAdjustment(Base):
    """An item a department adds, corrects or removes in review, with its opinion."""

    __tablename__ = "review_adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("department_review.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(8), comment="add / correct / remove")
    approval_code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100), default="")
    stage: Mapped[str] = mapped_column(String(20), default="")
    time_limit_days: Mapped[int | None] = mapped_column(Integer)
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    opinion: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = created_at_column()


class GuidanceLetter(Base):
    """指导意见书: one issued version; earlier versions are kept and marked superseded. ``file`` is the letter as
    issued: its HTML (laid out as PDF on the first download, core/projects/letters.py) or, for letters issued before,
    the PDF itself."""

    __tablename__ = "guidance_letter"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    derivation_id: Mapped[int] = mapped_column(ForeignKey("derivation.id"))
    version: Mapped[int] = mapped_column(Integer)
    verification_code: Mapped[str] = mapped_column(String(16), unique=True)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False, comment="部门全部确认后为正式版，否则为初稿")
    flow_hash: Mapped[str] = mapped_column(String(64))
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)

    file: Mapped[StoredFile] = relationship(lazy="joined")


class ProjectDocument(Base):
    """项目资料: a document the filer (or the guide for them) gives with the project — business licence, the
    project's approval, land and planning papers — stored like a case's materials."""

    __tablename__ = "project_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24), comment="资料类别：营业执照、项目批文、用地文件、规划文件、其他")
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_at_column()

    file: Mapped[StoredFile] = relationship(lazy="joined")
