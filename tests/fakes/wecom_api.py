"""A fake WeCom API on 127.0.0.1 that behaves like the real one where it matters to delivery.

It speaks WeCom's JSON for ``gettoken``, ``message/send`` and ``message/update_template_card`` and records
every call. Like WeCom it:

- refuses an unknown or expired access token with 42001 (``expire_tokens()`` expires them all);
- drops a repeat of the same request body within ``duplicate_check_interval`` seconds when the sender
  asked for ``enable_duplicate_check`` — answering ``ok`` with the first message's msgid, delivering nothing;
- silently drops a member's 31st message within 60 s: it answers ``ok`` with a msgid but the member never
  sees it, which the fake records as a violation;
- refuses members it does not know with 81013, and a card update's ``response_code`` used twice.

It can also fail a share of ``message/send`` calls (``fail_share``) with HTTP 500 or errcode 45009 before
doing anything, or fail the next calls in a scripted way (``script``: an errcode, a status 500 that does
nothing, or 504 that delivers the message and loses the answer, as a timeout on the way back would). Time comes from ``now`` (seconds),
``time.time`` unless a test points it at the application clock.
"""

import hashlib
import json
import random
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CORP_ID = "wwfakecorp0000001"
SECRET = "fake-wecom-secret-0123456789abcdef"
AGENT_ID = 1000002
MEMBER_LIMIT_PER_MINUTE = 30
"""WeCom shows at most 30 app messages per member per minute; the excess is dropped without an error."""


@dataclass
class Call:
    """One request the fake answered."""

    path: str
    body: dict[str, Any]
    status: int
    answer: dict[str, Any]
    at: float


@dataclass
class Delivery:
    """A message a member actually received."""

    touser: str
    body: dict[str, Any]
    msgid: str
    at: float


