"""Who may act on *which* object: the same request, aimed at an object of another department or another account,
is refused and changes nothing.

tests/test_authz_matrix.py checks roles × routes on objects the allowed roles may reach. This file checks the
parameters: ids in the path, and ``department_id`` / ``id_number`` / ``credit_code`` in the body or query. Every
route of the OpenAPI that takes one is classified below; a new route fails ``test_every_parameterised_route_is_
classified`` until it is.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core import rate_limit
from core.seed.demo import DEMO_PASSWORD
from tests.helpers import PERSON, act, api_error, db_state, register, submit_online, upload_pdf
from tests.notifications.helpers import stored_notification
from tests.projects.conftest import FACTORY_INFO, Filing, new_project
from tests.projects.conftest import filing as filing  # the fixture, for the tests here
from tests.test_authz_matrix import (
    CASE_ACTIONS,
    Call,
    Ctx,
    assessment_draft,
    case_action,
    case_detail,
    citizen_project,
    follow_up_call,
    fresh_push,
    guidance_booking,
    guidance_helper,
    guidance_roster,
    handled_warning,
    on_project,
    on_review,
    published_assessment,
    registration_edit,
    stored_warning,
)
from tests.world import World, item_in

# ---------------------------------------------------------------- findings of issue 12


def test_a_department_records_only_its_own_joint_review(client: TestClient, world: World, db) -> None:
    """Issue 12 finding 2: ``department_id`` in the body no longer lets one department record another's part."""
    from core.items import service as item_service

    both = item_service.save(
        db,
        None,
        item_in(world.dept_a, name="城市道路挖掘联合审批", case_type=3, joint_route=[["DB", "DC"]]),
    )
    db.commit()
    body = {
        "service_item_id": both.id,
        "applicant": {
            "kind": "personal",
            "name": "孙市民",
            "id_number": "11010519491231002X",
            "phone": "13800000001",
        },
        "materials": [{"item_material_id": m.id, "paper": True} for m in both.materials],
    }
    created = client.post("/api/v1/cases/window", json=body, headers=world.auth("clerk_a"))
    assert created.status_code == 201, created.text
    cid = created.json()["case_id"]
    act(client, world, cid, "accept")

    # C's officer names B's department: C's own part is recorded, B's stays open
    done = act(
        client,
        world,
        cid,
        "review",
        who="officer_c",
        agree=False,
        opinion="消防意见：不同意",
        department_id=world.dept_b.id,
    )
    joint = [
        (s["department_name"], s["handler_name"], s["result_label"])
        for s in done["steps"]
        if s["action"] == "joint_review"
    ]
    assert joint == [("消防救援大队", "钱消防", "不同意")]
    assert done["current_step"] == "review"  # B has not reviewed yet
    # C has nothing left to review, whatever department it names
    before = db_state()
    again = client.post(
        f"/api/v1/cases/{cid}/review",
        json={"agree": True, "opinion": "同意", "department_id": world.dept_b.id},
        headers=world.auth("officer_c"),
    )
    assert "会办" in api_error(again, 403)["message"]
    assert db_state() == before
    # a leader (all departments, none of their own) cannot fill in for B either
    leader = client.post(
        f"/api/v1/cases/{cid}/review",
        json={"agree": True, "opinion": "同意", "department_id": world.dept_b.id},
        headers=world.auth("leader"),
    )
    api_error(leader, 403)
    assert db_state() == before
    # B records its own part, and the stage completes
    finished = act(client, world, cid, "review", who="clerk_b", agree=True, opinion="环保意见：同意")
    assert finished["current_step"] == "decide"


def test_a_reviewing_officer_cannot_issue_a_guidance_letter(client: TestClient, filing: Filing) -> None:
    """Issue 12 finding 9: only the filer, the project's guide and administrators issue letters."""
    citizen = filing.world.auth("citizen")
    project = new_project(client, filing)
    pid = project["id"]
    assert client.post(f"/api/v1/projects/{pid}/derive", headers=citizen).status_code == 200
    sent = client.post(f"/api/v1/projects/{pid}/review", headers=citizen)
    assert sent.status_code == 200, sent.text
    review = next(r for r in sent.json() if r["department_id"] == filing.departments["D04"].id)
    officer = filing.token_of("officer_d04")
    # the officer corrects an item: the flow changed, so a letter issued now would be a new version
    flow = client.get(f"/api/v1/projects/{pid}/flow", headers=citizen).json()
    code = next(i["code"] for s in flow["flow"]["stages"] for i in s["items"] if i["name"] in review["items"])
    adjusted = client.post(
        f"/api/v1/project-reviews/{review['id']}/adjustments",
        json={"action": "correct", "approval_code": code, "time_limit_days": 2, "opinion": "可提前办结"},
        headers=officer,
    )
    assert adjusted.status_code == 201, adjusted.text
    before = db_state()
    refused = client.post(f"/api/v1/projects/{pid}/letter", headers=officer)
    assert "指导意见书" in api_error(refused, 403)["message"]
    assert db_state() == before
    letters = client.get(f"/api/v1/projects/{pid}/letters", headers=citizen).json()
    assert [x["version"] for x in letters] == [1]
    # the filer and the guide may
    for who in ("citizen", "guide"):
        issued = client.post(f"/api/v1/projects/{pid}/letter", headers=filing.world.auth(who))
        assert issued.status_code == 200, (who, issued.text)
    assert [x["version"] for x in client.get(f"/api/v1/projects/{pid}/letters", headers=citizen).json()] == [2, 1]


# ---------------------------------------------------------------- every route with an id, a department or an identity
#
# A probe arranges an object that belongs to department A or to the citizen (account A), then sends the request
# as someone of another department or another account with the parameter pointing at that object. A refusal is a
# Chinese 403/404 (422 for a reference inside a body) and leaves the database as it was; a list or a look-up answers
# without the other's data.

KEYS = frozenset({"department_id", "department_ids", "id_number", "credit_code"})


