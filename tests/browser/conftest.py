"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a
thread with a running loop unless told otherwise; the test data setup needs the ORM.
"""

import os
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# The committed pictures in docs/screenshots/ are rewritten only on request
# (`make screenshots`, i.e. SAVE_SCREENSHOTS=1 bash scripts/test.sh -m browser tests/browser); ordinary runs
# write under var/.
_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = _ROOT / ("docs" if os.environ.get("SAVE_SCREENSHOTS") else "var") / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    if not os.path.exists(CHROMIUM):
        # CI must run the browser tests (scripts/test.sh installs Chromium); elsewhere say why not.
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(20_000)
    page = context.new_page()
    # Every page a browser test opens works under the site's Content-Security-Policy (issue 25):
    # Chromium reports each refused script, style, frame or worker as a console error.
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert refused == [], refused


@pytest.fixture
def screenshot():
    """Save a screenshot for docs/screenshots/ (the README and docs/lobby.md show them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str, **options):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)

    return save


@pytest.fixture(autouse=True)
def _sandbox_on(settings):
    """The player's evening plays in the sandbox, which a default install has off."""
    settings.SANDBOX_ENABLED = True
