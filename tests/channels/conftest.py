"""Fakes for the channel tests: a Rasa REST server and the WeChat API, both real HTTP servers on 127.0.0.1,
and the Official Account settings of Tencent's published test vectors."""

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr
from sqlalchemy import func, select
from wechatpy.crypto import WeChatCrypto

from channels.models import Conversation, ConversationMessage, MessageReceipt
from core.audit.models import AuditLog
from core.db import get_sessionmaker
from core.org import service as org_service
from core.seed.demo import DEMO_PASSWORD
from core.settings import get_settings
from tests.fakes.fixtures import forget_tokens
from tests.web.conftest import browser  # noqa: F401  (web browsers that log in, for the admin pages)
from tests.world import World

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wx2c2769f8efd9abc2"
TIMESTAMP, NONCE = "1409735669", "1320562132"
OPENID = "oyORnuP8q7ou2gfYjqLzSIWZf0rs"

Answer = Callable[[str, str], list[dict[str, Any]]]


class _Server:
    """A threaded HTTP server on a free port of 127.0.0.1 with a handler function."""

    def __init__(self, handle: Callable[[str, str, dict[str, Any], bytes], tuple[int, Any]]) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                status, payload = outer.handle(self.command, parts.path, parse_qs(parts.query), body)
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.handle = handle
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeRasa:
    """Rasa's REST channel: records every turn; ``answer`` decides the reply, ``delay`` slows it down."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []
        self.request_ids: list[str] = []  # the gateway's request id of each turn (its metadata)
        self.delay = 0.0
        self.answer: Answer = lambda sender, text: [{"recipient_id": sender, "text": f"您问的是：{text}"}]
        self._server = _Server(self._handle)
        self.url = f"{self._server.base}/webhooks/rest/webhook"

    def _handle(self, method: str, path: str, _query: dict[str, Any], body: bytes) -> tuple[int, Any]:
        if method != "POST" or path != "/webhooks/rest/webhook":
            return 404, {"error": "not found"}
        turn = json.loads(body)
        self.request_ids.append(str((turn.pop("metadata", None) or {}).get("request_id", "")))
        self.calls.append(turn)
        if self.delay:
            time.sleep(self.delay)
        return 200, self.answer(turn["sender"], turn["message"])

    def close(self) -> None:
        self._server.close()


class FakeWeChat:
    """The parts of the WeChat API the platform uses: the access token and customer-service messages."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.attempts = 0
        self.token_fetches = 0
        self.errcode = 0
        self._server = _Server(self._handle)
        self.base = self._server.base

    def _handle(self, method: str, path: str, query: dict[str, Any], body: bytes) -> tuple[int, Any]:
        if path == "/cgi-bin/token":
            self.token_fetches += 1
            return 200, {"access_token": "FAKE-TOKEN", "expires_in": 7200}
        if path == "/cgi-bin/message/custom/send" and query.get("access_token") == ["FAKE-TOKEN"]:
            self.attempts += 1
            if self.errcode:
                return 200, {"errcode": self.errcode, "errmsg": "refused"}
            self.sent.append(json.loads(body))
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 404, {"errcode": 404, "errmsg": "unknown"}

    def texts(self, openid: str = OPENID) -> list[str]:
        """The contents of the text messages sent to a user, in order."""
        return [m["text"]["content"] for m in self.sent if m["touser"] == openid and m["msgtype"] == "text"]

    def wait_for(self, count: int, seconds: float = 30) -> list[str]:
        """Waits until ``count`` messages have arrived; returns their texts."""
        deadline = time.monotonic() + seconds
        while len(self.sent) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return [m["text"]["content"] for m in self.sent]

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def fake_rasa(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeRasa]:
    """A fake Rasa the gateway talks to."""
    rasa = FakeRasa()
    monkeypatch.setattr(get_settings(), "rasa_url", rasa.url)
    yield rasa
    rasa.close()


@pytest.fixture
def fake_wechat(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWeChat]:
    """A fake WeChat API the customer-service messages go to."""
    forget_tokens(monkeypatch)
    wechat = FakeWeChat()
    monkeypatch.setattr(get_settings(), "wechat_api_base_url", wechat.base)
    yield wechat
    wechat.close()


