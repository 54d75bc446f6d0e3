"""axe-core on every main page and on each state htmx swaps in: no serious or critical
violation of WCAG 2.2 AA. The hand-off and decision journeys are also done by keyboard only.

The journeys in test_journeys.py check the pages they pass through the same way; this
module covers the rest. Django's own admin is not ours to change and is left out.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from decisions.models import Decision, DecisionType
from performance.models import Campaign, ChangeInitiative, FrictionPoint, ImportRun, Scenario
from services.models import Directorate, Organisation, Person, Team
from tests.browser.helpers import bottleneck_log_last_week, bottleneck_row

pytestmark = pytest.mark.browser

SERVICE = "/services/home-improvement-grant"


def main_pages() -> dict[str, str]:
    """Every page a person reaches from the navigation, with the demo's objects in them."""
    organisation = Organisation.objects.get(accountable_services__slug="home-improvement-grant")
    directorate = Directorate.objects.filter(organisation=organisation).first()
    team = Team.objects.get(name="Applications processing")
    decision = Decision.objects.filter(service__slug="home-improvement-grant").first()
    friction = FrictionPoint.objects.filter(service__slug="home-improvement-grant").first()
    change = ChangeInitiative.objects.filter(service__slug="home-improvement-grant").first()
    run = ImportRun.objects.first()
    decision_type = DecisionType.objects.first()
    campaign = Campaign.objects.first()
    scenario = Scenario.objects.first()
    return {
        "home": "/",
        "catalogue": "/services/",
        "service": f"{SERVICE}/",
        "service details": f"{SERVICE}/edit/",
        "leadership": f"{SERVICE}/leadership/",
        "journey editor": f"{SERVICE}/journey/",
        "proportionality": f"{SERVICE}/proportionality/",
        "service history": f"{SERVICE}/history/",
        "organisations": "/organisations/",
        "organisation": organisation.get_absolute_url(),
        "organisation share": f"/organisations/{organisation.slug}/share/",
        "directorate": directorate.get_absolute_url(),
        "directorate share": f"/directorates/{directorate.pk}/share/",
        "team": team.get_absolute_url(),
        "weekly log": f"/teams/{team.pk}/log/",
        "new organisation": "/new-organisation/",
        "change organisation": f"{organisation.get_absolute_url()}edit/",
        "new directorate": f"{organisation.get_absolute_url()}new-directorate/",
        "change directorate": f"/directorates/{directorate.pk}/edit/",
        "new team": f"/directorates/{directorate.pk}/new-team/",
        "change team": f"/teams/{team.pk}/edit/",
        "team members": f"/teams/{team.pk}/members/",
        "profile": "/profile/",
        "decision types": "/decision-types/",
        "new decision type": "/decision-types/new/",
        "decision type": f"/decision-types/{decision_type.pk}/",
        "rights matrix": f"{SERVICE}/rights/",
        "rights history": f"{SERVICE}/rights/history/",
        "rights coverage": "/decision-rights/coverage/",
        "decision log": f"{SERVICE}/decisions/",
        "new decision": f"{SERVICE}/decisions/new/",
        "reviews due": "/decisions/reviews/",
        "decision": decision.get_absolute_url(),
        "edit decision": f"/decisions/{decision.pk}/edit/",
        "decision history": f"/decisions/{decision.pk}/history/",
        "dashboard": f"{SERVICE}/dashboard/",
        "flow": f"{SERVICE}/flow/",
        "review pack": f"{SERVICE}/review-pack/",
        "portfolio": "/portfolio/",
        "accountability drift": "/portfolio/drift/",
        "shared problems": "/portfolio/shared-problems/",
        "campaigns": "/campaigns/",
        "new campaign": "/campaigns/new/",
        "campaign": campaign.get_absolute_url(),
        "campaign fix": f"/campaigns/{campaign.pk}/fix/",
        "data quality": "/data-quality/",
        "friction register": f"{SERVICE}/friction/",
        "friction everywhere": "/friction/",
        "new friction point": f"{SERVICE}/friction/new/",
        "friction point": f"/friction/{friction.pk}/",
        "team interactions": f"{SERVICE}/interactions/",
        "scenarios": f"{SERVICE}/scenarios/",
        "scenarios compared": f"{SERVICE}/scenarios/?compare={scenario.pk}",
        "new scenario": f"{SERVICE}/scenarios/new/",
        "scenario": scenario.get_absolute_url(),
        "change": f"{SERVICE}/change/",
        "new change initiative": f"{SERVICE}/change/new/",
        "change initiative": f"{SERVICE}/change/{change.pk}/",
        "imports": "/imports/",
        "import upload": "/imports/upload/",
        "GC inventory upload": "/imports/gc-inventory/",
        "import run": f"/imports/{run.pk}/",
        "service imports": f"{SERVICE}/imports/",
        "API tokens": f"{SERVICE}/tokens/",
    }