@dataclass
class FakeWeCom:
    """The fake API's state; ``start()`` serves it on a free port of 127.0.0.1."""

    corp_id: str = CORP_ID
    secret: str = SECRET
    fail_share: float = 0.0
    """Share of ``message/send`` calls failed at random (half HTTP 500, half errcode 45009)."""
    seed: int = 6
    member_limit: int = MEMBER_LIMIT_PER_MINUTE
    now: Callable[[], float] = time.time
    unknown_users: set[str] = field(default_factory=set)
    script: deque[int] = field(default_factory=deque)
    """Outcomes for the next ``message/send`` calls: an HTTP status (≥ 500) or a WeCom errcode."""
    calls: list[Call] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    violations: list[Delivery] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    card_updates: list[dict[str, Any]] = field(default_factory=list)
    token_fetches: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(self.seed)
        self._tokens: set[str] = set()
        self._seen: dict[str, tuple[float, str]] = {}
        self._recent: dict[str, deque[float]] = defaultdict(deque)
        self._used_codes: set[str] = set()
        self._msg_counter = 0
        self._server: ThreadingHTTPServer | None = None

    # ---- serving

    def start(self) -> "FakeWeCom":
        """Serves the API on 127.0.0.1 in a background thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                status, answer = fake.handle(parts.path, parse_qs(parts.query), raw)
                data = json.dumps(answer, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller is gone (a worker killed mid-request): WeCom did its part all the same

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.request_queue_size = 128
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        """Where the fake listens, e.g. ``http://127.0.0.1:40123``."""
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        """Stops serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # ---- behaviour

    def expire_tokens(self) -> None:
        """Every access token issued so far is refused from now on (errcode 42001)."""
        with self._lock:
            self._tokens.clear()

    def handle(self, path: str, query: dict[str, list[str]], raw: bytes) -> tuple[int, dict[str, Any]]:
        """Answers one request like WeCom would."""
        with self._lock:
            body: dict[str, Any] = json.loads(raw) if raw else {}
            status, answer = self._answer(path, query, body)
            self.calls.append(Call(path, body, status, answer, self.now()))
            return status, answer

    def _answer(self, path: str, query: dict[str, list[str]], body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if path == "/cgi-bin/gettoken":
            if query.get("corpid") != [self.corp_id] or query.get("corpsecret") != [self.secret]:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            self.token_fetches += 1
            token = f"TOKEN-{self.token_fetches}"
            self._tokens.add(token)
            return 200, {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}
        if (query.get("access_token") or [""])[0] not in self._tokens:
            return 200, {"errcode": 42001, "errmsg": "access_token expired"}
        if path == "/cgi-bin/message/send":
            return self._send(body)
        if path == "/cgi-bin/message/update_template_card":
            return self._update_card(body)
        return 404, {"errcode": 404, "errmsg": "unknown api"}

    def _failure(self) -> int | None:
        if self.script:
            return self.script.popleft()
        if self.fail_share and self._random.random() < self.fail_share:
            return 500 if self._random.random() < 0.5 else 45009
        return None

    def _send(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        failure = self._failure()
        if failure == 504:
            self._deliver(body)
            return 504, {"errcode": -1, "errmsg": "gateway timeout"}
        if failure is not None and 500 <= failure < 600:
            return failure, {"errcode": -1, "errmsg": "internal server error"}
        if failure is not None:
            return 200, {"errcode": failure, "errmsg": "api freq out of limit" if failure == 45009 else "refused"}
        return self._deliver(body)

    def _deliver(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        touser = str(body.get("touser", ""))
        if body.get("agentid") != AGENT_ID:
            return 200, {"errcode": 40056, "errmsg": "invalid agentid"}
        if not touser or touser in self.unknown_users:
            return 200, {"errcode": 81013, "errmsg": "user & party & tag all invalid", "invaliduser": touser}
        now = self.now()
        key = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        if body.get("enable_duplicate_check") == 1 and key in self._seen:
            first_at, msgid = self._seen[key]
            if now - first_at < int(body.get("duplicate_check_interval", 1800)):
                self.duplicates.append(body)
                return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": msgid}
        self._msg_counter += 1
        msgid = f"MSG{self._msg_counter:08d}"
        self._seen[key] = (now, msgid)
        recent = self._recent[touser]
        while recent and now - recent[0] >= 60:
            recent.popleft()
        delivery = Delivery(touser, body, msgid, now)
        if len(recent) >= self.member_limit:
            self.violations.append(delivery)  # WeCom says ok and the member never sees it
        else:
            recent.append(now)
            self.deliveries.append(delivery)
        return 200, {"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": msgid}

    def _update_card(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        code = str(body.get("response_code", ""))
        if not code or code in self._used_codes:
            return 200, {"errcode": 40058, "errmsg": "invalid response_code (missing or used)"}
        self._used_codes.add(code)
        self.card_updates.append(body)
        return 200, {"errcode": 0, "errmsg": "ok"}

    # ---- what the tests look at

    def delivered_to(self, userid: str) -> list[dict[str, Any]]:
        """The message bodies a member received, in order."""
        with self._lock:
            return [d.body for d in self.deliveries if d.touser == userid]

    def sends(self) -> list[Call]:
        """Every ``message/send`` call, whatever its outcome."""
        with self._lock:
            return [c for c in self.calls if c.path == "/cgi-bin/message/send"]

    def most_in_a_minute(self) -> int:
        """The most messages any member received within 60 s."""
        with self._lock:
            times: dict[str, list[float]] = defaultdict(list)
            for d in self.deliveries:
                times[d.touser].append(d.at)
        most = 0
        for stamps in times.values():
            stamps.sort()
            start = 0
            for end, at in enumerate(stamps):
                while at - stamps[start] >= 60:
                    start += 1
                most = max(most, end - start + 1)
        return most

    def wait_for(self, count: int, seconds: float = 30) -> list[Delivery]:
        """Waits until ``count`` messages were delivered; returns them."""
        deadline = time.monotonic() + seconds
        while len(self.deliveries) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        with self._lock:
            return list(self.deliveries)
