"""The assessment pages through their forms: a scheme refused when its weights do not make 100 (the form again,
in Chinese, what was typed kept, nothing saved), computing, correcting and publishing a period, a department's
result with what each score counted and its appeal, and the administrator's answer."""

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from tests.assessment.conftest import S1
from tests.helpers import db_state
from tests.web.conftest import Browser
from tests.world import World

MakeBrowser = Callable[..., Browser]


def scheme_form(weights: dict[str, int], name: str = "部门进度考核（月度）") -> dict[str, Any]:
    return {"name": name, "period_kind": "month", "description": ""} | {
        f"weight_{k}": str(v) for k, v in weights.items()
    }


def rows_of(html: str, table: str) -> list[str]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"<[^>]+>", " ", row) for row in body.split("<tr>")[2:]]


def test_an_administrator_sets_up_computes_corrects_and_publishes(
    world: World, november: dict[str, Any], browser: MakeBrowser, db: Session
) -> None:
    admin = browser("admin")
    assert "进度考核" in admin.get("/admin").text
    before = db_state()
    refused = admin.submit(
        "/admin/assessment/schemes/new", "/admin/assessment/schemes/new", scheme_form(S1 | {"overdue_count": 5})
    )
    assert refused.status_code == 422 and "权重合计应为 100，现为 95" in refused.text
    assert 'value="部门进度考核（月度）"' in refused.text and 'name="weight_overdue_count" value="5"' in refused.text
    letters = admin.submit(
        "/admin/assessment/schemes/new", "/admin/assessment/schemes/new", scheme_form(S1 | {"overdue_count": "十"})
    )
    assert letters.status_code == 422 and "“逾期办件数”的权重应为数字" in letters.text
    assert db_state() == before
    saved = admin.submit("/admin/assessment/schemes/new", "/admin/assessment/schemes/new", scheme_form(S1))
    assert saved.status_code == 200 and "已保存考核方案" in saved.text and "（合计 100）" in saved.text

    page = admin.submit("/admin/assessment", "/admin/assessment/compute", {"scheme_id": "", "period": "2026-11"})
    assert "考核方案不存在" in page.text  # no scheme chosen: refused on the page it came from
    index = admin.get("/admin/assessment").text
    scheme_id = re.search(r'<option value="(\d+)">部门进度考核', index)
    assert scheme_id
    ranking = admin.submit(
        "/admin/assessment", "/admin/assessment/compute", {"scheme_id": scheme_id.group(1), "period": "2026-11"}
    )
    assert ranking.status_code == 200 and "已计算2026年11月的考核结果（待发布）" in ranking.text
    lines = rows_of(ranking.text, "ranking")
    assert "生态环境分局" in lines[0] and "86.81" in lines[0] and "城市管理局" in lines[1] and "59.68" in lines[1]
    assert "不排名" in lines[2] and "无考核数据" in lines[2]
    url = re.search(r'action="(/admin/assessment/(\d+))/publish"', ranking.text)
    assert url
    page_url = url.group(1)

    before = db_state()
    wrong = admin.submit(
        page_url,
        f"{page_url}/corrections",
        {"department_id": str(world.dept_a.id), "indicator": "total", "value": "九十", "reason": "经复核"},
    )
    assert wrong.status_code == 422 and "修正后的分值应为数字" in wrong.text and "九十" in wrong.text
    assert db_state() == before
    corrected = admin.submit(
        page_url,
        f"{page_url}/corrections",
        {"department_id": str(world.dept_a.id), "indicator": "total", "value": "90", "reason": "承担专项任务，经复核"},
    )
    assert "已记录修正" in corrected.text and "承担专项任务，经复核" in corrected.text
    assert "城市管理局" in rows_of(corrected.text, "ranking")[0]
    done = admin.submit(page_url, f"{page_url}/publish", {})
    assert "已发布2026年11月考核结果（第1版）" in done.text and "第1版 · 已发布" in done.text
    assert 'id="publish"' not in done.text and "修正将生成新版本" in done.text


def test_a_department_reads_its_result_with_what_it_counted_and_appeals(
    client, world: World, november: dict[str, Any], browser: MakeBrowser
) -> None:
    from tests.assessment.test_versions import published

    v1 = published(client, world)
    officer = browser("officer_a")
    index = officer.get("/admin/assessment").text
    assert "本部门各期考核结果" in index and "59.68" in index and "第 2 名" in index
    assert "生态环境分局" not in index
    # the ranking page sends a department's staff to their own result
    own = officer.get(f"/admin/assessment/{v1['id']}")
    assert own.status_code == 200 and "城市管理局 · 2026年11月考核结果" in own.text
    assert "第 2 名（共 2 个部门）" in own.text
    assert "按时完成节点数 1 / 到期节点数 3" in own.text and "实际用时合计（天） 16 / 承诺用时合计（天） 21" in own.text
    explained = officer.get(f"/admin/assessment/{v1['id']}/departments/{world.dept_a.id}?indicator=case_on_time_rate")
    listed = explained.text.split('id="explanation"', 1)[1]
    # the late case first, with why; then the two on time
    assert listed.index(november["a2"].case_no) < listed.index(november["a1"].case_no)
    assert "实际 2026-11-12 09:00 办结，超时" in listed and listed.count("计为达标") == 2
    assert officer.get(f"/admin/assessment/{v1['id']}/departments/{world.dept_b.id}").status_code == 403
    assert browser("clerk_a").get("/admin/assessment").status_code == 403

    url = f"/admin/assessment/{v1['id']}/departments/{world.dept_a.id}"
    short = officer.submit(url, f"/admin/assessment/{v1['id']}/appeals", {"indicator": "", "reason": "不服"})
    assert short.status_code == 422 and "请写明申诉理由" in short.text
    filed = officer.submit(
        url,
        f"/admin/assessment/{v1['id']}/appeals",
        {"indicator": "node_on_time_rate", "reason": "节点延期系申请人原因"},
    )
    assert "申诉已提交" in filed.text and "待答复" in filed.text

    admin = browser("admin")
    appeals = admin.get("/admin/assessment/appeals").text
    appeal_id = re.search(r'action="/admin/assessment/appeals/(\d+)/answer"', appeals)
    assert appeal_id and "节点延期系申请人原因" in appeals
    action = f"/admin/assessment/appeals/{appeal_id.group(1)}/answer"
    missing = admin.submit("/admin/assessment/appeals", action, {"accepted": "1", "answer": "情况属实，予以采纳"})
    assert missing.status_code == 422 and "采纳申诉须填写修正的指标（或总分）和修正后的分值" in missing.text
    accepted = admin.submit(
        "/admin/assessment/appeals",
        action,
        {"accepted": "1", "answer": "情况属实，予以采纳", "indicator": "node_on_time_rate", "value": "66.67"},
    )
    assert "已采纳申诉，修正已记入新版本（待发布）" in accepted.text and "第2版 · 待发布" in accepted.text
    assert "63.39" in rows_of(accepted.text, "ranking")[1]
    answered = officer.get(url).text
    assert "已采纳" in answered and "情况属实，予以采纳" in answered