def test_every_main_page(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("admin")
    failures = []
    for name, url in main_pages().items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        expect(page.locator("h1")).to_have_count(1)
        try:
            visitor.check_accessibility(name)
        except AssertionError as error:
            failures.append(str(error))
        visitor.screenshot(f"page-{name.replace(' ', '-')}")
    assert not failures, "\n\n".join(failures)


def test_gc_services_with_findings_in_their_own_currency(visit):
    """Imported GC services: programme spending in CAD, findings beside the figures, a
    service without a journey; the data-quality page filtered and unfiltered."""
    from performance.imports.gc_inventory import import_gc_inventory, read_files
    from tests.data import CASES

    import_gc_inventory(read_files(CASES))
    visitor = visit()
    page = visitor.page
    visitor.sign_in("admin")
    for name, url in {
        "GC dashboard": "/services/gc-d1/dashboard/",
        "GC flow without a journey": "/services/gc-d3/flow/",
        "GC service": "/services/gc-l1/",
        "data quality with findings": "/data-quality/",
        "data quality of one service": "/data-quality/?service=gc-d1",
    }.items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        visitor.check_accessibility(name)
        visitor.screenshot(name.replace(" ", "-"))
    page.goto("/services/gc-d1/dashboard/")
    expect(page.get_by_text("Data quality:")).to_be_visible()
    expect(page.get_by_text("Of which programme spending")).to_be_visible()


def test_the_rights_matrix_edited_in_place(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("leader")
    page.goto(f"{SERVICE}/rights/")
    gap = page.locator("td.sl-rights-cell--gap").first
    cell_id = gap.get_attribute("id")
    gap.get_by_role("link", name=re.compile("^Change")).click()
    editing = page.locator(f"#{cell_id}.sl-rights-cell--editing")
    expect(editing).to_be_visible()
    visitor.check_accessibility("rights cell being edited")

    # The page stays as wide as the window: the matrix scrolls in its own region.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1280
    # One choice of the kind of holder, the matching field revealed once it is chosen.
    expect(editing.get_by_label("Person", exact=True)).to_be_hidden()
    editing.get_by_label("A person").check()
    expect(editing.get_by_label("Team", exact=True)).to_be_hidden()
    editing.get_by_role("button", name="Save").click()  # but no person chosen
    expect(page.locator(f"#{cell_id} .govuk-error-message").first).to_be_visible()
    visitor.check_accessibility("rights cell with an error")

    banner = page.locator("#rights-gaps")
    gaps_before = int(re.search(r"Nobody decides (\d+)", banner.inner_text()).group(1))
    cell = page.locator(f"#{cell_id}")
    cell.get_by_label("Person", exact=True).select_option(
        str(Person.objects.get(name="Priya Shah").pk)
    )
    cell.get_by_role("button", name="Save").click()
    expect(page.locator(f"#{cell_id}")).to_contain_text("Priya Shah")
    expect(page.locator(f"#{cell_id}.sl-rights-cell--gap")).to_have_count(0)
    # The banner of gaps is brought up to date with the cell, without a reload.
    if gaps_before == 1:
        expect(banner).to_be_empty()
    else:
        expect(banner).to_contain_text(f"Nobody decides {gaps_before - 1} kind")
    visitor.screenshot("rights-matrix")
    visitor.check_accessibility("rights cell saved")


def test_filtered_lists_swapped_in_by_htmx(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("leader")
    page.goto(f"{SERVICE}/decisions/")
    page.get_by_label("Rights check").select_option("outside")
    expect(page).to_have_url(re.compile("rights=outside"))
    expect(page.locator("#log-results tbody tr").first).to_be_visible()
    visitor.check_accessibility("decision log filtered")

    page.goto("/friction/")
    page.get_by_label("Severity").select_option("high")
    expect(page).to_have_url(re.compile("severity=high"))
    visitor.screenshot("friction")
    visitor.check_accessibility("friction register filtered")


def tab_to(page, locator, *, limit: int = 300) -> None:
    """Press Tab until ``locator`` has the focus, as someone without a mouse would, and
    check that the focus can be seen where it landed."""
    target = locator.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(target) => document.activeElement === target", target):
            visible = page.evaluate(
                """() => {
                    const style = getComputedStyle(document.activeElement);
                    return style.outlineStyle !== "none" || style.boxShadow !== "none";
                }"""
            )
            assert visible, f"no visible focus on {locator}"
            return
    raise AssertionError(f"{locator} cannot be reached with the Tab key")


def choose_by_keyboard(page, select, label: str, *, limit: int = 100) -> None:
    """Move through a focused drop-down with the arrow keys until ``label`` is chosen."""
    for _ in range(limit):
        if select.evaluate("(s) => s.options[s.selectedIndex].text") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"{label!r} is not among the choices of {select}")


def test_log_handoffs_by_keyboard_only(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("member")
    team = Team.objects.get(name="Applications processing")
    page.goto(f"/teams/{team.pk}/log/")
    row = bottleneck_row(page)
    for label, value in [("Handed over", "77"), ("Returned", "4"), ("Median wait", "31.5")]:
        tab_to(page, row.get_by_label(label, exact=False))
        page.keyboard.press("Control+A")
        page.keyboard.type(value)
    page.keyboard.press("Tab")  # leaving the row saves it
    expect(row.get_by_text("Saved")).to_be_visible()
    log = bottleneck_log_last_week()
    assert (log.handed_over, log.returned, log.median_wait_hours) == (77, 4, Decimal("31.5"))


def test_log_a_decision_by_keyboard_only(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("member")
    page.goto(f"{SERVICE}/")
    tab_to(page, page.locator("summary", has_text="Log a decision"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Title"))
    page.keyboard.type("Open a second assessment office")
    tab_to(page, page.get_by_label("Decision type"))
    choose_by_keyboard(page, page.get_by_label("Decision type"), "Spend")
    tab_to(page, page.get_by_label("Amount"))
    page.keyboard.type("400000")
    tab_to(page, page.get_by_role("button", name="Log decision"))
    page.keyboard.press("Enter")
    answer = page.locator("#quick-decision .govuk-notification-banner")
    expect(answer).to_contain_text("Logged Open a second assessment office")
    expect(answer.get_by_text("Outside agreed rights")).to_be_visible()
    decision = Decision.objects.get(title="Open a second assessment office")
    assert decision.decided_by.name == "Tom Okafor"
    assert decision.within_rights is False
