"""A real headless Chromium (Debian's, driven by Playwright) for the tests that walk a page as a user.

Every wait is for what the user would see — a question appearing, a reply arriving — never a fixed sleep, and
with patience that survives a loaded 2-core machine: a page that shows the right thing passes however slowly
it came, and one that never shows it still fails.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PATIENCE_MS = 30_000
"""How long a locator waits for what the user should see (Playwright's own default is 30 s as well; the tests
used 2–5 s, which a busy machine missed)."""


@contextmanager
def chromium_page(width: int = 1000, height: int = 800) -> Iterator[Page]:
    """A fresh browser with one page of the given viewport; closed at the end, whatever happens."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=120_000)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.set_default_timeout(PATIENCE_MS)
            context.set_default_navigation_timeout(2 * PATIENCE_MS)
            yield context.new_page()
        finally:
            browser.close()
