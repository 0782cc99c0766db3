"""The WeCom app of Tencent's published test vectors (token QDG6eK, CorpID wx5823bf96d3bd56c7), the fake WeCom
API, and helpers that post payloads to the callback encrypted exactly as WeCom does."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xmltodict
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import SecretStr
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from wechatpy.enterprise.crypto import WeChatCrypto

from channels.models import MessageReceipt, WeComCardClick
from core.audit.models import AuditLog
from core.cases.models import Case, CaseStep
from core.db import get_sessionmaker, mark_for_writing
from core.events.models import DomainEvent
from core.org.models import User
from core.settings import get_settings
from notifications import ratelimit, tasks
from notifications.providers.wecom_cards import task_id
from tests.fakes.fixtures import fake_wecom  # noqa: F401  (the fake WeCom API)
from tests.fakes.wecom_api import FakeWeCom
from tests.helpers import act, register
from tests.world import World

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN, AES_KEY, CORP_ID = "QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7"
TIMESTAMP, NONCE = "1409659813", "1372623149"
OFFICER = "lishenpi"
"""The WeCom UserID bound to officer_a (李审批, department A, may decide)."""


@pytest.fixture(autouse=True)
def settled() -> Iterator[None]:
    """Each test ends with nothing left sending in this process, and fresh per-member counts."""
    ratelimit.reset()
    yield
    tasks.wait_idle(15)
    ratelimit.reset()


@pytest.fixture
def wecom_app(monkeypatch: pytest.MonkeyPatch, fake_wecom: FakeWeCom) -> FakeWeCom:  # noqa: F811
    """The callback configured with the official vectors' token, key and CorpID; the fake API answers."""
    settings = get_settings()
    monkeypatch.setattr(settings, "wecom_token", SecretStr(TOKEN))
    monkeypatch.setattr(settings, "wecom_encoding_aes_key", SecretStr(AES_KEY))
    monkeypatch.setattr(settings, "wecom_corp_id", CORP_ID)
    fake_wecom.corp_id = CORP_ID
    return fake_wecom


@pytest.fixture
def wecom_client(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client that keeps one event loop for all its requests. The periodic jobs stay off: their first
    round, at start-up, would write while the test arranges its data (SQLite then refuses the test's write)."""
    monkeypatch.setattr(get_settings(), "scheduler_enabled", False)
    with TestClient(app) as client:
        yield client


def crypto() -> WeChatCrypto:
    """The test app's WXBizMsgCrypt."""
    return WeChatCrypto(TOKEN, AES_KEY, CORP_ID)


def fixture_xml(name: str) -> str:
    """A payload of ``fixtures/`` as WeCom sends it, before encryption."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def click_xml(
    task: str, key: str = "agree", userid: str = OFFICER, create_time: str = "1764210000", code: str = "RC-1"
) -> str:
    """A click on a card's button (``event_template_card.xml`` with the given fields)."""
    return (
        fixture_xml("event_template_card.xml")
        .replace("c1-e1-u1", task)
        .replace("[agree]", f"[{key}]")
        .replace("lishenpi", userid)
        .replace("1764210000", create_time)
        .replace("RESPONSECODE-0001", code)
    )


def text_xml(content: str, msg_id: str, userid: str = OFFICER) -> str:
    """A member's text message (``text.xml`` with the given fields)."""
    return (
        fixture_xml("text.xml")
        .replace("[hello]", f"[{content}]")
        .replace("4561255354251345929", msg_id)
        .replace("mycreate", userid)
    )


def post(client: TestClient, xml: str, *, signature: str | None = None) -> Response:
    """Encrypts and posts a payload as WeCom does (a forged ``signature`` when given)."""
    envelope = xmltodict.parse(crypto().encrypt_message(xml, NONCE, TIMESTAMP))["xml"]
    body = (
        f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName><Encrypt><![CDATA[{envelope['Encrypt']}]]></Encrypt>"
        "<AgentID><![CDATA[1000002]]></AgentID></xml>"
    )
    params = {"msg_signature": signature or envelope["MsgSignature"], "timestamp": TIMESTAMP, "nonce": NONCE}
    return client.post("/channels/wecom", params=params, content=body, headers={"Content-Type": "text/xml"})


def reply_text(response: Response) -> str:
    """The text of the callback's passive reply, decrypted."""
    assert response.status_code == 200, response.text
    envelope = xmltodict.parse(response.text)["xml"]
    xml = crypto().decrypt_message(response.text, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"])
    data = xmltodict.parse(xml)["xml"]
    assert data["MsgType"] == "text" and data["FromUserName"] == CORP_ID
    return str(data["Content"])


def bind(db: Session, world: World, who: str, wecom_userid: str) -> User:
    """Binds a WeCom member to a staff account."""
    user = db.get(User, world.users[who].id)
    assert user is not None
    user.wecom_userid = wecom_userid
    db.commit()
    return user


def case_at_decision(client: TestClient, world: World) -> int:
    """A case registered, accepted and reviewed in department A: it waits for the decision."""
    case_id = int(register(client, world)["case_id"])
    act(client, world, case_id, "accept", opinion="材料齐全")
    act(client, world, case_id, "review", who="officer_a", agree=True, opinion="符合许可条件")
    return case_id


def decision_event(db: Session, case_id: int) -> DomainEvent:
    """The newest ``case.decision_needed`` event of the case."""
    db.rollback()
    event = db.scalar(
        select(DomainEvent)
        .where(DomainEvent.kind == "case.decision_needed", DomainEvent.subject == f"case:{case_id}")
        .order_by(DomainEvent.id.desc())
    )
    assert event is not None
    return event


def card_sent(db: Session, fake: FakeWeCom, case_id: int, user: User) -> dict[str, Any]:
    """The decision card the notifications outbox sent the member for the case's newest announcement."""
    event = decision_event(db, case_id)
    assert user.wecom_userid and tasks.wait_idle(15)
    wanted = task_id(case_id, event.id, user.id)
    cards = [
        body["template_card"]
        for body in fake.delivered_to(user.wecom_userid)
        if body.get("msgtype") == "template_card" and body["template_card"]["task_id"] == wanted
    ]
    assert len(cards) == 1, f"the outbox sent {len(cards)} cards {wanted} to {user.wecom_userid}"
    return cards[0]


def send_card(db: Session, fake: FakeWeCom, case_id: int, user: User) -> str:
    """The task id of the decision card the outbox sent the member (waiting for the delivery)."""
    return str(card_sent(db, fake, case_id, user)["task_id"])


def delete_case(db: Session, case_id: int) -> None:
    """Deletes the case row (its steps and materials go with it)."""
    db.rollback()
    mark_for_writing(db)
    db.execute(delete(Case).where(Case.id == case_id))
    db.commit()


def fresh_case(db: Session, case_id: int) -> Case | None:
    """The case as stored now."""
    db.rollback()
    return db.get(Case, case_id, populate_existing=True)


def steps(db: Session, case_id: int) -> list[tuple[str, str, str]]:
    """The case's recorded steps: action, handler and opinion."""
    db.rollback()
    rows = db.scalars(select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id))
    return [(s.action, s.handler_name, s.opinion) for s in rows]


def counts() -> dict[str, int]:
    """Rows of the receipts, the clicks and the audit log."""
    with get_sessionmaker()() as db:
        return {
            model.__tablename__: db.scalar(select(func.count()).select_from(model)) or 0
            for model in (MessageReceipt, WeComCardClick, AuditLog)
        }
