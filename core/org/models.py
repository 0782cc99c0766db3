"""Organisation tables: departments (部门), windows' staff and citizens (用户), roles and tokens."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, Column, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import cache
from core.clock import now
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
    window: Mapped[str | None] = mapped_column(
        String(16), comment="窗口号（工作人员所在的大厅窗口，如 A12；办件记录登记或受理它的窗口）"
    )
    phone: Mapped[str | None] = mapped_column(EncryptedString)
    is_staff: Mapped[bool] = mapped_column(Boolean, default=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    wecom_userid: Mapped[str | None] = mapped_column(String(64), unique=True, comment="企业微信成员 UserID")
    wechat_openid: Mapped[str | None] = mapped_column(String(64), index=True, comment="公众号 openid")
    notify_channels: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: ["inbox", "wecom"], comment="接收通知的渠道：inbox / wecom / wechat"
    )
    password_changed_at: Mapped[datetime | None] = mapped_column(
        DateTime, default=now, comment="密码最近一次设置的时间（工作人员密码 90 天到期）"
    )
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="下次登录须先修改密码（管理员设置或重置的密码）"
    )
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, comment="连续登录失败次数")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, comment="登录失败过多，账号锁定至此时间")
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString, comment="双因素认证 TOTP 密钥（加密存储）")
    totp_enabled_at: Mapped[datetime | None] = mapped_column(DateTime, comment="双因素认证启用时间")
    totp_last_step: Mapped[int | None] = mapped_column(
        BigInteger, comment="最近一次用过的动态验证码的时间步（同一验证码不能再用）"
    )
    recovery_codes: Mapped[list[str] | None] = mapped_column(JSON, comment="未用过的一次性恢复码（带密钥的摘要）")
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
    def is_locked(self) -> bool:
        """True while too many wrong passwords keep the account locked."""
        return self.locked_until is not None and self.locked_until > now()

    @property
    def two_factor_enabled(self) -> bool:
        """True when the user has confirmed a TOTP authenticator."""
        return self.totp_enabled_at is not None and bool(self.totp_secret)

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


class PasswordHistory(Base):
    """A password a user had before (its argon2 hash), so that the last few cannot be chosen again."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255), comment="旧密码的 argon2 摘要")
    created_at: Mapped[datetime] = created_at_column()


class UserSession(Base):
    """A web login (server side): the signed cookie names it, logout and a password change revoke it."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="会话标识的带密钥摘要（明文只在 Cookie 中）")
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime, comment="绝对过期时间（工作人员登录后 8 小时）")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, comment="退出登录、修改密码或管理员注销的时间")


class PhoneCode(Base):
    """A one-time code texted to a phone number (注册验证码) to show that the number belongs to the person typing it.
    Neither the number nor the code is stored: a keyed hash of each (core/security.py ``keyed_hash``), enough to
    check what is typed. Wrong entries are counted by the rate limiter (core/rate_limit.py), so a refused attempt
    writes nothing."""

    __tablename__ = "phone_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20), comment="用途（register 注册）")
    phone_hash: Mapped[str] = mapped_column(String(64), index=True, comment="手机号的带密钥摘要（不存明文）")
    code_hash: Mapped[str] = mapped_column(String(64), comment="验证码的带密钥摘要")
    ip: Mapped[str] = mapped_column(String(45), default="", comment="请求发送的地址")
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime] = mapped_column(DateTime, comment="失效时间（再次获取时旧验证码立即失效）")
    used_at: Mapped[datetime | None] = mapped_column(DateTime, comment="验证通过的时间（每个验证码只能用一次）")


# Department names and their order appear in cached filter lists, catalogue rows and statistics (core/cache.py).
cache.watch(Department, "reference")
cache.watch(Department, "statistics")
cache.watch(Department, "publicity")