@pytest.fixture
def wechat_account(monkeypatch: pytest.MonkeyPatch, fake_rasa: FakeRasa, fake_wechat: FakeWeChat) -> FakeWeChat:
    """The Official Account of the published test vectors, configured, with both fakes running."""
    settings = get_settings()
    monkeypatch.setattr(settings, "wechat_token", SecretStr(TOKEN))
    monkeypatch.setattr(settings, "wechat_encoding_aes_key", SecretStr(AES_KEY))
    monkeypatch.setattr(settings, "wechat_app_id", APP_ID)
    monkeypatch.setattr(settings, "wechat_app_secret", SecretStr("test-secret"))
    return fake_wechat


def signature(token: str = TOKEN, timestamp: str = TIMESTAMP, nonce: str = NONCE) -> str:
    """WeChat's URL signature: SHA-1 over the sorted token, timestamp and nonce."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()


def fixture_xml(name: str) -> str:
    """A captured payload of ``fixtures/wechat``."""
    return (FIXTURES / "wechat" / name).read_text(encoding="utf-8")


def text_xml(content: str, msg_id: str, openid: str = OPENID, create_time: str = "1409735668") -> str:
    """A text message as WeChat posts it."""
    return (
        fixture_xml("text.xml")
        .replace("abcdteT", content)
        .replace("6054768590064713728", msg_id)
        .replace(OPENID, openid)
        .replace("1409735668", create_time)
    )


def post_plain(client: TestClient, xml: str | bytes, *, sign: str | None = None) -> Response:
    """Posts a message in plain mode, signed (or with a given signature)."""
    params = {"signature": sign or signature(), "timestamp": TIMESTAMP, "nonce": NONCE, "openid": OPENID}
    return client.post("/channels/wechat", params=params, content=xml, headers={"Content-Type": "text/xml"})


def crypto() -> WeChatCrypto:
    """The test account's WXBizMsgCrypt."""
    return WeChatCrypto(TOKEN, AES_KEY, APP_ID)


def post_safe(client: TestClient, xml: str) -> Response:
    """Encrypts and posts a message in safe mode, as WeChat does."""
    import xmltodict

    envelope = xmltodict.parse(crypto().encrypt_message(xml, NONCE, TIMESTAMP))["xml"]
    body = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt></xml>"
    params = {
        "signature": signature(),
        "timestamp": TIMESTAMP,
        "nonce": NONCE,
        "openid": OPENID,
        "encrypt_type": "aes",
        "msg_signature": envelope["MsgSignature"],
    }
    return client.post("/channels/wechat", params=params, content=body, headers={"Content-Type": "text/xml"})


def reply_content(response: Response, *, safe: bool = False) -> str:
    """The text of a passive reply (decrypted in safe mode)."""
    import xmltodict

    assert response.status_code == 200, response.text
    xml = response.text
    if safe:
        envelope = xmltodict.parse(xml)["xml"]
        xml = crypto().decrypt_message(xml, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
    data = xmltodict.parse(xml)["xml"]
    assert data["MsgType"] == "text"
    return str(data["Content"])


def stored() -> dict[str, int]:
    """Row counts of the conversation store and the audit log."""
    with get_sessionmaker()() as db:
        return {
            model.__tablename__: db.scalar(select(func.count()).select_from(model)) or 0
            for model in (Conversation, ConversationMessage, MessageReceipt, AuditLog)
        }


def panel_csrf(client: TestClient, page: str = "/") -> str:
    """The CSRF token the chat panel of a portal page posts with: the page has a panel, which asks the chat's
    token address for the session's token (web/static/webchat.js)."""
    assert 'id="webchat"' in client.get(page).text, "page has no chat panel"
    answer = client.get("/channels/webchat/token")
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    return str(answer.json()["csrf_token"])


def webchat_say(client: TestClient, text: str, after: int = 0, payload: str = "") -> dict[str, Any]:
    """Sends a message from the chat panel, as the browser of ``client``."""
    response = client.post(
        "/channels/webchat/messages",
        json={"text": text, "payload": payload, "after": after},
        headers={"X-CSRF-Token": panel_csrf(client)},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def chat_client(app: Any) -> Iterator[TestClient]:
    """A client that keeps one event loop for all its requests (the app runs as it does under uvicorn)."""
    with TestClient(app) as client:
        yield client


@pytest.fixture
def desks(world: World) -> list[str]:
    """Two members of the hand-off desk (导办台), who answer the conversations about no department's case."""
    with get_sessionmaker()() as db:
        for n, name in ((1, "吴导办"), (2, "郑导办")):
            org_service.create_user(db=db, username=f"desk_{n}", name=name, password=DEMO_PASSWORD, role_codes=["desk"])
        db.commit()
    return ["desk_1", "desk_2"]
