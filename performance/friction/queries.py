"""Reads of the friction register and of the measured periods friction shares are taken over."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Coalesce

from performance.flow.queries import ZERO
from performance.models import (
    FrictionPoint,
    Measurement,
)
from performance.windows import Window, in_window, share_over_common_periods
from servicelead.queries import where_given
from services.models import Service, Stage


def metric_periods(service: Service, window: Window, keys: Iterable[str]) -> dict[str, dict]:
    """Each metric's Σ over channels per period in the window: {key: {period: value}}."""
    rows = (
        Measurement.objects.filter(in_window(window), metric__service=service, metric__key__in=keys)
        .values("metric__key", "period_start", "period_end")
        .annotate(total=Sum("value"))
        .order_by()
    )
    found: dict[str, dict] = defaultdict(dict)
    for row in rows:
        found[row["metric__key"]][(row["period_start"], row["period_end"])] = row["total"]
    return found


@dataclass
class FrictionSummary:
    open: int
    open_high: int
    hours_lost_per_week: Decimal
    failure_demand_contacts_per_week: int
    contacts_by_channel: dict[str, int]  # the same contacts by the channel they come through
    by_severity: dict[str, int]
    by_category: dict[str, int]
    failure_demand_share: Decimal | None  # from measurements, not the register


def friction_summary(service: Service, window: Window) -> FrictionSummary:
    not_resolved = FrictionPoint.objects.filter(service=service).exclude(
        status=FrictionPoint.Status.RESOLVED
    )
    totals = not_resolved.aggregate(
        count=Count("pk"),
        high=Count("pk", filter=Q(severity=FrictionPoint.Severity.HIGH)),
        hours=Coalesce(Sum("hours_lost_per_week"), ZERO, output_field=DecimalField()),
        contacts=Coalesce(Sum("failure_demand_contacts"), 0),
        **{
            f"contacts_{channel or 'none'}": Coalesce(
                Sum("failure_demand_contacts", filter=Q(contact_channel=channel)), 0
            )
            for channel in ["", *Stage.Channel.values]
        },
    )
    by_severity = dict(
        not_resolved.values_list("severity").annotate(n=Count("pk")).order_by("severity")
    )
    by_category = dict(
        not_resolved.values_list("category").annotate(n=Count("pk")).order_by("category")
    )
    periods = metric_periods(service, window, ["contacts", "failure_demand_contacts"])
    share = share_over_common_periods(
        periods.get("failure_demand_contacts", {}), periods.get("contacts", {})
    )
    return FrictionSummary(
        open=totals["count"],
        open_high=totals["high"],
        hours_lost_per_week=totals["hours"],
        failure_demand_contacts_per_week=totals["contacts"],
        contacts_by_channel={
            channel: totals[f"contacts_{channel or 'none'}"]
            for channel in ["", *Stage.Channel.values]
            if totals[f"contacts_{channel or 'none'}"]
        },
        by_severity=by_severity,
        by_category=by_category,
        failure_demand_share=share,
    )


# Open before mitigating before resolved; then the most severe; then the newest.
FRICTION_ORDER = [
    Case(
        When(status=FrictionPoint.Status.OPEN, then=0),
        When(status=FrictionPoint.Status.MITIGATING, then=1),
        default=2,
    ),
    Case(
        When(severity=FrictionPoint.Severity.HIGH, then=0),
        When(severity=FrictionPoint.Severity.MEDIUM, then=1),
        default=2,
    ),
    F("raised_on").desc(),
    "pk",
]


@dataclass
class FrictionFilters:
    q: str = ""  # words in the title, description or what worked
    category: str = ""
    severity: str = ""
    status: str = ""
    directorate_ids: list[int] | None = None


def friction_list(services: QuerySet[Service], filters: FrictionFilters) -> QuerySet:
    points = where_given(
        FrictionPoint.objects.filter(service__in=services),
        category=filters.category,
        severity=filters.severity,
        status=filters.status,
    )
    if filters.directorate_ids is not None:
        points = points.filter(owner_team__directorate_id__in=filters.directorate_ids)
    for word in filters.q.split():
        points = points.filter(
            Q(title__icontains=word)
            | Q(description__icontains=word)
            | Q(what_worked__icontains=word)
        )
    return points.select_related(
        "service",
        "stage",
        "handoff__from_stage",
        "handoff__to_stage",
        "owner_team__directorate",
    ).order_by(*FRICTION_ORDER)
