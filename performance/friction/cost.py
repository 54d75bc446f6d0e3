"""Friction priced in money: what each open friction point costs a week and a year.

cost a week = hours lost a week × the loaded cost of an hour of staff time
            + failure-demand contacts a week × the cost of handling a contact,

at the rates of the service's accountable organisation (``Organisation.hourly_rate`` and
``cost_per_contact``, in its currency). Where it sets no hourly rate but gives its staff
numbers (``staff_fte``) and a year of the staff cost lines it pays, the hour is worked out from
them: a year's staff cost ÷ (FTE × ``FRICTION_HOURS_PER_FTE``). Otherwise the site's defaults
apply (``FRICTION_HOURLY_RATE``, ``FRICTION_COST_PER_CONTACT``). A year is 52 weeks. Set beside run
cost, a share above 100 % says the hours or contacts recorded are wrong, not that friction
costs more than running the service: it is flagged, never shown as a fact.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, DecimalField, ExpressionWrapper, F, QuerySet, Sum, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.utils import dateformat

from performance.friction.queries import FrictionSummary
from performance.models import CostLine, FrictionPoint
from performance.windows import Window, in_window, span_to
from servicelead.numbers import half_up, money
from services.models import Organisation, Service, Stage, contact_cost

WEEKS_A_YEAR = 52
MONEY = DecimalField(max_digits=20, decimal_places=2)
SHOWN = 10  # the costliest friction points listed


@dataclass(frozen=True)
class StaffCost:
    """A year of the staff cost lines an organisation pays (in its currency), and its staff."""

    a_year: Decimal
    currency: str
    fte: Decimal
    start: date
    end: date

    @property
    def hourly(self) -> Decimal:
        hours = self.fte * settings.FRICTION_HOURS_PER_FTE
        return half_up(self.a_year / hours, 2)

    @property
    def text(self) -> str:
        return (
            f"its staff cost of {money(self.a_year, self.currency, 0)} from "
            f"{dateformat.format(self.start, 'j M Y')} to {dateformat.format(self.end, 'j M Y')} "
            f"over {self.fte.normalize():,f} FTE of "
            f"{settings.FRICTION_HOURS_PER_FTE:,} hours a year"
        )


def staff_costs(organisation_ids=None) -> dict[int, StaffCost]:
    """For each organisation (of ``organisation_ids``, or all) that gives its staff numbers
    and sets no hourly rate, a year of the staff cost lines it pays in its own currency: the
    twelve months to the latest one's end, where its lines cover them from the first day (two
    queries)."""
    organisations = Organisation.objects.filter(staff_fte__gt=0, hourly_rate__isnull=True)
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=organisation_ids)
    fte, currency = {}, {}
    for pk, staff, code in organisations.values_list("pk", "staff_fte", "currency"):
        fte[pk], currency[pk] = staff, code
    lines = defaultdict(list)
    for org_id, start, end, total in (
        CostLine.objects.filter(
            category=CostLine.Category.STAFF,
            organisation_id__in=list(fte),
            currency=F("organisation__currency"),
        )
        .values_list("organisation_id", "period_start", "period_end")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        lines[org_id].append((start, end, total))
    found = {}
    for org_id, periods in lines.items():
        end = max(e for _, e, _ in periods)
        start = span_to(end, 12).start
        within = [(s, total) for s, e, total in periods if s >= start]
        # Less than a year of lines (or one line longer than a year): not known.
        if within and min(s for s, _ in within) == start:
            found[org_id] = StaffCost(
                sum(t for _, t in within), currency[org_id], fte[org_id], start, end
            )
    return found


@dataclass(frozen=True)
class Rates:
    hourly: Decimal
    per_contact: Decimal
    currency: str
    own_hourly: bool  # the organisation's own (else worked out from its staff, or the default)
    own_per_contact: bool
    staff: StaffCost | None = None  # what the hourly rate was worked out from
    staff_unpriced: bool = False  # its staff numbers are given, but not a year of staff cost
    by_channel: dict[str, Decimal] = field(default_factory=dict)  # its own, on some channels

    def contact(self, channel: str = "") -> Decimal:
        """The cost of a contact on ``channel`` (none given: any)."""
        return self.by_channel.get(channel, self.per_contact)

    def a_week(self, hours: Decimal, contacts: int, channel: str = "") -> Decimal:
        return hours * self.hourly + contacts * self.contact(channel)

    def by_channels(self, hours: Decimal, contacts: dict[str, int]) -> Decimal:
        """A week's cost of ``hours`` and of contacts counted by channel ("" for none)."""
        return hours * self.hourly + sum(
            (n * self.contact(channel) for channel, n in contacts.items()), Decimal(0)
        )

    @property
    def own(self) -> bool:
        return self.own_hourly and self.own_per_contact

    @property
    def text(self) -> str:
        hour = f"{money(self.hourly, self.currency)} an hour"
        contact = f"{money(self.per_contact, self.currency)} a contact"
        plain = self.staff is None and not self.staff_unpriced and not self.by_channel
        if plain and self.own_hourly == self.own_per_contact:
            source = "its organisation's rates" if self.own else "the default rates"
            return f"{hour} and {contact} ({source})"
        whose = {True: "its organisation's", False: "the default"}
        hour_source = f"from {self.staff.text}" if self.staff else whose[self.own_hourly]
        if self.staff_unpriced:
            hour_source += ": its staff numbers are given, but not a year of its staff cost"
        text = f"{hour} ({hour_source}) and {contact} ({whose[self.own_per_contact]})"
        if self.by_channel:
            labels = dict(Stage.Channel.choices)
            costs = "; ".join(
                f"{labels[c].lower()} {money(cost)}" for c, cost in sorted(self.by_channel.items())
            )
            text += f", except on the channels its organisation prices itself ({costs})"
        return text


