"""Who may call what: every /api/v1 route × anonymous, citizen, clerk of A, clerk of B, leader and admin.

Case routes act on a case of department A, each time freshly brought into the state the action needs, so an
allowed role's answer shows the permission check passed and a denied role's answer shows it did not.
Denied calls must change nothing in the database.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from core import rate_limit
from core.items.models import ServiceItem
from core.org.models import Role
from core.seed.demo import DEMO_PASSWORD
from core.sms import last_sent
from notifications.models import Channel, Status
from tests.exchange.helpers import paused, stored_difference, stored_record
from tests.helpers import PERSON, act, api_error, db_state, register, submit_online, upload_pdf
from tests.notifications.helpers import stored_notification
from tests.topics.helpers import CODE as TOPIC_CODE
from tests.topics.helpers import create_topic, topic_body
from tests.world import World, item_in

ANON, CITIZEN, CLERK_A, CLERK_B, LEADER, ADMIN = "anonymous", "citizen", "clerk_a", "clerk_b", "leader", "admin"
ROLES = (ANON, CITIZEN, CLERK_A, CLERK_B, LEADER, ADMIN)

PUBLIC = frozenset(ROLES)
LOGGED_IN = PUBLIC - {ANON}
ADMIN_ONLY = frozenset({ADMIN})
HANDLERS_OF_A = frozenset({CLERK_A, LEADER, ADMIN})
DECIDERS_OF_A = frozenset({LEADER, ADMIN})
"""决定 and 办结 need ``case.decide``, which a window clerk does not hold."""
REGISTRARS_OF_A = frozenset({CLERK_A, ADMIN})
APPLICANT_LOOKUP = frozenset({CITIZEN, CLERK_A, CLERK_B, ADMIN})
CITIZENS = frozenset({CITIZEN})
NO_ONE_HERE: frozenset[str] = frozenset()
"""三员分立: only the security administrator (roles) or the auditor (the audit log), neither of them in this matrix;
tests/test_separation_of_duties.py checks those."""

USERNAMES = {CITIZEN: "13800000001", CLERK_A: "clerk_a", CLERK_B: "clerk_b", LEADER: "leader", ADMIN: "admin"}


@dataclass
class Call:
    """One HTTP request of the matrix."""

    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    files: dict[str, Any] | None = None


@dataclass
class Ctx:
    """What a request builder may use."""

    client: TestClient
    world: World
    db: Any
    role: str
    index: int
    scratch: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- bringing a case of A into a state


def case_in_state(ctx: Ctx, state: str) -> dict[str, Any]:
    """Registers a case of department A at the window and takes it to ``state``; returns the registration."""
    client, world = ctx.client, ctx.world
    new = register(client, world)
    cid = new["case_id"]
    if state == "submitted":
        return new
    act(client, world, cid, "accept")
    if state == "supplementing":
        act(client, world, cid, "supplement", reason="施工方案缺少签章", materials=["施工方案"])
        return new
    if state == "suspended":
        act(client, world, cid, "special/start", kind="专家评审", reason="需组织专家论证")
        return new
    if state == "review":
        return new
    act(client, world, cid, "review", who="officer_a", agree=True, opinion="符合条件")
    if state == "decide":
        return new
    act(client, world, cid, "decide", who="leader", agree=True, opinion="同意许可")
    if state == "conclude":
        return new
    act(client, world, cid, "conclude", who="officer_a", result=0)
    assert state == "concluded", state
    return new


CASE_ACTIONS: dict[str, tuple[str, dict[str, Any]]] = {
    # action path → (state the action needs, body)
    "accept": ("submitted", {"opinion": "材料齐全"}),
    "refuse": ("submitted", {"opinion": "不属于本部门职责范围"}),
    "review": ("review", {"agree": True, "opinion": "符合条件"}),
    "decide": ("decide", {"agree": True, "opinion": "同意许可"}),
    "conclude": ("conclude", {"result": 0}),
    "supplement": ("review", {"reason": "施工方案缺少签章", "materials": ["施工方案"]}),
    "resupply": ("supplementing", {"note": "已补交签章页", "materials": []}),
    "special/start": ("review", {"kind": "专家评审", "reason": "需组织专家论证"}),
    "special/end": ("suspended", {"result": "专家论证通过"}),
    "return": ("decide", {"opinion": "审查意见不完整"}),
    "slip": ("review", {}),
}


def unused_role(ctx: Ctx) -> Call:
    """A role nobody holds, made straight in the database (only a security administrator may delete it)."""
    role = Role(code=f"unused_{ctx.index}", name=f"未使用角色{ctx.index}", permissions=[], data_scope="department")
    ctx.db.add(role)
    ctx.db.commit()
    return Call("DELETE", f"/api/v1/roles/{role.id}")


def registration_edit(ctx: Ctx) -> Call:
    """A correction of a fresh case of A waiting for acceptance."""
    cid = case_in_state(ctx, "submitted")["case_id"]
    body = {"phone": "13912345678", "reason": "申请人电话登记错误"}
    return Call("PATCH", f"/api/v1/cases/{cid}/registration", json=body)


def case_action(action: str) -> Callable[[Ctx], Call]:
    state, body = CASE_ACTIONS[action]

    def build(ctx: Ctx) -> Call:
        cid = case_in_state(ctx, state)["case_id"]
        return Call("POST", f"/api/v1/cases/{cid}/{action}", json=body or None)

    return build


# ---------------------------------------------------------------- request builders of the other routes


def login(ctx: Ctx) -> Call:
    username = USERNAMES.get(ctx.role, "13800000002")  # anonymous logs in as the second citizen
    return Call("POST", "/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD})


def register_citizen(ctx: Ctx) -> Call:
    phone = f"1390000000{ctx.index}"
    sent = ctx.client.post("/api/v1/auth/register/code", json={"phone": phone})
    assert sent.status_code == 202, sent.text
    code = re.search(r"验证码为 (\d{6})", last_sent(phone[:3] + "****" + phone[-4:]))
    assert code is not None
    body = {"phone": phone, "name": "吴新用户", "password": "Tongban#2026x", "sms_code": code.group(1)}
    return Call("POST", "/api/v1/auth/register", json=body)


def register_code(ctx: Ctx) -> Call:
    return Call("POST", "/api/v1/auth/register/code", json={"phone": f"1391000000{ctx.index}"})


def new_department(ctx: Ctx) -> Call:
    return Call("POST", "/api/v1/departments", json={"code": f"NEW{ctx.index}", "name": f"新设部门{ctx.index}"})


def change_department(ctx: Ctx) -> Call:
    body = {"code": "DC", "name": "消防救援大队", "short_name": "消防", "phone": "0512-57869119"}
    return Call("PUT", f"/api/v1/departments/{ctx.world.dept_c.id}", json=body)


def change_role(ctx: Ctx) -> Call:
    role = ctx.db.query(Role).filter_by(code="service").one()
    body = {"permissions": ["case.read", "service.client"], "data_scope": "all"}
    return Call("PUT", f"/api/v1/roles/{role.id}", json=body)


def new_user(ctx: Ctx) -> Call:
    body = {
        "username": f"officer_new{ctx.index}",
        "name": "郑审批",
        "password": "Tongban#2026x",
        "roles": ["officer"],
        "department_id": ctx.world.dept_a.id,
    }
    return Call("POST", "/api/v1/users", json=body)


def change_user(ctx: Ctx) -> Call:
    return Call("PATCH", f"/api/v1/users/{ctx.world.users['officer_c'].id}", json={"name": "钱消防员"})


def new_item(ctx: Ctx) -> Call:
    data = item_in(ctx.world.dept_a, code=f"NEW-DA-{ctx.index:03d}", name=f"新事项{ctx.index}")
    return Call("POST", "/api/v1/items", json=data.model_dump(mode="json"))


def change_item(ctx: Ctx) -> Call:
    item_id = ctx.world.immediate_item.id
    guide = ctx.client.get(f"/api/v1/items/{item_id}").json()
    for key in ("id", "department_name", "case_type_label", "elements"):
        guide.pop(key)
    guide["office_hours"] = "周一至周六 9:00-17:00"
    return Call("PUT", f"/api/v1/items/{item_id}", json=guide)


def item_template(ctx: Ctx) -> Any:
    """A template of A's item (the demo's way: a generated PDF)."""
    from core.items import templates

    item = ctx.db.get(ServiceItem, ctx.world.item.id)
    made = templates.add_generated(
        ctx.db, item, item.materials[0], templates.TemplateKind.BLANK, filename="申请表.pdf", content=b"%PDF-1.4 t"
    )
    ctx.db.commit()
    return made


def upload_template(ctx: Ctx) -> Call:
    item = ctx.world.item
    files = {"file": ("申请表.pdf", b"%PDF-1.4 matrix", "application/pdf"), "kind": (None, "blank")}
    return Call("POST", f"/api/v1/items/{item.id}/materials/{item.materials[0].id}/templates", files=files)


def item_to_publish(ctx: Ctx, *, online: bool) -> ServiceItem:
    """A fresh item of A for each call (publishing and taking offline change it)."""
    from core.items import service as item_service

    data = item_in(ctx.world.dept_a, code=f"PUB-DA-{ctx.index:03d}", name=f"发布事项{ctx.index}", is_published=online)
    item = item_service.save(ctx.db, None, data)
    ctx.db.commit()
    return item


def guidance_change(ctx: Ctx) -> Call:
    body = {"acceptance_checklist": ["核对申请表盖章"], "common_mistakes": [], "refusal_grounds": []}
    return Call("PUT", f"/api/v1/items/{ctx.world.item.id}/guidance", json=body)


def upload(ctx: Ctx) -> Call:
    return Call("POST", "/api/v1/uploads", files={"file": ("申请表.pdf", b"%PDF-1.4 matrix", "application/pdf")})


def applicant_lookup(path: str) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        register(ctx.client, ctx.world)  # the applicant is known
        return Call("GET", path, params={"kind": "personal", "id_number": PERSON["id_number"]})

    return build


def submit(ctx: Ctx) -> Call:
    materials = [
        {"item_material_id": m.id, "upload_id": upload_pdf(ctx.client, ctx.world, CITIZEN, f"{m.name}.pdf")}
        for m in ctx.world.item.materials
        if m.required
    ]
    return Call(
        "POST",
        "/api/v1/cases",
        json={"service_item_id": ctx.world.item.id, "applicant": PERSON, "materials": materials},
    )


def window(ctx: Ctx) -> Call:
    body = {
        "service_item_id": ctx.world.item.id,
        "applicant": PERSON,
        "materials": [{"item_material_id": m.id, "paper": True} for m in ctx.world.item.materials],
    }
    return Call("POST", "/api/v1/cases/window", json=body)


def case_detail(ctx: Ctx) -> Call:
    return Call("GET", f"/api/v1/cases/{case_in_state(ctx, 'review')['case_id']}")


def progress(ctx: Ctx) -> Call:
    new = case_in_state(ctx, "review")
    return Call("POST", "/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]})


SEARCH = {"q": "施工许可证要什么材料"}
FAQ = {"question": "占用城市道路审批要多久", "answer": "承诺5个工作日办结。", "keywords": ["占道"], "alternatives": []}
LAW = {
    "doc_no": "国务院令第198号",
    "issuer": "国务院",
    "title": "城市道路管理条例",
    "category": "行政法规",
    "articles": [
        {"number": "第一条", "text": "为了加强城市道路管理，保障城市道路完好，充分发挥城市道路功能，制定本条例。"}
    ],
}
POLICY = {
    "doc_no": "国办发〔2019〕11号",
    "issuer": "国务院办公厅",
    "title": "关于全面开展工程建设项目审批制度改革的实施意见",
}
CONTENT = {"faq": FAQ, "law": LAW, "policy": POLICY}


def published(ctx: Ctx, kind: str) -> int:
    """A published entry of a kind, written by someone other than the caller."""
    from knowledge import workflow
    from knowledge.models import Revision

    revision = Revision(kind=kind, version=1, status="pending", title=kind, data=CONTENT[kind], author_name="编辑")
    ctx.db.add(revision)
    ctx.db.flush()
    entity = workflow.publish(ctx.db, revision)
    ctx.db.commit()
    return int(entity.id)


def knowledge_entry(kind: str, path: str, method: str = "GET") -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        if kind == "faq" and method == "POST":
            # each role archives its own fresh entry, so an allowed role's success proves nothing for the next
            return Call(method, path.format(id=published(ctx, kind)))
        entries = ctx.db.info.setdefault("published_entries", {})  # one entry shared by all roles
        if kind not in entries:
            entries[kind] = published(ctx, kind)
        return Call(method, path.format(id=entries[kind]))

    return build


def new_draft(ctx: Ctx) -> Call:
    data = {**FAQ, "question": f"{FAQ['question']}（{ctx.index}）"}
    return Call("POST", "/api/v1/knowledge/revisions", json={"kind": "faq", "data": data})


def revision_action(state: str, action: str) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        from knowledge.models import Revision

        data = {**FAQ, "question": f"{FAQ['question']}（{action}{ctx.index}）"}
        revision = Revision(kind="faq", version=1, status=state, title="t", data=data, author_name="编辑")
        ctx.db.add(revision)
        ctx.db.commit()
        body = {"comment": "请补充办理地点"} if action == "reject" else None
        return Call("POST", f"/api/v1/knowledge/revisions/{revision.id}/{action}", json=body)

    return build


def unanswered_to_faq(ctx: Ctx) -> Call:
    from knowledge.models import UnansweredQuestion

    question = UnansweredQuestion(text=f"宠物狗免疫证明在哪里开{ctx.index}", channel="web")
    ctx.db.add(question)
    ctx.db.commit()
    return Call("POST", f"/api/v1/knowledge/unanswered/{question.id}/to-faq")


def unanswered_with_faq(action: str) -> Callable[[Ctx], Call]:
    """An open unanswered question and a published FAQ: its suggestions, or adding it to the FAQ's phrasings."""

    def build(ctx: Ctx) -> Call:
        from knowledge.models import Faq, UnansweredQuestion

        faq = Faq(question=f"施工许可证要哪些材料{ctx.index}", answer="申请表、规划许可证和施工合同。", keywords=[])
        question = UnansweredQuestion(text=f"开工前那个证要交些啥{ctx.index}", channel="web")
        ctx.db.add_all([faq, question])
        ctx.db.commit()
        if action == "suggestions":
            return Call("GET", f"/api/v1/knowledge/unanswered/{question.id}/suggestions")
        return Call("POST", f"/api/v1/knowledge/unanswered/{question.id}/to-alternatives", json={"faq_id": faq.id})

    return build


