"""Browser tests: Debian's Chromium driven by Playwright, against pytest-django's live server.

Chromium is the system's (``/usr/bin/chromium``, or ``CHROMIUM``); no browser is ever
downloaded. Where it is missing the tests skip with the reason, unless
``BROWSER_TESTS_REQUIRED`` is set (CI), when they fail instead.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
AXE = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(
    os.environ.get("SCREENSHOT_DIR", settings.BASE_DIR / "test-artifacts" / "screenshots")
)
PASSWORD = "servicelead-demo"
# WCAG 2.2 AA and everything below it.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP, PHONE = 1280, 375  # CSS pixels wide


def _unavailable(reason: str):
    if os.environ.get("BROWSER_TESTS_REQUIRED"):
        pytest.fail(f"{reason} (BROWSER_TESTS_REQUIRED is set)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        _unavailable(
            f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium package "
            "where apt-get is available"
        )
    if not AXE.exists():
        _unavailable(f"no axe-core at {AXE}: run `make install`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: run `make install`")
    # Playwright's synchronous API keeps an event loop in this thread; the test's own ORM
    # calls are synchronous all the same, so Django's guard against async use is lifted.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo(live_server):
    """The demo organisation, as `make run` loads it, served by the live server."""
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


class Visitor:
    """One person in one browser context, with or without JavaScript.

    Every page's console is watched: a script error or a Content-Security-Policy refusal
    fails the test when the context closes.
    """

    def __init__(self, browser, base_url: str, *, javascript: bool = True, width: int = DESKTOP):
        self.base_url = base_url
        self.javascript = javascript
        self.width = width
        self.context = browser.new_context(
            base_url=base_url,
            java_script_enabled=javascript,
            accept_downloads=True,
            viewport={"width": width, "height": 800},
        )
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page.on(
            "console",
            lambda message: message.type == "error" and self.console_errors.append(message.text),
        )
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r"^(?!.*/accounts/login/)"))

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        suffix = ("" if self.javascript else "-no-js") + ("-phone" if self.width == PHONE else "")
        # caret="initial": hiding the caret leaves empty style attributes on inputs, which
        # htmx would copy when it settles a swap, and the CSP (rightly) refuses.
        self.page.screenshot(
            path=SCREENSHOTS / f"{name}{suffix}.png", full_page=True, caret="initial"
        )

    def check_accessibility(self, state: str) -> None:
        """Run axe-core on the page as it is now; fail on serious or critical violations."""
        if not self.javascript:
            return  # axe runs in the page; the JavaScript-on runs cover the same markup
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text())
        violations = self.page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                // GOV.UK Frontend sets aria-expanded on a radio that reveals a field, knowingly
                // (alphagov/govuk-frontend#979: screen readers announce it; ARIA 1.2 does not
                // list it for radios). That one finding is left out; any other stands.
                const known = (v, n) => v.id === "aria-allowed-attr"
                    && n.html.includes("govuk-radios__input")
                    && /aria-expanded=/.test(n.failureSummary)
                    && !/aria-(?!expanded=)[a-z]+=/.test(n.failureSummary);
                return result.violations
                    .map((v) => ({...v, nodes: v.nodes.filter((n) => !known(v, n))}))
                    .filter((v) => v.nodes.length)
                    .filter((v) => v.impact === "serious" || v.impact === "critical")
                    .map((v) => `${v.impact} ${v.id}: ${v.help} -- ` +
                        v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
            }""",
            AXE_TAGS,
        )
        assert not violations, f"{state} ({self.page.url}):\n" + "\n".join(violations)

    def close(self) -> None:
        # A request still in flight (a form htmx sends as the test ends) would reach the live
        # server while the test's database is being emptied: wait for it to be answered.
        for page in self.context.pages:
            page.wait_for_load_state("networkidle")
        self.context.close()
        assert not self.console_errors, "Console errors:\n" + "\n".join(self.console_errors)


@pytest.fixture
def visit(browser, demo):
    """Open a browser context: ``visit()`` with JavaScript, ``visit(javascript=False)``."""
    visitors = []

    def open_visitor(*, javascript: bool = True, width: int = DESKTOP) -> Visitor:
        visitor = Visitor(browser, demo.url, javascript=javascript, width=width)
        visitors.append(visitor)
        return visitor

    yield open_visitor
    for visitor in visitors:
        visitor.close()
