"""Updating a clicked card through WeCom's API, after the callback has answered.

The click's response code is usable once and for 72 hours, so the update is tried a few times at once on
a network error or a busy WeCom, then recorded as failed on the click (the admin site shows it); the
member's case step stands either way.
"""

import logging
import time
from typing import Any

from sqlalchemy import update

from channels.models import WeComCardClick
from core.db import session_scope
from notifications.providers import wecom
from notifications.providers.errors import DeliveryError, Retryable

log = logging.getLogger("tongban.channels")

ATTEMPTS = 3
BACKOFF_SECONDS = 0.5


def update_card(click_id: int | None, wecom_userid: str, response_code: str, card: dict[str, Any]) -> bool:
    """Updates the member's card to ``card`` (a ``template_card``); True when WeCom took it."""
    payload = {"userids": [wecom_userid], "response_code": response_code, "template_card": card}
    error = ""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            wecom.update_template_card(payload)
            error = ""
            break
        except Retryable as exc:
            error = exc.message
            if attempt < ATTEMPTS:
                time.sleep(BACKOFF_SECONDS * attempt)
        except DeliveryError as exc:
            error = exc.message
            break
        except Exception:  # a bug or an unexpected answer must not lose the record of the click
            log.exception("更新企业微信卡片时出错")
            error = "更新卡片时出现未预期的错误，详见服务器日志"
            break
    if error:
        log.warning("企业微信卡片未能更新（%s）：%s", wecom_userid, error)
    _record(click_id, error)
    return not error


def _record(click_id: int | None, error: str) -> None:
    if click_id is None:
        return
    with session_scope() as db:  # delivery bookkeeping, one statement, not an audited change
        db.execute(
            update(WeComCardClick)
            .where(WeComCardClick.id == click_id)
            .values(card_status="failed" if error else "updated", card_error=error[:200])
        )
