"""Wrong input gets a 4xx with a Chinese message a person can act on, and changes nothing."""
# ruff: noqa: F811  (a test function takes the imported browser fixture by name)

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.settings import get_settings
from tests.helpers import (
    ENTERPRISE,
    PERSON,
    PNG_BYTES,
    act,
    api_error,
    db_state,
    has_chinese,
    paper_materials,
    register,
    upload_pdf,
)
from tests.web.conftest import Browser, browser  # noqa: F401  (the web tests' browser fixture)
from tests.world import World


@pytest.fixture
def unchanged() -> Iterator[Any]:
    """Call ``unchanged.mark()`` when the arrangement is done; the test's end checks nothing changed since."""

    class Marker:
        state: dict[str, Any] | None = None

        def mark(self) -> None:
            self.state = db_state()

    marker = Marker()
    yield marker
    assert marker.state is not None, "the test never marked its starting point"
    assert db_state() == marker.state, "a refused request changed the database"


# ---------------------------------------------------------------- progress query


def test_unknown_case_and_wrong_password_get_the_same_answer(client: TestClient, world: World, unchanged) -> None:
    new = register(client, world)
    wrong_code = "000000" if new["query_code"] != "000000" else "111111"
    unchanged.mark()
    wrong = client.post("/api/v1/progress", json={"case_no": new["case_no"], "query_code": wrong_code})
    unknown = client.post("/api/v1/progress", json={"case_no": "KF201001019999", "query_code": new["query_code"]})
    error = api_error(wrong, 404)
    assert (unknown.status_code, unknown.json()) == (wrong.status_code, wrong.json())
    assert "查询密码" in error["message"]
    assert wrong.headers.get("content-length") == unknown.headers.get("content-length")


def test_progress_query_is_rate_limited_per_address(client: TestClient, world: World, unchanged) -> None:
    new = register(client, world)
    limit = int(get_settings().progress_query_rate.split("/")[0])
    assert limit == 10
    unchanged.mark()
    for attempt in range(limit):
        answer = client.post("/api/v1/progress", json={"case_no": f"KF20260101{attempt:04d}", "query_code": "123456"})
        assert answer.status_code == 404, (attempt, answer.text)
    # even the right password is refused now: the limit is per address, not per failure
    blocked = client.post("/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]})
    error = api_error(blocked, 429)
    assert "频繁" in error["message"]
    # another address is not affected
    other = TestClient(client.app, client=("203.0.113.9", 50000)).post(
        "/api/v1/progress", json={"case_no": new["case_no"], "query_code": new["query_code"]}
    )
    assert other.status_code == 200, other.text


# ---------------------------------------------------------------- materials


def test_online_submission_without_a_required_material_is_refused(client: TestClient, world: World, unchanged) -> None:
    first = world.item.materials[0]
    upload = upload_pdf(client, world, "citizen", f"{first.name}.pdf")
    body = {
        "service_item_id": world.item.id,
        "applicant": PERSON,
        "materials": [{"item_material_id": first.id, "upload_id": upload}],
    }
    unchanged.mark()
    error = api_error(client.post("/api/v1/cases", json=body, headers=world.auth("citizen")), 422)
    assert error["code"] == "missing_materials"
    assert "施工方案" in error["message"] and "申请表" not in error["message"]


def test_accepting_without_a_required_material_is_refused(client: TestClient, world: World, unchanged) -> None:
    only_form = [m for m in paper_materials(world) if m["item_material_id"] == world.item.materials[0].id]
    body = {"service_item_id": world.item.id, "applicant": PERSON, "materials": only_form}
    created = client.post("/api/v1/cases/window", json=body, headers=world.auth("clerk_a"))
    assert created.status_code == 201, created.text
    cid = created.json()["case_id"]
    unchanged.mark()
    error = api_error(client.post(f"/api/v1/cases/{cid}/accept", json={}, headers=world.auth("clerk_a")), 422)
    assert "缺少必需材料" in error["message"] and "施工方案" in error["message"]
    case = client.get(f"/api/v1/cases/{cid}", headers=world.auth("clerk_a")).json()
    assert case["status"] == "submitted" and case["accepted_at"] is None


# ---------------------------------------------------------------- uploads


@pytest.fixture
def small_uploads() -> Iterator[int]:
    """Uploads limited to 1 MB for the test (the cached settings object is changed and restored)."""
    settings = get_settings()
    saved = settings.upload_max_bytes
    settings.upload_max_bytes = 1024 * 1024
    yield settings.upload_max_bytes
    settings.upload_max_bytes = saved


def uploaded_files() -> set[str]:
    root = get_settings().upload_dir
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_oversized_upload_is_refused(client: TestClient, world: World, small_uploads: int, unchanged) -> None:
    files_before = uploaded_files()
    unchanged.mark()
    content = b"%PDF-1.4\n" + b"0" * small_uploads
    response = client.post(
        "/api/v1/uploads", files={"file": ("施工方案.pdf", content, "application/pdf")}, headers=world.auth("citizen")
    )
    error = api_error(response, 422)
    assert "1 MB" in error["message"] and "施工方案.pdf" in error["message"]
    assert uploaded_files() == files_before


def test_upload_of_exactly_the_limit_is_accepted(client: TestClient, world: World, small_uploads: int) -> None:
    content = b"%PDF-1.4\n" + b"0" * (small_uploads - 9)
    response = client.post(
        "/api/v1/uploads", files={"file": ("施工方案.pdf", content, "application/pdf")}, headers=world.auth("citizen")
    )
    assert response.status_code == 201, response.text
    assert response.json()["size"] == small_uploads


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("申请表.pdf", PNG_BYTES, "不符"),  # a PNG dressed as a PDF
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "类型不支持"),
        ("申请表", b"%PDF-1.4 no extension", "类型不支持"),
    ],
)
def test_upload_of_the_wrong_type_is_refused(
    client: TestClient, world: World, unchanged, name: str, content: bytes, words: str
) -> None:
    files_before = uploaded_files()
    unchanged.mark()
    response = client.post(
        "/api/v1/uploads", files={"file": (name, content, "application/octet-stream")}, headers=world.auth("citizen")
    )
    error = api_error(response, 422)
    assert words in error["message"] and name in error["message"]
    assert uploaded_files() == files_before


