"""The web portal in Debian's chromium (Playwright for Python) against the real `comptoir up` serving web/dist.

Each web test module has a stack of its own: no other module's approvals, payments and uploads reach
the documents its tests work on, whatever worker runs them beside which module. Screenshots of each screen
go to tests/e2e/web/artifacts/ (git-ignored), and axe-core (web/node_modules, injected through evaluate:
the CSP forbids a script tag) checks each screen at desktop and phone size.
"""

import base64
import mimetypes
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import start_stack

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """A stack of the module's own (it starts in about 2 s): one module's approval settings, bank accounts
    and uploads never reach another's documents, whatever worker runs them in whatever order."""
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        pytest.fail("web/dist is not built: run make setup")
    running = start_stack(tmp_path_factory.mktemp("web") / "data")
    yield running
    if running.process.poll() is None:
        running.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium (scripts/system-packages): no browser is ever downloaded."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM}


@pytest.fixture(scope="session")
def base_url():
    """Each module's stack has its own address: the context is given it (browser_context_args below)."""
    return None


@pytest.fixture
def browser_context_args(browser_context_args, stack):
    return {**browser_context_args, "base_url": stack.url, "viewport": DESKTOP, "locale": "fr-BE"}


@pytest.fixture(autouse=True)
def no_csp_violation(page: Page):
    """The strict CSP is never hit: nothing inline, nothing from elsewhere."""
    reported = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and reported.append(message.text)
    )
    yield
    assert reported == []


def sign_in(page: Page, email: str, *, language: str | None = None, password: str = DEMO_PASSWORD) -> None:
    page.goto("/")
    expect(page.locator("form button[type=submit]")).to_be_visible()
    if language:
        page.locator("main label.lang select").select_option(language)
    page.locator("input[type=email]").fill(email)
    page.locator("input[type=password]").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page.locator("header.top")).to_be_visible(timeout=15_000)


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations of the page as shown (default rules and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def check_screen(page: Page, name: str) -> None:
    """Screenshot and axe at desktop size, then the same at phone size with no horizontal scrolling."""
    ARTIFACTS.mkdir(exist_ok=True)
    original = page.viewport_size
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{size_name}.png"), full_page=True)
        assert axe_violations(page) == [], f"{name} at {size_name} size"
        if size_name == "phone":
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a phone"
    page.set_viewport_size(original or DESKTOP)


def drop_files(page: Page, selector: str, files: dict[str, bytes]) -> None:
    """Drop files onto an element as a person dragging them from the desktop does (a real DataTransfer)."""
    payload = [
        {
            "name": name,
            "type": mimetypes.guess_type(name)[0] or "application/octet-stream",
            "data": base64.b64encode(data).decode(),
        }
        for name, data in files.items()
    ]
    page.locator(selector).evaluate(
        """(target, files) => {
            const transfer = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], f.name, {type: f.type}));
            }
            for (const type of ['dragenter', 'dragover', 'drop']) {
                target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer}));
            }
        }""",
        payload,
    )