def _body_fields(spec: dict[str, Any], schema: dict[str, Any], seen: tuple[str, ...] = ()) -> list[str]:
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return [] if name in seen else _body_fields(spec, spec["components"]["schemas"][name], (*seen, name))
    found: list[str] = []
    for key in ("anyOf", "allOf", "oneOf"):
        for part in schema.get(key, []):
            found += _body_fields(spec, part, seen)
    if schema.get("type") == "array" and "items" in schema:
        found += _body_fields(spec, schema["items"], seen)
    for name, part in schema.get("properties", {}).items():
        found += [name, *_body_fields(spec, part, seen)]
    return found


def _names_an_owner(name: str) -> bool:
    return name in KEYS or name.endswith(("_id", "_ids"))


def parameterised_routes(app: Any) -> set[tuple[str, str]]:
    """Every OpenAPI operation with a path parameter, or an id / department / identity in its query or body."""
    spec = app.openapi()
    found = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            params = operation.get("parameters", [])
            hit = any(p["in"] == "path" or _names_an_owner(p["name"]) for p in params)
            for content in operation.get("requestBody", {}).get("content", {}).values():
                hit = hit or any(_names_an_owner(f) for f in _body_fields(spec, content["schema"]))
            if hit:
                found.add((method.upper(), path))
    return found


@dataclass
class Probe:
    """The object's owner arranges, ``caller`` sends; ``expect`` is refused (403/404), or a check of the answer."""

    caller: str
    build: Callable[[Ctx], Call]
    expect: Callable[[Ctx, Any], str | None] | None = None  # None: refused; else returns what is wrong, or None


def refused_with(*codes: int) -> Callable[[Ctx, Any], str | None]:
    def check(_ctx: Ctx, response: Any) -> str | None:
        if response.status_code not in codes:
            return f"expected one of {codes}"
        api_error(response, response.status_code)
        return None

    return check


REFUSED = refused_with(403, 404)
REFUSED_REFERENCE = refused_with(403, 404, 422)  # an id inside a body that is not the caller's to use


def no_case_of_a(_ctx: Ctx, response: Any) -> str | None:
    if response.status_code != 200:
        return "expected the list"
    body = response.json()
    return None if body["items"] == [] and body["total"] == 0 else f"listed: {body}"


def nothing_found(_ctx: Ctx, response: Any) -> str | None:
    if response.status_code not in (200, 403, 404):
        return "expected nothing or a refusal"
    if response.status_code == 200 and response.json() not in (None, {"history": [], "licences": []}):
        return f"found: {response.json()}"
    return None


def staff_of(ctx: Ctx, username: str, role: str, department_id: int) -> str:
    """A member of staff of another department, with a token; their name as a caller."""
    from core.org import service as org_service

    if username not in ctx.world.tokens:
        user = org_service.create_user(
            db=ctx.db,
            username=username,
            name="吴其他",
            password=DEMO_PASSWORD,
            role_codes=[role],
            department_id=department_id,
        )
        ctx.world.users[username] = user
        ctx.world.tokens[username] = org_service.issue_token(db=ctx.db, user=user, name="test")
        ctx.db.commit()
    return username


def online_case(ctx: Ctx, state: str = "submitted") -> dict[str, Any]:
    """The citizen's own online application, taken to ``state`` (submitted or supplementing)."""
    new = submit_online(ctx.client, ctx.world, "citizen")
    if state == "supplementing":
        act(ctx.client, ctx.world, new["case_id"], "accept")
        act(ctx.client, ctx.world, new["case_id"], "supplement", reason="施工方案缺少签章", materials=["施工方案"])
    return new


def other_project_officer(ctx: Ctx, project_id: int) -> str:
    """An officer of a department that does not review the project."""
    from core.projects.models import DepartmentReview, Derivation
    from core.seed.demo import seed_departments

    reviewing = set(
        ctx.db.scalars(
            select(DepartmentReview.department_id).join(Derivation).where(Derivation.project_id == project_id)
        )
    )
    outsider = next(d for d in seed_departments(ctx.db).values() if d.id not in reviewing)
    return staff_of(ctx, "officer_outsider", "officer", outsider.id)


def as_outsider_officer(build: Callable[[Ctx], Call]) -> Callable[[Ctx], Call]:
    """Builds the call, and makes an officer of a non-reviewing department the caller."""

    def wrapped(ctx: Ctx) -> Call:
        call = build(ctx)
        project_id = int(call.path.split("/")[4]) if "/projects/" in call.path else _project_of_review(ctx, call.path)
        ctx.scratch["caller"] = other_project_officer(ctx, project_id)
        return call

    return wrapped


def _project_of_review(ctx: Ctx, path: str) -> int:
    from core.projects.models import DepartmentReview, Derivation

    review = ctx.db.get(DepartmentReview, int(path.split("/")[4]))
    assert review is not None
    derivation = ctx.db.get(Derivation, review.derivation_id)
    assert derivation is not None
    return int(derivation.project_id)


def on_case_of_a(action: str) -> Callable[[Ctx], Call]:
    return case_action(action)


def citizen_case_detail(ctx: Ctx) -> Call:
    return Call("GET", f"/api/v1/cases/{online_case(ctx)['case_id']}")


def citizen_resupply(ctx: Ctx) -> Call:
    cid = online_case(ctx, "supplementing")["case_id"]
    return Call("POST", f"/api/v1/cases/{cid}/resupply", json={"note": "补交", "materials": []})


def resupply_with_anothers_upload(ctx: Ctx) -> Call:
    cid = online_case(ctx, "supplementing")["case_id"]
    upload = upload_pdf(ctx.client, ctx.world, "citizen2", "施工方案.pdf")
    material = ctx.world.item.materials[1].id
    return Call(
        "POST",
        f"/api/v1/cases/{cid}/resupply",
        json={"note": "补交", "materials": [{"item_material_id": material, "upload_id": upload}]},
    )


def window_for_item_of_a(ctx: Ctx) -> Call:
    body = {
        "service_item_id": ctx.world.item.id,
        "applicant": PERSON,
        "materials": [{"item_material_id": m.id, "paper": True} for m in ctx.world.item.materials],
    }
    return Call("POST", "/api/v1/cases/window", json=body)


