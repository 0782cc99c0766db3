"""Organisation tables: departments (部门), windows' staff and citizens (用户), roles and tokens."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Base, created_at_column
from core.security import EncryptedString

user_role = Table(
    "user_role",
    Base.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
)


class Department(Base):
    """A department with windows in the centre (实施主体)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(50), default="")
    credit_code: Mapped[str] = mapped_column(String(18), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    windows: Mapped[str] = mapped_column(String(100), default="", comment="窗口号，如 A12-A14")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at_column()


class Role(Base):
    """A named set of permissions with a data scope."""

    __tablename__ = "role"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    data_scope: Mapped[str] = mapped_column(String(16), default="department")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = created_at_column()


class User(Base):
    """A person who logs in: staff of a department, an admin, or a registered citizen."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    is_staff: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    wecom_userid: Mapped[str | None] = mapped_column(String(64), unique=True, comment="企业微信成员 UserID")
    wechat_openid: Mapped[str | None] = mapped_column(String(64), index=True, comment="公众号 openid")
    notify_channels: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["inbox", "wecom"], comment="接收通知的渠道：inbox / wecom / wechat"
    )
    created_at: Mapped[datetime] = created_at_column()

    department: Mapped[Department | None] = relationship(lazy="joined")
    roles: Mapped[list[Role]] = relationship(secondary=user_role, lazy="selectin")

    @property
    def login_label(self) -> str:
        """What to show as login: the staff login name, or a citizen's masked mobile number."""
        if self.username.startswith("m:") and self.phone:
            return self.phone[:3] + "****" + self.phone[-4:]
        return self.username

    @property
    def permissions(self) -> set[str]:
        """Union of the permissions of all roles."""
        return {p for role in self.roles for p in role.permissions}

    @property
    def data_scope(self) -> str:
        """The widest data scope among the user's roles."""
        scopes = {role.data_scope for role in self.roles}
        for scope in ("all", "department", "own"):
            if scope in scopes:
                return scope
        return "own"


class ApiToken(Base):
    """A bearer token that acts as a user (service clients, API logins)."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = created_at_column()

    user: Mapped[User] = relationship(lazy="joined")
