"""Case tables: applicants, cases, their steps, materials, pauses, joint tasks and licences."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import cache
from core.clock import today
from core.db import Base, created_at_column, updated_at_column
from core.files.models import StoredFile
from core.items.models import ServiceItem
from core.org.models import Department
from core.security import EncryptedString


class Applicant(Base):
    """A person's or an enterprise's details as one account gave them (or the centre's windows, where the identity
    is checked in person); reused when that same account applies with the same ID number or credit code again.

    Typing an ID number never reaches another account's record: each account keeps its own.
    """

    __tablename__ = "applicant"
    # owner_user_id is NULL for the centre's own record; NULLs are distinct in a unique key, so a race of two
    # windows may leave two such records for one person, and look-ups take the older one.
    __table_args__ = (UniqueConstraint("kind", "id_index", "owner_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id"), index=True, comment="提供这些信息的账号；空为窗口登记（当面核验身份）"
    )
    kind: Mapped[str] = mapped_column(String(12), comment="personal / enterprise")
    name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(EncryptedString, comment="身份证号或统一社会信用代码，加密")
    id_index: Mapped[str] = mapped_column(String(64), comment="证件号的带密钥哈希，供查找")
    phone: Mapped[str] = mapped_column(EncryptedString)
    address: Mapped[str] = mapped_column(String(300), default="")
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()


class CaseNumberCounter(Base):
    """Per-day sequence behind case numbers; its row lock makes numbers unique under concurrency."""

    __tablename__ = "case_number_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """办件: one application of one applicant for one service item."""

    __tablename__ = "case"
    # Covering indexes (migration 0026): a department's staff list newest first (department, submitted); for the
    # statistics and publicity each led by its date so that a month is a range: received (submitted, department);
    # publicity and the concluded / on-time figures (status, conclusion, department, first overdue); the overdue
    # figures (only cases that ever passed their limit).
    __table_args__ = (
        Index("ix_case_department_submitted", "department_id", "submitted_at"),
        Index("ix_case_submitted_department", "submitted_at", "department_id"),
        Index("ix_case_status_concluded", "status", "concluded_at", "department_id", "first_overdue_at"),
        Index("ix_case_overdue_department", "first_overdue_at", "department_id"),
        # the figures (core/figures) count each day's acceptances and first overdues (the columns' own indexes)
        # and find the cases changed since their last refresh through this one
        Index("ix_case_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(20), unique=True)
    query_code_hash: Mapped[str | None] = mapped_column(String(64))
    service_item_id: Mapped[int] = mapped_column(ForeignKey("service_item.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    project_name: Mapped[str] = mapped_column(String(200), default="", comment="申报事由 / 项目名称")
    major_project_id: Mapped[int | None] = mapped_column(
        ForeignKey("major_project.id"), index=True, comment="所属重大项目：办件的受理和办结填写项目审批节点的实际日期"
    )
    case_type: Mapped[int] = mapped_column(Integer)
    submit_channel: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    current_step: Mapped[str] = mapped_column(String(12))
    joint_stage: Mapped[int] = mapped_column(Integer, default=0)
    decision: Mapped[int | None] = mapped_column(Integer, comment="决定：1 同意 / 0 不同意")
    promised_limit: Mapped[int] = mapped_column(Integer)
    limit_unit: Mapped[str] = mapped_column(String(8))
    submitted_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    time_state: Mapped[str | None] = mapped_column(String(4), index=True)
    first_overdue_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    concluded_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    conclusion_result: Mapped[int | None] = mapped_column(Integer)
    conclusion_reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    window: Mapped[str | None] = mapped_column(
        String(16), comment="窗口号：窗口登记的登记人所在窗口，网上申报的受理人所在窗口（记录一次，不再改）"
    )
    bundle_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_bundle.id"), index=True, comment="所属一件事申请：同一张表单一次创建的办件"
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime, comment="申请人撤回时间（受理前）")
    item_version: Mapped[int | None] = mapped_column(
        Integer, comment="申请时事项指南的发布版本：办件按该版本办理，指南以后的修改不影响它"
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = updated_at_column()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    item: Mapped[ServiceItem] = relationship(lazy="joined")
    department: Mapped[Department] = relationship(lazy="joined")
    applicant: Mapped[Applicant] = relationship(lazy="joined")
    steps: Mapped[list["CaseStep"]] = relationship(order_by="CaseStep.id", lazy="selectin")
    materials: Mapped[list["CaseMaterial"]] = relationship(order_by="CaseMaterial.id", lazy="selectin")
    supplements: Mapped[list["Supplement"]] = relationship(order_by="Supplement.id", lazy="selectin")
    suspensions: Mapped[list["Suspension"]] = relationship(order_by="Suspension.id", lazy="selectin")
    joint_tasks: Mapped[list["JointTask"]] = relationship(order_by="JointTask.id", lazy="selectin")


class CaseBundle(Base):
    """一件事申请: one form for the items of a themed bundle; its cases were created together (all or none), share
    the applicant, the materials given once and one query password, and are shown together."""

    __tablename__ = "case_bundle"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_ref: Mapped[int] = mapped_column(Integer, comment="知识库中一件事主题的编号（主题改名后仍可追溯）")
    theme: Mapped[str] = mapped_column(String(100), comment="申请时的主题名称")
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True)
    created_at: Mapped[datetime] = created_at_column()

    cases: Mapped[list[Case]] = relationship(order_by="Case.id", lazy="selectin", viewonly=True)


class Submission(Base):
    """An application form's key (幂等键): the form is filed once however often it is sent (a refresh, a double
    click, a retry); the same key sent again leads to what the first sending filed."""

    __tablename__ = "case_submission"
    __table_args__ = (UniqueConstraint("user_id", "form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    form_key: Mapped[str] = mapped_column(String(64), comment="表单打开时生成的随机键")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), comment="单项申报创建的办件")
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("case_bundle.id"), comment="一件事申请")
    created_at: Mapped[datetime] = created_at_column()


class PendingUpload(Base):
    """A file chosen on an application form that came back with an error: kept (committed on its own) and shown
    as already attached, used when the same form (its key) is sent again, so nobody chooses it twice."""

    __tablename__ = "pending_upload"
    __table_args__ = (UniqueConstraint("user_id", "form_key", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    form_key: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(40), comment="表单中的材料位置（事项材料编号）")
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    created_at: Mapped[datetime] = created_at_column()

    file: Mapped[StoredFile] = relationship(lazy="joined")


class CaseStep(Base):
    """One recorded action on a case: who, which department, opinion, time and result code."""

    __tablename__ = "case_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(12))
    action: Mapped[str] = mapped_column(String(24))
    result_code: Mapped[int | None] = mapped_column(Integer)
    opinion: Mapped[str] = mapped_column(Text, default="")
    opinion_public: Mapped[bool] = mapped_column(Boolean, default=True)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    handler_name: Mapped[str] = mapped_column(String(50))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    department_name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = created_at_column()


class CaseMaterial(Base):
    """A material of a case: a new upload, a reused earlier material (历史材料) or an e-licence."""

    __tablename__ = "case_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    # the entry of the item's material list; empty once it is taken out of the guide (its name stays in ``name``)
    item_material_id: Mapped[int | None] = mapped_column(ForeignKey("item_material.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(12), comment="upload / history / licence / paper")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    licence_id: Mapped[int | None] = mapped_column(ForeignKey("licence.id"))
    reused_from_id: Mapped[int | None] = mapped_column(ForeignKey("case_material.id"))
    trust_level: Mapped[str] = mapped_column(String(1), default="C", comment="电子证照可信等级 A–D")
    supplement_id: Mapped[int | None] = mapped_column(ForeignKey("supplement.id"))
    created_at: Mapped[datetime] = created_at_column()

    file: Mapped[StoredFile | None] = relationship(lazy="joined")


class Supplement(Base):
    """补齐补正: notified when, why, which materials; resupplied when."""

    __tablename__ = "supplement"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    notified_at: Mapped[datetime] = mapped_column(DateTime)
    notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resupplied_at: Mapped[datetime | None] = mapped_column(DateTime)
    resupply_note: Mapped[str] = mapped_column(Text, default="")
    resume_status: Mapped[str] = mapped_column(String(16))


class Suspension(Base):
    """特别程序: start, reason, end and result; the clock pauses while it runs."""

    __tablename__ = "suspension"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    result: Mapped[str] = mapped_column(Text, default="")


class JointTask(Base):
    """A department's part in a 联办件: stage, opinion and result."""

    __tablename__ = "joint_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    result_code: Mapped[int | None] = mapped_column(Integer)
    opinion: Mapped[str] = mapped_column(Text, default="")
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    department: Mapped[Department] = relationship(lazy="joined")