def apply_with_anothers_upload(ctx: Ctx) -> Call:
    materials = [
        {"item_material_id": m.id, "upload_id": upload_pdf(ctx.client, ctx.world, "citizen", f"{m.name}.pdf")}
        for m in ctx.world.item.materials
        if m.required
    ]
    return Call(
        "POST",
        "/api/v1/cases",
        json={"service_item_id": ctx.world.item.id, "applicant": PERSON, "materials": materials},
    )


def lookup(path: str) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        online_case(ctx)  # the citizen applied with their ID number
        return Call("GET", path, params={"kind": "personal", "id_number": PERSON["id_number"]})

    return build


def cases_of_a_filtered(param: str) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        register(ctx.client, ctx.world)
        value = ctx.world.dept_a.id if param == "department_id" else ctx.world.item.id
        return Call("GET", "/api/v1/cases", params={param: value})

    return build


def follow_up_of_a(ctx: Ctx) -> Call:
    return follow_up_call(ctx)


def project_call(method: str, suffix: str, state: str = "draft", body: Any = None) -> Callable[[Ctx], Call]:
    return on_project(method, suffix, state, body)


def push_call(suffix: str, *, claimed: bool = False, body: Any = None) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        staff_of(ctx, "officer_b", "officer", ctx.world.dept_b.id)
        method = "GET" if not suffix else "POST"
        return Call(method, f"/api/v1/supervision/pushes/{fresh_push(ctx, claimed=claimed)}{suffix}", json=body)

    return build


FEEDBACK = {"inspected": False, "problems_found": False, "measures": "纳入“双随机、一公开”抽查计划"}


def feedback_with_anothers_upload(ctx: Ctx) -> Call:
    push = fresh_push(ctx, claimed=True)
    upload = upload_pdf(ctx.client, ctx.world, "citizen", "检查记录.pdf")
    return Call("POST", f"/api/v1/supervision/pushes/{push}/feedback", json={**FEEDBACK, "attachment_ids": [upload]})


def supervision_list(path: str) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        staff_of(ctx, "officer_b", "officer", ctx.world.dept_b.id)
        fresh_push(ctx)
        return Call("GET", path, params={"department_id": ctx.world.dept_c.id})

    return build


def not_department_cs(ctx: Ctx, response: Any) -> str | None:
    """Officer B asked for department C's pushes: refused, or nothing of C's."""
    if response.status_code in (403, 404, 422):
        api_error(response, response.status_code)
        return None
    if response.status_code != 200:
        return "expected a refusal or an empty answer"
    body = response.json()
    rows = body.get("items", body) if isinstance(body, dict) else body
    return None if not rows else f"listed C's: {str(body)[:200]}"


def anothers_inbox_message(ctx: Ctx) -> Call:
    row = stored_notification(ctx.db, user_id=ctx.world.users["citizen"].id)
    return Call("POST", f"/api/v1/me/inbox/{row.id}/read")


def project_with_anothers_credit_code(ctx: Ctx) -> Call:
    project = citizen_project(ctx)
    return Call("PATCH", f"/api/v1/projects/{project['id']}", json={"credit_code": FACTORY_INFO["credit_code"]})


def warning_of_a(step: str, state: str = "open", body: Any = None) -> Callable[[Ctx], Call]:
    """A step on a warning of department A, asked by an officer of B (warning.handle, department scope)."""

    def build(ctx: Ctx) -> Call:
        staff_of(ctx, "officer_b", "officer", ctx.world.dept_b.id)
        warning = handled_warning(ctx) if state == "handled" else stored_warning(ctx, state)
        method = "POST" if step else "GET"
        return Call(method, f"/api/v1/warnings/{warning}{step}", json=body)

    return build


# ---------------------------------------------------------------- major projects: a project of A, B and C outside


def dept_manager(ctx: Ctx) -> str:
    """A major project manager of department B whose data scope is B only (a role an administrator might make)."""
    from core.org.models import Role

    if ctx.db.query(Role).filter_by(code="dept_tracker").first() is None:
        ctx.db.add(
            Role(
                code="dept_tracker",
                name="部门项目专员",
                data_scope="department",
                permissions=["major_project.manage", "major_project.read"],
                description="本部门牵头的重大项目",
            )
        )
        ctx.db.commit()
    return staff_of(ctx, "manager_b", "dept_tracker", ctx.world.dept_b.id)


def item_manager_b(ctx: Ctx) -> str:
    """An item manager of department B whose data scope is B only (a role an administrator might make)."""
    from core.org.models import Role

    if ctx.db.query(Role).filter_by(code="dept_items").first() is None:
        ctx.db.add(
            Role(
                code="dept_items",
                name="部门事项管理员",
                data_scope="department",
                permissions=["item.manage"],
                description="本部门的事项与办事指南",
            )
        )
        ctx.db.commit()
    return staff_of(ctx, "items_b", "dept_items", ctx.world.dept_b.id)


def on_item_of_a(method: str, suffix: str, body: Any = None, files: Any = None) -> Callable[[Ctx], Call]:
    """B's item manager aims at A's road item (``{material}``: its first material)."""

    def build(ctx: Ctx) -> Call:
        ctx.scratch["caller"] = item_manager_b(ctx)
        item = ctx.world.item
        path = suffix.format(material=item.materials[0].id)
        return Call(method, f"/api/v1/items/{item.id}{path}", json=body, files=files)

    return build


def item_guide_of_a(method: str) -> Callable[[Ctx], Call]:
    """B's item manager changes A's road item (PUT) or creates an item for A (POST), with a whole valid guide."""

    def build(ctx: Ctx) -> Call:
        ctx.scratch["caller"] = item_manager_b(ctx)
        data = item_in(ctx.world.dept_a, code=f"B-FOR-A-{method}", name="替甲部门维护的事项")
        path = f"/api/v1/items/{ctx.world.item.id}" if method == "PUT" else "/api/v1/items"
        return Call(method, path, json=data.model_dump(mode="json"))

    return build


