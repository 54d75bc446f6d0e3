"""The main journeys as a new user makes them, in Chromium, with and without JavaScript.

Each journey runs against the demo organisation (``seed_demo``). Every page on the way is
checked with axe-core, and the main pages are saved as screenshots.
"""

import csv
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from decisions.models import Decision
from performance.models import Measurement
from services.models import Person, Service, Team
from tests.browser.helpers import bottleneck_log_last_week, bottleneck_row

pytestmark = pytest.mark.browser

SHOWCASE = "Apply for a home improvement grant"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_in_and_find_a_service_with_the_catalogue_filters(visit, javascript):
    visitor = visit(javascript=javascript)
    page = visitor.page
    page.goto("/services/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/services/"))
    expect(page.get_by_role("heading", name="Sign in to Servicelead")).to_be_visible()
    visitor.check_accessibility("sign-in page")

    page.get_by_label("Username").fill("colleague")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    visitor.check_accessibility("sign-in page with an error")

    page.get_by_label("Password").fill("servicelead-demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Services", exact=True)).to_be_visible()
    visitor.screenshot("catalogue")
    visitor.check_accessibility("catalogue")

    page.get_by_label("Search by name or purpose").fill("grant")
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    results = page.locator("#catalogue-results")
    expect(results.get_by_role("heading", level=2)).to_contain_text("matching your filters")
    expect(results.get_by_role("link", name=SHOWCASE)).to_be_visible()
    expect(results.get_by_role("link", name="Report disrepair")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"q=grant"))
    visitor.check_accessibility("catalogue filtered")

    page.get_by_label("Phase").select_option(label="Live")
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"phase=live"))
    results.get_by_role("link", name=SHOWCASE).click()
    expect(page.get_by_role("heading", name=SHOWCASE, level=1)).to_be_visible()
    visitor.screenshot("service")
    visitor.check_accessibility("service page")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_open_a_dashboard_change_the_window_and_follow_through_to_the_flow(visit, javascript):
    visitor = visit(javascript=javascript)
    page = visitor.page
    visitor.sign_in("leader")
    page.goto("/services/home-improvement-grant/")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name=SHOWCASE, level=1)).to_be_visible()
    # The demo's data runs to last month: the latest data is the twelve months to it.
    expect(page.locator(".sl-window")).to_contain_text("(latest data: 12 months to ")
    visitor.screenshot("dashboard")
    visitor.check_accessibility("dashboard")

    page.get_by_role("link", name="Last quarter").click()
    expect(page).to_have_url(re.compile(r"from=.*&to="))
    expect(page.locator(".sl-window")).to_contain_text("(last quarter)")
    visitor.check_accessibility("dashboard, last quarter")

    page.get_by_label("From", exact=True).fill("2026-01-01")
    page.get_by_label("To", exact=True).fill("2025-12-01")
    page.get_by_role("button", name="Show this window").click()
    expect(page.get_by_role("heading", name="There is a problem with the window")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The window cannot end before it starts."
    )
    visitor.check_accessibility("dashboard, window in error")

    page.get_by_role("link", name="Last quarter").click()
    page.get_by_role("link", name="See the flow in detail").click()
    expect(page.get_by_role("heading", name="How work flows through the service")).to_be_visible()
    expect(page.locator(".sl-window")).to_contain_text("(last quarter)")
    expect(page.get_by_text("Bottleneck").first).to_be_visible()
    visitor.screenshot("flow")
    visitor.check_accessibility("flow view")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_log_a_week_of_handoffs_from_the_team_page(visit, javascript):
    visitor = visit(javascript=javascript)
    page = visitor.page
    visitor.sign_in("member")
    team = Team.objects.get(name="Applications processing")
    page.goto(team.get_absolute_url())
    page.get_by_role("link", name="Log last week's hand-offs").click()
    expect(page.get_by_role("heading", name="Weekly log: hand-offs and stages")).to_be_visible()
    expect(page.get_by_text("Applications processing · Last week")).to_be_visible()
    visitor.screenshot("weekly-log")
    visitor.check_accessibility("weekly log")

    row = bottleneck_row(page)
    row.get_by_label("Handed over", exact=False).fill("5")
    returned = row.get_by_label("Returned incomplete", exact=False)
    returned.fill("9")
    if javascript:
        returned.press("Tab")
    else:
        page.get_by_role("button", name="Save the week").click()
    row = bottleneck_row(page)
    expect(row.locator(".govuk-error-message")).to_contain_text(
        "More items cannot come back than were handed over."
    )
    visitor.check_accessibility("weekly log, row in error")

    row.get_by_label("Handed over", exact=False).fill("123")
    row.get_by_label("Returned incomplete", exact=False).fill("9")
    row.get_by_label("Median wait", exact=False).fill("40.5")
    if javascript:
        row.get_by_label("Median wait", exact=False).press("Tab")
        expect(bottleneck_row(page).get_by_text("Saved")).to_be_visible()
        visitor.check_accessibility("weekly log, row saved")
    else:
        page.get_by_role("button", name="Save the week").click()
        expect(page.locator(".govuk-notification-banner")).to_be_visible()
    log = bottleneck_log_last_week()
    assert (log.handed_over, log.returned, log.median_wait_hours) == (123, 9, Decimal("40.5"))
    # The demo logged last week already: the member's change is in the log's history.
    assert log.history.latest().history_user.username == "member"


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_log_a_decision_outside_agreed_rights_and_see_it_flagged(visit, javascript):
    visitor = visit(javascript=javascript)
    page = visitor.page
    visitor.sign_in("member")
    page.goto("/services/home-improvement-grant/")
    page.get_by_text("Log a decision", exact=True).click()
    title = f"Hire a second assessment team ({'js' if javascript else 'no-js'})"
    page.get_by_label("Title").fill(title)
    page.get_by_label("Decision type").select_option(label="Spend")
    page.get_by_label("Amount").fill("400000")
    tom = Person.objects.get(name="Tom Okafor")
    page.get_by_label("Decided by").select_option(str(tom.pk))
    page.get_by_label("Decided on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Log decision").click()
    if javascript:  # the quick form answers in place, on the service page
        expect(page).to_have_url(re.compile(r"/services/home-improvement-grant/$"))
        answer = page.locator("#quick-decision .govuk-notification-banner")
        expect(answer).to_contain_text(f"Logged {title}")
    else:  # the form posts, and the decision's own page says what was logged
        expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
        answer = page.locator("main")
        expect(answer.get_by_role("region", name="Success")).to_contain_text(title)
    expect(answer.get_by_text("Outside agreed rights")).to_be_visible()
    visitor.check_accessibility("decision logged")

    decision = Decision.objects.get(title=title)
    assert decision.within_rights is False
    page.goto("/services/home-improvement-grant/decisions/?rights=outside")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    visitor.screenshot("decision-log")
    visitor.check_accessibility("decision log filtered")


