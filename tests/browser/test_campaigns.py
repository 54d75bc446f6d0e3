"""A campaign in the browser: the demo's, half done, its progress drawn and tabled as the
demo's story has it, and its fix previewed and applied by an org admin."""

from datetime import timedelta

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from decisions.models import DecisionRight, DecisionType, Role
from performance.demo import CAMPAIGN, CAMPAIGN_FIXED, CAMPAIGN_LAUNCHED_DAYS_AGO
from services.models import Service

pytestmark = pytest.mark.browser

PASSING_AT_LAUNCH = 2  # the demo's landlord register and disrepair reports
IN_SCOPE = 12


def expected_points() -> list[tuple[str, str]]:
    """The share passing at the end of each week since the launch, from the demo's story:
    two passing throughout, and each fixed service from the day it was fixed."""
    today = timezone.localdate()
    launched = today - timedelta(days=CAMPAIGN_LAUNCHED_DAYS_AGO)
    rows = []
    for offset in range(0, CAMPAIGN_LAUNCHED_DAYS_AGO + 1, 7):
        day = launched + timedelta(days=offset)
        fixed = sum(1 for ago in CAMPAIGN_FIXED.values() if today - timedelta(days=ago) <= day)
        share = (PASSING_AT_LAUNCH + fixed) / IN_SCOPE * 100
        rows.append((dateformat.format(day, "j M Y"), f"{share:.1f}%"))
    return rows


def gaps_of(slugs) -> int:
    """The Decide rights nobody holds on these services: one per kind of decision (one per
    band of a banded kind), less those held."""
    rows = sum(max(1, t.bands.count()) for t in DecisionType.objects.all())
    held = DecisionRight.objects.filter(role=Role.DECIDE, service__slug__in=slugs).count()
    return rows * len(slugs) - held


def test_the_demo_campaign_half_done_and_its_fix_applied(visit):
    visitor = visit()
    page = visitor.page
    visitor.sign_in("admin")
    page.goto("/")
    page.get_by_role("link", name="Campaigns").click()
    row = page.get_by_role("row", name=CAMPAIGN)
    expect(row).to_contain_text(f"{PASSING_AT_LAUNCH + len(CAMPAIGN_FIXED)} of {IN_SCOPE}")
    row.get_by_role("link", name=CAMPAIGN).click()
    expect(page.get_by_role("heading", name=CAMPAIGN, level=1)).to_be_visible()
    expect(page.locator("#progress-heading + p")).to_contain_text("6 of 12 services pass (50.0%)")
    page.locator(".govuk-details__summary").click()
    table = page.locator("table.sl-trend-table")
    shown = [
        (r.locator("th").inner_text(), r.locator("td").first.inner_text())
        for r in table.locator("tbody tr").all()
    ]
    assert shown == expected_points()
    visitor.check_accessibility("campaign")

    failing = list(
        Service.objects.filter(campaigns__name=CAMPAIGN)
        .exclude(slug__in=[*CAMPAIGN_FIXED, "register-landlord", "report-disrepair"])
        .values_list("slug", flat=True)
    )
    expect(page.get_by_role("heading", name=f"Not passing yet ({len(failing)})")).to_be_visible()
    rights = gaps_of(failing)
    page.get_by_role("link", name="name the leadership team as Decide holder").click()
    page.get_by_label("Kind of decision").select_option(label="Every kind nobody may decide")
    page.get_by_role("button", name="See what would change").click()
    expect(
        page.get_by_text(f"Adds {rights} Decide rights on {len(failing)} services.")
    ).to_be_visible()
    visitor.check_accessibility("campaign fix preview")
    page.get_by_role("button", name="Apply it").click()
    expect(
        page.get_by_text(f"The leadership team now holds {rights} Decide rights")
    ).to_be_visible()
    # The rights are the whole fix; the services may still fail other checks, not this one.
    expect(page.get_by_role("heading", name="Not passing yet (0)")).to_be_visible()
    expect(page.locator("#progress-heading + p")).to_contain_text("12 of 12 services pass")