def project_of_a(ctx: Ctx) -> dict[str, Any]:
    """A project A leads, with a node of A's road item, a milestone, a problem asking B and a meeting whose decision
    B owns — made once by the admin."""
    if "project_of_a" not in ctx.db.info:
        admin = ctx.world.auth("admin")

        def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
            made = ctx.client.post(f"/api/v1/major-projects{path}", json=body, headers=admin)
            assert made.status_code in (200, 201), made.text
            return dict(made.json())

        from core.clock import today

        project = post(
            "", {"name": "A牵头的重大项目", "category": "industry", "lead_department_id": ctx.world.dept_a.id}
        )
        pid = project["id"]
        node = post(
            f"/{pid}/nodes",
            {"name": "占道", "department_id": ctx.world.dept_a.id, "service_item_id": ctx.world.item.id},
        )
        milestone = post(f"/{pid}/milestones", {"kind": "land", "planned_finish": "2030-01-31"})
        issue = post(
            f"/{pid}/issues", {"title": "用电", "department_ids": [ctx.world.dept_b.id], "due_on": "2030-01-31"}
        )
        meeting = {
            "held_on": str(today()),
            "topic": "推进会",
            "decisions": [{"content": "出具意见", "department_id": ctx.world.dept_b.id}],
        }
        decision = post(f"/{pid}/meetings", meeting)["decisions"][0]
        ctx.db.info["project_of_a"] = {
            "id": pid,
            "node": node["id"],
            "milestone": milestone["id"],
            "issue": issue["id"],
            "decision": decision["id"],
        }
    return dict(ctx.db.info["project_of_a"])


def major_call(method: str, suffix: str = "", body: Any = None, caller: str = "") -> Callable[[Ctx], Call]:
    """A call on the project of A (ids of its parts filled in), made by ``caller`` (default: the probe's caller;
    "manager": B's department-scope manager; "officer_b" / "officer_c": officers of B and C)."""

    def build(ctx: Ctx) -> Call:
        made = project_of_a(ctx)
        if caller == "manager":
            ctx.scratch["caller"] = dept_manager(ctx)
        elif caller:
            department = {"officer_b": ctx.world.dept_b.id, "officer_c": ctx.world.dept_c.id}[caller]
            ctx.scratch["caller"] = staff_of(ctx, caller, "officer", department)
        path = suffix.format(**made)
        return Call(method, f"/api/v1/major-projects/{made['id']}{path}", json=body)

    return build


def warnings_of_a_listed(path: str, **params: Any) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        staff_of(ctx, "officer_b", "officer", ctx.world.dept_b.id)
        stored_warning(ctx, "open")
        values = {k: (ctx.world.dept_a.id if v == "A" else v) for k, v in params.items()}
        return Call("GET", path, params=values)

    return build


def assessment_of_a(suffix: str, params: dict[str, Any] | None = None) -> Callable[[Ctx], Call]:
    """Officer B asks for department A's part of last month's published assessment."""

    def build(ctx: Ctx) -> Call:
        staff_of(ctx, "officer_b", "officer", ctx.world.dept_b.id)
        path = suffix.format(dept=ctx.world.dept_a.id)
        return Call("GET", f"/api/v1/assessment/assessments/{published_assessment(ctx)}{path}", params=params)

    return build


def major_list(path: str) -> Callable[[Ctx], Call]:
    def build(ctx: Ctx) -> Call:
        project_of_a(ctx)
        ctx.scratch["caller"] = staff_of(ctx, "officer_c", "officer", ctx.world.dept_c.id)
        return Call("GET", path, params={"department_id": ctx.world.dept_a.id})

    return build


def no_warning_of_a(_ctx: Ctx, response: Any) -> str | None:
    """Officer B asked about department A's warnings: an empty answer."""
    if response.status_code != 200:
        return "expected an empty answer"
    body = response.json()
    rows = body.get("items", body) if isinstance(body, dict) else body
    return None if not rows else f"listed A's: {str(body)[:200]}"


def nothing_of_a(_ctx: Ctx, response: Any) -> str | None:
    """Officer C asked for A's projects: nothing of A's (C is not involved in it)."""
    if response.status_code != 200:
        return "expected an empty answer"
    body = response.json()
    if "items" in body:
        return None if body["items"] == [] and body["total"] == 0 else f"listed A's: {str(body)[:200]}"
    return None if body["total"]["projects"] == 0 else f"counted A's: {str(body)[:200]}"


def no_rows_of_a(_ctx: Ctx, response: Any) -> str | None:
    from io import BytesIO

    from openpyxl import load_workbook

    if response.status_code != 200:
        return "expected the workbook"
    rows = list(load_workbook(BytesIO(response.content))["项目清单"].iter_rows(min_row=3, values_only=True))
    return None if not rows else f"exported A's: {rows}"


def major_choices_of_a(ctx: Ctx) -> Call:
    project_of_a(ctx)
    return Call("GET", "/api/v1/major-projects/choices", params={"service_item_id": ctx.world.item.id})


def no_choices(_ctx: Ctx, response: Any) -> str | None:
    return None if response.status_code == 200 and response.json() == [] else "expected no project"


def new_project_led_by_a(ctx: Ctx) -> Call:
    ctx.scratch["caller"] = dept_manager(ctx)
    body = {"name": "越权登记", "category": "other", "lead_department_id": ctx.world.dept_a.id}
    return Call("POST", "/api/v1/major-projects", json=body)


def window_case_for_project_of_b(ctx: Ctx) -> Call:
    """Clerk A registers a case of A's item for a project only B is involved in."""
    admin = ctx.world.auth("admin")
    body = {"name": "B牵头的重大项目", "category": "other", "lead_department_id": ctx.world.dept_b.id}
    made = ctx.client.post("/api/v1/major-projects", json=body, headers=admin)
    assert made.status_code == 201, made.text
    call = window_for_item_of_a(ctx)
    return Call("POST", call.path, json={**call.json, "major_project_id": made.json()["id"]})


def citizens_booking(suffix: str, body: dict[str, Any] | None = None, caller: str = "") -> Callable[[Ctx], Call]:
    """A call on the citizen's booking, by citizen2 or (``caller``) a 帮办员 it is not assigned to."""

    def build(ctx: Ctx) -> Call:
        booking = guidance_booking(ctx)
        if caller:
            guidance_helper(ctx, caller)
            ctx.scratch["caller"] = caller
        payload = {"staff_id": guidance_roster(ctx)} if suffix == "/reassign" else body
        return Call("GET" if not suffix else "POST", f"/api/v1/guidance/bookings/{booking}{suffix}", json=payload)

    return build


