"""Real-browser fixtures: one Chromium per test session, a fresh context per test.

Chromium is Debian's package (`apt-get install chromium`), found at PORTAL_CHROMIUM
(default /usr/bin/chromium). Under CI (`CI=true`) a missing browser fails the run; elsewhere
the browser tests skip and say why.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop in the test thread, which makes Django refuse
# database access from that thread unless told it is safe (the live server runs elsewhere).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def chromium_path() -> Path:
    return Path(os.environ.get("PORTAL_CHROMIUM") or "/usr/bin/chromium")


def _unavailable(reason: str):
    if in_ci():
        pytest.fail(f"Browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"Browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not (path.is_file() and os.access(path, os.X_OK)):
        _unavailable(f"no Chromium at {path} (apt-get install chromium, or set PORTAL_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(path), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    """Console errors and uncaught exceptions of the test's pages; the page fixture checks
    that none are left at the end (a test that provokes one removes it)."""
    return []


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def page(request, context, console_errors, screenshot):
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            console_errors.append(f"{message.text} ({message.location.get('url', '')})")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield page
    if getattr(request.node, "browser_call_failed", False):
        screenshot(page, "failed")
    assert not console_errors, "Console errors:\n" + "\n".join(console_errors)


@pytest.fixture
def screenshot(request):
    """screenshot(page, label): a full-page PNG under test-artifacts/screenshots/."""

    def save(page, label: str = "end") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{request.node.name}-{label}").strip("-")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def demo_site(transactional_db, settings, tmp_path):
    """The demo content, with uploaded files in a throwaway folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with open(os.devnull, "w") as devnull:
        call_command("load_demo_content", stdout=devnull)
