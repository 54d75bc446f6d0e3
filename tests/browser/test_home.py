"""Each demo person's home: what needs them, one click from the work."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_team_member_goes_from_home_to_last_weeks_log_in_one_click(visit, javascript):
    visitor = visit(javascript=javascript)
    page = visitor.page
    visitor.sign_in("member")
    page.goto("/")
    expect(page.get_by_role("heading", name="What needs you", level=1)).to_be_visible()
    visitor.check_accessibility("home, team member")
    visitor.screenshot("home-member")
    page.get_by_role("link", name="Log the week of").first.click()
    expect(page.get_by_text("Applications processing · Last week")).to_be_visible()


def test_the_leader_sees_their_services_status_and_why(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("leader")
    page.goto("/")
    services = page.get_by_role("table", name="Your services and their status")
    expect(services.get_by_role("link", name="Home improvement grant")).to_be_visible()
    # The demo's showcase service has its bottleneck's friction open: it leads the list.
    expect(services.locator("tbody tr").first.locator(".govuk-tag")).to_have_text("Needs attention")
    visitor.check_accessibility("home, leader")
    visitor.screenshot("home-leader")


@pytest.mark.parametrize("width", [1280, PHONE], ids=["desktop", "phone"])
def test_the_org_admin_sees_the_portfolios_exceptions(visit, width):
    visitor = visit(width=width)
    page = visitor.page
    visitor.sign_in("admin")
    page.goto("/")
    expect(page.get_by_role("heading", name="Across the portfolio")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    visitor.check_accessibility(f"home, org admin, {width} px")
    visitor.screenshot("home-admin")
    page.get_by_role("link", name="See them (hands-on leadership gaps)").click()
    expect(page.get_by_label("Needing attention")).to_have_value("hands_on_gap")


@pytest.mark.parametrize("width", [1280, PHONE], ids=["desktop", "phone"])
def test_an_organisations_page_leads_with_its_exceptions(visit, width):
    visitor = visit(width=width)
    page = visitor.page
    visitor.sign_in("admin")
    page.goto("/organisations/department-for-housing-and-communities/")
    expect(page.get_by_role("heading", name="Exceptions:")).to_be_visible()
    needing = page.get_by_role("table", name="Services needing attention")
    expect(needing.get_by_role("link", name="Apply for a home improvement grant")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    visitor.check_accessibility(f"organisation exceptions, {width} px")
    visitor.screenshot("organisation")
    page.get_by_role("link", name="See them (open high-severity friction)").click()
    expect(page.get_by_label("Organisation", exact=True)).to_have_value(
        "department-for-housing-and-communities"
    )
