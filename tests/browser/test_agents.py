"""An agent in the decision rights, in place in the matrix: choosing it reveals the stage, and
it is offered for Perform and Input only."""

import pytest
from playwright.sync_api import expect

from decisions.models import DecisionRight, HolderKind

pytestmark = pytest.mark.browser

SERVICE = "/services/home-improvement-grant"


def test_a_leader_names_the_eligibility_assistant_as_giving_input(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("leader")
    page.goto(f"{SERVICE}/rights/")
    link = page.locator("a", has_text="Change: Input on Prioritisation")
    cell = page.locator(f"#{link.locator('xpath=ancestor::td').get_attribute('id')}")
    link.click()
    agent = page.get_by_label("The automation or AI agent performing a stage")
    stage = page.get_by_label("Stage", exact=True)
    expect(stage).to_be_hidden()
    agent.check()
    expect(stage).to_be_visible()  # revealed in place, as on its own page
    stage.select_option(label="Assistive AI agent at “Check eligibility”")
    visitor.check_accessibility("rights cell with an agent")
    page.get_by_role("button", name="Save").click()
    expect(cell.locator("form")).to_have_count(0)
    expect(cell.locator("li").last).to_have_text("Assistive AI agent at “Check eligibility”")
    assert DecisionRight.objects.filter(
        holder_kind=HolderKind.AGENT,
        role="input",
        decision_type__name="Prioritisation",
        service__slug="home-improvement-grant",
    ).exists()
    page.locator("a", has_text="Change: Decide on Prioritisation").click()
    expect(page.get_by_label("The automation or AI agent performing a stage")).to_have_count(0)
