"""Errors a person can act on: every failure the API reports is one of these.

They render as HTTP 4xx with ``{"error": {"code": ..., "message": ...}}`` and a Chinese message.
"""

import re

from starlette.exceptions import HTTPException as StarletteHTTPException


class AppError(Exception):
    """A failure with a stable code, a Chinese message and an HTTP status."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field

    def to_dict(self) -> dict[str, dict[str, str]]:
        """The JSON body of the error response."""
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return {"error": body}


class ValidationFailed(AppError):
    """Input that cannot be accepted as given."""

    status_code = 422
    code = "invalid"


class NotAuthenticated(AppError):
    """No valid login or token."""

    status_code = 401
    code = "not_authenticated"


class PermissionDenied(AppError):
    """Logged in, but not allowed to do this or to see this department's data."""

    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    """The thing asked for does not exist (or is not visible to the caller)."""

    status_code = 404
    code = "not_found"


class Conflict(AppError):
    """The request contradicts the current state (for example a step out of order)."""

    status_code = 409
    code = "conflict"


class TooManyRequests(AppError):
    """Rate limited."""

    status_code = 429
    code = "too_many_requests"


_HTTP_MESSAGES = {
    # FastAPI and Starlette raise 400 in English for a body they cannot read: JSON that is not UTF-8, a multipart
    # form without its boundary or cut short.
    400: "请求内容无法解析，请以 UTF-8 编码的 JSON 或完整的表单提交",
    404: "请求的地址不存在",
    405: "不支持该请求方法",
    413: "请求内容过大",
    415: "不支持该请求内容类型",
}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def http_message(exc: StarletteHTTPException) -> str:
    """A Chinese message for an HTTP error raised by the framework (its own details are English)."""
    detail = str(exc.detail)
    if exc.status_code in _HTTP_MESSAGES:
        return _HTTP_MESSAGES[exc.status_code]
    return detail if _CHINESE.search(detail) else f"请求无法处理（HTTP {exc.status_code}）"