# ---------------------------------------------------------------- identifiers


def window_body(world: World, applicant: dict[str, Any]) -> dict[str, Any]:
    return {"service_item_id": world.item.id, "applicant": applicant, "materials": paper_materials(world)}


@pytest.mark.parametrize("last", ["0", "1", "9"])
def test_id_number_with_a_wrong_check_digit_is_refused(client: TestClient, world: World, unchanged, last: str) -> None:
    unchanged.mark()
    applicant = {**PERSON, "id_number": PERSON["id_number"][:-1] + last}
    response = client.post("/api/v1/cases/window", json=window_body(world, applicant), headers=world.auth("clerk_a"))
    error = api_error(response, 422)
    assert "校验位" in error["message"] and error.get("field") == "applicant.id_number"


def test_id_number_with_an_impossible_birthday_is_refused(client: TestClient, world: World, unchanged) -> None:
    unchanged.mark()
    applicant = {**PERSON, "id_number": "110105194902300027"}
    response = client.post("/api/v1/cases/window", json=window_body(world, applicant), headers=world.auth("clerk_a"))
    assert "出生日期" in api_error(response, 422)["message"]


@pytest.mark.parametrize(
    ("credit_code", "words"),
    [
        (ENTERPRISE["id_number"][:-1] + "4", "校验位"),
        ("91350100M000100Y4", "18位"),
        ("91350100M000100I43", "18位"),  # I is not used in credit codes
    ],
)
def test_invalid_credit_code_is_refused(
    client: TestClient, world: World, unchanged, credit_code: str, words: str
) -> None:
    unchanged.mark()
    applicant = {**ENTERPRISE, "id_number": credit_code}
    response = client.post("/api/v1/cases/window", json=window_body(world, applicant), headers=world.auth("clerk_a"))
    error = api_error(response, 422)
    assert words in error["message"] and "统一社会信用代码" in error["message"]


def test_valid_identifiers_are_accepted(client: TestClient, world: World) -> None:
    assert register(client, world, applicant=PERSON)["status"] == "submitted"
    assert register(client, world, applicant=ENTERPRISE)["status"] == "submitted"
    lower_x = {**PERSON, "id_number": PERSON["id_number"].lower()}
    assert register(client, world, applicant=lower_x)["status"] == "submitted"


# ---------------------------------------------------------------- handling


