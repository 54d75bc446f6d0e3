"""Campaigns: org admins' drives to have one maturity check pass on a set of services by a
date. Progress is read from the maturity records (``maturity.record``), so the chart over
time and the figure today come from the same rows; the one mechanical fix (naming the
leadership team as Decide holder where nobody is) goes through the one write path, with its
history.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.utils import dateformat, timezone

from decisions.models import DecisionType
from decisions.queries import MatrixRow, missing_deciders
from performance.figures.charts import Chart, chart
from performance.figures.trends import Point, Trend, show
from performance.leadership.maturity import LEVELS, check_name, latest_records
from performance.models import Campaign, MaturityRecord
from performance.windows import Window
from services.models import Service, ServiceLeader
from services.queries import BY_NAME, CatalogueFilters

WEEK = timedelta(days=7)
FIX = "decide_holders"  # the one check with a mechanical fix
SHOWN = 100  # services listed at most, where there may be thousands


class Day(Point):
    """A point of a campaign's progress: how things stood at the end of one day."""

    @property
    def label(self) -> str:
        return dateformat.format(self.end, "j M Y")


def fails_check(failed_checks: str, key: str) -> bool:
    return f",{key}," in failed_checks


@dataclass
class Standing:
    """One service in scope, as its latest record has it (none before it is first scored)."""

    service: Service
    record: MaturityRecord | None
    check: str

    @property
    def passes(self) -> bool:
        return self.record is not None and not fails_check(self.record.failed_checks, self.check)

    @property
    def level(self) -> str:
        return LEVELS[self.record.level] if self.record else "Not yet scored"


@dataclass
class Progress:
    campaign: Campaign
    total: int
    passing: int
    unscored: int  # services with no record yet (they count as not passing)
    points: list[Day]

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.passing) / self.total if self.total else None

    @property
    def share_shown(self) -> str:
        return show(self.share, "percent")

    @property
    def ended(self) -> bool:
        return self.campaign.target_date < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.campaign.target_date - timezone.localdate()).days

    def trend(self) -> Trend:
        return Trend(
            "campaign",
            f"Services passing “{check_name(self.campaign.check_key)}”",
            "percent",
            list(self.points),
            target=Decimal(1),
        )

    def chart(self) -> Chart:
        start, target = self.campaign.launched_on, self.campaign.target_date
        end = max(target, self.points[-1].end if self.points else start)
        return chart(
            self.trend(),
            Window(start, end),
            Window(start, target),
            bands=(("this", "Campaign"),),
        )


def days_shown(launched_on: date, today: date) -> list[date]:
    """The days the chart gives: the launch, each week after it, and today."""
    days, day = [], launched_on
    while day < today:
        days.append(day)
        day += WEEK
    return [*days, today] if launched_on <= today else []


def progress(campaign: Campaign, today: date | None = None) -> Progress:
    """How many services in scope pass the check at the end of each day shown (two
    queries: the scope and its records, swept once in date order)."""
    today = today or timezone.localdate()
    ids = list(campaign.services.values_list("pk", flat=True))
    records = (
        MaturityRecord.objects.filter(service_id__in=ids, recorded_on__lte=today)
        .order_by("recorded_on")
        .values_list("service_id", "recorded_on", "failed_checks")
    )
    state: dict[int, str] = {}
    points, pending = [], iter(records)
    following = next(pending, None)
    for day in days_shown(campaign.launched_on, today):
        while following is not None and following[1] <= day:
            state[following[0]] = following[2]
            following = next(pending, None)
        passing = sum(1 for failed in state.values() if not fails_check(failed, campaign.check_key))
        share = Decimal(passing) / len(ids) if ids else None
        points.append(Day(day, day, share, show(share, "percent")))
    passing = sum(1 for failed in state.values() if not fails_check(failed, campaign.check_key))
    return Progress(campaign, len(ids), passing, len(ids) - len(state), points)


def standings(campaign: Campaign, services: QuerySet[Service]) -> list[Standing]:
    """``services`` (some of the campaign's) as their latest records have them, with their
    leaders: three queries."""
    services = list(
        services.select_related("organisation").prefetch_related(
            Prefetch("leaders", queryset=ServiceLeader.objects.select_related("person"))
        )
    )
    found = latest_records([s.pk for s in services])
    return [Standing(s, found.get(s.pk), campaign.check_key) for s in services]


