"""A case goes through every path via the API: accept → review → decide → conclude; refuse;
supplement and resume; suspend and resume; return; a joint case through two departments."""

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import clock
from core.cases import service as case_service
from core.cases.models import Case, Licence
from tests.helpers import act, register
from tests.world import WORKDAY, World


def test_full_path_concludes_with_licence_and_records_every_step(client: TestClient, world: World, db) -> None:
    clock.freeze(WORKDAY)
    case = register(client, world)
    assert case["case_no"].startswith("KF20260924")
    cid = case["case_id"]
    accepted = act(client, world, cid, "accept", opinion="材料齐全")
    assert accepted["status"] == "processing" and accepted["current_step"] == "review"
    # 5 working days from Thu 9/24: 9/28, 9/29, 9/30, 10/8, 10/9 (9/25 中秋 and 10/1–7 国庆 off)
    assert accepted["due_at"].startswith("2026-10-09")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    done = act(client, world, cid, "conclude", who="officer_a", result=0)
    assert done["status"] == "concluded" and done["conclusion_result_label"] == "出证办结"
    actions = [(s["action"], s["handler_name"], s["department_name"]) for s in done["steps"]]
    assert actions == [
        ("register", "张窗口", "城市管理局"),
        ("accept", "张窗口", "城市管理局"),
        ("review", "李审批", "城市管理局"),
        ("decide", "王领导", ""),
        ("conclude", "李审批", "城市管理局"),
    ]
    licence = db.scalar(select(Licence).where(Licence.case_id == cid))
    assert licence is not None and licence.trust_level == "A" and licence.holder_name == "孙市民"


def test_refuse_needs_a_reason_and_ends_the_case(client: TestClient, world: World) -> None:
    cid = register(client, world)["case_id"]
    error = act(client, world, cid, "refuse", expect=422, opinion="  ")
    assert error["error"]["message"] == "不予受理必须填写理由"
    refused = act(client, world, cid, "refuse", opinion="不属于本部门职责范围")
    assert refused["status"] == "refused" and refused["conclusion_result_label"] == "不予受理"
    act(client, world, cid, "accept", expect=409)


def test_supplement_pauses_the_clock_until_resupply(client: TestClient, world: World) -> None:
    clock.freeze(WORKDAY)
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    clock.freeze(WORKDAY.replace(day=28))  # Monday
    paused = act(client, world, cid, "supplement", reason="施工方案缺少签章", materials=["施工方案"])
    assert paused["status"] == "supplementing" and paused["clock_paused"]
    clock.freeze(WORKDAY.replace(month=10, day=9))
    resumed = act(client, world, cid, "resupply", note="已补交", materials=[])
    assert resumed["status"] == "processing" and not resumed["clock_paused"]
    # counted: 9/28; paused 9/29–10/9; then 10/10 (调休 Saturday), 10/12, 10/13, 10/14
    assert resumed["due_at"].startswith("2026-10-14")


def test_special_procedure_pauses_and_resumes(client: TestClient, world: World) -> None:
    clock.freeze(WORKDAY)
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "special/start", kind="专家评审", reason="需组织专家论证")
    act(client, world, cid, "review", who="officer_a", expect=409, agree=True, opinion="")
    clock.freeze(WORKDAY.replace(day=30))
    resumed = act(client, world, cid, "special/end", result="专家论证通过")
    assert resumed["status"] == "processing"
    # paused 9/25–9/30 (9/28–9/30 would have counted); counted: 10/8, 10/9, 10/10 (调休), 10/12, 10/13
    assert resumed["due_at"].startswith("2026-10-13")


def test_return_goes_back_one_step(client: TestClient, world: World) -> None:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    back = act(client, world, cid, "return", who="officer_a", opinion="审查意见不完整，请补充现场核查情况")
    assert back["current_step"] == "review"
    assert back["steps"][-1]["result_label"] == "退回"


def test_joint_case_passes_through_each_department_in_order(client: TestClient, world: World) -> None:
    cid = register(client, world, item_id=world.joint_item.id)["case_id"]
    act(client, world, cid, "accept")
    # stage 1 is B's: C may not act yet, A's officer has no task there
    act(client, world, cid, "review", who="officer_c", expect=403, agree=True, opinion="同意")
    staged = act(client, world, cid, "review", who="clerk_b", agree=True, opinion="环保意见：同意")
    assert staged["current_step"] == "review"
    done = act(client, world, cid, "review", who="officer_c", agree=True, opinion="消防意见：同意")
    assert done["current_step"] == "decide"
    act(client, world, cid, "decide", who="officer_a", agree=True, opinion="同意")
    act(client, world, cid, "conclude", who="officer_a", result=0)


def test_in_a_joint_stage_only_the_departments_with_an_open_part_are_offered_the_review(
    client: TestClient, world: World, db: Session
) -> None:
    """The case page offers 审查 to a department only while its part of the 会办 stage is open (the action refuses
    the others): A's officer leads the case but has no part in B's stage."""
    cid = register(client, world, item_id=world.joint_item.id)["case_id"]
    act(client, world, cid, "accept")

    def offered(who: str) -> list[str]:
        db.rollback()
        return case_service.actions_for(world.users[who], db.get(Case, cid))

    assert "review" not in offered("officer_a") and "review" not in offered("officer_c")
    assert "review" in offered("clerk_b")
    act(client, world, cid, "review", who="clerk_b", agree=True, opinion="环保意见：同意")
    assert "review" not in offered("clerk_b") and "review" in offered("officer_c")