def case_at_conclusion(client: TestClient, world: World) -> int:
    cid = int(register(client, world)["case_id"])
    act(client, world, cid, "accept")
    act(client, world, cid, "review", who="officer_a", agree=False, opinion="施工方案不符合要求")
    act(client, world, cid, "decide", who="leader", agree=False, opinion="不予许可")
    return cid


@pytest.mark.parametrize("result", [1, 2, 3, 4, 5])
def test_conclusion_other_than_certified_needs_a_reason(
    client: TestClient, world: World, unchanged, result: int
) -> None:
    cid = case_at_conclusion(client, world)
    unchanged.mark()
    for reason in ("", "   "):
        response = client.post(
            f"/api/v1/cases/{cid}/conclude", json={"result": result, "reason": reason}, headers=world.auth("officer_a")
        )
        error = api_error(response, 422)
        assert "必须填写理由" in error["message"] and error.get("field") == "reason"


def test_conclusion_result_out_of_range_is_refused(client: TestClient, world: World, unchanged) -> None:
    cid = case_at_conclusion(client, world)
    unchanged.mark()
    for result in (7, -1):
        response = client.post(
            f"/api/v1/cases/{cid}/conclude", json={"result": result, "reason": "x"}, headers=world.auth("officer_a")
        )
        assert "结果代码" in api_error(response, 422)["message"]


def test_deciding_before_review_names_the_current_step(client: TestClient, world: World, unchanged) -> None:
    cid = register(client, world)["case_id"]
    act(client, world, cid, "accept")
    unchanged.mark()
    response = client.post(
        f"/api/v1/cases/{cid}/decide", json={"agree": True, "opinion": "同意"}, headers=world.auth("leader")
    )
    error = api_error(response, 409)
    assert "审查" in error["message"] and "决定" in error["message"]


def test_concluding_a_submitted_case_names_its_status(client: TestClient, world: World, unchanged) -> None:
    cid = register(client, world)["case_id"]
    unchanged.mark()
    response = client.post(f"/api/v1/cases/{cid}/conclude", json={"result": 0}, headers=world.auth("officer_a"))
    error = api_error(response, 409)
    assert "待受理" in error["message"] and "办结" in error["message"]


# ---------------------------------------------------------------- request shape


def test_malformed_json_body_is_refused(client: TestClient, world: World, unchanged) -> None:
    unchanged.mark()
    headers = {**world.auth("clerk_a"), "Content-Type": "application/json"}
    response = client.post("/api/v1/cases/window", content=b'{"service_item_id": 1, "applicant": ', headers=headers)
    assert "JSON" in api_error(response, 422)["message"]


def test_missing_field_is_named_in_chinese(client: TestClient, world: World, unchanged) -> None:
    unchanged.mark()
    body = {"service_item_id": world.item.id, "materials": paper_materials(world)}
    response = client.post("/api/v1/cases/window", json=body, headers=world.auth("clerk_a"))
    assert "缺少必填项" in api_error(response, 422)["message"]


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/publicity"])
@pytest.mark.parametrize("params", [{"page_size": 0}, {"page_size": 101}, {"page": 0}, {"page_size": "十"}])
def test_bad_paging_is_refused(client: TestClient, world: World, unchanged, path: str, params: dict) -> None:
    unchanged.mark()
    response = client.get(path, params=params, headers=world.auth("clerk_a"))
    error = api_error(response, 422)
    assert ("页码" in error["message"]) or ("每页条数" in error["message"])


def test_publicity_date_range_must_not_be_reversed(client: TestClient, world: World, unchanged) -> None:
    unchanged.mark()
    response = client.get("/api/v1/publicity", params={"date_from": "2026-10-09", "date_to": "2026-10-01"})
    assert "开始日期不能晚于结束日期" in api_error(response, 422)["message"]
    response = client.get("/api/v1/publicity", params={"date_from": "2026-13-01"})
    assert "日期" in api_error(response, 422)["message"]


# ---------------------------------------------------------------- ids beyond the database's range (issue 12)

TOO_BIG = 2**63  # one past the largest BIGINT; SQLite's driver raised OverflowError on it (a 500, connection dropped)