def guidance_for_citizens_project(method: str) -> Callable[[Ctx], Call]:
    """Citizen2 names the citizen's project: to see its free half-days or to book guidance for it."""

    def build(ctx: Ctx) -> Call:
        guidance_roster(ctx)
        project_id = citizen_project(ctx)["id"]
        if method == "GET":
            return Call("GET", "/api/v1/guidance/free", params={"project_id": project_id})
        from core.calendar.service import add_working_days
        from core.clock import today

        day = add_working_days(today(), 1).isoformat()
        body = {"project_id": project_id, "mode": "onsite", "day": day, "period": "am", "address": "某地"}
        return Call("POST", "/api/v1/guidance/bookings", json=body)

    return build


GUIDANCE_PROBES: dict[tuple[str, str], tuple[Probe, ...]] = {
    ("GET", "/api/v1/guidance/free"): (Probe("citizen2", guidance_for_citizens_project("GET")),),
    ("POST", "/api/v1/guidance/bookings"): (Probe("citizen2", guidance_for_citizens_project("POST")),),
    ("GET", "/api/v1/guidance/bookings/{booking_id}"): (
        Probe("citizen2", citizens_booking("")),
        Probe("helper_other", citizens_booking("", caller="helper_other")),
    ),
    ("POST", "/api/v1/guidance/bookings/{booking_id}/cancel"): (
        Probe("citizen2", citizens_booking("/cancel", {"reason": "冒名取消"})),
    ),
    ("POST", "/api/v1/guidance/bookings/{booking_id}/rating"): (
        Probe("citizen2", citizens_booking("/rating", {"rating": 1})),
    ),
    ("POST", "/api/v1/guidance/bookings/{booking_id}/record"): (
        Probe("helper_other", citizens_booking("/record", {"record": "代填", "close": False}, caller="helper_other")),
    ),
    ("POST", "/api/v1/guidance/bookings/{booking_id}/reassign"): (
        Probe("helper_other", citizens_booking("/reassign", caller="helper_other")),
    ),
}


MAJOR_PROBES: dict[tuple[str, str], tuple[Probe, ...]] = {
    ("GET", "/api/v1/items/{item_id}/guidance"): (
        Probe("clerk_b", lambda ctx: Call("GET", f"/api/v1/items/{ctx.world.item.id}/guidance")),
        Probe("items_b", on_item_of_a("GET", "/guidance")),
    ),
    ("PUT", "/api/v1/items/{item_id}/guidance"): (
        Probe("items_b", on_item_of_a("PUT", "/guidance", {"acceptance_checklist": ["核对"]})),
    ),
    ("POST", "/api/v1/items/{item_id}/materials/{material_id}/templates"): (
        Probe(
            "items_b",
            on_item_of_a(
                "POST",
                "/materials/{material}/templates",
                files={"file": ("申请表.pdf", b"%PDF-1.4 probe", "application/pdf"), "kind": (None, "blank")},
            ),
        ),
    ),
    ("GET", "/api/v1/items/{item_id}/templates/history"): (
        Probe("items_b", on_item_of_a("GET", "/templates/history")),
    ),
    ("GET", "/api/v1/items/{item_id}/versions"): (Probe("items_b", on_item_of_a("GET", "/versions")),),
    ("POST", "/api/v1/items/{item_id}/publish"): (Probe("items_b", on_item_of_a("POST", "/publish", {})),),
    ("POST", "/api/v1/items/{item_id}/unpublish"): (Probe("items_b", on_item_of_a("POST", "/unpublish")),),
    ("PUT", "/api/v1/items/{item_id}"): (Probe("items_b", item_guide_of_a("PUT")),),
    ("POST", "/api/v1/items"): (Probe("items_b", item_guide_of_a("POST")),),
    ("POST", "/api/v1/major-projects"): (Probe("manager", new_project_led_by_a),),
    ("GET", "/api/v1/major-projects"): (Probe("officer_c", major_list("/api/v1/major-projects"), nothing_of_a),),
    ("GET", "/api/v1/major-projects/stats"): (
        Probe("officer_c", major_list("/api/v1/major-projects/stats"), nothing_of_a),
    ),
    ("GET", "/api/v1/major-projects/stats.xlsx"): (
        Probe("officer_c", major_list("/api/v1/major-projects/stats.xlsx"), no_rows_of_a),
    ),
    ("GET", "/api/v1/major-projects/choices"): (
        Probe("clerk_b", major_choices_of_a, no_choices),
        Probe("citizen2", major_choices_of_a, no_choices),
    ),
    ("GET", "/api/v1/major-projects/{project_id}"): (Probe("officer_c", major_call("GET", caller="officer_c")),),
    ("PATCH", "/api/v1/major-projects/{project_id}"): (
        Probe("manager", major_call("PATCH", body={"stage": "approval"}, caller="manager")),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/plan"): (
        Probe("manager", major_call("POST", "/plan", body={"start": "2026-09-18"}, caller="manager")),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/nodes"): (
        Probe("manager", major_call("POST", "/nodes", body={"name": "节点", "department_id": 1}, caller="manager")),
    ),
    ("PATCH", "/api/v1/major-projects/{project_id}/nodes/{node_id}"): (
        Probe("manager", major_call("PATCH", "/nodes/{node}", body={"note": "改"}, caller="manager")),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/milestones"): (
        Probe(
            "manager",
            major_call("POST", "/milestones", body={"kind": "land", "planned_finish": "2030-01-31"}, caller="manager"),
        ),
    ),
    ("PATCH", "/api/v1/major-projects/{project_id}/milestones/{milestone_id}"): (
        Probe("manager", major_call("PATCH", "/milestones/{milestone}", body={"note": "改"}, caller="manager")),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/issues"): (
        Probe(
            "officer_c",
            major_call(
                "POST",
                "/issues",
                body={"title": "问题", "department_ids": [1], "due_on": "2030-01-31"},
                caller="officer_c",
            ),
        ),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/issues/{issue_id}/replies"): (
        Probe("officer_c", major_call("POST", "/issues/{issue}/replies", body={"body": "答复"}, caller="officer_c")),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/issues/{issue_id}/close"): (
        Probe("officer_b", major_call("POST", "/issues/{issue}/close", body={"note": "办结"}, caller="officer_b")),
        Probe("manager", major_call("POST", "/issues/{issue}/close", body={"note": "办结"}, caller="manager")),
    ),
    ("POST", "/api/v1/major-projects/{project_id}/meetings"): (
        Probe(
            "manager",
            major_call("POST", "/meetings", body={"held_on": "2026-09-18", "topic": "会商"}, caller="manager"),
        ),
    ),
    ("PATCH", "/api/v1/major-projects/{project_id}/decisions/{decision_id}"): (
        Probe("officer_c", major_call("PATCH", "/decisions/{decision}", body={"done_on": None}, caller="officer_c")),
    ),
}


