"""The portal's presentation: statistics as charts with their tables, the Excel export's real dates, one name for
the centre everywhere, the site icon, which articles a law page holds (issue 16)."""

import dataclasses
import json
import re
from datetime import date, datetime
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from core import clock
from core.cases.export import statistics_span
from core.cases.schemas import StatsRow
from core.projects.letter_pdf import LetterContent
from core.settings import get_settings
from knowledge import service as knowledge_service
from knowledge.seed_loader import top_up_laws
from tests.helpers import register
from tests.world import World
from web.vendor import VENDOR_FILES


def _row(month: str, received: int = 1) -> StatsRow:
    return StatsRow(
        department_id=1, department_name="城市管理局", month=month, received=received, concluded=0, on_time=0, overdue=0
    )


def test_the_export_title_names_real_dates_never_start_and_now() -> None:
    clock.freeze(datetime(2026, 12, 5, 10, 0))
    rows = [_row("2026-03"), _row("2025-12")]
    assert statistics_span(rows, None, None) == "2025年12月1日 至 2026年12月5日"
    assert statistics_span(rows, date(2026, 1, 15), None) == "2026年1月15日 至 2026年12月5日"
    assert statistics_span(rows, None, date(2026, 6, 30)) == "2025年12月1日 至 2026年6月30日"
    assert statistics_span([], None, None) == "截至2026年12月5日"


def test_the_excel_export_has_the_centre_and_the_dates_in_its_title(client: TestClient, world: World) -> None:
    clock.freeze(datetime(2026, 12, 5, 10, 0))
    register(client, world)
    response = client.get("/api/v1/statistics.xlsx")
    assert response.status_code == 200
    title = load_workbook(BytesIO(response.content))["按部门和月份"]["A1"].value
    assert title == f"{get_settings().centre_name} 办件统计（2026年12月1日 至 2026年12月5日）"
    ranged = client.get("/api/v1/statistics.xlsx?date_from=2026-11-01&date_to=2026-12-31")
    assert "（2026年11月1日 至 2026年12月31日）" in load_workbook(BytesIO(ranged.content))["按部门汇总"]["A1"].value


def test_statistics_show_charts_by_department_and_month_above_their_tables(client: TestClient, world: World) -> None:
    clock.freeze(datetime(2026, 12, 5, 10, 0))
    register(client, world)
    register(client, world)
    page = client.get("/statistics").text
    assert '<script src="/static/vendor/echarts.min.js" defer></script>' in page  # served here, no CDN
    assert 'id="chart-departments"' in page and 'id="chart-months"' in page
    assert page.index('id="chart-months"') < page.index('id="by-department"') < page.index('id="by-month"')
    data = json.loads(re.search(r'<script type="application/json" id="stats-data">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    assert data["months"] == {"names": ["2026年12月"], "received": [2], "concluded": [0], "overdue": [0]}
    assert data["departments"]["names"] == ["城管"] and data["departments"]["received"] == [2]
    assert '<td class="lead">城市管理局</td>' in page  # the tables keep the full name
    assert '<td class="lead">2026年12月</td><td data-label="收件数">2</td>' in page
    assert "按部门和月份明细（共 1 行）" in page
    other = client.get(f"/statistics?department_id={world.dept_b.id}").text
    assert "所选期间暂无办件" in other and "echarts" not in other
    bad = client.get("/statistics?department_id=abc")
    assert bad.status_code == 422 and "部门应为数字" in bad.text


def test_echarts_is_served_from_this_app_at_one_address(client: TestClient) -> None:
    assert VENDOR_FILES["echarts.min.js"].is_file(), (
        "node_modules 缺少 ECharts：运行 npm ci（scripts/lib.sh ensure_npm）"
    )
    response = client.get("/static/vendor/echarts.min.js")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/javascript")
    assert b"echarts" in response.content[:2000]
    assert client.get("/static/vendor/lodash.js").status_code == 404
    assert client.get("/static/vendor/..%2Fpackage.json").status_code == 404


def test_every_page_has_a_site_icon(client: TestClient) -> None:
    page = client.get("/").text
    assert re.search(r'<link rel="icon" href="/static/favicon.svg\?v=[0-9a-f]{10}" type="image/svg\+xml">', page)
    assert '<link rel="icon" href="/favicon.ico"' in page
    icon = client.get("/favicon.ico")
    assert (
        icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon" and icon.content[:4] == b"\0\0\1\0"
    )
    assert client.get("/static/favicon.svg").status_code == 200


def test_the_centre_has_one_name_from_the_settings(
    client: TestClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "centre_name", "某某新区政务服务中心")
    assert "某某新区政务服务中心" in client.get("/").text
    issuer = next(f for f in dataclasses.fields(LetterContent) if f.name == "issuer")
    assert issuer.default_factory() == "某某新区政务服务中心"  # type: ignore[misc]  # the guidance letter's masthead
    register(client, world)
    workbook = load_workbook(BytesIO(client.get("/api/v1/statistics.xlsx").content))
    assert workbook["按部门和月份"]["A1"].value.startswith("某某新区政务服务中心 办件统计")


def test_a_law_page_says_which_articles_it_holds(client: TestClient, db: Session) -> None:
    top_up_laws(db)
    law = next(law for law in knowledge_service.list_laws(db=db) if law.title == "中华人民共和国行政许可法")
    page = client.get(f"/knowledge/laws/{law.id}").text
    numbers = "、".join(a.number for a in law.articles)
    assert f"收录条文：{numbers}（共 {len(law.articles)} 条，为与办事相关的节选，不是全文" in page
    assert "全文" not in client.get("/knowledge").text.replace("不是全文", "")


def test_the_pages_own_files_are_addressed_by_their_content_so_a_release_reaches_every_browser(
    client: TestClient,
) -> None:
    """/static/ may be kept for an hour by browsers and nginx: each page names its files with a hash of their
    content, so a changed script (the chat panel's, say) is fetched again at once, not an hour later."""
    import hashlib

    from web.common import WEB_DIR

    html = client.get("/").text
    named = dict(re.findall(r'"/static/((?!vendor/)[\w/]+\.(?:js|css))\?v=([0-9a-f]{10})"', html))
    assert {"site.css", "webchat.css", "webchat.js"} <= set(named), named
    for path, digest in named.items():
        assert hashlib.sha256((WEB_DIR / "static" / path).read_bytes()).hexdigest()[:10] == digest
        assert client.get(f"/static/{path}?v={digest}").status_code == 200
