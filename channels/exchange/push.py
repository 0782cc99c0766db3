"""Records a counterpart pushes to us (``POST /channels/exchange/{counterpart}/records/{kind}``), as the pull reads
them (channels/exchange/pull.py) but without waiting for its next round.

The request is signed as ours are (channels/exchange/signing.py) with the counterpart's credentials from settings
(``exchange_counterparts``: its ``app_id`` in ``X-App-Id`` and the shared ``secret``); the signed target is this
path. A missing, wrong, stale or replayed signature gets 401 with the reason in Chinese before the body is looked
at, and changes nothing. Nonces are remembered for twice the window (a timestamp may be that far from the clock on
either side) in the rate limiter's storage — Redis when configured, so a request replayed to another app process
is refused too.

Body: ``{"records": [{"id": their id, "data": {fields}}]}``, at most ``MAX_RECORDS``. Each record is checked and
used, or quarantined with its reasons, exactly as a pulled one (core/exchange/inbound.py), in one transaction; the
answer says what became of them: ``{"used", "quarantined", "unchanged", "reasons"}``.
"""

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from channels.exchange import signing
from core.audit.context import Actor, set_actor
from core.errors import NotAuthenticated, NotFound, ValidationFailed
from core.exchange import inbound
from core.exchange.adapters import ADAPTERS
from core.exchange.config import settings_of
from core.exchange.enums import COUNTERPART_LABELS, KIND_LABELS
from core.rate_limit import client_ip, try_hit
from core.retry import in_transaction
from core.settings import get_settings

router = APIRouter(prefix="/channels/exchange", include_in_schema=False)

MAX_RECORDS = 1000
"""Records per push (a counterpart's batch size is at most 1,000 too)."""


class SharedNonces:
    """Nonces seen by any app process: one use each of the rate limiter's keys (memory, or Redis when configured)."""

    def first_time(self, nonce: str, now: float, window: float) -> bool:
        """True the first time the nonce is seen within twice the window."""
        return try_hit(f"1/{int(2 * window) + 1} second", "exchange-push-nonce", nonce)


NONCES = SharedNonces()


def _records(body: bytes) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise ValidationFailed("请求内容不是有效的 JSON") from exc
    records = parsed.get("records") if isinstance(parsed, dict) else None
    if not isinstance(records, list):
        raise ValidationFailed('请求内容应为 {"records": [{"id": …, "data": {…}}]}', field="records")
    if len(records) > MAX_RECORDS:
        raise ValidationFailed(f"每次最多推送 {MAX_RECORDS} 条记录，请分批推送", field="records")
    return [r for r in records if isinstance(r, dict)]


@router.post("/{counterpart}/records/{kind}")
async def push(counterpart: str, kind: str, request: Request) -> JSONResponse:
    """Checks the signature, then uses the pushed records (bad ones quarantined)."""
    config = settings_of(counterpart)
    adapter = ADAPTERS.get(counterpart)
    if config is None or adapter is None or not adapter.pushes or not config.secret.get_secret_value():
        raise NotFound("没有对接该平台，或该平台的数据交换未启用")
    body = await request.body()
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    headers = dict(request.headers)
    window = float(get_settings().exchange_signature_window_seconds)
    secret = config.secret.get_secret_value()
    reason = await run_in_threadpool(  # the nonce store may be Redis: not on the event loop
        lambda: signing.verify(secret, "POST", target, body, headers, window=window, nonces=NONCES)
    )
    if not reason and headers.get("x-app-id") != config.app_id:
        reason = "应用标识（X-App-Id）与本平台登记的不符"
    if reason:
        raise NotAuthenticated(f"签名校验失败：{reason}", code="bad_signature")
    name = COUNTERPART_LABELS.get(counterpart, counterpart)  # type: ignore[call-overload]
    if kind not in adapter.receives:
        raise NotFound(f"本平台不接收{name}推送的“{KIND_LABELS.get(kind, kind)}”记录")  # type: ignore[call-overload]
    records = _records(body)
    set_actor(Actor(id=None, name=f"对接平台：{name}"[:64], kind="exchange", ip=client_ip(request)))
    done = await run_in_threadpool(in_transaction, lambda db: inbound.receive(db, counterpart, kind, records))
    answer = {"used": done.used, "quarantined": done.quarantined, "unchanged": done.unchanged, "reasons": done.reasons}
    return JSONResponse(answer)