def default_rates() -> str:
    return (
        f"{money(settings.FRICTION_HOURLY_RATE)} an hour and "
        f"{money(settings.FRICTION_COST_PER_CONTACT)} a contact"
    )


def rates_of(organisation: Organisation, staff: dict[int, StaffCost] | None = None) -> Rates:
    """The organisation's rates; ``staff``: the staff costs of organisations (by default,
    read for this one) an hourly rate may be worked out from."""
    hourly, per_contact = organisation.hourly_rate, organisation.cost_per_contact
    if staff is None:
        staff = staff_costs([organisation.pk])
    from_staff = staff.get(organisation.pk) if hourly is None else None
    if hourly is None:
        hourly = settings.FRICTION_HOURLY_RATE if from_staff is None else from_staff.hourly
    return Rates(
        hourly=hourly,
        per_contact=settings.FRICTION_COST_PER_CONTACT if per_contact is None else per_contact,
        currency=organisation.currency,
        own_hourly=organisation.hourly_rate is not None,
        own_per_contact=per_contact is not None,
        staff=from_staff,
        staff_unpriced=from_staff is None
        and organisation.hourly_rate is None
        and bool(organisation.staff_fte),
        by_channel=contact_costs(organisation),
    )


def contact_costs(organisation: Organisation) -> dict[str, Decimal]:
    """The organisation's own cost of a contact on each channel it prices (as the model
    checks them on every write)."""
    return {c: contact_cost(v) for c, v in organisation.contact_costs.items()}


def priced(points: QuerySet[FrictionPoint], staff: dict[int, StaffCost]) -> QuerySet[FrictionPoint]:
    """``points`` with ``cost_a_week`` worked out in SQL (to sort and sum by), at the rates
    ``rates_of`` gives (``staff``: the organisations' staff costs)."""
    hourly = Coalesce(
        F("service__organisation__hourly_rate"),
        Case(
            *[
                When(service__organisation_id=pk, then=Value(cost.hourly, output_field=MONEY))
                for pk, cost in staff.items()
            ],
            default=Value(settings.FRICTION_HOURLY_RATE, output_field=MONEY),
        ),
    )
    on_its_channel = Case(
        *[
            When(
                contact_channel=channel,
                then=Cast(KeyTextTransform(channel, "service__organisation__contact_costs"), MONEY),
            )
            for channel in Stage.Channel.values
        ],
        default=None,
        output_field=MONEY,
    )
    per_contact = Coalesce(
        on_its_channel,
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
        point = self.point
        return self.rates.a_week(
            point.hours_lost_per_week, point.failure_demand_contacts, point.contact_channel
        )

    @property
    def a_year(self) -> Decimal:
        return self.a_week * WEEKS_A_YEAR


def costliest(points: QuerySet[FrictionPoint], shown: int = SHOWN) -> list[Priced]:
    """The open friction points that cost most (four queries)."""
    staff = staff_costs()
    open_points = (
        priced(points.exclude(status=FrictionPoint.Status.RESOLVED), staff)
        .filter(cost_a_week__gt=0)
        .select_related("service__organisation", "owner_team")
        .order_by("-cost_a_week", "pk")[:shown]
    )
    return [Priced(point, rates_of(point.service.organisation, staff)) for point in open_points]


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
    ``window`` (scaled to a year), per currency (five queries)."""
    sums = (
        FrictionPoint.objects.filter(service__in=services)
        .exclude(status=FrictionPoint.Status.RESOLVED)
        .values("service__organisation", "contact_channel")
        .annotate(hours=Sum("hours_lost_per_week"), contacts=Sum("failure_demand_contacts"))
        .order_by()
    )
    sums = list(sums)
    organisations = Organisation.objects.in_bulk([row["service__organisation"] for row in sums])
    staff = staff_costs(list(organisations))
    friction: dict[str, Decimal] = defaultdict(Decimal)
    for row in sums:
        rates = rates_of(organisations[row["service__organisation"]], staff)
        a_week = rates.a_week(row["hours"], row["contacts"], row["contact_channel"])
        friction[rates.currency] += a_week * WEEKS_A_YEAR
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
    a_week = rates.by_channels(friction.hours_lost_per_week, friction.contacts_by_channel)
    run_a_year = None if run is None else run * window.per_year
    return ServiceFriction(rates, a_week, AgainstRunCost(a_week * WEEKS_A_YEAR, run_a_year))
