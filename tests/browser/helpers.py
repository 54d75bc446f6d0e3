"""What more than one browser journey looks for."""

from datetime import timedelta

from django.utils import timezone

from performance.models import HandoffLog
from servicelead.calendar import week_of

# The Applications processing team's hand-off out to the agency's assessors: the showcase
# service's bottleneck, which the team member logs.
BOTTLENECK_ROW = "Out of your team: Check eligibility → Assess the work"


def bottleneck_row(page):
    return page.locator("tr", has_text=BOTTLENECK_ROW)


def bottleneck_log_last_week() -> HandoffLog:
    """What the team logged for the week the log opens on: the last complete one."""
    return HandoffLog.objects.get(
        handoff__from_stage__name="Check eligibility",
        handoff__to_stage__name="Assess the work",
        period_start=week_of(timezone.localdate())[0] - timedelta(days=7),
    )
