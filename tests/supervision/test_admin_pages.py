"""The supervision (审管衔接) admin pages: a supervisor's inbox, claim and feedback through the forms (refused input shows
again in Chinese, nothing saved), the configuration editor, comparison upload and statistics with export."""

import re
from collections.abc import Callable
from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from core import clock
from core.supervision.scheduled import scan_escalations
from tests.helpers import PDF_BYTES, db_state
from tests.supervision.conftest import concluded, push_to
from tests.supervision.test_comparison import XLSX, planted, workbook
from tests.web.conftest import Browser
from tests.world import WORKDAY, World

MakeBrowser = Callable[..., Browser]


def count(html: str, tab: str) -> int:
    found = re.search(rf'id="count-{tab}">(\d+)<', html)
    assert found, html[:500]
    return int(found.group(1))


def test_a_supervisor_claims_and_feeds_back_through_the_pages(
    client, supervised: World, browser: MakeBrowser, db: Session
) -> None:
    world = supervised
    clock.freeze(WORKDAY)
    new = concluded(client, world)
    clock.freeze(datetime(2026, 10, 9, 9, 0))
    scan_escalations(db)  # three working days passed on 30 September: overdue and chased
    officer = browser("officer_c")
    inbox = officer.get("/admin/supervision").text
    assert count(inbox, "pushed") == 1 and count(inbox, "overdue") == 1 and count(inbox, "fed_back") == 0
    assert new["case_no"] in inbox and "逾期" in inbox and "已催办1级" in inbox
    assert "生态环境分局" not in inbox.split('id="pushes"')[1]  # B's push is not in C's inbox
    push_id = push_to(client, world, world.dept_c.id)["id"]
    page = officer.get(f"/admin/supervision/pushes/{push_id}").text
    assert "1101**********002X" in page and "11010519491231002X" not in page
    assert "一级催办（本部门）" in page and "认领</button>" in page

    page = officer.submit(f"/admin/supervision/pushes/{push_id}", f"/admin/supervision/pushes/{push_id}/claim", {})
    assert page.status_code == 200 and "已认领" in page.text and 'id="status">待反馈' in page.text

    before = db_state()
    refused = officer.submit(
        f"/admin/supervision/pushes/{push_id}",
        f"/admin/supervision/pushes/{push_id}/feedback",
        {"inspected": "1", "inspected_on": "2026-10-09", "problems_found": "1", "problems": "", "measures": "整改"},
    )
    assert refused.status_code == 422 and "请写明发现的问题" in refused.text
    assert 'value="2026-10-09"' in refused.text  # what was typed is shown again
    assert db_state() == before

    done = officer.submit(
        f"/admin/supervision/pushes/{push_id}",
        f"/admin/supervision/pushes/{push_id}/feedback",
        {
            "inspected": "1",
            "inspected_on": "2026-10-09",
            "problems_found": "1",
            "problems": "灭火器过期",
            "measures": "责令更换",
        },
        files={"attachments": ("现场照片.pdf", PDF_BYTES, "application/pdf")},
    )
    assert done.status_code == 200 and "监管结果已反馈" in done.text
    assert 'id="status">已反馈' in done.text and "灭火器过期" in done.text and "现场照片.pdf" in done.text
    # the approving department's clerk reads the feedback; B's officer may not open C's push
    assert "责令更换" in browser("clerk_a").get(f"/admin/supervision/pushes/{push_id}").text
    assert browser("officer_b").get(f"/admin/supervision/pushes/{push_id}").status_code == 403
    assert browser("clerk_b").get("/admin/supervision").status_code == 403


def test_an_admin_edits_a_configuration_and_sees_refusals_in_chinese(
    supervised: World, browser: MakeBrowser, db: Session
) -> None:
    world = supervised
    admin = browser("admin")
    listing = admin.get("/admin/supervision/configs").text
    assert world.item.name in listing and "消防救援大队" in listing
    url = f"/admin/supervision/configs/{world.item.id}"
    before = db_state()
    refused = admin.submit(url, url, {"fields": ["licence_no"], "note": "", "is_active": "1"})
    assert refused.status_code == 422 and "请至少选择一个接收推送的监管部门" in refused.text
    refused = admin.submit(
        url, url, {"department_ids": [str(world.dept_c.id)], "fields": ["licence_no"], "claim_days": "三"}
    )
    assert refused.status_code == 422 and "认领时限应为数字" in refused.text
    assert db_state() == before
    saved = admin.submit(
        url,
        url,
        {
            "department_ids": [str(world.dept_b.id)],
            "fields": ["licence_no", "holder"],
            "claim_days": "5",
            "is_active": "1",
        },
    )
    assert saved.status_code == 200 and "已保存" in saved.text
    row = saved.text.split('id="configs"', 1)[1].split(world.item.name, 1)[1].split("</tr>", 1)[0]
    assert "生态环境分局" in row and "消防救援大队" not in row and "5 / 20" in row
    assert browser("officer_c").get("/admin/supervision/configs").status_code == 403


def test_comparison_upload_and_report_pages(world: World, browser: MakeBrowser) -> None:
    admin = browser("admin")
    url = "/admin/supervision/comparisons"
    wrong = workbook([["X", "名称"]], header=["事项编码", "事项名称"])
    refused = admin.submit(url, url, {"source": "supervision"}, files={"file": ("清单.xlsx", wrong, XLSX)})
    assert refused.status_code == 422 and "工作簿缺少必需的列：实施部门、承诺时限、法定时限、收费" in refused.text
    report = admin.submit(url, url, {"source": "supervision"}, files={"file": ("清单.xlsx", planted(world), XLSX)})
    assert report.status_code == 200
    assert "仅我方有 1 项，仅对方有 2 项，信息不一致 2 项" in report.text
    assert "3个工作日" in report.text and "OLD-CODE-001" in report.text and "城市建筑垃圾处置核准" in report.text
    assert "清单.xlsx" in admin.get(url).text


def test_statistics_page_and_its_export_link(client, supervised: World, browser: MakeBrowser) -> None:
    world = supervised
    clock.freeze(WORKDAY)
    concluded(client, world)
    leader = browser("leader")
    page = leader.get("/admin/supervision/stats?date_from=2026-09-01&date_to=2026-09-30")
    assert page.status_code == 200 and "2026年09月" in page.text and "生态环境分局" in page.text
    link = re.search(r'href="([^"]+)" id="export"', page.text)
    assert link
    export = leader.get(link.group(1).replace("&amp;", "&"))
    assert export.status_code == 200
    totals = list(load_workbook(BytesIO(export.content))["按月份"].iter_rows(min_row=3, values_only=True))
    assert totals[-1][:2] == ("合计", 2)
    bad = leader.get("/admin/supervision/stats?date_from=2026-13-01")
    assert bad.status_code == 422 and "开始日期应为日期" in bad.text
