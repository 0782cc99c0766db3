"""A case's steps announce themselves as domain events, in the same transaction: the applicant hears of
acceptance, supplements, the conclusion and the rating invitation; the department is asked to decide."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events.models import DomainEvent
from tests.helpers import PERSON, act, register
from tests.world import World


def _events(db: Session) -> list[DomainEvent]:
    db.rollback()
    return list(db.scalars(select(DomainEvent).order_by(DomainEvent.id)))


def test_each_step_that_concerns_someone_publishes_one_event(client: TestClient, world: World, db: Session) -> None:
    cid = register(client, world)["case_id"]
    assert _events(db) == []  # registering concerns nobody else yet
    act(client, world, cid, "supplement", reason="施工方案缺少签章", materials=["施工方案"])
    act(client, world, cid, "resupply", note="已补交", materials=[])
    act(client, world, cid, "accept", opinion="材料齐全")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    act(client, world, cid, "conclude", who="officer_a", result=0)
    events = _events(db)
    assert [e.kind for e in events] == [
        "case.supplement_requested",
        "case.accepted",
        "case.decision_needed",
        "case.concluded",
        "case.rating_invited",
    ]
    supplement, accepted, decide, concluded, rating = events
    assert supplement.data["materials"] == ["施工方案"] and supplement.data["reason"] == "施工方案缺少签章"
    assert accepted.recipients == [
        {
            "user_id": None,
            "department_id": None,
            "permission": None,
            "applicant_id": accepted.recipients[0]["applicant_id"],
            "role": "applicant",
        }
    ]
    assert (
        decide.recipients[0]["department_id"] == world.dept_a.id and decide.recipients[0]["permission"] == "case.decide"
    )
    assert decide.data["opinion_so_far"] == "符合条件"
    assert concluded.data["result_label"] == "出证办结" and rating.data["rating_url"].endswith(
        concluded.data["case_no"]
    )
    for event in events:
        assert event.subject == f"case:{cid}"
        assert event.data["applicant_name"] == "孙*民"  # masked; the ID number is never in an event
        assert not any(isinstance(v, str) and PERSON["id_number"] in v for v in event.data.values())


def test_returning_a_conclusion_asks_for_the_decision_again(client: TestClient, world: World, db: Session) -> None:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意")
    act(client, world, cid, "return", who="officer_a", opinion="许可期限写错，请重新决定")
    kinds = [e.kind for e in _events(db)]
    assert kinds == ["case.accepted", "case.decision_needed", "case.decision_needed"]
    assert _events(db)[-1].data["opinion_so_far"] == "许可期限写错，请重新决定"


def test_a_refusal_tells_the_applicant(client: TestClient, world: World, db: Session) -> None:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "refuse", opinion="不属于本部门职责范围")
    concluded = [e for e in _events(db) if e.kind == "case.concluded"]
    assert len(concluded) == 1 and concluded[0].data["result_label"] == "不予受理"