def _scopes(campaigns: list[Campaign]) -> tuple[dict[int, list[int]], dict]:
    """Each campaign's services, and their latest records (two queries, however many
    campaigns)."""
    scope = defaultdict(list)
    for campaign_id, service_id in Campaign.services.through.objects.filter(
        campaign__in=campaigns
    ).values_list("campaign_id", "service_id"):
        scope[campaign_id].append(service_id)
    return scope, latest_records({pk for ids in scope.values() for pk in ids})


def passing_now(campaigns: list[Campaign]) -> dict[int, tuple[int, int]]:
    """For each campaign, how many of its services pass its check now, and how many it has
    (two queries, however many campaigns)."""
    scope, found = _scopes(campaigns)
    return {
        c.pk: (
            sum(
                1
                for pk in scope[c.pk]
                if pk in found and not fails_check(found[pk].failed_checks, c.check_key)
            ),
            len(scope[c.pk]),
        )
        for c in campaigns
    }


def failing(campaigns: list[Campaign]) -> dict[int, list[int]]:
    """For each campaign, the services whose latest record fails its check (those not yet
    scored are not said to fail): two queries, however many campaigns."""
    scope, found = _scopes(campaigns)
    return {
        c.pk: [
            pk
            for pk in scope[c.pk]
            if pk in found and fails_check(found[pk].failed_checks, c.check_key)
        ]
        for c in campaigns
    }


def in_campaigns(service: Service) -> list[tuple[Campaign, bool]]:
    """The campaigns a service is in that have not ended, and whether it passes each."""
    campaigns = list(
        service.campaigns.filter(target_date__gte=timezone.localdate()).order_by(
            "target_date", "pk"
        )
    )
    if not campaigns:
        return []
    latest = latest_records([service.pk]).get(service.pk)
    return [
        (c, latest is not None and not fails_check(latest.failed_checks, c.check_key))
        for c in campaigns
    ]


def scope_words(filters: CatalogueFilters) -> str:
    """The services a campaign's filters find, in words."""
    parts = [
        f"{label} {value}"
        for label, value in (
            (
                "accountable to or taking part in",
                filters.organisation.name if filters.organisation else "",
            ),
            (
                "taking part through",
                filters.directorate.name if filters.directorate else "",
            ),
            ("in the phase", Service.Phase(filters.phase).label.lower() if filters.phase else ""),
            ("of the kind", Service.Kind(filters.kind).label.lower() if filters.kind else ""),
            (
                "whose leadership model is",
                Service.LeadershipModel(filters.leadership_model).label.lower()
                if filters.leadership_model
                else "",
            ),
            ("found by searching for", f"“{filters.q}”" if filters.q else ""),
        )
        if value
    ]
    return f"Services {', '.join(parts)}" if parts else "Every service"


# --- The mechanical fix ---------------------------------------------------------------------


@dataclass
class Fix:
    """What naming the leadership team as Decide holder would do: the rights it would add,
    by service."""

    decision_type: DecisionType | None  # None: every kind nobody may decide
    gaps: dict[Service, list[MatrixRow]]

    @property
    def rights(self) -> int:
        return sum(len(rows) for rows in self.gaps.values())

    @property
    def first(self) -> list[tuple[Service, list[MatrixRow]]]:
        return list(self.gaps.items())[:SHOWN]

    @property
    def without_leaders(self) -> int:
        return sum(1 for service in self.gaps if not service.leader_count)


def fix_preview(
    campaign: Campaign, decision_type: DecisionType | None, within: QuerySet[Service] | None = None
) -> Fix:
    """The Decide rights nobody holds among the services in scope (of one kind, or all;
    ``within`` some of them)."""
    scope = campaign.services.all() if within is None else within.filter(campaigns=campaign)
    services = {s.pk: s for s in scope.annotate(leader_count=Count("leaders")).order_by(*BY_NAME)}
    gaps = {
        services[pk]: [
            row for row in rows if decision_type is None or row.decision_type == decision_type
        ]
        for pk, rows in missing_deciders(list(services)).items()
    }
    ordered = sorted(
        ((s, rows) for s, rows in gaps.items() if rows), key=lambda item: item[0].name.lower()
    )
    return Fix(decision_type, dict(ordered))