def import_glossary(ctx: Ctx) -> Call:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "政务百科"
    sheet.append(["编号", "词条", "解释", "同义词"])
    sheet.append([None, f"容缺受理{ctx.index}", "主要材料齐全、次要材料欠缺时先行受理。", "容缺"])
    buffer = BytesIO()
    book.save(buffer)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Call("POST", "/api/v1/knowledge/import/glossary", files={"file": ("glossary.xlsx", buffer.getvalue(), xlsx)})


def topic(method: str, suffix: str = "") -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        create_topic(ctx.db, ctx.world)
        body = topic_body(ctx.world, title=f"排水专项（{ctx.index}）") if method == "PUT" else None
        return Call(method, f"/api/v1/topics/{TOPIC_CODE}{suffix}", json=body)

    return build


def get(path: str) -> Callable[[Ctx], Call]:
    return lambda _ctx: Call("GET", path)


# ---------------------------------------------------------------- construction filing and rules


def filing_ready(ctx: Ctx) -> None:
    """The centre's departments and the seed rule set, once per test."""
    if not ctx.db.info.get("filing_ready"):
        from core.rules import service as rules_service
        from core.rules.seed import initial_document
        from core.seed.demo import seed_departments

        seed_departments(ctx.db)
        rules_service.install(ctx.db, initial_document(), note="初始规则")
        ctx.db.commit()
        ctx.db.info["filing_ready"] = True


def citizen_project(ctx: Ctx, state: str = "draft") -> dict[str, Any]:
    """A fresh project of the citizen, taken to ``state`` (draft, derived or in_review)."""
    from tests.projects.conftest import FACTORY_ANSWERS, FACTORY_INFO

    filing_ready(ctx)
    citizen = ctx.world.auth(CITIZEN)
    body = {**FACTORY_INFO, "indicators": FACTORY_ANSWERS}
    project = ctx.client.post("/api/v1/projects", json=body, headers=citizen).json()
    if state in ("derived", "in_review"):
        assert ctx.client.post(f"/api/v1/projects/{project['id']}/derive", headers=citizen).status_code == 200
    if state == "in_review":
        assert ctx.client.post(f"/api/v1/projects/{project['id']}/review", headers=citizen).status_code == 200
    return dict(project)


