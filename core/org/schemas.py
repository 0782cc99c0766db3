"""Request and response shapes of the organisation API."""

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field

from core.org.models import User
from core.security import mask_phone
from core.validators import OneLine


class TokenIn(BaseModel):
    """Login for API clients; ``otp`` is the authenticator's code (or a recovery code) for two-factor accounts."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    otp: str | None = Field(default=None, max_length=32)


class PasswordChangeIn(BaseModel):
    """One's own password change."""

    current_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


class ProfileIn(BaseModel):
    """One's own profile change (a citizen's phone is their login and stays)."""

    name: OneLine = Field(min_length=1, max_length=50)
    phone: str | None = None


class TokenOut(BaseModel):
    """A bearer token, shown once."""

    access_token: str
    token_type: str = "bearer"
    expires_in_hours: int


class DepartmentIn(BaseModel):
    """A department as an admin enters it: one line per field, no control or invisible characters."""

    code: OneLine = Field(min_length=1, max_length=32)
    name: OneLine = Field(min_length=2, max_length=100)
    short_name: OneLine = Field(default="", max_length=50)
    phone: OneLine = Field(default="", max_length=50)
    windows: OneLine = Field(default="", max_length=100)
    sort_order: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    is_active: bool = True


class DepartmentOut(BaseModel):
    """A department."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    short_name: str
    phone: str
    windows: str
    sort_order: int
    is_active: bool


class RoleOut(BaseModel):
    """A role."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    permissions: list[str]
    data_scope: str
    description: str


class RoleUpdate(BaseModel):
    """An admin's change to a role's permissions or scope."""

    permissions: list[str]
    data_scope: str


class UserIn(BaseModel):
    """A new user."""

    username: str = Field(min_length=1, max_length=64)
    name: OneLine = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=128)
    department_id: int | None = None
    window: str | None = Field(default=None, description="窗口号（工作人员，如 A12）")
    phone: str | None = None
    roles: list[str] = Field(min_length=1)


class UserUpdate(BaseModel):
    """Changes to a user; absent fields stay as they are."""

    name: OneLine | None = Field(default=None, min_length=1, max_length=50)
    department_id: int | None = None
    window: str | None = Field(default=None, description="窗口号；空字符串取消窗口")
    phone: str | None = None
    roles: list[str] | None = None
    is_active: bool | None = None
    password: str | None = None


class UserOut(BaseModel):
    """A user as admins see it (phone masked); ``locked_until`` while wrong passwords keep it locked."""

    id: int
    username: str
    name: str
    department_id: int | None
    department_name: str
    window: str | None = None
    phone: str
    roles: list[str]
    permissions: list[str]
    data_scope: str
    is_staff: bool
    is_active: bool
    last_login_at: datetime | None
    locked_until: datetime | None = None
    two_factor_enabled: bool = False

    @classmethod
    def from_model(cls, user: User) -> Self:
        """A user with the phone number masked; the lock's end only while it holds."""
        return cls(
            id=user.id,
            username=user.login_label,
            name=user.name,
            department_id=user.department_id,
            department_name=user.department.name if user.department else "",
            window=user.window,
            phone=mask_phone(user.phone) if user.phone else "",
            roles=[r.code for r in user.roles],
            permissions=sorted(user.permissions),
            data_scope=user.data_scope,
            is_staff=user.is_staff,
            is_active=user.is_active,
            last_login_at=user.last_login_at,
            locked_until=user.locked_until if user.is_locked else None,
            two_factor_enabled=user.two_factor_enabled,
        )


class RegisterIn(BaseModel):
    """A citizen's self-registration: the code texted to the phone (POST /api/v1/auth/register/code) proves it is
    theirs."""

    phone: str
    name: OneLine = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=128)
    sms_code: str = Field(min_length=1, max_length=10, description="短信验证码（6位数字）")


class PhoneCodeIn(BaseModel):
    """A request for a registration code."""

    phone: str = Field(min_length=1, max_length=20)


class PhoneCodeOut(BaseModel):
    """Where the code went, and for how long it works."""

    sent_to: str = Field(description="接收验证码的手机号（部分隐藏）")
    expires_in_minutes: int