MEASUREMENTS = (
    "service,metric,period_start,period_end,value,channel\n"
    "home-improvement-grant,transactions,2026-10-01,2026-10-31,{value},digital\n"
)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_upload_a_csv_with_an_error_read_it_fix_it_and_import_it(visit, javascript):
    visitor = visit(javascript=javascript)
    page = visitor.page
    visitor.sign_in("leader")
    page.get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="Import a CSV file").click()
    visitor.check_accessibility("upload page")

    def upload(value: str) -> None:
        page.get_by_label("What the file holds").select_option("measurements")
        page.get_by_label("CSV file").set_input_files(
            {
                "name": "october.csv",
                "mimeType": "text/csv",
                "buffer": MEASUREMENTS.format(value=value).encode(),
            }
        )
        page.get_by_role("button", name="Check the file").click()

    upload("lots")
    expect(page.get_by_role("heading", name="The file was not imported")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        'line 2, column value: "lots" is not a whole number'
    )
    visitor.screenshot("import-error")
    visitor.check_accessibility("import rejected")

    page.get_by_role("link", name="Upload a corrected file").click()
    upload("4321")
    expect(page.get_by_role("heading", name="Check before you import")).to_be_visible()
    visitor.check_accessibility("import preview")
    page.get_by_role("button", name="Import october.csv").click()
    expect(page.get_by_role("heading", name="Imported", exact=True)).to_be_visible()
    visitor.check_accessibility("import done")
    measurement = Measurement.objects.get(
        metric__service__slug="home-improvement-grant",
        metric__key="transactions",
        period_start="2026-10-01",
        channel="digital",
    )
    assert measurement.value == 4321


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_open_the_portfolio_sort_filter_and_export_it(visit, javascript):
    visitor = visit(javascript=javascript)
    page = visitor.page
    visitor.sign_in("admin")
    page.get_by_role("link", name="Portfolio").first.click()
    expect(page.get_by_role("heading", name="Portfolio", level=1)).to_be_visible()
    visitor.screenshot("portfolio")
    visitor.check_accessibility("portfolio")

    # Total cost is not among the usual columns: the reader adds it, and it stays chosen.
    expect(page.get_by_role("columnheader", name="Total cost")).to_have_count(0)
    page.get_by_text("Choose the columns").click()
    page.get_by_label("Total cost column").check()
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"columns=total_cost"))
    page.get_by_role("link", name="Total cost").click()
    header = page.get_by_role("columnheader", name="Total cost")
    expect(header).to_have_attribute("aria-sort", "ascending")
    page.get_by_role("link", name="Total cost").click()
    expect(page.get_by_role("columnheader", name="Total cost")).to_have_attribute(
        "aria-sort", "descending"
    )
    expect(page).to_have_url(re.compile(r"sort=-total_cost"))
    visitor.check_accessibility("portfolio sorted")

    page.get_by_label("Phase", exact=True).select_option(label="Beta")
    if not javascript:
        page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"phase=beta"))
    rows = page.locator("#portfolio-results table.sl-portfolio tbody tr")
    expect(rows.first).to_be_visible()
    beta = set(Service.objects.filter(phase="beta").values_list("name", flat=True))
    shown = {name.strip() for name in rows.locator("th").all_inner_texts()}
    assert shown and shown <= beta
    visitor.check_accessibility("portfolio filtered")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download this table as CSV").click()
    with download.value.path().open(encoding="utf-8-sig", newline="") as exported:
        header, *rows, totals, money = list(csv.reader(exported))
    assert header[:3] == ["Service", "Organisation", "Phase"]
    assert {row[0] for row in rows} == shown
    assert totals[0] == f"Totals: {len(shown)} of {len(shown)} services reporting"
    assert money[0] == "Totals in GBP"  # the demo's one currency


def test_print_preview_of_the_review_pack(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("leader")
    page.goto("/services/home-improvement-grant/dashboard/")
    page.get_by_role("link", name="Review pack for this window").click()
    expect(page.get_by_role("heading", name="What changed and why")).to_be_visible()
    visitor.check_accessibility("review pack")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator(".sl-window")).to_be_hidden()
    expect(page.get_by_role("button", name="Save the narrative")).to_be_hidden()
    expect(page.get_by_role("heading", name="What changed and why")).to_be_visible()
    visitor.screenshot("review-pack-print")
    # Links print as their words, never followed by their addresses.
    printed_after = page.evaluate(
        """() => [...document.querySelectorAll("a[href]")]
            .map((a) => getComputedStyle(a, "::after").content)
            .filter((c) => c !== "none" && c !== "normal")"""
    )
    assert printed_after == []
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    # Panels flow on rather than each starting a page: the demo's pack fits on four.
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 4