class Licence(Base):
    """电子证照库: a licence a case concluded with, kept for its holder (trust level A)."""

    __tablename__ = "licence"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_no: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("applicant.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    trust_level: Mapped[str] = mapped_column(String(1), default="A")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = created_at_column()


class ChannelBinding(Base):
    """A channel user (a WeChat openid, ...) bound to a case whose number and password they gave: they see that
    case without the password, and hear about it. Each case is proved on its own."""

    __tablename__ = "channel_binding"
    __table_args__ = (UniqueConstraint("channel_user", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_user: Mapped[str] = mapped_column(String(90), index=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True, comment="凭办件编号和查询密码绑定的办件"
    )
    created_at: Mapped[datetime] = created_at_column()


# ---------------------------------------------------------------- what the public pages' cache holds of cases

_PUBLIC_STATUSES = ("concluded", "refused")
_STATS_DATES = ("submitted_at", "concluded_at", "first_overdue_at")


def _shown_in_publicity(case: Case) -> bool:
    """Publicity lists concluded and refused cases: a case written in (or out of) those states changes it."""
    history = inspect(case).attrs.status.history
    return case.status in _PUBLIC_STATUSES or any(s in _PUBLIC_STATUSES for s in history.deleted or ())


def _touches_past_months(case: Case) -> bool:
    """Whether writing this case changes a month before the current one in the statistics (cached: see
    core/cases/queries.py statistics). Handling a case today counts in today's month, so ordinary work never
    empties that cache; an import or a correction of earlier dates does."""
    first = datetime.combine(today().replace(day=1), datetime.min.time())
    state = inspect(case)
    current = [getattr(case, name) for name in _STATS_DATES]
    if state.pending or state.deleted or state.was_deleted or not state.has_identity:
        return any(d is not None and d < first for d in current)
    changed = {name for name in (*_STATS_DATES, "status", "department_id") if state.attrs[name].history.has_changes()}
    if not changed:
        return False
    # which dates' months a change moves figures of: a date its own (old and new month); the status and the first
    # overdue moment the concluded / on-time figures (month of conclusion); the department every figure
    affected = set(changed) & set(_STATS_DATES)
    if changed & {"status", "first_overdue_at"}:
        affected.add("concluded_at")
    if "department_id" in changed:
        affected.update(_STATS_DATES)
    dates: list[Any] = []
    for name in affected:
        dates += [getattr(case, name), *(state.attrs[name].history.deleted or ())]
    return any(isinstance(d, datetime) and d < first for d in dates)


cache.watch(Case, "publicity", _shown_in_publicity)
cache.watch(Case, "statistics", _touches_past_months)