def on_project(method: str, suffix: str, state: str = "draft", body: Any = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        return Call(method, f"/api/v1/projects/{citizen_project(ctx, state)['id']}{suffix}", json=body)

    return build


def new_project(ctx: Ctx) -> Call:
    from tests.projects.conftest import FACTORY_INFO

    filing_ready(ctx)
    return Call("POST", "/api/v1/projects", json=FACTORY_INFO)


def on_review(suffix: str, body: Any = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        project = citizen_project(ctx, "in_review")
        flow = ctx.client.get(f"/api/v1/projects/{project['id']}/flow", headers=ctx.world.auth(CITIZEN)).json()
        review = flow["reviews"][0]
        if suffix == "/adjustments":
            items = [i for s in flow["flow"]["stages"] for i in s["items"] if i["name"] in review["items"]]
            payload = {
                "action": "correct",
                "approval_code": items[0]["code"],
                "time_limit_days": 2,
                "opinion": "可提前办结",
            }
            return Call("POST", f"/api/v1/project-reviews/{review['id']}/adjustments", json=payload)
        return Call("POST" if suffix else "GET", f"/api/v1/project-reviews/{review['id']}{suffix}", json=body)

    return build


def on_letter(suffix: str) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        project = citizen_project(ctx, "derived")
        letters = ctx.client.get(f"/api/v1/projects/{project['id']}/letters", headers=ctx.world.auth(CITIZEN)).json()
        return Call("GET", f"/api/v1/letters/{letters[0]['verification_code']}{suffix}")

    return build


def rules_ready(ctx: Ctx, *, draft: bool = True) -> None:
    """Rules in force, and a draft to act on when asked."""
    filing_ready(ctx)
    from core.org.models import User
    from core.rules import service as rules_service

    if draft:
        admin = ctx.db.get(User, ctx.world.users[ADMIN].id)
        rules_service.start_draft(ctx.db, admin)
        ctx.db.commit()


RULE = {
    "code": "matrix_rule",
    "name": "试验规则",
    "condition": "total_investment >= 100000000",
    "add_approvals": [],
    "reason": "总投资 {total_investment}，达到重大项目标准",
}


def on_rules(method: str, path: str, *, draft: bool = True, body: Any = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        rules_ready(ctx, draft=draft)
        return Call(method, path, json=body)

    return build


def rollback_call(ctx: Ctx) -> Call:
    from core.org.models import User
    from core.projects import rules_impact
    from core.rules import service as rules_service

    rules_ready(ctx)
    admin = ctx.db.get(User, ctx.world.users[ADMIN].id)
    current, _ = rules_service.require_published(ctx.db)
    rules_impact.publish(ctx.db, admin, note=f"矩阵测试发布{ctx.index}")
    ctx.db.commit()
    return Call("POST", f"/api/v1/rules/versions/{current.version}/rollback")


PROJECT_FILERS = frozenset({CITIZEN})
PROJECT_VIEWERS = frozenset({CITIZEN, LEADER, ADMIN})
PROJECT_EDITORS = frozenset({CITIZEN, ADMIN})


# ---------------------------------------------------------------- ratings and channel users


def rating_call(ctx: Ctx) -> Call:
    new = case_in_state(ctx, "concluded")
    return Call(
        "POST", "/api/v1/ratings", json={"case_no": new["case_no"], "query_code": new["query_code"], "level": 4}
    )


def follow_up_call(ctx: Ctx) -> Call:
    new = case_in_state(ctx, "concluded")
    body = {"case_no": new["case_no"], "query_code": new["query_code"], "level": 1, "comment": "等待时间太长"}
    rated = ctx.client.post("/api/v1/ratings", json=body)
    assert rated.status_code == 201, rated.text
    pending = ctx.client.get("/api/v1/ratings/follow-ups", headers=ctx.world.auth(ADMIN)).json()
    return Call("POST", f"/api/v1/ratings/{pending[0]['id']}/follow-up", json={"answer": "已电话回访并致歉"})


def binding_call(ctx: Ctx) -> Call:
    new = case_in_state(ctx, "submitted")
    return Call("POST", "/api/v1/my/bindings", json={"case_no": new["case_no"], "query_code": new["query_code"]})


STAFF_HANDLERS = frozenset({CLERK_A, CLERK_B, LEADER, ADMIN})


# ---------------------------------------------------------------- notifications (delivery list, inbox, settings)


def failed_notification(ctx: Ctx) -> Call:
    row = stored_notification(
        ctx.db, user_id=ctx.world.users["clerk_a"].id, channel=Channel.WECOM, status=Status.FAILED, address="zhang"
    )
    return Call("POST", f"/api/v1/notifications/{row.id}/retry")


def own_inbox_message(ctx: Ctx) -> Call:
    owner = ctx.world.users.get(ctx.role, ctx.world.users["admin"])  # the caller's own message
    row = stored_notification(ctx.db, user_id=owner.id)
    return Call("POST", f"/api/v1/me/inbox/{row.id}/read")


# ---------------------------------------------------------------- supervision (审管衔接)

SUPERVISION_READERS = frozenset({LEADER, ADMIN})  # supervision.handle / supervision.manage / all-scope stats.read
PUSH_VIEWERS = frozenset({CLERK_A, LEADER, ADMIN})  # the approving department (A) and all-scope readers


def supervision_ready(ctx: Ctx) -> int:
    """The main item's results pushed to department C, configured once per test; the configuration's id."""
    if "supervision_config" not in ctx.db.info:
        body = {"service_item_id": ctx.world.item.id, "department_ids": [ctx.world.dept_c.id], "fields": ["licence_no"]}
        created = ctx.client.post("/api/v1/supervision/configs", json=body, headers=ctx.world.auth(ADMIN))
        assert created.status_code == 201, created.text
        ctx.db.info["supervision_config"] = created.json()["id"]
    return int(ctx.db.info["supervision_config"])


def fresh_push(ctx: Ctx, *, claimed: bool = False) -> int:
    """A new push of a concluded case of A to C (claimed by the admin when asked); its id."""
    supervision_ready(ctx)
    case_no = case_in_state(ctx, "concluded")["case_no"]
    found = ctx.client.get("/api/v1/supervision/pushes", params={"page_size": 200}, headers=ctx.world.auth(ADMIN))
    push_id = next(p["id"] for p in found.json()["items"] if p["case_no"] == case_no)
    if claimed:
        done = ctx.client.post(f"/api/v1/supervision/pushes/{push_id}/claim", headers=ctx.world.auth(ADMIN))
        assert done.status_code == 200, done.text
    return int(push_id)


def shared_push(ctx: Ctx) -> int:
    """One push shared by all roles of a test."""
    if "supervision_push" not in ctx.db.info:
        ctx.db.info["supervision_push"] = fresh_push(ctx)
    return int(ctx.db.info["supervision_push"])


def on_config(method: str, body: bool = False) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        config_id = supervision_ready(ctx)
        payload = {"service_item_id": ctx.world.item.id, "department_ids": [ctx.world.dept_b.id], "fields": ["holder"]}
        return Call(method, f"/api/v1/supervision/configs/{config_id}", json=payload if body else None)

    return build


def new_config(ctx: Ctx) -> Call:
    body = {"service_item_id": ctx.world.item.id, "department_ids": [ctx.world.dept_c.id], "fields": ["licence_no"]}
    return Call("POST", "/api/v1/supervision/configs", json=body)


def on_push(action: str) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        if action == "claim":
            return Call("POST", f"/api/v1/supervision/pushes/{fresh_push(ctx)}/claim")
        body = {"inspected": False, "problems_found": False, "measures": "纳入“双随机、一公开”抽查计划"}
        return Call("POST", f"/api/v1/supervision/pushes/{fresh_push(ctx, claimed=True)}/feedback", json=body)

    return build


def item_list_workbook(ctx: Ctx) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["事项编码", "事项名称", "实施部门", "承诺时限", "法定时限", "收费"])
    item = ctx.world.item
    sheet.append([item.code, item.name, "城市管理局", 3, 20, "不收费"])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def new_comparison(ctx: Ctx) -> Call:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    files = {"file": ("事项清单.xlsx", item_list_workbook(ctx), xlsx)}
    return Call("POST", "/api/v1/supervision/comparisons", files=files)


def stored_comparison(ctx: Ctx) -> Call:
    if "supervision_comparison" not in ctx.db.info:
        call = new_comparison(ctx)
        made = ctx.client.post(call.path, files=call.files, headers=ctx.world.auth(ADMIN))
        assert made.status_code == 201, made.text
        ctx.db.info["supervision_comparison"] = made.json()["id"]
    return Call("GET", f"/api/v1/supervision/comparisons/{ctx.db.info['supervision_comparison']}")


# ---------------------------------------------------------------- early warnings (项目预警)

WARNING_READERS = frozenset({LEADER, ADMIN})  # warning.handle / warning.manage / stats.read / major_project.read


def stored_warning(ctx: Ctx, state: str) -> int:
    """A red warning of department A in ``state`` (open, signed, handled), made straight in the database."""
    from datetime import date, datetime

    from core.early_warnings.models import EarlyWarning

    warning = EarlyWarning(
        subject_kind="node",
        subject_id=ctx.index + 1,
        level="red",
        state=state,
        department_id=ctx.world.dept_a.id,
        title="某项目·施工许可：已逾期",
        due_on=date(2026, 10, 9),
        raised_at=datetime(2026, 10, 12, 0, 15),
        signed_at=datetime(2026, 10, 12, 9) if state != "open" else None,
        signed_by_name="李审批" if state != "open" else "",
    )
    ctx.db.add(warning)
    ctx.db.commit()
    return warning.id


def handled_warning(ctx: Ctx) -> int:
    """A warning signed and handled, waiting to be closed."""
    from datetime import date, datetime

    from core.early_warnings.models import EarlyWarning

    warning = ctx.db.get(EarlyWarning, stored_warning(ctx, "handled"))
    warning.handling_reason, warning.handling_plan, warning.promised_on = "材料需补正", "补正后办结", date(2099, 12, 31)
    warning.handled_at = datetime(2026, 10, 12, 10)
    ctx.db.commit()
    return int(warning.id)


def shared_warning(ctx: Ctx) -> int:
    if "warning" not in ctx.db.info:
        ctx.db.info["warning"] = stored_warning(ctx, "open")
    return int(ctx.db.info["warning"])


def on_warning(step: str, state: str, body: Any = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        return Call("POST", f"/api/v1/warnings/{stored_warning(ctx, state)}/{step}", json=body)

    return build


# ---------------------------------------------------------------- major projects (重大项目跟踪)

MAJOR_READERS = frozenset({LEADER, ADMIN})  # major_project.read (leaders: all scope) / .manage; clerks hold neither
MY_PROJECTS = frozenset({CITIZEN, ADMIN})  # project.file (own projects) / service.client (for a channel user)
CASE_LINKERS = frozenset({CITIZEN, CLERK_A, CLERK_B, ADMIN})  # may register or apply: the project choices


def major_project(ctx: Ctx) -> int:
    """One project of A, made by the admin, with a node, a milestone and a meeting, shared by all roles."""
    if "major_project" not in ctx.db.info:
        admin = ctx.world.auth(ADMIN)
        body = {"name": "矩阵测试重大项目", "category": "industry", "lead_department_id": ctx.world.dept_a.id}
        made = ctx.client.post("/api/v1/major-projects", json=body, headers=admin)
        assert made.status_code == 201, made.text
        pid = made.json()["id"]
        node = {"name": "占道审批", "department_id": ctx.world.dept_a.id, "service_item_id": ctx.world.item.id}
        ctx.db.info["major_node"] = post_json(ctx, f"/api/v1/major-projects/{pid}/nodes", node)["id"]
        milestone = {"kind": "land", "planned_finish": "2030-01-31"}
        ctx.db.info["major_milestone"] = post_json(ctx, f"/api/v1/major-projects/{pid}/milestones", milestone)["id"]
        ctx.db.info["major_project"] = pid
    return int(ctx.db.info["major_project"])


def post_json(ctx: Ctx, path: str, body: dict[str, Any]) -> dict[str, Any]:
    made = ctx.client.post(path, json=body, headers=ctx.world.auth(ADMIN))
    assert made.status_code in (200, 201), made.text
    return dict(made.json())


def on_major(method: str, suffix: str = "", body: Any = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        pid = major_project(ctx)
        path = suffix.format(node=ctx.db.info["major_node"], milestone=ctx.db.info["major_milestone"])
        return Call(method, f"/api/v1/major-projects/{pid}{path}", json=body)

    return build


def warning_setting(ctx: Ctx, kind: str) -> int:
    """A setting of department C for ``kind``, made afresh."""
    from core.warning_settings.models import WarningSetting

    ctx.db.query(WarningSetting).filter_by(subject_kind=kind, department_id=ctx.world.dept_c.id).delete()
    ctx.db.commit()
    setting = WarningSetting(
        subject_kind=kind, department_id=ctx.world.dept_c.id, yellow_days=2, escalate_days=3, is_enabled=True
    )
    ctx.db.add(setting)
    ctx.db.commit()
    return setting.id


def new_warning_setting(ctx: Ctx) -> Call:
    from core.warning_settings.models import WarningSetting

    ctx.db.query(WarningSetting).filter_by(subject_kind="milestone", department_id=ctx.world.dept_c.id).delete()
    ctx.db.commit()
    body = {"subject_kind": "milestone", "department_id": ctx.world.dept_c.id, "yellow_days": 5, "escalate_days": 5}
    return Call("POST", "/api/v1/warnings/settings", json=body)


def change_warning_setting(ctx: Ctx) -> Call:
    body = {"subject_kind": "node", "department_id": ctx.world.dept_c.id, "yellow_days": 4, "escalate_days": 2}
    return Call("PUT", f"/api/v1/warnings/settings/{warning_setting(ctx, 'node')}", json=body)


def remove_warning_setting(ctx: Ctx) -> Call:
    return Call("DELETE", f"/api/v1/warnings/settings/{warning_setting(ctx, 'issue')}")


# ---------------------------------------------------------------- progress assessment (进度考核)

ASSESSMENT_READERS = frozenset({LEADER, ADMIN})  # assessment.read over all departments / assessment.manage
APPEALING_DEPARTMENTS: frozenset[str] = frozenset()
"""An appeal comes from staff of the assessed department holding assessment.read (an officer); none of this matrix's
roles is one — the clerks lack the permission, the leader and the admin have no department of their own.
tests/assessment/test_appeals_and_scope.py has the officers appeal."""
ASSESSMENT_WEIGHTS = [{"code": "case_on_time_rate", "weight": 60}, {"code": "overdue_count", "weight": 40}]


def months_ago(count: int) -> str:
    """A past month as 2026-11, ``count`` months before this one."""
    from core.clock import today

    index = today().year * 12 + today().month - 1 - count
    return f"{index // 12}-{index % 12 + 1:02d}"


def assessment_scheme(ctx: Ctx) -> int:
    """A monthly scheme, saved once per test; its id."""
    if "assessment_scheme" not in ctx.db.info:
        body = {"name": "部门进度考核（月度）", "period_kind": "month", "indicators": ASSESSMENT_WEIGHTS}
        made = ctx.client.post("/api/v1/assessment/schemes", json=body, headers=ctx.world.auth(ADMIN))
        assert made.status_code == 201, made.text
        ctx.db.info["assessment_scheme"] = made.json()["id"]
    return int(ctx.db.info["assessment_scheme"])


def assessment_draft(ctx: Ctx, months: int) -> int:
    """The admin computes the month ``months`` ago as a draft; its id."""
    body = {"scheme_id": assessment_scheme(ctx), "period": months_ago(months)}
    made = ctx.client.post("/api/v1/assessment/assessments", json=body, headers=ctx.world.auth(ADMIN))
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def published_assessment(ctx: Ctx) -> int:
    """Last month's assessment, published once per test; its id."""
    if "assessment_published" not in ctx.db.info:
        draft = assessment_draft(ctx, 1)
        done = ctx.client.post(f"/api/v1/assessment/assessments/{draft}/publish", headers=ctx.world.auth(ADMIN))
        assert done.status_code == 200, done.text
        ctx.db.info["assessment_published"] = draft
    return int(ctx.db.info["assessment_published"])


def on_published(suffix: str, params: dict[str, Any] | None = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        path = suffix.format(dept=ctx.world.dept_a.id)
        return Call("GET", f"/api/v1/assessment/assessments/{published_assessment(ctx)}{path}", params=params)

    return build


def fresh_issue(ctx: Ctx) -> int:
    """A problem of the shared project asking B, raised by the admin (each role gets its own)."""
    pid = major_project(ctx)
    body = {"title": f"矩阵问题{ctx.index}", "department_ids": [ctx.world.dept_b.id], "due_on": "2030-01-31"}
    return int(post_json(ctx, f"/api/v1/major-projects/{pid}/issues", body)["id"])


def on_issue(suffix: str, body: dict[str, Any]) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        issue_id = fresh_issue(ctx)
        return Call("POST", f"/api/v1/major-projects/{major_project(ctx)}/issues/{issue_id}{suffix}", json=body)

    return build


def on_draft(action: str, body: Callable[[Ctx], Any] | None = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        draft = assessment_draft(ctx, 2 + ctx.index)  # a month of its own for every role
        return Call("POST", f"/api/v1/assessment/assessments/{draft}/{action}", json=body(ctx) if body else None)

    return build


def meeting_body() -> dict[str, Any]:
    from core.clock import today

    return {"held_on": today().isoformat(), "topic": "推进会", "decisions": [{"content": "补齐材料"}]}


def on_decision(ctx: Ctx) -> Call:
    pid = major_project(ctx)
    decision = post_json(ctx, f"/api/v1/major-projects/{pid}/meetings", meeting_body())["decisions"][0]
    from core.clock import today

    return Call("PATCH", f"/api/v1/major-projects/{pid}/decisions/{decision['id']}", json={"done_on": str(today())})


def major_choices(ctx: Ctx) -> Call:
    return Call("GET", "/api/v1/major-projects/choices", params={"service_item_id": ctx.world.item.id})


def assessment_scheme_body(ctx: Ctx) -> dict[str, Any]:
    return {"name": f"考核方案{ctx.index}", "period_kind": "quarter", "indicators": ASSESSMENT_WEIGHTS}


def new_assessment(ctx: Ctx) -> Call:
    body = {"scheme_id": assessment_scheme(ctx), "period": months_ago(10 + ctx.index)}
    return Call("POST", "/api/v1/assessment/assessments", json=body)


def pending_appeal(ctx: Ctx) -> Call:
    """An appeal of department A's officer waiting for an answer (a fresh one once the admin answered)."""
    assessment_id = published_assessment(ctx)
    officer = ctx.world.auth("officer_a")
    waiting = ctx.client.get("/api/v1/assessment/appeals", params={"status": "pending"}, headers=officer).json()
    if not waiting:
        body = {"indicator": "", "reason": "本部门上月有两件办件因系统故障未能按时办结"}
        filed = ctx.client.post(f"/api/v1/assessment/assessments/{assessment_id}/appeals", json=body, headers=officer)
        assert filed.status_code == 201, filed.text
        waiting = [filed.json()]
    body = {"accepted": False, "answer": "经核实，系统运行记录正常"}
    return Call("POST", f"/api/v1/assessment/appeals/{waiting[0]['id']}/answer", json=body)


BOARD_READERS = frozenset({LEADER, ADMIN})
"""stats.read: the leader and the admin (all departments); a department's 审批人员 reads their own (tests/figures)."""


# ---------------------------------------------------------------- service guidance (帮办代办)

GUIDANCE_MANAGERS = ADMIN_ONLY  # guidance.manage (and guidance.serve): the administrator; no 帮办员 among the roles
BOOKING_READERS = frozenset({CITIZEN, ADMIN})  # the booker of the booking, and the managers


def guidance_helper(ctx: Ctx, key: str = "helper") -> Any:
    """A user holding the 帮办员 role, with a token; the user."""
    from core.org import service as org_service

    if key not in ctx.world.users:
        user = org_service.create_user(
            db=ctx.db, username=key, name="何帮办", password=DEMO_PASSWORD, role_codes=["helper"]
        )
        ctx.world.users[key] = user
        ctx.world.tokens[key] = org_service.issue_token(db=ctx.db, user=user, name="test")
        ctx.db.commit()
    return ctx.world.users[key]


def guidance_roster(ctx: Ctx) -> int:
    """One 帮办员 on the roster covering every department, once per test; their roster id."""
    if "guidance_staff" not in ctx.db.info:
        body = {"user_id": guidance_helper(ctx).id, "capacity": 20}
        made = ctx.client.post("/api/v1/guidance/staff", json=body, headers=ctx.world.auth(ADMIN))
        assert made.status_code == 201, made.text
        ctx.db.info["guidance_staff"] = made.json()["id"]
    return int(ctx.db.info["guidance_staff"])


def guidance_day() -> str:
    from core.calendar.service import add_working_days
    from core.clock import today

    return add_working_days(today(), 1).isoformat()


def guidance_body(ctx: Ctx, period: str = "am") -> dict[str, Any]:
    guidance_roster(ctx)
    return {"service_item_id": ctx.world.item.id, "mode": "window", "day": guidance_day(), "period": period}


def guidance_booking(ctx: Ctx) -> int:
    """A fresh booking of the citizen's for the next working day; its id."""
    body = guidance_body(ctx, "am" if ctx.index % 2 == 0 else "pm")
    made = ctx.client.post("/api/v1/guidance/bookings", json=body, headers=ctx.world.auth(CITIZEN))
    if made.status_code == 409:  # the citizen already holds that half-day: cancel it and book again
        for old in ctx.client.get("/api/v1/guidance/bookings/mine", headers=ctx.world.auth(CITIZEN)).json():
            ctx.client.post(f"/api/v1/guidance/bookings/{old['id']}/cancel", json={}, headers=ctx.world.auth(CITIZEN))
        made = ctx.client.post("/api/v1/guidance/bookings", json=body, headers=ctx.world.auth(CITIZEN))
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def on_booking(suffix: str, body: dict[str, Any] | None = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        booking = guidance_booking(ctx)
        payload = dict(body or {})
        if suffix == "/reassign":
            payload = {"staff_id": guidance_roster(ctx)}
        return Call(
            "GET" if not suffix else "POST", f"/api/v1/guidance/bookings/{booking}{suffix}", json=payload or None
        )

    return build


def new_guidance_staff(ctx: Ctx) -> Call:
    return Call("POST", "/api/v1/guidance/staff", json={"user_id": guidance_helper(ctx, f"helper{ctx.index}").id})


def change_guidance_staff(ctx: Ctx) -> Call:
    staff = guidance_roster(ctx)
    body = {"user_id": guidance_helper(ctx).id, "capacity": 20, "note": f"第{ctx.index}次修改"}
    return Call("PUT", f"/api/v1/guidance/staff/{staff}", json=body)


MATRIX: dict[tuple[str, str], tuple[frozenset[str], Callable[[Ctx], Call]]] = {
    ("POST", "/api/v1/auth/token"): (PUBLIC, login),
    ("POST", "/api/v1/auth/register"): (PUBLIC, register_citizen),
    ("POST", "/api/v1/auth/register/code"): (PUBLIC, register_code),
    ("GET", "/api/v1/me"): (LOGGED_IN, get("/api/v1/me")),
    ("PATCH", "/api/v1/me"): (LOGGED_IN, lambda _ctx: Call("PATCH", "/api/v1/me", json={"name": "新名字"})),
    ("POST", "/api/v1/me/password"): (
        LOGGED_IN,
        lambda _ctx: Call(
            "POST", "/api/v1/me/password", json={"current_password": DEMO_PASSWORD, "new_password": "Matrix#Pass2026"}
        ),
    ),
    ("GET", "/api/v1/departments"): (PUBLIC, get("/api/v1/departments")),
    ("POST", "/api/v1/departments"): (ADMIN_ONLY, new_department),
    ("PUT", "/api/v1/departments/{department_id}"): (ADMIN_ONLY, change_department),
    ("GET", "/api/v1/roles"): (ADMIN_ONLY, get("/api/v1/roles")),
    ("PUT", "/api/v1/roles/{role_id}"): (NO_ONE_HERE, change_role),
    ("POST", "/api/v1/roles"): (
        NO_ONE_HERE,
        lambda ctx: Call("POST", "/api/v1/roles", json={"code": f"matrix_{ctx.index}", "name": f"矩阵角色{ctx.index}"}),
    ),
    ("DELETE", "/api/v1/roles/{role_id}"): (NO_ONE_HERE, unused_role),
    ("GET", "/api/v1/users"): (ADMIN_ONLY, get("/api/v1/users")),
    ("POST", "/api/v1/users"): (ADMIN_ONLY, new_user),
    ("PATCH", "/api/v1/users/{user_id}"): (ADMIN_ONLY, change_user),
    ("POST", "/api/v1/users/{user_id}/unlock"): (
        ADMIN_ONLY,
        lambda ctx: Call("POST", f"/api/v1/users/{ctx.world.users['officer_c'].id}/unlock"),
    ),
    ("GET", "/api/v1/items"): (PUBLIC, get("/api/v1/items")),
    ("GET", "/api/v1/items/{item_id}"): (PUBLIC, lambda ctx: Call("GET", f"/api/v1/items/{ctx.world.item.id}")),
    ("POST", "/api/v1/items"): (ADMIN_ONLY, new_item),
    ("PUT", "/api/v1/items/{item_id}"): (ADMIN_ONLY, change_item),
    ("GET", "/api/v1/items/{item_id}/templates"): (
        PUBLIC,
        lambda ctx: Call("GET", f"/api/v1/items/{ctx.world.item.id}/templates"),
    ),
    ("GET", "/api/v1/items/{item_id}/templates/history"): (
        ADMIN_ONLY,
        lambda ctx: Call("GET", f"/api/v1/items/{ctx.world.item.id}/templates/history"),
    ),
    ("POST", "/api/v1/items/{item_id}/materials/{material_id}/templates"): (ADMIN_ONLY, upload_template),
    ("GET", "/api/v1/items/{item_id}/templates/{template_id}/file"): (
        PUBLIC,  # the current version of a published item's template; older versions: tests/test_acceptance_management
        lambda ctx: Call("GET", f"/api/v1/items/{ctx.world.item.id}/templates/{item_template(ctx).id}/file"),
    ),
    ("GET", "/api/v1/items/{item_id}/guidance"): (
        HANDLERS_OF_A,
        lambda ctx: Call("GET", f"/api/v1/items/{ctx.world.item.id}/guidance"),
    ),
    ("PUT", "/api/v1/items/{item_id}/guidance"): (ADMIN_ONLY, guidance_change),
    ("GET", "/api/v1/items/{item_id}/versions"): (
        ADMIN_ONLY,
        lambda ctx: Call("GET", f"/api/v1/items/{ctx.world.item.id}/versions"),
    ),
    ("POST", "/api/v1/items/{item_id}/publish"): (
        ADMIN_ONLY,
        lambda ctx: Call("POST", f"/api/v1/items/{item_to_publish(ctx, online=False).id}/publish", json={}),
    ),
    ("POST", "/api/v1/items/{item_id}/unpublish"): (
        ADMIN_ONLY,
        lambda ctx: Call("POST", f"/api/v1/items/{item_to_publish(ctx, online=True).id}/unpublish"),
    ),
    ("POST", "/api/v1/uploads"): (LOGGED_IN, upload),
    ("GET", "/api/v1/applicants/prefill"): (APPLICANT_LOOKUP, applicant_lookup("/api/v1/applicants/prefill")),
    ("GET", "/api/v1/applicants/reusable"): (APPLICANT_LOOKUP, applicant_lookup("/api/v1/applicants/reusable")),
    ("POST", "/api/v1/cases"): (CITIZENS, submit),
    ("POST", "/api/v1/cases/window"): (REGISTRARS_OF_A, window),
    ("GET", "/api/v1/cases"): (LOGGED_IN, get("/api/v1/cases")),
    ("GET", "/api/v1/cases/{case_id}"): (HANDLERS_OF_A, case_detail),
    ("POST", "/api/v1/cases/{case_id}/accept"): (HANDLERS_OF_A, case_action("accept")),
    ("POST", "/api/v1/cases/{case_id}/refuse"): (HANDLERS_OF_A, case_action("refuse")),
    ("PATCH", "/api/v1/cases/{case_id}/registration"): (HANDLERS_OF_A, registration_edit),
    ("POST", "/api/v1/cases/{case_id}/review"): (HANDLERS_OF_A, case_action("review")),
    ("POST", "/api/v1/cases/{case_id}/decide"): (DECIDERS_OF_A, case_action("decide")),
    ("POST", "/api/v1/cases/{case_id}/conclude"): (DECIDERS_OF_A, case_action("conclude")),
    ("POST", "/api/v1/cases/{case_id}/supplement"): (HANDLERS_OF_A, case_action("supplement")),
    ("POST", "/api/v1/cases/{case_id}/resupply"): (HANDLERS_OF_A, case_action("resupply")),
    ("POST", "/api/v1/cases/{case_id}/special/start"): (HANDLERS_OF_A, case_action("special/start")),
    ("POST", "/api/v1/cases/{case_id}/special/end"): (HANDLERS_OF_A, case_action("special/end")),
    ("POST", "/api/v1/cases/{case_id}/return"): (DECIDERS_OF_A, case_action("return")),
    ("POST", "/api/v1/cases/{case_id}/slip"): (REGISTRARS_OF_A, case_action("slip")),
    ("POST", "/api/v1/progress"): (PUBLIC, progress),
    ("GET", "/api/v1/publicity"): (PUBLIC, get("/api/v1/publicity")),
    ("GET", "/api/v1/statistics"): (PUBLIC, get("/api/v1/statistics")),
    ("GET", "/api/v1/statistics.xlsx"): (PUBLIC, get("/api/v1/statistics.xlsx")),
    ("GET", "/api/v1/audit"): (NO_ONE_HERE, get("/api/v1/audit")),
    ("GET", "/api/v1/knowledge/search"): (PUBLIC, lambda ctx: Call("GET", "/api/v1/knowledge/search", params=SEARCH)),
    ("GET", "/api/v1/knowledge/centre"): (PUBLIC, get("/api/v1/knowledge/centre")),
    ("GET", "/api/v1/knowledge/faqs"): (PUBLIC, get("/api/v1/knowledge/faqs")),
    ("GET", "/api/v1/knowledge/faqs/{faq_id}"): (PUBLIC, knowledge_entry("faq", "/api/v1/knowledge/faqs/{id}")),
    ("GET", "/api/v1/knowledge/laws"): (PUBLIC, get("/api/v1/knowledge/laws")),
    ("GET", "/api/v1/knowledge/laws/{law_id}"): (PUBLIC, knowledge_entry("law", "/api/v1/knowledge/laws/{id}")),
    ("GET", "/api/v1/knowledge/laws/{law_id}/articles/{number}"): (
        PUBLIC,
        knowledge_entry("law", "/api/v1/knowledge/laws/{id}/articles/第一条"),
    ),
    ("GET", "/api/v1/knowledge/policies"): (PUBLIC, get("/api/v1/knowledge/policies")),
    ("GET", "/api/v1/knowledge/policies/{policy_id}"): (
        PUBLIC,
        knowledge_entry("policy", "/api/v1/knowledge/policies/{id}"),
    ),
    ("GET", "/api/v1/knowledge/glossary"): (PUBLIC, get("/api/v1/knowledge/glossary")),
    ("GET", "/api/v1/knowledge/bundles"): (PUBLIC, get("/api/v1/knowledge/bundles")),
    ("GET", "/api/v1/knowledge/links"): (PUBLIC, get("/api/v1/knowledge/links")),
    ("POST", "/api/v1/knowledge/revisions"): (ADMIN_ONLY, new_draft),
    ("GET", "/api/v1/knowledge/revisions"): (ADMIN_ONLY, get("/api/v1/knowledge/revisions")),
    ("POST", "/api/v1/knowledge/revisions/{revision_id}/submit"): (ADMIN_ONLY, revision_action("draft", "submit")),
    ("POST", "/api/v1/knowledge/revisions/{revision_id}/approve"): (ADMIN_ONLY, revision_action("pending", "approve")),
    ("POST", "/api/v1/knowledge/revisions/{revision_id}/reject"): (ADMIN_ONLY, revision_action("pending", "reject")),
    ("POST", "/api/v1/knowledge/{kind}/{entity_id}/archive"): (
        ADMIN_ONLY,
        knowledge_entry("faq", "/api/v1/knowledge/faq/{id}/archive", method="POST"),
    ),
    ("GET", "/api/v1/knowledge/unanswered"): (ADMIN_ONLY, get("/api/v1/knowledge/unanswered")),
    ("GET", "/api/v1/knowledge/unanswered/groups"): (ADMIN_ONLY, get("/api/v1/knowledge/unanswered/groups")),
    ("POST", "/api/v1/knowledge/unanswered/{question_id}/to-faq"): (ADMIN_ONLY, unanswered_to_faq),
    ("GET", "/api/v1/knowledge/unanswered/{question_id}/suggestions"): (
        ADMIN_ONLY,
        unanswered_with_faq("suggestions"),
    ),
    ("POST", "/api/v1/knowledge/unanswered/{question_id}/to-alternatives"): (
        ADMIN_ONLY,
        unanswered_with_faq("to-alternatives"),
    ),
    ("GET", "/api/v1/knowledge/export/{kind}"): (ADMIN_ONLY, get("/api/v1/knowledge/export/glossary")),
    ("POST", "/api/v1/knowledge/import/{kind}"): (ADMIN_ONLY, import_glossary),
    ("GET", "/api/v1/topics"): (PUBLIC, get("/api/v1/topics")),
    ("GET", "/api/v1/topics/{code}"): (PUBLIC, topic("GET")),
    ("GET", "/api/v1/topics/{code}/flowchart.svg"): (PUBLIC, topic("GET", "/flowchart.svg")),
    ("PUT", "/api/v1/topics/{code}"): (ADMIN_ONLY, topic("PUT")),
    ("GET", "/api/v1/projects/questions"): (PUBLIC, get("/api/v1/projects/questions")),
    ("POST", "/api/v1/projects"): (PROJECT_FILERS, new_project),
    ("GET", "/api/v1/projects"): (PROJECT_VIEWERS, get("/api/v1/projects")),
    ("GET", "/api/v1/projects/{project_id}"): (PROJECT_VIEWERS, on_project("GET", "")),
    ("PATCH", "/api/v1/projects/{project_id}"): (
        PROJECT_EDITORS,
        on_project("PATCH", "", body={"location": "创业路20号"}),
    ),
    ("GET", "/api/v1/projects/{project_id}/questions"): (PROJECT_VIEWERS, on_project("GET", "/questions")),
    ("POST", "/api/v1/projects/{project_id}/derive"): (PROJECT_EDITORS, on_project("POST", "/derive")),
    ("GET", "/api/v1/projects/{project_id}/flow"): (PROJECT_VIEWERS, on_project("GET", "/flow", "derived")),
    ("POST", "/api/v1/projects/{project_id}/review"): (PROJECT_EDITORS, on_project("POST", "/review", "derived")),
    ("POST", "/api/v1/projects/{project_id}/letter"): (PROJECT_EDITORS, on_project("POST", "/letter", "derived")),
    ("GET", "/api/v1/projects/{project_id}/letters"): (PROJECT_VIEWERS, on_project("GET", "/letters", "derived")),
    ("GET", "/api/v1/project-reviews"): (ADMIN_ONLY, get("/api/v1/project-reviews")),
    ("GET", "/api/v1/project-reviews/{review_id}"): (ADMIN_ONLY, on_review("")),
    ("POST", "/api/v1/project-reviews/{review_id}/adjustments"): (ADMIN_ONLY, on_review("/adjustments")),
    ("POST", "/api/v1/project-reviews/{review_id}/confirm"): (ADMIN_ONLY, on_review("/confirm", {"opinion": "同意"})),
    ("GET", "/api/v1/letters/{code}"): (PUBLIC, on_letter("")),
    ("GET", "/api/v1/letters/{code}/pdf"): (PUBLIC, on_letter("/pdf")),
    ("GET", "/api/v1/rules/versions"): (ADMIN_ONLY, on_rules("GET", "/api/v1/rules/versions", draft=False)),
    ("GET", "/api/v1/rules/versions/{version}"): (ADMIN_ONLY, on_rules("GET", "/api/v1/rules/versions/1", draft=False)),
    ("POST", "/api/v1/rules/draft"): (ADMIN_ONLY, on_rules("POST", "/api/v1/rules/draft", draft=False)),
    ("PUT", "/api/v1/rules/draft/rules/{code}"): (
        ADMIN_ONLY,
        on_rules("PUT", "/api/v1/rules/draft/rules/matrix_rule", body=RULE),
    ),
    ("DELETE", "/api/v1/rules/draft/rules/{code}"): (
        ADMIN_ONLY,
        on_rules("DELETE", "/api/v1/rules/draft/rules/energy_by_coal"),
    ),
    ("POST", "/api/v1/rules/draft/dry-run"): (ADMIN_ONLY, on_rules("POST", "/api/v1/rules/draft/dry-run")),
    ("POST", "/api/v1/rules/draft/publish"): (
        ADMIN_ONLY,
        on_rules("POST", "/api/v1/rules/draft/publish", body={"note": "矩阵测试"}),
    ),
    ("DELETE", "/api/v1/rules/draft"): (ADMIN_ONLY, on_rules("DELETE", "/api/v1/rules/draft")),
    ("POST", "/api/v1/rules/versions/{version}/rollback"): (ADMIN_ONLY, rollback_call),
    ("POST", "/api/v1/ratings"): (PUBLIC, rating_call),
    ("GET", "/api/v1/ratings/follow-ups"): (STAFF_HANDLERS, get("/api/v1/ratings/follow-ups")),
    ("POST", "/api/v1/ratings/{evaluation_id}/follow-up"): (HANDLERS_OF_A, follow_up_call),
    ("GET", "/api/v1/my/cases"): (ADMIN_ONLY, get("/api/v1/my/cases")),
    ("POST", "/api/v1/my/bindings"): (ADMIN_ONLY, binding_call),
    ("POST", "/api/v1/handoffs"): (
        ADMIN_ONLY,
        lambda _ctx: Call("POST", "/api/v1/handoffs", json={"reason": "转人工"}),
    ),
    ("GET", "/api/v1/notifications"): (ADMIN_ONLY, get("/api/v1/notifications")),
    ("POST", "/api/v1/notifications/retry-failed"): (
        ADMIN_ONLY,
        lambda _ctx: Call("POST", "/api/v1/notifications/retry-failed"),
    ),
    ("POST", "/api/v1/notifications/{notification_id}/retry"): (ADMIN_ONLY, failed_notification),
    ("GET", "/api/v1/me/inbox"): (LOGGED_IN, get("/api/v1/me/inbox")),
    ("POST", "/api/v1/me/inbox/{notification_id}/read"): (LOGGED_IN, own_inbox_message),
    ("GET", "/api/v1/me/notification-settings"): (LOGGED_IN, get("/api/v1/me/notification-settings")),
    ("PUT", "/api/v1/me/notification-settings"): (
        LOGGED_IN,
        lambda _ctx: Call("PUT", "/api/v1/me/notification-settings", json={"notify_channels": ["inbox"]}),
    ),
    ("GET", "/api/v1/supervision/fields"): (ADMIN_ONLY, get("/api/v1/supervision/fields")),
    ("GET", "/api/v1/supervision/configs"): (ADMIN_ONLY, get("/api/v1/supervision/configs")),
    ("POST", "/api/v1/supervision/configs"): (ADMIN_ONLY, new_config),
    ("GET", "/api/v1/supervision/configs/{config_id}"): (ADMIN_ONLY, on_config("GET")),
    ("PUT", "/api/v1/supervision/configs/{config_id}"): (ADMIN_ONLY, on_config("PUT", body=True)),
    ("DELETE", "/api/v1/supervision/configs/{config_id}"): (ADMIN_ONLY, on_config("DELETE")),
    ("GET", "/api/v1/supervision/pushes"): (SUPERVISION_READERS, get("/api/v1/supervision/pushes")),
    ("GET", "/api/v1/supervision/pushes/{push_id}"): (
        PUSH_VIEWERS,
        lambda ctx: Call("GET", f"/api/v1/supervision/pushes/{shared_push(ctx)}"),
    ),
    ("POST", "/api/v1/supervision/pushes/{push_id}/claim"): (ADMIN_ONLY, on_push("claim")),
    ("POST", "/api/v1/supervision/pushes/{push_id}/feedback"): (ADMIN_ONLY, on_push("feedback")),
    ("GET", "/api/v1/supervision/escalations"): (SUPERVISION_READERS, get("/api/v1/supervision/escalations")),
    ("POST", "/api/v1/supervision/comparisons"): (ADMIN_ONLY, new_comparison),
    ("GET", "/api/v1/supervision/comparisons"): (ADMIN_ONLY, get("/api/v1/supervision/comparisons")),
    ("GET", "/api/v1/supervision/comparisons/{comparison_id}"): (ADMIN_ONLY, stored_comparison),
    ("GET", "/api/v1/supervision/stats"): (SUPERVISION_READERS, get("/api/v1/supervision/stats")),
    ("GET", "/api/v1/supervision/stats.xlsx"): (SUPERVISION_READERS, get("/api/v1/supervision/stats.xlsx")),
    # a filer's own projects (citizen); the admin holds service.client, so it passes the check and is asked for the
    # channel user (422) like the bot's other "my" reads; staff without project.file are refused
    ("GET", "/api/v1/my/projects"): (MY_PROJECTS, get("/api/v1/my/projects")),
    ("GET", "/api/v1/warnings/settings"): (ADMIN_ONLY, get("/api/v1/warnings/settings")),
    ("POST", "/api/v1/warnings/settings"): (ADMIN_ONLY, new_warning_setting),
    ("PUT", "/api/v1/warnings/settings/{setting_id}"): (ADMIN_ONLY, change_warning_setting),
    ("DELETE", "/api/v1/warnings/settings/{setting_id}"): (ADMIN_ONLY, remove_warning_setting),
    ("GET", "/api/v1/warnings"): (WARNING_READERS, get("/api/v1/warnings")),
    ("GET", "/api/v1/warnings/counts"): (WARNING_READERS, get("/api/v1/warnings/counts")),
    ("GET", "/api/v1/warnings/mine"): (ADMIN_ONLY, get("/api/v1/warnings/mine")),
    ("GET", "/api/v1/warnings/history"): (
        WARNING_READERS,
        lambda ctx: Call("GET", "/api/v1/warnings/history", params={"subject_kind": "node", "subject_id": 1}),
    ),
    ("GET", "/api/v1/warnings/{warning_id}"): (
        WARNING_READERS,
        lambda ctx: Call("GET", f"/api/v1/warnings/{shared_warning(ctx)}"),
    ),
    ("POST", "/api/v1/warnings/{warning_id}/sign"): (ADMIN_ONLY, on_warning("sign", "open")),
    ("POST", "/api/v1/warnings/{warning_id}/handle"): (
        ADMIN_ONLY,
        on_warning("handle", "signed", {"reason": "材料需补正", "plan": "补正后办结", "promised_on": "2099-12-31"}),
    ),
    ("POST", "/api/v1/warnings/{warning_id}/close"): (
        ADMIN_ONLY,
        lambda ctx: Call("POST", f"/api/v1/warnings/{handled_warning(ctx)}/close", json={"note": "已核实整改到位"}),
    ),
    ("GET", "/api/v1/major-projects"): (MAJOR_READERS, get("/api/v1/major-projects")),
    ("POST", "/api/v1/major-projects"): (
        ADMIN_ONLY,
        lambda ctx: Call(
            "POST",
            "/api/v1/major-projects",
            json={"name": f"新登记项目{ctx.index}", "category": "other", "lead_department_id": ctx.world.dept_a.id},
        ),
    ),
    ("GET", "/api/v1/major-projects/choices"): (CASE_LINKERS, major_choices),
    ("GET", "/api/v1/major-projects/stats"): (MAJOR_READERS, get("/api/v1/major-projects/stats")),
    ("GET", "/api/v1/major-projects/stats.xlsx"): (MAJOR_READERS, get("/api/v1/major-projects/stats.xlsx")),
    ("GET", "/api/v1/major-projects/{project_id}"): (MAJOR_READERS, on_major("GET")),
    ("PATCH", "/api/v1/major-projects/{project_id}"): (ADMIN_ONLY, on_major("PATCH", body={"stage": "approval"})),
    ("POST", "/api/v1/major-projects/{project_id}/plan"): (
        ADMIN_ONLY,
        on_major("POST", "/plan", body={"start": "2026-09-18"}),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/nodes"): (
        ADMIN_ONLY,
        lambda ctx: on_major(
            "POST", "/nodes", body={"name": f"手工节点{ctx.index}", "department_id": ctx.world.dept_a.id}
        )(ctx),
    ),
    ("PATCH", "/api/v1/major-projects/{project_id}/nodes/{node_id}"): (
        ADMIN_ONLY,
        on_major("PATCH", "/nodes/{node}", body={"note": "已预约现场踏勘"}),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/milestones"): (
        ADMIN_ONLY,
        on_major("POST", "/milestones", body={"kind": "groundbreaking", "planned_finish": "2030-06-30"}),
    ),
    ("PATCH", "/api/v1/major-projects/{project_id}/milestones/{milestone_id}"): (
        ADMIN_ONLY,
        on_major("PATCH", "/milestones/{milestone}", body={"note": "土地出让合同已签订"}),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/issues"): (
        MAJOR_READERS,
        lambda ctx: on_major(
            "POST",
            "/issues",
            body={"title": "施工用电", "department_ids": [ctx.world.dept_b.id], "due_on": "2030-01-31"},
        )(ctx),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/issues/{issue_id}/replies"): (
        ADMIN_ONLY,
        on_issue("/replies", {"body": "已安排现场踏勘"}),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/issues/{issue_id}/close"): (
        ADMIN_ONLY,
        on_issue("/close", {"note": "已解决"}),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/meetings"): (
        ADMIN_ONLY,
        lambda ctx: on_major("POST", "/meetings", body=meeting_body())(ctx),
    ),
    ("PATCH", "/api/v1/major-projects/{project_id}/decisions/{decision_id}"): (ADMIN_ONLY, on_decision),
    ("GET", "/api/v1/assessment/indicators"): (ASSESSMENT_READERS, get("/api/v1/assessment/indicators")),
    ("GET", "/api/v1/assessment/schemes"): (ADMIN_ONLY, get("/api/v1/assessment/schemes")),
    ("POST", "/api/v1/assessment/schemes"): (
        ADMIN_ONLY,
        lambda ctx: Call("POST", "/api/v1/assessment/schemes", json=assessment_scheme_body(ctx)),
    ),
    ("GET", "/api/v1/assessment/schemes/{scheme_id}"): (
        ADMIN_ONLY,
        lambda ctx: Call("GET", f"/api/v1/assessment/schemes/{assessment_scheme(ctx)}"),
    ),
    ("PUT", "/api/v1/assessment/schemes/{scheme_id}"): (
        ADMIN_ONLY,
        lambda ctx: Call(
            "PUT",
            f"/api/v1/assessment/schemes/{assessment_scheme(ctx)}",
            json={"name": "部门进度考核（月度）", "period_kind": "month", "indicators": ASSESSMENT_WEIGHTS[::-1]},
        ),
    ),
    ("GET", "/api/v1/assessment/assessments"): (ASSESSMENT_READERS, get("/api/v1/assessment/assessments")),
    ("POST", "/api/v1/assessment/assessments"): (ADMIN_ONLY, new_assessment),
    ("GET", "/api/v1/assessment/assessments/{assessment_id}"): (ASSESSMENT_READERS, on_published("")),
    ("POST", "/api/v1/assessment/assessments/{assessment_id}/recompute"): (ADMIN_ONLY, on_draft("recompute")),
    ("POST", "/api/v1/assessment/assessments/{assessment_id}/corrections"): (
        ADMIN_ONLY,
        on_draft(
            "corrections",
            lambda ctx: {
                "department_id": ctx.world.dept_a.id,
                "indicator": "total",
                "value": 95,
                "reason": "矩阵测试修正",
            },
        ),
    ),
    ("POST", "/api/v1/assessment/assessments/{assessment_id}/publish"): (ADMIN_ONLY, on_draft("publish")),
    ("GET", "/api/v1/assessment/assessments/{assessment_id}/departments/{department_id}"): (
        ASSESSMENT_READERS,
        on_published("/departments/{dept}"),
    ),
    ("GET", "/api/v1/assessment/assessments/{assessment_id}/departments/{department_id}/explanation"): (
        ASSESSMENT_READERS,
        on_published("/departments/{dept}/explanation", {"indicator": "overdue_count"}),
    ),
    ("GET", "/api/v1/assessment/assessments/{assessment_id}/export.xlsx"): (
        ASSESSMENT_READERS,
        on_published("/export.xlsx"),
    ),
    ("POST", "/api/v1/assessment/assessments/{assessment_id}/appeals"): (
        APPEALING_DEPARTMENTS,
        lambda ctx: Call(
            "POST",
            f"/api/v1/assessment/assessments/{published_assessment(ctx)}/appeals",
            json={"indicator": "", "reason": "本部门对上月考核结果有异议"},
        ),
    ),
    ("GET", "/api/v1/assessment/appeals"): (ASSESSMENT_READERS, get("/api/v1/assessment/appeals")),
    ("POST", "/api/v1/assessment/appeals/{appeal_id}/answer"): (ADMIN_ONLY, pending_appeal),
    ("GET", "/api/v1/boards/hall"): (BOARD_READERS, get("/api/v1/boards/hall")),
    ("GET", "/api/v1/boards/trends"): (
        BOARD_READERS,
        lambda _ctx: Call("GET", "/api/v1/boards/trends", params={"months": 6}),
    ),
    ("GET", "/api/v1/boards/departments"): (BOARD_READERS, get("/api/v1/boards/departments")),
    ("GET", "/api/v1/boards/major-projects"): (BOARD_READERS, get("/api/v1/boards/major-projects")),
    ("GET", "/api/v1/boards/supervision"): (BOARD_READERS, get("/api/v1/boards/supervision")),
    ("GET", "/api/v1/boards/ratings"): (BOARD_READERS, get("/api/v1/boards/ratings")),
}


# ---------------------------------------------------------------- data exchange (exchange.manage, all scope: admin)


def exchange_record_call(method: str, suffix: str = "", **kwargs: Any) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        quarantined = suffix == "/replay"
        row = stored_record(
            ctx.db, direction="in" if quarantined else "out", status="quarantined" if quarantined else "failed"
        )
        return Call(method, f"/api/v1/exchange/records/{row.id}{suffix}", **kwargs)

    return build


def resume_call(ctx: Ctx) -> Call:
    paused(ctx.db, "investment")
    return Call("POST", "/api/v1/exchange/counterparts/investment/resume")


MATRIX |= {
    ("GET", "/api/v1/exchange/counterparts"): (ADMIN_ONLY, get("/api/v1/exchange/counterparts")),
    ("POST", "/api/v1/exchange/counterparts/{code}/pause"): (
        ADMIN_ONLY,
        lambda _ctx: Call("POST", "/api/v1/exchange/counterparts/gov_service/pause", json={"reason": "对方平台维护"}),
    ),
    ("POST", "/api/v1/exchange/counterparts/{code}/resume"): (ADMIN_ONLY, resume_call),
    ("GET", "/api/v1/exchange/records"): (ADMIN_ONLY, get("/api/v1/exchange/records")),
    ("GET", "/api/v1/exchange/records/{record_id}"): (ADMIN_ONLY, exchange_record_call("GET")),
    ("POST", "/api/v1/exchange/records/{record_id}/resend"): (ADMIN_ONLY, exchange_record_call("POST", "/resend")),
    ("POST", "/api/v1/exchange/records/{record_id}/replay"): (
        ADMIN_ONLY,
        exchange_record_call("POST", "/replay", json={"data": None}),
    ),
    ("GET", "/api/v1/exchange/reconciliations"): (ADMIN_ONLY, get("/api/v1/exchange/reconciliations")),
    ("POST", "/api/v1/exchange/reconciliations/{reconciliation_id}/resend"): (
        ADMIN_ONLY,
        lambda ctx: Call("POST", f"/api/v1/exchange/reconciliations/{stored_difference(ctx.db).id}/resend"),
    ),
    ("GET", "/api/v1/exchange/export"): (ADMIN_ONLY, get("/api/v1/exchange/export")),
    ("GET", "/api/v1/guidance/free"): (
        CITIZENS,
        lambda ctx: Call("GET", "/api/v1/guidance/free", params={"service_item_id": ctx.world.item.id}),
    ),
    ("POST", "/api/v1/guidance/bookings"): (
        CITIZENS,
        lambda ctx: Call("POST", "/api/v1/guidance/bookings", json=guidance_body(ctx)),
    ),
    ("GET", "/api/v1/guidance/bookings/mine"): (CITIZENS, get("/api/v1/guidance/bookings/mine")),
    ("GET", "/api/v1/guidance/bookings/{booking_id}"): (BOOKING_READERS, on_booking("")),
    ("POST", "/api/v1/guidance/bookings/{booking_id}/cancel"): (CITIZENS, on_booking("/cancel", {"reason": "改期"})),
    ("POST", "/api/v1/guidance/bookings/{booking_id}/rating"): (CITIZENS, on_booking("/rating", {"rating": 5})),
    ("POST", "/api/v1/guidance/bookings/{booking_id}/record"): (
        GUIDANCE_MANAGERS,
        on_booking("/record", {"record": "电话讲解了材料要求", "close": False}),
    ),
    ("POST", "/api/v1/guidance/bookings/{booking_id}/reassign"): (GUIDANCE_MANAGERS, on_booking("/reassign")),
    ("GET", "/api/v1/guidance/assigned"): (GUIDANCE_MANAGERS, get("/api/v1/guidance/assigned")),
    ("GET", "/api/v1/guidance/bookings"): (GUIDANCE_MANAGERS, get("/api/v1/guidance/bookings")),
    ("GET", "/api/v1/guidance/bookings.xlsx"): (GUIDANCE_MANAGERS, get("/api/v1/guidance/bookings.xlsx")),
    ("GET", "/api/v1/guidance/staff"): (GUIDANCE_MANAGERS, get("/api/v1/guidance/staff")),
    ("POST", "/api/v1/guidance/staff"): (GUIDANCE_MANAGERS, new_guidance_staff),
    ("PUT", "/api/v1/guidance/staff/{staff_id}"): (GUIDANCE_MANAGERS, change_guidance_staff),
    ("GET", "/api/v1/guidance/calendar"): (GUIDANCE_MANAGERS, get("/api/v1/guidance/calendar")),
    ("GET", "/api/v1/guidance/stats"): (GUIDANCE_MANAGERS, get("/api/v1/guidance/stats")),
}


def api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every /api/v1 route except the OpenAPI document and the docs pages."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):  # included routers flattened, as the OpenAPI generator does
        path = route.path or ""
        if not path.startswith("/api/v1") or path == "/api/v1/openapi.json" or path.startswith("/api/v1/docs"):
            continue
        found |= {(method, path) for method in route.methods or {"*"}}
    return found


def test_matrix_covers_every_api_route(app: Any) -> None:
    routes = api_routes(app)
    assert routes == set(MATRIX), (
        f"routes without a matrix entry: {sorted(routes - set(MATRIX))}; "
        f"matrix entries without a route: {sorted(set(MATRIX) - routes)}"
    )


def send(client: TestClient, world: World, role: str, call: Call) -> Any:
    rate_limit.reset()  # the matrix asks far more often than one person would
    return client.request(
        call.method, call.path, json=call.json, params=call.params, files=call.files, headers=world.auth(role)
    )


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_is_open_exactly_to_its_roles(route: tuple[str, str], client: TestClient, world: World, db) -> None:
    allowed, build = MATRIX[route]
    wrong: list[str] = []
    for index, role in enumerate(ROLES):
        call = build(Ctx(client, world, db, role, index))
        before = db_state()
        response = send(client, world, role, call)
        outcome = f"{role}: {response.status_code} {response.text[:200]}"
        if role in allowed:
            if response.status_code in (401, 403) or response.status_code >= 500:
                wrong.append(f"should be allowed — {outcome}")
        else:
            expected = 401 if role == ANON else 403
            if response.status_code != expected:
                wrong.append(f"should be denied with {expected} — {outcome}")
            else:
                api_error(response, expected)
                if db_state() != before:
                    wrong.append(f"denied, yet the database changed — {role}")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- another department's case stays out of reach


def leader_view(client: TestClient, world: World, case_id: int) -> dict[str, Any]:
    response = client.get(f"/api/v1/cases/{case_id}", headers=world.auth(LEADER))
    assert response.status_code == 200, response.text
    case = response.json()
    return {k: case[k] for k in ("status", "current_step", "steps", "materials", "due_at", "allowed_actions")}


@pytest.mark.parametrize("state", ["submitted", "review", "concluded"])
@pytest.mark.parametrize("role", [ANON, CITIZEN, CLERK_B])
def test_outsiders_cannot_touch_a_case_of_a_whatever_its_state(
    state: str, role: str, client: TestClient, world: World, db
) -> None:
    new = case_in_state(Ctx(client, world, db, role, 0), state)
    cid = new["case_id"]
    view, before = leader_view(client, world, cid), db_state()
    expected = 401 if role == ANON else 403
    wrong = []
    for action, (_state, body) in CASE_ACTIONS.items():
        response = send(client, world, role, Call("POST", f"/api/v1/cases/{cid}/{action}", json=body or None))
        if response.status_code != expected:  # a 409 would tell an outsider the case's state
            wrong.append(f"{action}: {response.status_code} {response.text[:200]}")
    detail = client.get(f"/api/v1/cases/{cid}", headers=world.auth(role))
    if detail.status_code != expected:
        wrong.append(f"GET: {detail.status_code} {detail.text[:200]}")
    assert not wrong, f"{role} on a {state} case of A should get {expected}:\n" + "\n".join(wrong)
    assert leader_view(client, world, cid) == view
    assert db_state() == before
    # the query password was not reissued by a refused slip request
    answer = client.post("/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]})
    assert answer.status_code == 200, answer.text


def listed(client: TestClient, world: World, who: str) -> set[str]:
    response = client.get("/api/v1/cases", params={"page_size": 100}, headers=world.auth(who))
    assert response.status_code == 200, response.text
    return {row["case_no"] for row in response.json()["items"]}


def test_case_lists_follow_data_scope(client: TestClient, world: World) -> None:
    window_case = register(client, world)["case_no"]
    online = submit_online(client, world, CITIZEN)
    assert online["status"] == "submitted"
    assert listed(client, world, CLERK_A) == {window_case, online["case_no"]}
    assert listed(client, world, CLERK_B) == set()
    assert listed(client, world, LEADER) == {window_case, online["case_no"]}
    assert listed(client, world, ADMIN) == {window_case, online["case_no"]}
    assert listed(client, world, CITIZEN) == {online["case_no"]}
    assert listed(client, world, "citizen2") == set()
    own = client.get(f"/api/v1/cases/{online['case_id']}", headers=world.auth(CITIZEN))
    assert own.status_code == 200 and own.json()["case_no"] == online["case_no"]
    other = client.get(f"/api/v1/cases/{online['case_id']}", headers=world.auth("citizen2"))
    api_error(other, 403)
    stranger = client.get(f"/api/v1/cases/{online['case_id']}", headers=world.auth(CLERK_B))
    api_error(stranger, 403)
    # the B clerk's list filters cannot widen the scope either
    response = client.get("/api/v1/cases", params={"department_id": world.dept_a.id}, headers=world.auth(CLERK_B))
    assert response.status_code == 200 and response.json()["items"] == [] and response.json()["total"] == 0


def test_citizen_resupplies_own_case_but_not_anothers(client: TestClient, world: World) -> None:
    online = submit_online(client, world, CITIZEN)
    cid = online["case_id"]
    act(client, world, cid, "accept")
    act(client, world, cid, "supplement", reason="施工方案缺少签章", materials=["施工方案"])
    before = db_state()
    api_error(client.post(f"/api/v1/cases/{cid}/resupply", json={"note": "补交"}, headers=world.auth("citizen2")), 403)
    assert db_state() == before
    resumed = act(client, world, cid, "resupply", who=CITIZEN, note="已补交签章页")
    assert resumed["status"] == "processing"