def appeal_on_a_draft(ctx: Ctx) -> Call:
    """Officer B appeals a version not yet published (the department appealing is always the caller's own)."""
    staff_of(ctx, "officer_b", "officer", ctx.world.dept_b.id)
    draft = assessment_draft(ctx, 2)
    return Call("POST", f"/api/v1/assessment/assessments/{draft}/appeals", json={"reason": "对未发布的结果申诉"})


def only_department_b(ctx: Ctx, response: Any) -> str | None:
    """The assessment answers with B's own result only."""
    if response.status_code != 200:
        return "expected B's own result"
    names = [r["department_name"] for r in response.json()["results"]]
    return None if names == [ctx.world.dept_b.name] else f"listed: {names}"


def only_department_b_exported(ctx: Ctx, response: Any) -> str | None:
    """The workbook holds B's own line only."""
    from io import BytesIO

    from openpyxl import load_workbook

    if response.status_code != 200:
        return "expected B's own workbook"
    sheet = load_workbook(BytesIO(response.content))["考核排名"]
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    return None if names == [ctx.world.dept_b.name] else f"exported: {names}"


PROBES: dict[tuple[str, str], tuple[Probe, ...]] = {
    ("GET", "/api/v1/items/{item_id}/guidance"): (
        Probe("clerk_b", lambda ctx: Call("GET", f"/api/v1/items/{ctx.world.item.id}/guidance")),
        Probe("items_b", on_item_of_a("GET", "/guidance")),
    ),
    ("PUT", "/api/v1/items/{item_id}/guidance"): (
        Probe("items_b", on_item_of_a("PUT", "/guidance", {"acceptance_checklist": ["核对"]})),
    ),
    ("POST", "/api/v1/items/{item_id}/materials/{material_id}/templates"): (
        Probe(
            "items_b",
            on_item_of_a(
                "POST",
                "/materials/{material}/templates",
                files={"file": ("申请表.pdf", b"%PDF-1.4 probe", "application/pdf"), "kind": (None, "blank")},
            ),
        ),
    ),
    ("GET", "/api/v1/items/{item_id}/templates/history"): (
        Probe("items_b", on_item_of_a("GET", "/templates/history")),
    ),
    ("GET", "/api/v1/items/{item_id}/versions"): (Probe("items_b", on_item_of_a("GET", "/versions")),),
    ("POST", "/api/v1/items/{item_id}/publish"): (Probe("items_b", on_item_of_a("POST", "/publish", {})),),
    ("POST", "/api/v1/items/{item_id}/unpublish"): (Probe("items_b", on_item_of_a("POST", "/unpublish")),),
    ("PUT", "/api/v1/items/{item_id}"): (Probe("items_b", item_guide_of_a("PUT")),),
    ("POST", "/api/v1/items"): (Probe("items_b", item_guide_of_a("POST")),),
    ("GET", "/api/v1/cases/{case_id}"): (Probe("clerk_b", case_detail), Probe("citizen2", citizen_case_detail)),
    ("PATCH", "/api/v1/cases/{case_id}/registration"): (Probe("clerk_b", registration_edit),),
    **{
        ("POST", f"/api/v1/cases/{{case_id}}/{action}"): (Probe("clerk_b", on_case_of_a(action)),)
        for action in CASE_ACTIONS
        if action != "resupply"
    },
    ("POST", "/api/v1/cases/{case_id}/review"): (
        Probe("clerk_b", on_case_of_a("review")),
        Probe("officer_c", on_case_of_a("review")),  # C co-reviews other cases, not this ordinary one of A
    ),
    ("POST", "/api/v1/cases/{case_id}/resupply"): (
        Probe("citizen2", citizen_resupply),
        Probe("clerk_b", citizen_resupply),
        Probe("citizen", resupply_with_anothers_upload, REFUSED_REFERENCE),
    ),
    ("POST", "/api/v1/cases/window"): (
        Probe("clerk_b", window_for_item_of_a),
        Probe("clerk_a", window_case_for_project_of_b),
    ),
    ("POST", "/api/v1/cases"): (Probe("citizen2", apply_with_anothers_upload, REFUSED_REFERENCE),),
    ("GET", "/api/v1/cases"): (
        Probe("clerk_b", cases_of_a_filtered("department_id"), no_case_of_a),
        Probe("clerk_b", cases_of_a_filtered("service_item_id"), no_case_of_a),
        Probe("citizen2", cases_of_a_filtered("department_id"), no_case_of_a),
    ),
    ("GET", "/api/v1/applicants/prefill"): (Probe("citizen2", lookup("/api/v1/applicants/prefill"), nothing_found),),
    ("GET", "/api/v1/applicants/reusable"): (Probe("citizen2", lookup("/api/v1/applicants/reusable"), nothing_found),),
    ("POST", "/api/v1/ratings/{evaluation_id}/follow-up"): (Probe("clerk_b", follow_up_of_a),),
    ("GET", "/api/v1/projects/{project_id}"): (
        Probe("citizen2", project_call("GET", "")),
        Probe("outsider", as_outsider_officer(project_call("GET", "", "in_review"))),
    ),
    ("PATCH", "/api/v1/projects/{project_id}"): (
        Probe("citizen2", project_call("PATCH", "", body={"location": "创业路20号"})),
        Probe("citizen2", project_with_anothers_credit_code),
    ),
    ("GET", "/api/v1/projects/{project_id}/questions"): (Probe("citizen2", project_call("GET", "/questions")),),
    ("POST", "/api/v1/projects/{project_id}/derive"): (Probe("citizen2", project_call("POST", "/derive")),),
    ("GET", "/api/v1/projects/{project_id}/flow"): (
        Probe("citizen2", project_call("GET", "/flow", "derived")),
        Probe("outsider", as_outsider_officer(project_call("GET", "/flow", "in_review"))),
    ),
    ("POST", "/api/v1/projects/{project_id}/review"): (Probe("citizen2", project_call("POST", "/review", "derived")),),
    ("POST", "/api/v1/projects/{project_id}/letter"): (
        Probe("citizen2", project_call("POST", "/letter", "derived")),
        Probe("outsider", as_outsider_officer(project_call("POST", "/letter", "in_review"))),
    ),
    ("GET", "/api/v1/projects/{project_id}/letters"): (Probe("citizen2", project_call("GET", "/letters", "derived")),),
    ("GET", "/api/v1/project-reviews/{review_id}"): (Probe("outsider", as_outsider_officer(on_review(""))),),
    ("POST", "/api/v1/project-reviews/{review_id}/adjustments"): (
        Probe("outsider", as_outsider_officer(on_review("/adjustments"))),
    ),
    ("POST", "/api/v1/project-reviews/{review_id}/confirm"): (
        Probe("outsider", as_outsider_officer(on_review("/confirm", {"opinion": "同意"}))),
    ),
    ("GET", "/api/v1/supervision/pushes/{push_id}"): (Probe("officer_b", push_call("")),),
    ("POST", "/api/v1/supervision/pushes/{push_id}/claim"): (
        Probe("officer_b", push_call("/claim")),
        Probe("clerk_a", push_call("/claim")),  # the approving department does not claim its own push
    ),
    ("POST", "/api/v1/supervision/pushes/{push_id}/feedback"): (
        Probe("officer_b", push_call("/feedback", claimed=True, body=FEEDBACK)),
        Probe("officer_c", feedback_with_anothers_upload, REFUSED_REFERENCE),
    ),
    ("GET", "/api/v1/supervision/pushes"): (
        Probe("officer_b", supervision_list("/api/v1/supervision/pushes"), not_department_cs),
    ),
    ("GET", "/api/v1/supervision/escalations"): (
        Probe("officer_b", supervision_list("/api/v1/supervision/escalations"), not_department_cs),
    ),
    ("GET", "/api/v1/supervision/stats"): (
        Probe("officer_b", supervision_list("/api/v1/supervision/stats"), not_department_cs),
    ),
    ("POST", "/api/v1/me/inbox/{notification_id}/read"): (Probe("citizen2", anothers_inbox_message),),
    ("GET", "/api/v1/warnings/{warning_id}"): (Probe("officer_b", warning_of_a("")),),
    ("POST", "/api/v1/warnings/{warning_id}/sign"): (Probe("officer_b", warning_of_a("/sign")),),
    ("POST", "/api/v1/warnings/{warning_id}/handle"): (
        Probe(
            "officer_b",
            warning_of_a("/handle", "signed", {"reason": "材料需补正", "plan": "补正", "promised_on": "2099-12-31"}),
        ),
    ),
    ("POST", "/api/v1/warnings/{warning_id}/close"): (
        Probe("officer_b", warning_of_a("/close", "handled", {"note": "已核实"})),
    ),
    ("GET", "/api/v1/warnings"): (
        Probe("officer_b", warnings_of_a_listed("/api/v1/warnings", department_id="A"), no_warning_of_a),
    ),
    ("GET", "/api/v1/warnings/counts"): (
        Probe("officer_b", warnings_of_a_listed("/api/v1/warnings/counts"), no_warning_of_a),
    ),
    ("GET", "/api/v1/warnings/history"): (
        Probe(
            "officer_b",
            warnings_of_a_listed("/api/v1/warnings/history", subject_kind="node", subject_id=1),
            no_warning_of_a,
        ),
    ),
    **MAJOR_PROBES,
    **GUIDANCE_PROBES,
    ("GET", "/api/v1/assessment/assessments/{assessment_id}"): (
        Probe("officer_b", assessment_of_a(""), only_department_b),
    ),
    ("GET", "/api/v1/assessment/assessments/{assessment_id}/departments/{department_id}"): (
        Probe("officer_b", assessment_of_a("/departments/{dept}")),
    ),
    ("GET", "/api/v1/assessment/assessments/{assessment_id}/departments/{department_id}/explanation"): (
        Probe("officer_b", assessment_of_a("/departments/{dept}/explanation", {"indicator": "overdue_count"})),
    ),
    ("GET", "/api/v1/assessment/assessments/{assessment_id}/export.xlsx"): (
        Probe("officer_b", assessment_of_a("/export.xlsx"), only_department_b_exported),
    ),
    ("POST", "/api/v1/assessment/assessments/{assessment_id}/appeals"): (Probe("officer_b", appeal_on_a_draft),),
}

