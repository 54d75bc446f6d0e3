"""Proportionality from evidence, in the browser: the demo's licensing service was assessed
as not large or complex, and its data says otherwise."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("javascript", "width"),
    [(True, 1280), (False, 1280), (True, PHONE)],
    ids=["js", "no-js", "phone"],
)
def test_the_evidence_that_disagrees_is_flagged_and_found_in_the_portfolio(
    visit, javascript, width
):
    visitor = visit(javascript=javascript, width=width)
    page = visitor.page
    visitor.sign_in("admin")
    page.goto("/services/renew-licence/")
    panel = page.get_by_role("region", name="Proportionality: what the data says")
    expect(panel).to_contain_text("The data disagrees with the assessment on 1 criterion.")
    row = panel.get_by_role("row", name="Large and complex")
    expect(row).to_contain_text("Disagrees")
    expect(row).to_contain_text("Assessed: not large or complex. Data:")
    expect(panel.get_by_role("heading", name="The data points to:")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    visitor.check_accessibility(f"evidence, {width} px")
    visitor.screenshot("evidence")
    page.goto("/portfolio/")
    page.get_by_label("The data disagrees with the proportionality assessment").check()
    page.get_by_role("button", name="Apply filters").click()
    table = page.get_by_role("table", name="Services")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(
        table.get_by_role("link", name="Renew a house in multiple occupation licence")
    ).to_be_visible()
