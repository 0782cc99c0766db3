"""A fake WeChat Official Account API on 127.0.0.1 for template messages: the access token and
``message/template/send``, recording every message; followers in ``unsubscribed`` are refused with 43004."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

APP_ID = "wxfakeofficial00001"
SECRET = "fake-wechat-secret-0123456789abcdef"


@dataclass
class FakeWeChatTemplates:
    """The fake API's state; ``start()`` serves it on a free port of 127.0.0.1."""

    unsubscribed: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)
    token_fetches: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> "FakeWeChatTemplates":
        """Serves the API in a background thread."""
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                status, answer = fake.handle(parts.path, parse_qs(parts.query), raw)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def base_url(self) -> str:
        """Where the fake listens."""
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        """Stops serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def handle(self, path: str, query: dict[str, list[str]], raw: bytes) -> tuple[int, dict[str, Any]]:
        """Answers one request like WeChat would."""
        with self._lock:
            if path == "/cgi-bin/token":
                if query.get("appid") != [APP_ID] or query.get("secret") != [SECRET]:
                    return 200, {"errcode": 40125, "errmsg": "invalid appsecret"}
                self.token_fetches += 1
                token = f"WXTOKEN-{self.token_fetches}"
                self._tokens.add(token)
                return 200, {"access_token": token, "expires_in": 7200}
            if (query.get("access_token") or [""])[0] not in self._tokens:
                return 200, {"errcode": 40001, "errmsg": "invalid credential"}
            if path != "/cgi-bin/message/template/send":
                return 404, {"errcode": 404, "errmsg": "unknown api"}
            body = json.loads(raw)
            if body.get("touser") in self.unsubscribed:
                return 200, {"errcode": 43004, "errmsg": "require subscribe"}
            self.sent.append(body)
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200000 + len(self.sent)}

    def to(self, openid: str) -> list[dict[str, Any]]:
        """The template messages a follower received, in order."""
        with self._lock:
            return [m for m in self.sent if m["touser"] == openid]

    def wait_for(self, count: int, seconds: float = 30) -> list[dict[str, Any]]:
        """Waits until ``count`` messages were sent; returns them."""
        deadline = time.monotonic() + seconds
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        with self._lock:
            return list(self.sent)
