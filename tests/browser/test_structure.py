"""Org admins change the organisation's structure in the app: a supplier's team moved into
the department shows which hand-offs change boundary before anything is saved."""

import pytest
from playwright.sync_api import expect

from services.models import Team
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("javascript", "width"),
    [(True, 1280), (False, 1280), (True, PHONE)],
    ids=["js", "no-js", "phone"],
)
def test_moving_a_suppliers_team_shows_its_impact_then_saves_once_confirmed(
    visit, javascript, width
):
    visitor = visit(javascript=javascript, width=width)
    page = visitor.page
    visitor.sign_in("admin")
    team = Team.objects.get(name="Print and post")
    page.goto(f"/teams/{team.pk}/")
    page.get_by_role("link", name="Change or move the team").click()
    page.get_by_label("Directorate").select_option(
        label="Operations (Department for Housing and Communities)"
    )
    page.get_by_role("button", name="Save the team").click()
    banner = page.get_by_role("region", name="Before you save")
    expect(banner).to_contain_text("Moves 1 hand-off in 1 service between teams of one directorate")
    expect(banner).to_contain_text("(until now across an organisation boundary)")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    visitor.check_accessibility(f"team move impact, {width} px")
    visitor.screenshot("team-move-impact")
    team.refresh_from_db()
    assert team.directorate.name == "Managed Services"  # not saved yet
    page.get_by_role("button", name="Confirm and save the team").click()
    expect(page.get_by_text("Team saved.")).to_be_visible()
    team.refresh_from_db()
    assert team.directorate.name == "Operations"


def test_an_org_admin_adds_a_directorate_and_a_member_with_errors_shown(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("admin")
    page.goto("/organisations/department-for-housing-and-communities/")
    page.get_by_role("link", name="Add a directorate").click()
    page.get_by_label("Name").fill("Operations")  # taken
    page.get_by_role("button", name="Add the directorate").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("already has a directorate called Operations")
    visitor.check_accessibility("add a directorate, with an error")
    page.get_by_label("Name").fill("Housing supply")
    page.get_by_role("button", name="Add the directorate").click()
    expect(page.get_by_role("heading", name="Housing supply", level=1)).to_be_visible()
    page.get_by_role("link", name="Add a team").click()
    page.get_by_label("Name").fill("New homes")
    page.get_by_role("button", name="Add the team").click()
    expect(page.get_by_role("heading", name="New homes", level=1)).to_be_visible()
    page.get_by_role("link", name="Change the members").click()
    page.get_by_label("Person").select_option(index=1)
    page.get_by_role("button", name="Add the member").click()
    expect(page.get_by_text("added to New homes")).to_be_visible()
    visitor.check_accessibility("team members")
    visitor.screenshot("team-members")
