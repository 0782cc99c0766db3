"""Fake city and provincial exchange platforms on 127.0.0.1: one HTTP server answering for every counterpart under
``/<code>/…`` (each counterpart's base URL is ``<server>/<code>``), with the protocol of channels/exchange.

Like a real platform it checks every request's HMAC signature (timestamp window, nonce never reused, body hash),
checks each record's standard fields by its own table (required fields, code ranges, time format, a written reason
for results 1–5) and refuses bad records, deduplicates on the ``key`` of each record (a repeat is answered
``duplicate`` with the first receipt) and files each record under (kind, id) at its latest version.

To be awkward, on purpose and reproducibly (``seed``):
- ``fail_share`` of record posts fail: half with HTTP 500 before doing anything, half after filing the records
  with the answer lost (HTTP 504, as a timeout on the way back);
- ``slow_share`` of requests answer after ``slow_seconds``;
- ``double_ack_share`` of answers name a record twice, and ``queued_share`` of records are answered ``queued``, with
  their acknowledgement listed (sometimes twice) in ``GET /acks``.

It records what a test needs to check: ``filed`` (what it holds), ``applications`` (how many times each
(kind, id, version) was filed — more than once is a duplicate), ``refusals``. ``outgoing`` holds records planted
for the platform to hand us (``GET /records/<kind>``); ``push_request`` signs records the platform pushes to us
(``POST /channels/exchange/<code>/records/<kind>``) with its credentials, as a real one would.
"""

import hashlib
import hmac
import json
import random
import re
import secrets
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

APP_ID = "tongban-kfq"
SECRET = "fake-exchange-secret-0123456789abcdef"
WINDOW = 300

_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
REQUIRED = {
    "case": (
        "SBLSH",
        "SXBM",
        "SXMC",
        "SSBMBM",
        "SSBMMC",
        "BJLX",
        "SBFS",
        "SQRLX",
        "SQRMC",
        "SBSJ",
        "CNBJSX",
        "SXDW",
        "BLZT",
        "BGSJ",
    ),
    "step": ("SBLSH", "HJXH", "HJMC", "BLDZ", "BLR", "BLSJ"),
    "result": ("SBLSH", "SXBM", "BJJG", "BJSJ"),
    "licence": ("SBLSH", "SXBM", "BJJG", "BJSJ", "ZZBH"),
    "approval": ("XMDM", "XMMC", "SPSXBM", "SPSXMC", "SPBM", "SLSJ"),
    "item": ("SXBM", "SXMC", "SXLX", "SSBMBM", "FDSX", "CNSX", "SXDW", "BJLX", "SFBZ"),
    "aggregate": ("TJYF", "SSBMBM", "SXBM", "SLS", "BJS", "AQBJS", "YQS"),
    "ad_result": ("SQBH", "SBLSH", "SPJG", "BJSJ"),
}
CODES = {
    "BJLX": {"1", "2", "3", "4"},
    "SBFS": {str(n) for n in range(8)},
    "SQRLX": {"1", "2"},
    "BJJG": {str(n) for n in range(7)},
    "BLJG": {str(n) for n in range(8)},
    "SPJG": {str(n) for n in range(7)},
    "SXDW": {"工作日", "自然日", "小时"},
}
TIMES = ("SBSJ", "SLSJ", "YJBJSJ", "BJSJ", "BGSJ", "BLSJ")


def canonical(data: Any) -> bytes:
    """The agreed byte form of a record (sorted keys, no spaces, UTF-8)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def record_checksum(data: Any) -> str:
    return hashlib.sha256(canonical(data)).hexdigest()


def check(kind: str, data: Any) -> str:
    """The platform's own check of one record: why it is refused, or ''."""
    if not isinstance(data, dict):
        return "记录格式错误"
    for name in REQUIRED.get(kind, ()):
        if data.get(name) in (None, ""):
            return f"缺少必填字段 {name}"
    for name, allowed in CODES.items():
        if name in data and str(data[name]) not in allowed:
            return f"字段 {name} 的代码 {data[name]} 不在代码表中"
    for name in TIMES:
        if name in data and not _TIME.match(str(data[name])):
            return f"字段 {name} 的时间格式错误"
    result = data.get("BJJG", data.get("SPJG"))
    if kind in ("result", "licence", "ad_result") and str(result) in {"1", "2", "3", "4", "5"} and not data.get("BJYY"):
        return "办结结果需要说明理由（BJYY）"
    return ""


