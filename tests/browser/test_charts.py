"""The dashboard's trend charts: drawn in SVG on the server, their figures in a table that
equals what is drawn and what the raw measurements give."""

from collections import defaultdict
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from performance.models import Measurement
from services.models import Service
from tests.browser.conftest import PHONE

pytestmark = pytest.mark.browser

SHOWCASE = "home-improvement-grant"


def transactions_by_month(slug: str) -> dict[str, int]:
    """The showcase's completed transactions per month, summed here from the raw rows."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in Measurement.objects.filter(
        metric__service=Service.objects.get(slug=slug), metric__key="transactions"
    ):
        totals[row.period_start.strftime("%b %Y")] += row.value
    return {label: int(total) for label, total in totals.items()}


@pytest.mark.parametrize(
    ("javascript", "width"),
    [(True, 1280), (False, 1280), (True, PHONE)],
    ids=["js", "no-js", "phone"],
)
def test_each_chart_draws_the_figures_its_table_gives(visit, javascript, width):
    visitor = visit(javascript=javascript, width=width)
    page = visitor.page
    visitor.sign_in("leader")
    page.goto(f"/services/{SHOWCASE}/dashboard/")
    section = page.get_by_role("region", name="Trends over 24 months")
    expect(section.get_by_role("heading", name="Completed transactions")).to_be_visible()
    expect(section.get_by_role("img", name="Completed transactions")).to_be_visible()
    charts = section.locator("figure.sl-chart")
    assert charts.count() >= 8  # the four KPIs, cost per transaction, three flow figures
    for n in range(charts.count()):
        figure = charts.nth(n)
        drawn = figure.locator("svg circle title").all_text_contents()
        rows = figure.locator("table tbody tr")
        table = []
        for i in range(rows.count()):
            period = rows.nth(i).locator("th").text_content()
            table.append(f"{period}: {rows.nth(i).locator('td').first.text_content()}")
        assert drawn == [row for row in table if not row.endswith("No data")]
    # Every month's transactions in the table are what the raw rows add up to.
    table = section.locator("table[data-trend=transactions] tbody tr")
    shown = {
        table.nth(i).locator("th").text_content(): int(
            table.nth(i).locator("td").first.text_content().replace(",", "")
        )
        for i in range(table.count())
    }
    assert shown and shown == transactions_by_month(SHOWCASE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    visitor.check_accessibility(f"dashboard trends, {width} px")
    visitor.screenshot("dashboard")


def test_a_tile_leads_to_its_trend_and_the_table_opens_from_the_keyboard(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("leader")
    page.goto(f"/services/{SHOWCASE}/dashboard/")
    page.get_by_role("link", name="Trend over 24 months of Completion rate").click()
    assert page.url.endswith("#trend-completion_rate-heading")
    summary = page.locator("summary", has_text="Completion rate as a table")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name="Completion rate by period")).to_be_visible()
