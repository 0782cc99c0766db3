"""Excel import and export: a file with errors is rejected whole with a row-by-row report; a clean file
imports as drafts for review; an export re-imported changes nothing."""

from io import BytesIO
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from tests.knowledge.helpers import FAQ, LAW, publish
from tests.world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client: TestClient, world: World, kind: str, content: bytes, who: str = "editor") -> Any:
    files = {"file": (f"{kind}.xlsx", content, XLSX)}
    return client.post(f"/api/v1/knowledge/import/{kind}", files=files, headers=world.auth(who))


def revisions(client: TestClient, world: World) -> list[dict[str, Any]]:
    return list(client.get("/api/v1/knowledge/revisions", headers=world.auth("editor")).json())


FAQ_HEADER = ["编号", "关联事项", "问题", "答案", "关键词", "其他问法"]


def test_a_file_with_errors_is_rejected_whole_with_row_numbers(client: TestClient, curators: World) -> None:
    content = workbook(
        {
            "咨询问答": [
                FAQ_HEADER,
                [None, "", "中心周六上班吗", "周六上午9:00-12:00提供部分事项办理。", "周六", "礼拜六开门吗"],
                [None, "不存在的事项", "这个事项怎么办理", "请到窗口咨询。", "", ""],
                [None, "", "问", "答案过短的问题行", "", ""],
                [None, "", "中心周六上班吗", "重复的问题。", "", ""],
                ["abc", "", "编号写错的一行问题", "答案内容。", "", ""],
            ]
        }
    )
    response = upload(client, curators, "faq", content)
    assert response.status_code == 422
    message = response.json()["error"]["message"]
    assert "未导入任何内容" in message
    assert "“咨询问答”第3行【关联事项】：事项“不存在的事项”不存在" in message
    assert "第4行" in message and "第5行【问题】：与第2行重复" in message
    assert "第6行【编号】：编号应为数字" in message
    assert revisions(client, curators) == []


def test_wrong_columns_and_a_non_excel_file_are_refused(client: TestClient, curators: World) -> None:
    wrong = upload(client, curators, "faq", workbook({"咨询问答": [["问题", "答案"], ["a", "b"]]}))
    assert (
        wrong.status_code == 422
        and "表头应为：编号、关联事项、问题、答案、关键词、其他问法" in wrong.json()["error"]["message"]
    )
    junk = upload(client, curators, "glossary", b"not an excel file")
    assert junk.status_code == 422 and "无法读取该文件" in junk.json()["error"]["message"]
    citizen = upload(client, curators, "faq", workbook({"咨询问答": [FAQ_HEADER]}), who="citizen")
    assert citizen.status_code == 403


def test_a_clean_file_becomes_drafts_for_review(client: TestClient, curators: World) -> None:
    content = workbook(
        {
            "政务百科": [
                ["编号", "词条", "解释", "同义词"],
                [None, "容缺受理", "主要申请材料齐全、次要材料欠缺时，先行受理并限期补齐。", "容缺；容缺办理"],
                [None, "一次性告知", "材料不齐时，一次性告知申请人需要补正的全部内容。", ""],
            ]
        }
    )
    response = upload(client, curators, "glossary", content)
    assert response.status_code == 200 and response.json() == {"submitted": 2}
    pending = revisions(client, curators)
    assert {r["title"] for r in pending} == {"容缺受理", "一次性告知"} and {r["status"] for r in pending} == {"pending"}
    assert pending[-1]["data"]["synonyms"] == ["容缺", "容缺办理"]
    assert client.get("/api/v1/knowledge/glossary").json() == []  # not live until reviewed


def test_export_and_reimport_round_trips_without_change(client: TestClient, curators: World) -> None:
    publish(client, curators, "faq", {**FAQ, "service_item_id": curators.item.id})
    publish(client, curators, "law", LAW)
    for kind in ("faq", "law"):
        exported = client.get(f"/api/v1/knowledge/export/{kind}", headers=curators.auth("editor"))
        assert exported.status_code == 200 and exported.headers["content-type"] == XLSX
        before = len(revisions(client, curators))
        again = upload(client, curators, kind, exported.content)
        assert again.json() == {"submitted": 0}, again.text
        assert len(revisions(client, curators)) == before
    book = load_workbook(BytesIO(client.get("/api/v1/knowledge/export/law", headers=curators.auth("editor")).content))
    assert [row[1] for row in book["条文"].iter_rows(min_row=2, values_only=True)] == ["第一条", "第三十条"]
    # a changed answer in the exported file becomes one new version for review
    faq_book = load_workbook(
        BytesIO(client.get("/api/v1/knowledge/export/faq", headers=curators.auth("editor")).content)
    )
    faq_book["咨询问答"]["D2"] = "新答案：另需提交施工图审查合格书。"
    buffer = BytesIO()
    faq_book.save(buffer)
    changed = upload(client, curators, "faq", buffer.getvalue())
    assert changed.json() == {"submitted": 1}
    newest = revisions(client, curators)[0]
    assert newest["version"] == 2 and newest["status"] == "pending" and newest["data"]["answer"].startswith("新答案")
