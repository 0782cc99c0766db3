"""The data exchange pages walked in a real Chromium on a phone (375×800) and a desktop (1366×900), on the demo's
exchange log: the counterparts, the quarantine, a quarantined record's correction form, the reconciliation
differences. Every screen passes ``check_page`` (no sideways scrolling, no English or internal codes, nothing
covered); the screenshots are in var/screenshots/."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.exchange.models import ExchangeRecord
from core.seed import demo
from tests.browser import check_page, log_in
from tests.conftest import serve_app

pytestmark = [pytest.mark.slow, pytest.mark.one_pass("sqlite")]  # Chromium on the served app
FORMATS = ("CSV", "JSON")
"""The open formats the data centre gets, named as everyone names them."""


def test_the_exchange_pages(page: Page, db: Session) -> None:
    demo.seed_all(db, cases=30, seed=5)
    quarantined = db.scalar(select(ExchangeRecord).where(ExchangeRecord.status == "quarantined"))
    assert quarantined is not None
    with serve_app() as base:
        log_in(page, base, "admin")
        page.get_by_role("link", name="数据交换").first.click()
        expect(page.get_by_role("heading", name="数据交换")).to_be_visible()
        expect(page.locator("#counterparts tbody tr")).to_have_count(7)
        check_page(page, "exchange-counterparts", allow=FORMATS)

        page.get_by_role("link", name="隔离记录").click()
        expect(page.locator("#records tbody tr")).to_have_count(2)
        check_page(page, "exchange-quarantine")
        page.get_by_role("link", name=quarantined.local_id).click()
        expect(page.locator("#last-error")).to_contain_text("项目代码")
        check_page(page, "exchange-record")

        page.get_by_role("button", name="重放").click()
        expect(page.locator(".flash.error, .error-box").first).to_contain_text("修正后仍未通过校验")
        check_page(page, "exchange-replayed")

        page.get_by_role("link", name="对账差异").click()
        expect(page.locator("#reconciliations tbody tr")).to_have_count(1)
        expect(page.locator("#reconciliations")).to_contain_text("对方缺少")
        check_page(page, "exchange-reconciliations")
