"""A published result is immutable: a correction makes the next version, the old one stays as it was; publishing
and every correction are audited."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.assessment.models import AssessmentResult, FrozenResult
from core.audit.models import AuditLog
from tests.assessment.conftest import S1, compute, post, scheme, table
from tests.assessment.test_compute import S1_TABLE
from tests.helpers import api_error, db_state
from tests.world import World


def get(client: TestClient, world: World, assessment_id: int, who: str = "admin") -> dict[str, Any]:
    response = client.get(f"/api/v1/assessment/assessments/{assessment_id}", headers=world.auth(who))
    assert response.status_code == 200, response.text
    return dict(response.json())


def published(client: TestClient, world: World) -> dict[str, Any]:
    draft = compute(client, world, scheme(client, world, S1)["id"])
    done = post(client, world, f"/assessments/{draft['id']}/publish")
    assert done.status_code == 200, done.text
    return dict(done.json())


def test_a_correction_after_publishing_makes_a_new_version_and_the_old_one_stays(
    client: TestClient, world: World, november: dict[str, Any], db: Session
) -> None:
    v1 = published(client, world)
    assert v1["status"] == "published" and v1["published_by_name"] == "管理员"
    assert table(v1) == S1_TABLE
    corrected = post(
        client,
        world,
        f"/assessments/{v1['id']}/corrections",
        department_id=world.dept_a.id,
        indicator="total",
        value=90,
        reason="经复核，城市管理局本月承担专项任务，总分按90分计",
    )
    assert corrected.status_code == 200, corrected.text
    v2 = corrected.json()
    assert v2["id"] != v1["id"] and v2["version"] == 2 and v2["status"] == "draft" and v2["previous_id"] == v1["id"]
    # v2: A's total set to 90 → A first (90.00), B second (86.81); the indicator scores are those of v1
    assert table(v2)["城市管理局"] == (90.0, 1, S1_TABLE["城市管理局"][2])
    assert table(v2)["生态环境分局"][:2] == (86.81, 2)
    # v1 is exactly as published
    assert table(get(client, world, v1["id"])) == S1_TABLE
    assert get(client, world, v1["id"])["corrections"] == []

    # a published version is not recomputed, corrected in place or published again
    before = db_state()
    api_error(post(client, world, f"/assessments/{v1['id']}/recompute"), 409)
    api_error(post(client, world, f"/assessments/{v1['id']}/publish"), 409)
    stale = post(
        client,
        world,
        f"/assessments/{v1['id']}/corrections",
        department_id=world.dept_b.id,
        indicator="total",
        value=80,
        reason="在旧版本上修正",
    )
    assert "请在最新版本上修正" in api_error(stale, 409)["message"]
    assert db_state() == before

    # v2 published in its turn; a further correction makes v3 carrying v2's correction along
    assert post(client, world, f"/assessments/{v2['id']}/publish").status_code == 200
    v3 = post(
        client,
        world,
        f"/assessments/{v2['id']}/corrections",
        department_id=world.dept_b.id,
        indicator="supervision_feedback_rate",
        value=66.67,
        reason="推送p3已在系统外认领，补录后按2/3计",
    ).json()
    assert v3["version"] == 3
    # B: 5208.3 − 333.3 + 666.7 = 5541.7; ÷ 60 = 92.361… → 92.36, now first; A keeps its corrected 90
    assert table(v3)["生态环境分局"][:2] == (92.36, 1) and table(v3)["城市管理局"][:2] == (90.0, 2)
    assert [(c["indicator"], c["carried"]) for c in v3["corrections"]] == [
        ("total", True),
        ("supervision_feedback_rate", False),
    ]
    history = client.get("/api/v1/assessment/assessments", headers=world.auth("admin")).json()
    assert [(h["version"], h["status"]) for h in history] == [(3, "draft"), (2, "published"), (1, "published")]
    # each correction and the publishing left their audit records
    actions = set(db.scalars(select(AuditLog.action).where(AuditLog.entity.like("assessment%"))))
    assert {"assessment.compute", "assessment.publish", "assessment.correct", "assessment.scheme_save"} <= actions
    corrections = db.scalars(
        select(AuditLog).where(AuditLog.entity == "assessment_correction", AuditLog.operation == "insert")
    ).all()
    assert any((c.after or {}).get("reason", "").startswith("经复核") for c in corrections)


def test_the_database_refuses_to_change_a_published_result(
    client: TestClient, world: World, november: dict[str, Any], db: Session
) -> None:
    v1 = published(client, world)
    result = db.scalar(select(AssessmentResult).where(AssessmentResult.assessment_id == v1["id"]).limit(1))
    assert result is not None
    result.total = None
    with pytest.raises(FrozenResult):
        db.flush()
    db.rollback()
    result.scores[0].score = None
    with pytest.raises(FrozenResult):
        db.flush()
    db.rollback()
    assert table(get(client, world, v1["id"])) == S1_TABLE


def test_a_period_is_computed_once_and_only_after_it_ended(
    client: TestClient, world: World, november: dict[str, Any]
) -> None:
    made = scheme(client, world, S1)
    compute(client, world, made["id"])
    before = db_state()
    twice = post(client, world, "/assessments", scheme_id=made["id"], period="2026-11")
    assert "已有考核结果（第1版，待发布）" in api_error(twice, 409)["message"]
    running = post(client, world, "/assessments", scheme_id=made["id"], period="2026-12")
    assert "考核期2026年12月尚未结束" in api_error(running, 422)["message"]
    wrong = post(client, world, "/assessments", scheme_id=made["id"], period="2026年11月")
    assert "如 2026-11" in api_error(wrong, 422)["message"]
    assert db_state() == before