@dataclass
class Filed:
    """A record the platform holds."""

    key: str
    version: int
    day: str
    data: dict[str, Any]
    checksum: str


@dataclass
class FakeExchange:
    """The fake platforms' state; ``start()`` serves it on a free port of 127.0.0.1."""

    fail_share: float = 0.0
    slow_share: float = 0.0
    slow_seconds: float = 0.05
    double_ack_share: float = 0.0
    queued_share: float = 0.0
    seed: int = 19
    secret: str = SECRET
    filed: dict[tuple[str, str, str], Filed] = field(default_factory=dict)
    """(counterpart, kind, id) → the latest version held."""
    receipts: dict[tuple[str, str], str] = field(default_factory=dict)
    """(counterpart, key) → receipt: the deduplication table."""
    applications: Counter[tuple[str, str, str, int]] = field(default_factory=Counter)
    refusals: list[tuple[str, str, str]] = field(default_factory=list)
    acks: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    outgoing: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    bad_signatures: int = 0
    requests: int = 0

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._nonces: set[str] = set()
        self._server: ThreadingHTTPServer | None = None

    # ---------------------------------------------------------------- serving

    def start(self) -> "FakeExchange":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, counterpart: str) -> str:
        return f"{self.base_url}/{counterpart}"

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _roll(self, share: float) -> bool:
        with self._lock:
            return self._random.random() < share

    def _answer(self, handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _signed(self, handler: BaseHTTPRequestHandler, method: str, body: bytes) -> bool:
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            timestamp = int(headers["x-timestamp"])
            nonce, digest, sent = headers["x-nonce"], headers["x-body-sha256"], headers["x-signature"]
        except (KeyError, ValueError):
            return False
        if abs(time.time() - timestamp) > WINDOW or hashlib.sha256(body).hexdigest() != digest:
            return False
        message = "\n".join((method, handler.path, str(timestamp), nonce, digest)).encode()
        expected = hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()
        with self._lock:
            if not hmac.compare_digest(expected, sent) or nonce in self._nonces or headers.get("x-app-id") != APP_ID:
                return False
            self._nonces.add(nonce)
        return True

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        with self._lock:
            self.requests += 1
        if not self._signed(handler, method, body):
            with self._lock:
                self.bad_signatures += 1
            self._answer(handler, 401, {"message": "签名校验失败"})
            return
        if self.slow_share and self._roll(self.slow_share):
            time.sleep(self.slow_seconds)
        parts = urlsplit(handler.path)
        segments = [s for s in parts.path.split("/") if s]
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if len(segments) < 2:
            self._answer(handler, 404, {"message": "无此接口"})
            return
        counterpart, route = segments[0], segments[1:]
        if method == "POST" and route[0] == "records" and len(route) == 2:
            self._post_records(handler, counterpart, route[1], body)
        elif method == "GET" and route[0] == "records" and len(route) == 2:
            start = int(query.get("after") or 0)
            page = self.outgoing[(counterpart, route[1])][start : start + 50]
            self._answer(handler, 200, {"records": page, "next": str(start + len(page))})
        elif method == "GET" and route == ["acks"]:
            start = int(query.get("after") or 0)
            with self._lock:
                page = self.acks[counterpart][start : start + 200]
            self._answer(handler, 200, {"acks": page, "next": str(start + len(page))})
        elif method == "GET" and route == ["reconcile"]:
            self._answer(handler, 200, {"kinds": self.day_figures(counterpart, query.get("day", ""))})
        else:
            self._answer(handler, 404, {"message": "无此接口"})

    def _post_records(self, handler: BaseHTTPRequestHandler, counterpart: str, kind: str, body: bytes) -> None:
        if self.fail_share and self._roll(self.fail_share / 2):
            self._answer(handler, 500, {"message": "平台繁忙"})
            return
        try:
            records = json.loads(body)["records"]
        except (ValueError, KeyError, TypeError):
            self._answer(handler, 400, {"message": "请求格式错误"})
            return
        results = [self._file(counterpart, kind, r) for r in records]
        if self.fail_share and self._roll(self.fail_share / 2):
            self._answer(handler, 504, {"message": "网关超时"})  # filed, but the answer is lost
            return
        if results and self.double_ack_share and self._roll(self.double_ack_share):
            results.append(dict(results[0]))
        self._answer(handler, 200, {"results": results})

    def _file(self, counterpart: str, kind: str, record: dict[str, Any]) -> dict[str, Any]:
        key = str(record.get("key", ""))
        with self._lock:
            if (counterpart, key) in self.receipts:
                return {"key": key, "status": "duplicate", "receipt": self.receipts[(counterpart, key)]}
        problem = check(kind, record.get("data"))
        if problem:
            with self._lock:
                self.refusals.append((counterpart, kind, problem))
            return {"key": key, "status": "refused", "reason": problem}
        local_id, version = str(record["id"]), int(record["version"])
        queued = self.queued_share and self._roll(self.queued_share)
        with self._lock:
            receipt = f"R{len(self.receipts) + 1:08d}"
            self.receipts[(counterpart, key)] = receipt
            held = self.filed.get((counterpart, kind, local_id))
            if held is None or held.version < version:
                self.filed[(counterpart, kind, local_id)] = Filed(
                    key, version, str(record["day"]), record["data"], record_checksum(record["data"])
                )
            self.applications[(counterpart, kind, local_id, version)] += 1
            if queued:
                ack = {"key": key, "receipt": receipt}
                self.acks[counterpart].append(ack)
                if self._random.random() < 0.3:
                    self.acks[counterpart].append(dict(ack))  # acknowledged twice
        return {"key": key, "status": "queued" if queued else "accepted", "receipt": receipt}

    # ---------------------------------------------------------------- pushing to us

    def push_request(
        self, counterpart: str, kind: str, records: list[dict[str, Any]], *, at: float | None = None
    ) -> tuple[str, bytes, dict[str, str]]:
        """The path, body and signed headers of a push of ``records`` (``{"id", "data"}``) to our platform."""
        path = f"/channels/exchange/{counterpart}/records/{kind}"
        body = json.dumps({"records": records}, ensure_ascii=False).encode()
        return path, body, self.signed_headers(path, body, at=at)

    def signed_headers(self, path: str, body: bytes, *, at: float | None = None) -> dict[str, str]:
        """The headers that sign a POST of ``body`` to ``path`` with the platform's credentials."""
        timestamp = str(int(at if at is not None else time.time()))
        nonce = secrets.token_hex(16)
        digest = hashlib.sha256(body).hexdigest()
        message = "\n".join(("POST", path, timestamp, nonce, digest)).encode()
        return {
            "Content-Type": "application/json",
            "X-App-Id": APP_ID,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Body-SHA256": digest,
            "X-Signature": hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest(),
        }

    # ---------------------------------------------------------------- what tests look at

    def day_figures(self, counterpart: str, day: str) -> dict[str, Any]:
        """The reconciliation answer: per kind, count, checksum and the records of the day."""
        with self._lock:
            held = [(k[1], k[2], f) for k, f in self.filed.items() if k[0] == counterpart and f.day == day]
        kinds: dict[str, Any] = {}
        for kind in sorted({k for k, _, _ in held}):
            records = {local_id: f.checksum for k, local_id, f in held if k == kind}
            digest = hashlib.sha256()
            for local_id, checksum in sorted(records.items()):
                digest.update(f"{local_id}:{checksum}\n".encode())
            kinds[kind] = {"count": len(records), "checksum": digest.hexdigest(), "records": records}
        return kinds

    def ids(self, counterpart: str, kind: str) -> set[str]:
        """The ids held of one kind."""
        with self._lock:
            return {k[2] for k in self.filed if k[0] == counterpart and k[1] == kind}

    def duplicates(self) -> list[tuple[str, str, str, int]]:
        """(counterpart, kind, id, version) filed more than once."""
        with self._lock:
            return [k for k, n in self.applications.items() if n > 1]

    def plant(self, counterpart: str, kind: str, their_id: str, data: dict[str, Any]) -> None:
        """A record the platform will hand us."""
        self.outgoing[(counterpart, kind)].append({"id": their_id, "data": data})

    def lose(self, counterpart: str, kind: str, local_id: str) -> None:
        """Forgets a filed record (a planted difference: the platform lost it)."""
        with self._lock:
            del self.filed[(counterpart, kind, local_id)]

    def corrupt(self, counterpart: str, kind: str, local_id: str) -> None:
        """Alters a filed record (a planted difference: the platform holds it differently)."""
        with self._lock:
            held = self.filed[(counterpart, kind, local_id)]
            data = {**held.data, "SQRMC": held.data.get("SQRMC", "") + "（错）"}
            self.filed[(counterpart, kind, local_id)] = Filed(
                held.key, held.version, held.day, data, record_checksum(data)
            )
