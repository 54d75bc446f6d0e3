"""Friction priced in money: what each open friction point costs a week and a year.

cost a week = hours lost a week × the loaded cost of an hour of staff time
            + failure-demand contacts a week × the cost of handling a contact,

at the rates of the service's accountable organisation (``Organisation.hourly_rate`` and
``cost_per_contact``, in its currency), or the site's defaults where it gives none
(``FRICTION_HOURLY_RATE``, ``FRICTION_COST_PER_CONTACT``). A year is 52 weeks. Set beside run
cost, a share above 100 % says the hours or contacts recorded are wrong, not that friction
costs more than running the service: it is flagged, never shown as a fact.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import DecimalField, ExpressionWrapper, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from performance.figures.windows import Window
from performance.models import CostLine, FrictionPoint
from performance.queries import FrictionSummary, in_window
from services.models import Organisation, Service

WEEKS_A_YEAR = 52
MONEY = DecimalField(max_digits=20, decimal_places=2)
SHOWN = 10  # the costliest friction points listed


@dataclass(frozen=True)
class Rates:
    hourly: Decimal
    per_contact: Decimal
    currency: str
    own_hourly: bool  # the organisation's own (else the site's default)
    own_per_contact: bool

    def a_week(self, hours: Decimal, contacts: int) -> Decimal:
        return hours * self.hourly + contacts * self.per_contact

    @property
    def own(self) -> bool:
        return self.own_hourly and self.own_per_contact

    @property
    def text(self) -> str:
        hour = f"{self.hourly:,.2f} {self.currency} an hour"
        contact = f"{self.per_contact:,.2f} {self.currency} a contact"
        if self.own_hourly == self.own_per_contact:
            source = "its organisation's rates" if self.own else "the default rates"
            return f"{hour} and {contact} ({source})"
        whose = {True: "its organisation's", False: "the default"}
        return f"{hour} ({whose[self.own_hourly]}) and {contact} ({whose[self.own_per_contact]})"


def default_rates() -> str:
    return (
        f"{settings.FRICTION_HOURLY_RATE:,.2f} an hour and "
        f"{settings.FRICTION_COST_PER_CONTACT:,.2f} a contact"
    )


def rates_of(organisation: Organisation) -> Rates:
    hourly, per_contact = organisation.hourly_rate, organisation.cost_per_contact
    return Rates(
        hourly=settings.FRICTION_HOURLY_RATE if hourly is None else hourly,
        per_contact=settings.FRICTION_COST_PER_CONTACT if per_contact is None else per_contact,
        currency=organisation.currency,
        own_hourly=hourly is not None,
        own_per_contact=per_contact is not None,
    )


def priced(points: QuerySet[FrictionPoint]) -> QuerySet[FrictionPoint]:
    """``points`` with ``cost_a_week`` worked out in SQL (to sort and sum by)."""
    hourly = Coalesce(
        F("service__organisation__hourly_rate"),
        Value(settings.FRICTION_HOURLY_RATE, output_field=MONEY),
    )
    per_contact = Coalesce(
        F("service__organisation__cost_per_contact"),
        Value(settings.FRICTION_COST_PER_CONTACT, output_field=MONEY),
    )
    return points.annotate(
        cost_a_week=ExpressionWrapper(
            F("hours_lost_per_week") * hourly + F("failure_demand_contacts") * per_contact,
            output_field=MONEY,
        )
    )


@dataclass
class Priced:
    point: FrictionPoint
    rates: Rates

    @property
    def a_week(self) -> Decimal:
        """Worked out again in Python from the point's own figures: exact on every database."""
        return self.rates.a_week(self.point.hours_lost_per_week, self.point.failure_demand_contacts)

    @property
    def a_year(self) -> Decimal:
        return self.a_week * WEEKS_A_YEAR


def costliest(points: QuerySet[FrictionPoint], shown: int = SHOWN) -> list[Priced]:
    """The open friction points that cost most (two queries)."""
    open_points = (
        priced(points.exclude(status=FrictionPoint.Status.RESOLVED))
        .filter(cost_a_week__gt=0)
        .select_related("service__organisation", "owner_team")
        .order_by("-cost_a_week", "pk")[:shown]
    )
    return [Priced(point, rates_of(point.service.organisation)) for point in open_points]


@dataclass
class AgainstRunCost:
    """Friction's cost a year beside run cost a year, in one currency."""

    friction: Decimal
    run: Decimal | None

    @property
    def share(self) -> Decimal | None:
        return self.friction / self.run if self.run and self.run > 0 else None

    @property
    def implausible(self) -> bool:
        """Friction costing more than the whole run cost: the recorded hours or contacts are
        wrong (or run cost is missing lines)."""
        return self.share is not None and self.share > 1


def across(services, window) -> list[tuple[str, AgainstRunCost]]:
    """Open friction's cost a year across ``services``, beside their run cost a year over
    ``window`` (scaled to a year), per currency (three queries)."""
    sums = (
        FrictionPoint.objects.filter(service__in=services)
        .exclude(status=FrictionPoint.Status.RESOLVED)
        .values("service__organisation")
        .annotate(hours=Sum("hours_lost_per_week"), contacts=Sum("failure_demand_contacts"))
        .order_by()
    )
    sums = list(sums)
    organisations = Organisation.objects.in_bulk([row["service__organisation"] for row in sums])
    friction: dict[str, Decimal] = defaultdict(Decimal)
    for row in sums:
        rates = rates_of(organisations[row["service__organisation"]])
        friction[rates.currency] += rates.a_week(row["hours"], row["contacts"]) * WEEKS_A_YEAR
    run: dict[str, Decimal] = defaultdict(Decimal)
    for currency, own, total in (
        CostLine.objects.filter(in_window(window), service__in=services, spend=CostLine.Spend.RUN)
        .values_list("currency", "service__organisation__currency")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        if currency == own:  # other currencies are never added in
            run[currency] += total * window.per_year
    return [
        (currency, AgainstRunCost(friction[currency], run.get(currency)))
        for currency in sorted(friction)
    ]


@dataclass
class ServiceFriction:
    """A service's open friction priced, beside its run cost."""

    rates: Rates
    a_week: Decimal
    against_run: AgainstRunCost

    @property
    def a_year(self) -> Decimal:
        return self.a_week * WEEKS_A_YEAR


def service_friction(
    service: Service, friction: FrictionSummary, run: Decimal | None, window: Window
) -> ServiceFriction:
    """``friction`` (the register's open points, summed) priced at the service's rates;
    ``run`` is its run cost over ``window``, scaled here to a year."""
    rates = rates_of(service.organisation)
    a_week = rates.a_week(friction.hours_lost_per_week, friction.failure_demand_contacts_per_week)
    run_a_year = None if run is None else run * window.per_year
    return ServiceFriction(rates, a_week, AgainstRunCost(a_week * WEEKS_A_YEAR, run_a_year))