GUIDANCE_MANAGEMENT = "帮办 managers (guidance.manage) run the whole roster and see every booking: no scope to aim at"
ADMINISTRATION = "administrators only, whose scope is every department: there is no other department to aim at"
PUBLIC = "public by design: the catalogue, knowledge, publicity, statistics and verified letters are for everyone"
EXEMPT: dict[tuple[str, str], str] = {
    **{
        route: GUIDANCE_MANAGEMENT
        for route in [
            ("GET", "/api/v1/guidance/bookings"),
            ("GET", "/api/v1/guidance/bookings.xlsx"),
            ("POST", "/api/v1/guidance/staff"),
            ("PUT", "/api/v1/guidance/staff/{staff_id}"),
        ]
    },
    **{
        route: ADMINISTRATION
        for route in [
            ("GET", "/api/v1/users"),
            ("POST", "/api/v1/users"),
            ("PATCH", "/api/v1/users/{user_id}"),
            ("POST", "/api/v1/users/{user_id}/unlock"),
            ("PUT", "/api/v1/departments/{department_id}"),
            ("PUT", "/api/v1/roles/{role_id}"),
            ("DELETE", "/api/v1/roles/{role_id}"),
            ("GET", "/api/v1/exchange/records"),
            ("GET", "/api/v1/exchange/records/{record_id}"),
            ("POST", "/api/v1/exchange/counterparts/{code}/pause"),
            ("POST", "/api/v1/exchange/counterparts/{code}/resume"),
            ("POST", "/api/v1/exchange/reconciliations/{reconciliation_id}/resend"),
            ("POST", "/api/v1/exchange/records/{record_id}/replay"),
            ("POST", "/api/v1/exchange/records/{record_id}/resend"),
            ("GET", "/api/v1/audit"),
            ("GET", "/api/v1/rules/versions/{version}"),
            ("PUT", "/api/v1/rules/draft/rules/{code}"),
            ("DELETE", "/api/v1/rules/draft/rules/{code}"),
            ("POST", "/api/v1/rules/versions/{version}/rollback"),
            ("PUT", "/api/v1/topics/{code}"),
            ("POST", "/api/v1/supervision/configs"),
            ("GET", "/api/v1/supervision/configs/{config_id}"),
            ("PUT", "/api/v1/supervision/configs/{config_id}"),
            ("DELETE", "/api/v1/supervision/configs/{config_id}"),
            ("GET", "/api/v1/supervision/comparisons/{comparison_id}"),
            ("GET", "/api/v1/supervision/stats.xlsx"),  # the same figures as /stats, probed there
            ("POST", "/api/v1/knowledge/revisions"),
            ("GET", "/api/v1/knowledge/revisions"),
            ("POST", "/api/v1/knowledge/revisions/{revision_id}/submit"),
            ("POST", "/api/v1/knowledge/revisions/{revision_id}/approve"),
            ("POST", "/api/v1/knowledge/revisions/{revision_id}/reject"),
            ("POST", "/api/v1/knowledge/{kind}/{entity_id}/archive"),
            ("POST", "/api/v1/knowledge/unanswered/{question_id}/to-faq"),
            ("GET", "/api/v1/knowledge/unanswered/{question_id}/suggestions"),
            ("POST", "/api/v1/knowledge/unanswered/{question_id}/to-alternatives"),
            ("GET", "/api/v1/knowledge/export/{kind}"),
            ("POST", "/api/v1/knowledge/import/{kind}"),
            ("POST", "/api/v1/notifications/{notification_id}/retry"),
            ("POST", "/api/v1/warnings/settings"),  # warning.manage: the tracker and admin roles, all departments
            ("PUT", "/api/v1/warnings/settings/{setting_id}"),
            ("DELETE", "/api/v1/warnings/settings/{setting_id}"),
            ("GET", "/api/v1/assessment/schemes/{scheme_id}"),
            ("PUT", "/api/v1/assessment/schemes/{scheme_id}"),
            ("POST", "/api/v1/assessment/assessments"),
            ("POST", "/api/v1/assessment/assessments/{assessment_id}/recompute"),
            ("POST", "/api/v1/assessment/assessments/{assessment_id}/corrections"),
            ("POST", "/api/v1/assessment/assessments/{assessment_id}/publish"),
            ("POST", "/api/v1/assessment/appeals/{appeal_id}/answer"),
        ]
    },
    **{
        route: PUBLIC
        for route in [
            ("GET", "/api/v1/items"),
            ("GET", "/api/v1/items/{item_id}"),
            ("GET", "/api/v1/items/{item_id}/templates"),
            ("GET", "/api/v1/items/{item_id}/templates/{template_id}/file"),  # older versions: managers, tested apart
            ("GET", "/api/v1/publicity"),
            ("GET", "/api/v1/statistics"),
            ("GET", "/api/v1/statistics.xlsx"),
            ("GET", "/api/v1/letters/{code}"),
            ("GET", "/api/v1/letters/{code}/pdf"),
            ("GET", "/api/v1/topics/{code}"),
            ("GET", "/api/v1/topics/{code}/flowchart.svg"),
            ("GET", "/api/v1/knowledge/faqs"),
            ("GET", "/api/v1/knowledge/faqs/{faq_id}"),
            ("GET", "/api/v1/knowledge/laws/{law_id}"),
            ("GET", "/api/v1/knowledge/laws/{law_id}/articles/{number}"),
            ("GET", "/api/v1/knowledge/policies/{policy_id}"),
        ]
    },
    ("POST", "/api/v1/projects"): "a new project is the caller's own whatever credit code it names (PATCH is probed)",
    ("POST", "/channels/rest/messages"): "message_id is the sender's own de-duplication key, kept per channel user",
}


