"""A real headless Chromium (Debian's, driven by Playwright) for the tests that walk a page as a user.

Every wait is for what the user would see — a question appearing, a reply arriving — never a fixed sleep, and
with patience that survives a loaded 2-core machine: a page that shows the right thing passes however slowly
it came, and one that never shows it still fails.
"""

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from core.seed.demo import DEMO_PASSWORD

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
    "--lang=zh-CN",
]
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "zh_CN", "LANG": "zh_CN.UTF-8"}
"""The browser's own controls (选择文件, 年/月/日) in Chinese, as on the centre's and the public's computers: the
language pack is Debian's chromium-l10n (scripts/test.sh installs it), chosen by these variables."""
PATIENCE_MS = 30_000
"""How long a locator waits for what the user should see (Playwright's own default is 30 s as well; the tests
used 2–5 s, which a busy machine missed)."""


@contextmanager
def chromium() -> Iterator[Browser]:
    """A running headless Chromium, closed at the end; open pages with ``browser_page`` (startup is the slow part,
    so a test module may share one browser and give every test a fresh page of its own)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV, timeout=120_000
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browser_page(browser: Browser, width: int = 1000, height: int = 800) -> Iterator[Page]:
    """A page of the given viewport in a fresh context of ``browser`` (no cookies of any other page), set up like
    a browser in China (Chinese language, China's time zone)."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    try:
        context.set_default_timeout(PATIENCE_MS)
        context.set_default_navigation_timeout(2 * PATIENCE_MS)
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def chromium_page(width: int = 1000, height: int = 800) -> Iterator[Page]:
    """A fresh browser with one page of the given viewport; closed at the end, whatever happens."""
    with chromium() as browser, browser_page(browser, width, height) as page:
        yield page


# ---------------------------------------------------------------- the fixtures of the page tests
# tests/conftest.py loads this module as a plugin, so any test may take ``page`` (a fresh page, once at each of
# the SCREENS) or ``shared_chromium``; a module that defines a fixture of the same name uses its own.

SCREENS = {375: 800, 1366: 900}
"""Viewport width → height: a phone and an office desktop."""


@pytest.fixture(scope="module")
def shared_chromium() -> Iterator[Browser]:
    """One Chromium for a test module (starting it is the slow part); every test gets a fresh context of it.
    Not one for the whole run: between its calls Playwright's sync API leaves its event loop marked as running in
    this thread, which the other tests' own event loops would trip over."""
    with chromium() as browser:
        yield browser


@pytest.fixture(params=sorted(SCREENS), ids=lambda width: f"{width}px")
def page(request: pytest.FixtureRequest, shared_chromium: Browser) -> Iterator[Page]:
    """A page with no cookies, at one of the SCREENS: a test that takes it runs once on each."""
    width = int(request.param)
    with browser_page(shared_chromium, width, SCREENS[width]) as fresh:
        yield fresh


def log_in(page: Page, base: str, login: str, password: str = DEMO_PASSWORD) -> None:
    """Fills in the login form and sends it, as a person would."""
    page.goto(f"{base}/login")
    page.get_by_label("登录名").fill(login)
    page.get_by_label("密码").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录", exact=True).click()


# ---------------------------------------------------------------- checking a whole page

SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
"""Where ``check_page`` saves its screenshots (var/ is not in git)."""

ALLOWED_WORDS = frozenset({"Excel", "PDF"})
"""Latin words any page may show: names of file formats a user downloads. A page that shows others (the names of
authenticator apps, say, or the login names of the people it lists) passes them to ``check_page`` itself."""

VERBATIM = "code"
"""Elements whose text the user copies letter for letter (a two-factor secret, recovery codes): not prose, so
not checked for English words."""

_LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")
_IDENTIFIER = re.compile(
    r"(?<![A-Za-z0-9_.])[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+"  # dotted: auth.login, case.status
    r"|(?<![A-Za-z0-9_])[A-Za-z0-9]*[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+"  # snake_case: login_failed
)
_PROGRAM_VALUES = frozenset({"None", "null", "undefined", "True", "False", "NaN", "true", "false"})

_DESCRIBE_JS = """
const describe = (el) => {
  const one = (node) => {
    let s = node.tagName.toLowerCase();
    if (node.id) { s += '#' + node.id; }
    const classes = [...node.classList].slice(0, 2);
    if (classes.length) { s += '.' + classes.join('.'); }
    return s;
  };
  const path = [];
  for (let node = el; node && node !== document.body && path.length < 4; node = node.parentElement) {
    path.unshift(one(node));
  }
  const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ');
  return path.join(' > ') + (text ? '「' + text.slice(0, 24) + '」' : '');
};
"""

_OVERFLOW_JS = (
    "() => {"
    + _DESCRIBE_JS
    + """
  const width = window.innerWidth, scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth <= width) { return []; }
  window.scrollTo(0, 0);
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') { return true; }
    }
    return false;
  };
  const over = new Set([...document.body.querySelectorAll('*')].filter(
    (el) => el.getBoundingClientRect().right > width + 0.5 && !inScroller(el)));
  const roots = [...over].filter((el) => !over.has(el.parentElement));
  roots.sort((a, b) => b.getBoundingClientRect().width - a.getBoundingClientRect().width);
  return [`scrollWidth ${scrollWidth}px > window ${width}px`].concat(roots.slice(0, 3).map((el) => {
    const r = el.getBoundingClientRect();
    return `${describe(el)} is ${Math.round(r.width)}px wide, right edge at ${Math.round(r.right)}px`;
  }));
}"""
)

_COVERED_JS = (
    "() => {"
    + _DESCRIBE_JS
    + """
  const problems = [];
  const wanted = 'a[href], button, input, select, textarea, label, summary, h1, h2, h3, h4, h5, h6';
  for (const el of document.querySelectorAll(wanted)) {
    if (el.type === 'hidden' || el.getClientRects().length === 0) { continue; }
    // the content of a closed <details> keeps its boxes in Chromium (content-visibility), yet nobody sees it
    if (el.closest('details:not([open])') && !el.closest('summary')) { continue; }
    if (getComputedStyle(el).visibility !== 'visible') { continue; }
    el.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) { continue; }
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    const where = `(centre ${Math.round(x)},${Math.round(y)} of the window)`;
    if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) {
      problems.push(`${describe(el)} cannot be scrolled into the window ${where}`);
      continue;
    }
    const hit = document.elementFromPoint(x, y);
    if (hit && (hit === el || el.contains(hit) || hit.contains(el))) { continue; }
    problems.push(`${describe(el)} is covered by ${hit ? describe(hit) : 'nothing clickable'} ${where}`);
  }
  window.scrollTo(0, 0);
  return problems;
}"""
)

_REPEATED_JS = """() => {
  const seen = new Map(), repeated = [];
  for (const el of document.querySelectorAll('[role=alert], .error-box, .flash, .notice')) {
    const text = el.innerText.trim();
    if (!text || el.getClientRects().length === 0) { continue; }
    if (seen.has(text)) { repeated.push(text.slice(0, 60)); }
    seen.set(text, true);
  }
  return repeated;
}"""

_TEXT_JS = """(verbatim) => {
  const kept = [...document.querySelectorAll(verbatim)].map((el) => [el, el.innerHTML]);
  for (const [el] of kept) { el.textContent = ''; }
  const text = document.body.innerText;
  for (const [el, html] of kept) { el.innerHTML = html; }
  return text;
}"""


def _untranslated(text: str, allow: Iterable[str]) -> list[str]:
    """What of a page's visible text is English or an internal code, each with the line it is on."""
    allowed = ALLOWED_WORDS | set(allow)
    found = []
    for line in text.splitlines():
        identifiers = _IDENTIFIER.findall(line)
        for identifier in identifiers:
            if identifier in allowed:
                continue
            found.append(f"the identifier {identifier!r} in the line {line.strip()[:80]!r}")
        for word in _LATIN_WORD.findall(line):
            if word in allowed or any(word in identifier for identifier in identifiers):
                continue
            kind = "the program value" if word in _PROGRAM_VALUES else "the English word"
            found.append(f"{kind} {word!r} in the line {line.strip()[:80]!r}")
    return found


def check_page(page: Page, name: str, allow: Iterable[str] = (), verbatim: str = VERBATIM) -> Path:
    """Saves a full-page screenshot of ``page`` as var/screenshots/<name>-<viewport width>.png and checks what a
    user of that screen would notice first: the page scrolls sideways; English words, internal codes or program
    values (None, undefined…) in the visible text (``allow`` adds Latin words this page may show, e.g. brand
    names; text inside the elements the CSS selector ``verbatim`` matches is not checked); the same message box
    twice; a link, button, field, label or heading that something else (a floating button, say) covers even
    when scrolled to. Returns the screenshot's path; each failure says what is wrong and where."""
    page.wait_for_load_state("load")
    viewport = page.viewport_size
    assert viewport is not None
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / f"{name}-{viewport['width']}.png"
    page.screenshot(path=str(shot), full_page=True)
    where = f"{page.url} at {viewport['width']}x{viewport['height']} (see {shot})"

    overflow = page.evaluate(_OVERFLOW_JS)
    assert not overflow, f"{where} scrolls sideways:\n" + "\n".join(overflow)
    untranslated = _untranslated(page.evaluate(_TEXT_JS, verbatim), allow)
    assert not untranslated, f"{where} shows text that is not Chinese:\n" + "\n".join(untranslated)
    repeated = page.evaluate(_REPEATED_JS)
    assert not repeated, f"{where} shows the same message twice: " + "; ".join(repeated)
    covered = page.evaluate(_COVERED_JS)
    assert not covered, f"{where} has covered elements:\n" + "\n".join(covered)
    return shot
