"""帮办代办 invitations are handed over at sign-in (``user.signed_in``, core/projects/listeners.py), not on reads: the
enterprise that registered with the invited number finds the project in its list on the first page after signing
in, while a token that was issued without a sign-in (a service token of the command line) reads nothing new and
leaves the project waiting. The web path (registration and the login form) is tests/web/test_proxy_filing.py."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.audit.models import AuditLog
from core.events.models import DomainEvent
from core.org import service as org_service
from core.projects import proxy
from core.projects.models import Project
from core.projects.schemas import ProjectIn
from core.sms import last_sent
from tests.projects.conftest import FACTORY_ANSWERS, FACTORY_INFO, Filing

PHONE = "13912340001"
MASKED = "139****0001"
PASSWORD = "Tongban#2026x"


def _invite(db: Session, filing: Filing) -> int:
    """The guide files for a number without an account: the project waits for it."""
    data = ProjectIn.model_validate({**FACTORY_INFO, "indicators": FACTORY_ANSWERS})
    filed = proxy.file_for_enterprise(db, filing.world.users["guide"], data, owner_phone=PHONE)
    assert filed.invited and filed.project.owner_user_id is None
    db.commit()
    return filed.project.id


def _register(client: TestClient) -> None:
    assert client.post("/api/v1/auth/register/code", json={"phone": PHONE}).status_code == 202
    code = last_sent(MASKED).split("验证码为 ")[1][:6]
    body = {"phone": PHONE, "name": "苏州精工机械有限公司", "password": PASSWORD, "sms_code": code}
    assert client.post("/api/v1/auth/register", json=body).status_code == 201


def _sign_in(client: TestClient) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": PHONE, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _listed(client: TestClient, auth: dict[str, str]) -> set[int]:
    response = client.get("/api/v1/projects", headers=auth)
    assert response.status_code == 200, response.text
    return {p["id"] for p in response.json()}


def test_the_project_is_in_the_list_right_after_the_first_sign_in(
    client: TestClient, filing: Filing, db: Session
) -> None:
    project_id = _invite(db, filing)
    _register(client)
    db.rollback()
    assert db.get(Project, project_id).owner_user_id is None  # type: ignore[union-attr]  # registering is no sign-in

    auth = _sign_in(client)
    db.rollback()
    project = db.get(Project, project_id)
    owner = org_service.get_user_by_login(db=db, login=PHONE)
    assert project is not None and owner is not None and project.owner_user_id == owner.id  # before any read
    assert project.invited_login is None and project.invited_phone is None
    assert project_id in _listed(client, auth)
    detail = client.get(f"/api/v1/projects/{project_id}", headers=auth)
    assert detail.status_code == 200 and detail.json()["name"] == FACTORY_INFO["name"]
    claimed = db.scalars(select(AuditLog).where(AuditLog.action == "project.invitation_claimed"))
    assert [a.entity_id for a in claimed] == [str(project_id)]
    signed_in = db.scalars(select(DomainEvent).where(DomainEvent.kind == "user.signed_in"))
    assert [(e.subject, e.data["via"], e.recipients) for e in signed_in] == [(f"user:{owner.id}", "api", [])]
    assert project_id not in _listed(client, filing.world.auth("citizen"))  # nobody else got it


def test_reading_does_not_claim_a_waiting_project(client: TestClient, filing: Filing, db: Session) -> None:
    project_id = _invite(db, filing)
    _register(client)
    db.rollback()
    owner = org_service.get_user_by_login(db=db, login=PHONE)
    assert owner is not None
    service_token = org_service.issue_token(db=db, user=owner, name="service")  # not a sign-in
    db.commit()
    auth = {"Authorization": f"Bearer {service_token}"}

    assert project_id not in _listed(client, auth)
    assert client.get(f"/api/v1/projects/{project_id}", headers=auth).status_code == 404
    db.rollback()
    waiting = db.get(Project, project_id)
    assert waiting is not None and waiting.owner_user_id is None and waiting.invited_phone == PHONE
    assert db.scalar(select(AuditLog).where(AuditLog.action == "project.invitation_claimed")) is None

    assert project_id in _listed(client, _sign_in(client))  # the next sign-in hands it over