def test_every_parameterised_route_is_classified(app: Any) -> None:
    routes = parameterised_routes(app)
    assert len(routes) >= 70, len(routes)
    assert not set(PROBES) & set(EXEMPT)
    classified = set(PROBES) | set(EXEMPT)
    assert routes == classified, (
        f"routes to classify (probe or exempt with a reason): {sorted(routes - classified)}; "
        f"classified but gone: {sorted(classified - routes)}"
    )


@pytest.mark.parametrize("route", sorted(PROBES), ids=lambda r: f"{r[0]} {r[1]}")
def test_another_departments_or_accounts_object_is_out_of_reach(
    route: tuple[str, str], client: TestClient, world: World, db
) -> None:
    wrong = []
    for index, probe in enumerate(PROBES[route]):
        ctx = Ctx(client, world, db, probe.caller, index)
        call = probe.build(ctx)
        caller = ctx.scratch.get("caller", probe.caller)
        assert call.method == route[0], (call, route)
        before = db_state()
        rate_limit.reset()
        response = client.request(
            call.method, call.path, json=call.json, params=call.params, files=call.files, headers=world.auth(caller)
        )
        problem = (probe.expect or REFUSED)(ctx, response)
        if problem:
            wrong.append(
                f"{caller} {call.method} {call.path} {call.params or ''}: {problem} — {response.status_code} {response.text[:200]}"
            )
        elif db_state() != before:
            wrong.append(
                f"{caller} {call.method} {call.path}: answered {response.status_code}, yet the database changed"
            )
    assert not wrong, "\n".join(wrong)
