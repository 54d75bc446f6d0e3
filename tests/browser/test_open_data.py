"""Open performance data, signed out: the demo's published service from the open portfolio
to its figures, on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from opendata.published import published_services, years_of
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, PHONE])
def test_anyone_reads_a_published_service_without_signing_in(visit, width):
    [service] = published_services()
    years = years_of(service)
    visitor = visit(width=width)
    page = visitor.page
    page.goto("/open/")
    expect(page.get_by_role("heading", name="Open performance data", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="si_2024.csv")).to_be_visible()
    visitor.check_accessibility("open portfolio")
    page.get_by_role("link", name=service.name).click()
    expect(page.get_by_role("heading", name=service.name, level=1)).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(len(years))
    assert [r.locator("th").inner_text() for r in rows.all()] == [y.label for y in years]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    visitor.check_accessibility("open service")
    visitor.screenshot("open-service")
