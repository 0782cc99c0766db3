"""What the conversation store keeps of a message that may carry a query password (查询密码), and which cases a
message names.

The password is never stored. The reliable signal is the bot's own: when it asks for the password its answer
carries ``{"custom": {"expects": "query_code"}}`` (bot/domain/cases.yml), the gateway notes it on the
conversation, and the person's next message is stored as ``HIDDEN`` when it has any digit in it (a message
without digits cannot be the password: “转人工”, “算了” are kept as written). A password typed in the same
message as a case number (“KF202611260017 密码385920”, which the bot also understands) is masked too: there,
six digits beside a case number are what the bot would take as the password.
"""

import re
import unicodedata
from typing import Any

QUERY_CODE = "query_code"
"""What the bot says it expects next when it asks for the query password."""
HIDDEN = "［查询密码已隐藏］"
MASK = "******"
_CASE_NO = re.compile(r"(?<![A-Za-z0-9])KF\d{12}(?!\d)", re.IGNORECASE)
_SIX_DIGITS = re.compile(r"(?<![A-Za-z0-9])\d{6}(?!\d)")
_DIGIT = re.compile(r"\d")
_RAW_TEXT_FIELDS = ("Content", "Recognition", "text")  # WeChat's text and voice recognition, a client's text


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def case_numbers(text: str) -> list[str]:
    """The case numbers (``KF`` + 12 digits) a message names, upper-cased, in order, each once."""
    return list(dict.fromkeys(m.group(0).upper() for m in _CASE_NO.finditer(_normalized(text))))


def stored_text(text: str, awaiting: str) -> str:
    """The text to keep of a person's message, ``awaiting`` being what the bot's last answer asked for."""
    if awaiting == QUERY_CODE and _DIGIT.search(text):  # \d: full-width digits too
        return HIDDEN
    if not _CASE_NO.search(text):
        return text
    parts = _CASE_NO.split(text)
    masked = [_SIX_DIGITS.sub(MASK, part) for part in parts]
    if masked == parts:
        return text
    out = masked[0]
    for number, part in zip(_CASE_NO.findall(text), masked[1:], strict=True):
        out += number + part
    return out


def stored_raw(raw: dict[str, Any], redacted: bool) -> dict[str, Any]:
    """The channel's raw fields to keep: without the message text when the text was redacted."""
    if not redacted:
        return raw
    return {k: v for k, v in raw.items() if k not in _RAW_TEXT_FIELDS}
