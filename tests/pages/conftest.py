"""Page tests: Debian's chromium driven by Playwright against pytest-django's live server.

- `browser`: one headless chromium per session (`/usr/bin/chromium`, installed by
  `.ci/services.sh`; Playwright's own browser downloads are never used).
- `phone` / `desktop`: a fresh context per test, 390×844 (touch) or 1280×900, bokmål.
- `no_js`: a phone context with JavaScript disabled (every page must work without it).
- `assert_accessible(page)`: injects axe-core (npm, tests/pages/node_modules) and fails on any
  WCAG 2.1 A/AA violation, listing each rule and element.
- `shot(page, name)`: a full-page PNG under SCREENSHOTS (printed at the end of the run).

Tasks run eagerly in the live server's thread, so a request's emails (the parents' private
links) land in `mail.outbox` of this process.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MEKLING_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(os.environ.get("MEKLING_SCREENSHOTS", ROOT / "var" / "screenshots"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
_saved: list[Path] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _saved:
        terminalreporter.write_line(f"page screenshots ({len(_saved)}): {SCREENSHOTS}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian's chromium is missing at {CHROMIUM}: `bash .ci/services.sh` installs it "
            "(apt-get install chromium), or set MEKLING_CHROMIUM."
        )
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci --prefix tests/pages`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Root in a container has no user namespace sandbox; the pages are our own.
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def pages_site(live_server: Any, eager_celery: None, settings: Any) -> str:
    """The live server's URL; links in notices point at it."""
    settings.PUBLIC_BASE_URL = live_server.url
    return str(live_server.url)


def _context(browser: Any, base_url: str, **options: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=base_url, locale="nb-NO", **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any, pages_site: str) -> Iterator[Any]:
    yield from _context(browser, pages_site, **PHONE)


@pytest.fixture
def desktop(browser: Any, pages_site: str) -> Iterator[Any]:
    yield from _context(browser, pages_site, **DESKTOP)


@pytest.fixture
def no_js(browser: Any, pages_site: str) -> Iterator[Any]:
    yield from _context(browser, pages_site, java_script_enabled=False, **PHONE)


@pytest.fixture
def new_page(browser: Any, pages_site: str) -> Iterator[Callable[..., Any]]:
    """More pages in one test, each in its own context (another person's browser)."""
    contexts: list[Any] = []

    def _open(*, js: bool = True, phone: bool = True) -> Any:
        context = browser.new_context(
            base_url=pages_site,
            locale="nb-NO",
            java_script_enabled=js,
            **(PHONE if phone else DESKTOP),
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    # Evaluated through the DevTools protocol, not as a <script> tag: the pages' CSP allows no
    # inline script, and the check must see the pages as the CSP leaves them.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;undefined")
    return list(
        page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
            WCAG_TAGS,
        )
    )


@pytest.fixture
def assert_accessible() -> Callable[[Any], None]:
    def _check(page: Any) -> None:
        violations = axe_violations(page)
        listing = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in violations
        )
        assert violations == [], f"axe-core WCAG 2.1 A/AA violations on {page.url}:\n{listing}"

    return _check


@pytest.fixture
def shot() -> Callable[[Any, str], Path]:
    def _shot(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        _saved.append(path)
        return path

    return _shot
