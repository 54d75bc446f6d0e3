"""What a first-time reader takes for broken: a serif typeface, a page wider than a phone, a
bare error page. Every main page is checked as the org admin, who may open them all."""

import pytest

from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import main_pages

pytestmark = pytest.mark.browser

# Every element that holds text of its own, with a typeface other than a sans-serif (or, for
# code, a monospace) one.
SERIF_TEXT = """() => [...document.querySelectorAll("body *")]
    .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
    .filter((e) => e.getClientRects().length)
    .filter((e) => !/sans-serif|monospace/.test(getComputedStyle(e).fontFamily))
    .map((e) => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 40)}"`)"""


def test_one_sans_serif_typeface_on_every_main_page(visit):
    visitor = visit()
    visitor.sign_in("admin")
    serif = {}
    for name, url in main_pages().items():
        visitor.page.goto(url)
        if found := visitor.page.evaluate(SERIF_TEXT):
            serif[name] = found[:5]
    assert not serif, serif


def test_no_main_page_is_wider_than_a_phone(visit):
    visitor = visit(width=PHONE)
    visitor.sign_in("admin")
    wide, failures = {}, []
    for name, url in main_pages().items():
        visitor.page.goto(url)
        width = visitor.page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE:
            wide[name] = width
        try:
            visitor.check_accessibility(f"{name} at {PHONE} px")
        except AssertionError as error:
            failures.append(str(error))
        visitor.screenshot(f"page-{name.replace(' ', '-')}")
    assert not wide, f"wider than {PHONE} px: {wide}"
    assert not failures, "\n\n".join(failures)


def test_error_pages_keep_the_navigation(visit):
    visitor = visit()
    visitor.sign_in("member")
    page = visitor.page
    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Page not found"
    assert page.get_by_role("navigation", name="Menu").get_by_role("link", name="Portfolio")
    visitor.check_accessibility("404")
    response = page.goto("/services/home-improvement-grant/edit/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "You cannot do this"
    visitor.check_accessibility("403")
    visitor.screenshot("refused")
    # The browser reports each refused page load; those two were asked for.
    expected = ("status of 404 (Not Found)", "status of 403 (Forbidden)")
    visitor.console_errors = [e for e in visitor.console_errors if not e.endswith(expected)]