def integer_path_routes(app: Any) -> list[tuple[str, str, list[str]]]:
    """(method, path, integer path parameters) of every OpenAPI operation with an integer in its path."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            names = [
                p["name"]
                for p in operation.get("parameters", [])
                if p["in"] == "path" and p.get("schema", {}).get("type") == "integer"
            ]
            if names:
                found.append((method.upper(), path, names))
    return sorted(found)


def test_every_integer_path_id_beyond_range_is_a_chinese_4xx(app: Any, world: World, unchanged) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    routes = integer_path_routes(app)
    assert len(routes) >= 40, routes  # the sweep really covers the API
    unchanged.mark()
    wrong = []
    for method, path, names in routes:
        for value in (TOO_BIG, 2**64, -(2**63) - 1):
            url = path
            for name in names:
                url = url.replace("{" + name + "}", str(value))
            url = re.sub(r"\{[^}]+\}", "x1", url)  # the other path parameters (codes, kinds)
            response = client.request(method, url, headers=world.auth("admin"), json={})
            error = (
                response.json().get("error", {})
                if response.headers["content-type"].startswith("application/json")
                else {}
            )
            if response.status_code not in (404, 422) or not has_chinese(str(error.get("message", ""))):
                wrong.append(f"{method} {url}: {response.status_code} {response.text[:120]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/cases", {"department_id": TOO_BIG}),
        ("/api/v1/cases", {"service_item_id": TOO_BIG}),
        ("/api/v1/publicity", {"department_id": TOO_BIG}),
        ("/api/v1/statistics", {"department_id": TOO_BIG}),
        ("/api/v1/items", {"department_id": TOO_BIG}),
    ],
)
def test_integer_query_ids_beyond_range_are_refused_or_find_nothing(
    app: Any, world: World, unchanged, path: str, params: dict[str, int]
) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    unchanged.mark()
    response = client.get(path, params=params, headers=world.auth("admin"))
    if response.status_code == 200:  # a filter that matches nothing is a fine answer too
        return
    assert "超出允许范围" in api_error(response, 422)["message"]


def test_ids_beyond_range_in_a_body_are_refused(app: Any, world: World, unchanged) -> None:
    client = TestClient(app, raise_server_exceptions=False)
    unchanged.mark()
    body = {
        "service_item_id": TOO_BIG,
        "applicant": PERSON,
        "materials": [{"item_material_id": TOO_BIG, "paper": True}],
    }
    response = client.post("/api/v1/cases/window", json=body, headers=world.auth("clerk_a"))
    assert response.status_code in (404, 422), response.text
    api_error(response, response.status_code)


def _int_path_params(dependant: Any) -> list[str]:
    """The integer path parameters of a route, with those its dependencies read (web/deps.py: load-or-404)."""
    names = [p.name for p in dependant.path_params if p.field_info.annotation is int]
    for sub in dependant.dependencies:
        names += _int_path_params(sub)
    return list(dict.fromkeys(names))


def test_pages_with_an_id_beyond_range_answer_in_chinese(app: Any, world: World) -> None:
    from fastapi.routing import APIRoute, iter_route_contexts

    from tests.web.conftest import Browser, csrf_of

    admin = Browser(TestClient(app, raise_server_exceptions=False))
    assert admin.login("admin").status_code == 200
    token = csrf_of(admin.get("/admin").text)
    wrong, checked = [], 0
    for route in iter_route_contexts(app.routes):
        endpoint = route.original_route
        if not isinstance(endpoint, APIRoute) or not route.path or route.path.startswith("/api/"):
            continue
        names = _int_path_params(endpoint.dependant)
        if not names:
            continue
        url = route.path
        for name in names:
            url = url.replace("{" + name + "}", str(TOO_BIG))
        url = re.sub(r"\{[^}]+\}", "faq", url)
        for method in sorted(route.methods or ()):
            data = {"csrf_token": token} if method == "POST" else None
            response = admin.client.request(method, url, data=data, follow_redirects=False)
            checked += 1
            code = response.status_code
            if not (300 <= code < 400 or (400 <= code < 500 and has_chinese(response.text))):
                wrong.append(f"{method} {url}: {code} {response.text[:120]}")
    for url in ("/admin/cases?department_id=9223372036854775808", "/publicity?department_id=9223372036854775808"):
        response = admin.get(url)
        checked += 1
        if response.status_code not in (200, 422):
            wrong.append(f"GET {url}: {response.status_code} {response.text[:120]}")
    assert checked >= 50, checked
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- bodies that cannot be parsed (issue 12)


@pytest.mark.parametrize(
    ("path", "content_type", "content"),
    [
        ("/api/v1/cases/window", "application/json", b'{"project_name": "\xff\xfe\xba"}'),  # not UTF-8
        ("/api/v1/cases/window", "application/json", b"\xff"),
        ("/api/v1/uploads", "multipart/form-data", b"--x\r\n"),  # no boundary given
        ("/api/v1/uploads", "multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n"),
    ],
)
def test_unparsable_bodies_are_refused_in_chinese(
    client: TestClient, world: World, unchanged, path: str, content_type: str, content: bytes
) -> None:
    unchanged.mark()
    headers = {**world.auth("clerk_a"), "Content-Type": content_type}
    response = client.post(path, content=content, headers=headers)
    assert response.status_code in (400, 422), response.text
    api_error(response, response.status_code)


# ---------------------------------------------------------------- request size cap (issue 12)


@pytest.fixture
def small_requests() -> Iterator[int]:
    """Request bodies limited to 1 MB for the test (the cached settings object is changed and restored)."""
    settings = get_settings()
    saved = settings.request_max_bytes
    settings.request_max_bytes = 1024 * 1024
    yield settings.request_max_bytes
    settings.request_max_bytes = saved


def test_an_oversized_body_is_refused_before_it_is_read(app: Any) -> None:
    """A 100 MB multipart declared by an anonymous caller: 413 in Chinese, and not one byte of it is read."""
    import asyncio

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/uploads",
        "raw_path": b"/api/v1/uploads",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"multipart/form-data; boundary=x"),
            (b"content-length", str(100 * 1024 * 1024).encode()),
        ],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    files_before = uploaded_files()
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == 413
    body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert "上限" in body["error"]["message"] and "64 MB" in body["error"]["message"]
    assert uploaded_files() == files_before


def test_a_body_without_length_is_cut_off_at_the_cap(
    client: TestClient, world: World, small_requests: int, unchanged
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4\n'
        for _ in range(3):
            yield b"0" * small_requests

    unchanged.mark()
    files_before = uploaded_files()
    headers = {**world.auth("citizen"), "Content-Type": "multipart/form-data; boundary=x"}
    response = client.post("/api/v1/uploads", content=chunks(), headers=headers)
    assert "1 MB" in api_error(response, 413)["message"]
    assert uploaded_files() == files_before


def test_an_oversized_form_on_a_page_is_refused_in_chinese(client: TestClient, small_requests: int) -> None:
    response = client.post("/login", data={"username": "x" * (2 * small_requests), "password": "x"})
    assert response.status_code == 413
    assert "上限" in response.text and "text/html" in response.headers["content-type"]


def test_uploads_up_to_their_own_limit_pass_the_request_cap(client: TestClient, world: World) -> None:
    settings = get_settings()
    assert settings.request_max_bytes > settings.upload_max_bytes + 64 * 1024


# ---------------------------------------------------------------- a failed application files nothing (issue 12)
# and keeps the good files chosen, as attachments of its form (issue 16): nothing else is left behind


def test_a_failed_online_application_files_nothing_and_keeps_only_its_good_files(app: Any, world: World) -> None:
    from sqlalchemy import func, select

    from core.cases.models import Case, PendingUpload
    from core.db import session_scope
    from core.files.models import StoredFile
    from tests.web.conftest import Browser

    citizen = Browser(TestClient(app))
    assert citizen.login("13800000001").status_code == 200
    first, second = [m for m in world.item.materials if m.required]
    page = f"/apply/{world.item.id}"
    files_before = uploaded_files()
    # the first material uploads fine; the second is missing, so the application is refused
    only_first = {f"file_{first.id}": ("申请表.pdf", b"%PDF-1.4 application form", "application/pdf")}
    refused = citizen.submit(page, page, PERSON, files=only_first)
    assert refused.status_code == 422 and "缺少必需材料" in refused.text
    assert "已上传：申请表.pdf" in refused.text
    # the first again, the second of the wrong type: the wrong one is neither stored nor kept
    wrong_second = {
        **only_first,
        f"file_{second.id}": ("施工方案.exe", b"MZ\x90\x00", "application/octet-stream"),
    }
    refused = citizen.submit(page, page, PERSON, files=wrong_second)
    assert refused.status_code == 422 and "类型不支持" in refused.text
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(Case)) == 0
        kept = db.scalars(select(PendingUpload)).all()
        assert len(kept) == 2  # one per sending (two forms, two keys), the first material each time
        names = {db.get(StoredFile, row.file_id).original_name for row in kept}  # type: ignore[union-attr]
        assert names == {"申请表.pdf"}
    assert len(uploaded_files() - files_before) == 2


def test_a_successful_application_keeps_its_files(app: Any, world: World) -> None:
    from tests.web.conftest import Browser

    citizen = Browser(TestClient(app))
    assert citizen.login("13800000001").status_code == 200
    files = {
        f"file_{m.id}": (f"{m.name}.pdf", b"%PDF-1.4 " + m.name.encode(), "application/pdf")
        for m in world.item.materials
        if m.required
    }
    files_before = uploaded_files()
    page = citizen.submit(f"/apply/{world.item.id}", f"/apply/{world.item.id}", PERSON, files=files)
    assert page.status_code == 200, page.text
    assert len(uploaded_files() - files_before) == len(files)


# ---------------------------------------------------------------- control characters in names (issue 12)

HIDDEN = ["张\x00三", "张三\x1b[31m", "张\n三", "张\u202e三", "张\u200b三", "张\x7f三"]


@pytest.mark.parametrize("name", HIDDEN)
def test_names_with_control_characters_are_refused(client: TestClient, world: World, unchanged, name: str) -> None:
    unchanged.mark()
    applicant = {**PERSON, "name": name}
    response = client.post("/api/v1/cases/window", json=window_body(world, applicant), headers=world.auth("clerk_a"))
    error = api_error(response, 422)
    assert error["message"].startswith("名称不能包含") and "控制字符" in error["message"]
    assert error["field"] == "applicant.name"
    registered = client.post(
        "/api/v1/auth/register",
        json={"phone": "13900000009", "name": name, "password": "Tb-2026-reg!x", "sms_code": "000000"},
    )
    assert "控制字符" in api_error(registered, 422)["message"]
    renamed = client.patch(
        f"/api/v1/users/{world.users['officer_c'].id}", json={"name": name}, headers=world.auth("admin")
    )
    assert "控制字符" in api_error(renamed, 422)["message"]
    department = {"code": "X01", "name": f"{name}局"}
    created = client.post("/api/v1/departments", json=department, headers=world.auth("admin"))
    assert "控制字符" in api_error(created, 422)["message"]


@pytest.mark.parametrize("name", HIDDEN[2:4])
def test_web_forms_refuse_names_with_control_characters(
    app: Any, world: World, unchanged, name: str, browser: Callable[[str | None], Browser]
) -> None:
    """The registration page and the admin's department and user pages say what is wrong and store nothing."""
    admin, visitor = browser("admin"), browser(None)
    unchanged.mark()
    form = {"phone": "13900000008", "name": name, "password": "Tb-2026-reg!x", "password2": "Tb-2026-reg!x"}
    registered = visitor.submit("/register", "/register", form)
    assert registered.status_code == 422 and "控制字符" in registered.text
    department = admin.submit("/admin/departments/new", "/admin/departments/new", {"code": "X01", "name": f"{name}局"})
    assert department.status_code == 422 and "控制字符" in department.text
    user = {"username": "kz01", "name": name, "password": "Tb-2026-usr!x", "roles": "clerk"}
    staff = admin.submit("/admin/users/new", "/admin/users/new", user)
    assert staff.status_code == 422 and "控制字符" in staff.text, re.findall(r"<p class=\"error[^>]*>[^<]*", staff.text)


def test_surrounding_whitespace_in_a_name_is_trimmed_not_refused(client: TestClient, world: World, db) -> None:
    from core.cases.models import Case

    new = register(client, world, applicant={**PERSON, "name": " 孙市民\n"})
    case = db.get(Case, new["case_id"])
    assert case is not None and case.applicant.name == "孙市民"


def test_an_unparsable_form_on_a_page_is_refused_in_chinese(client: TestClient) -> None:
    response = client.post("/login", content=b"--x\r\n", headers={"Content-Type": "multipart/form-data"})
    assert response.status_code == 400 and "text/html" in response.headers["content-type"]
    assert "请求内容无法解析" in response.text
