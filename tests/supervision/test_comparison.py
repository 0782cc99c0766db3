"""Item information comparison (事项信息比对): an imported item list against our catalogue, field by field;
a workbook with the wrong columns, or that is not a workbook, is refused and nothing is stored."""

from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient

from core.supervision.comparison import MAX_BYTES
from tests.helpers import PDF_BYTES, api_error, db_state
from tests.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["收费", "事项名称", "法定时限", "事项编码", "实施部门", "承诺时限", "咨询电话"]


def workbook(
    rows: list[list[Any]], header: list[str] = HEADER, title: str | None = "XX市事项清单（2026年版）"
) -> bytes:
    """An .xlsx with an optional title line, a header row and the rows."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "事项清单"
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(
    client: TestClient, world: World, content: bytes, name: str = "清单.xlsx", source: str = "city_platform"
) -> Any:
    return client.post(
        "/api/v1/supervision/comparisons",
        files={"file": (name, content, XLSX)},
        data={"source": source},
        headers=world.auth("admin"),
    )


def planted(world: World) -> bytes:
    """Their list: the main item with two differing fields, the immediate item under another code with three
    differing fields, the joint item missing, and two items we do not have."""
    main, immediate = world.item, world.immediate_item
    return workbook(
        [
            ["免费", main.name, 20, main.code, "城管", "3个工作日", "0512-5786 0009"],
            [None, None, None, None, None, None, None],
            [
                "按面积收费，每平方米2元",
                immediate.name,
                "20个工作日",
                "OLD-CODE-001",
                "住房和城乡建设局",
                1,
                main.consult_phone,
            ],
            ["不收费", "城市建筑垃圾处置核准", 20, "THEIRS-001", "城市管理局", 5, "0512-57860001"],
            ["不收费", "夜间施工许可", 10, None, "城市管理局", 3, "0512-57860001"],
        ]
    )


def test_the_report_finds_every_planted_difference(client: TestClient, world: World) -> None:
    response = upload(client, world, planted(world))
    assert response.status_code == 201, response.text
    report = response.json()
    assert (report["their_count"], report["our_count"], report["matched"]) == (4, 3, 2)
    assert (report["only_ours"], report["only_theirs"], report["differing"]) == (1, 2, 2)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for row in report["rows"]:
        by_kind.setdefault(row["kind"], []).append(row)
    assert [r["name"] for r in by_kind["only_ours"]] == [world.joint_item.name]
    assert {(r["code"], r["name"], r["sheet_row"]) for r in by_kind["only_theirs"]} == {
        ("THEIRS-001", "城市建筑垃圾处置核准", 6),
        ("", "夜间施工许可", 7),
    }
    different = {r["name"]: r for r in by_kind["different"]}
    main = different[world.item.name]
    assert main["matched_by"] == "code" and main["sheet_row"] == 3
    assert {(d["label"], d["ours"], d["theirs"]) for d in main["differences"]} == {
        ("承诺时限", "5个工作日", "3个工作日"),
        ("咨询电话", "0512-57860001", "0512-5786 0009"),
    }
    immediate = different[world.immediate_item.name]
    assert immediate["matched_by"] == "name"
    assert {(d["label"], d["ours"], d["theirs"]) for d in immediate["differences"]} == {
        ("事项编码", world.immediate_item.code, "OLD-CODE-001"),
        ("实施部门", "城市管理局", "住房和城乡建设局"),
        ("收费", "不收费", "按面积收费，每平方米2元"),
    }
    # the report is kept for review
    listed = client.get("/api/v1/supervision/comparisons", headers=world.auth("admin")).json()
    assert [r["id"] for r in listed] == [report["id"]] and listed[0]["source_label"] == "市级平台事项清单"
    again = client.get(f"/api/v1/supervision/comparisons/{report['id']}", headers=world.auth("admin")).json()
    assert again["rows"] == report["rows"]


def test_equal_lists_find_nothing(client: TestClient, world: World) -> None:
    rows = [
        [i.fee, i.name, f"{i.statutory_limit}个工作日", i.code, i.department.name, i.promised_limit, i.consult_phone]
        for i in (world.item, world.immediate_item, world.joint_item)
    ]
    report = upload(client, world, workbook(rows, title=None)).json()
    assert (report["matched"], report["only_ours"], report["only_theirs"], report["differing"]) == (3, 0, 0, 0)


def test_a_workbook_with_wrong_columns_is_refused_naming_them_and_nothing_is_stored(
    client: TestClient, world: World
) -> None:
    before = db_state()
    wrong = workbook([["TEST-1", "占道审批", "城管", 5]], header=["事项编码", "事项名称", "部门", "时限"])
    error = api_error(upload(client, world, wrong), 422)
    assert error["code"] == "missing_columns"
    for column in ("实施部门", "承诺时限", "法定时限", "收费"):
        assert column in error["message"]
    assert "事项编码、" not in error["message"].split("。")[0]  # the present columns are not named missing
    no_header = workbook([["a", "b"]], header=["序号", "备注"])
    assert "事项编码" in api_error(upload(client, world, no_header), 422)["message"]
    assert db_state() == before


def test_files_that_are_not_xlsx_workbooks_are_refused(client: TestClient, world: World) -> None:
    before = db_state()
    assert "不是 .xlsx" in api_error(upload(client, world, PDF_BYTES, name="清单.pdf"), 422)["message"]
    assert "内容不是真实的" in api_error(upload(client, world, PDF_BYTES, name="清单.xlsx"), 422)["message"]
    assert "无法读取" in api_error(upload(client, world, b"PK\x03\x04broken zip"), 422)["message"]
    huge = b"PK\x03\x04" + b"\x00" * MAX_BYTES
    assert "大小上限" in api_error(upload(client, world, huge), 422)["message"]
    assert "空文件" in api_error(upload(client, world, b""), 422)["message"]
    duplicated = workbook(
        [["不收费", "甲", 1, "X-1", "城管", 1], ["不收费", "乙", 1, "X-1", "城管", 1]], header=HEADER[:6]
    )
    assert "第4行与第3行的事项编码相同" in api_error(upload(client, world, duplicated), 422)["message"]
    assert "来源" in api_error(upload(client, world, planted(world), source="somewhere"), 422)["message"]
    assert db_state() == before


def test_only_managers_compare(client: TestClient, world: World) -> None:
    before = db_state()
    response = client.post(
        "/api/v1/supervision/comparisons",
        files={"file": ("清单.xlsx", planted(world), XLSX)},
        headers=world.auth("officer_a"),
    )
    api_error(response, 403)
    api_error(client.get("/api/v1/supervision/comparisons/1", headers=world.auth("officer_a")), 403)
    api_error(client.get("/api/v1/supervision/comparisons/424242", headers=world.auth("admin")), 404)
    assert db_state() == before
