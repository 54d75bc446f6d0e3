"""Accountability drift in the browser: the demo's landlord register moved a stage to another
team with no decision since."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_drift_on_the_service_page_and_across_the_portfolio(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("leader")
    page.goto("/services/register-landlord/")
    panel = page.get_by_role("region", name="Accountability drift")
    expect(panel).to_contain_text("moved from Contact centre to Landlord services team")
    expect(panel).to_contain_text("no decision was logged within 14 days")
    page.goto("/portfolio/")
    page.get_by_role("link", name="accountability drift").click()
    expect(page.get_by_role("heading", name="Accountability drift", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Register as a landlord")).to_be_visible()
    visitor.check_accessibility("accountability drift")
