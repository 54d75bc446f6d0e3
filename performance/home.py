"""What a person's home page reads: their services at a glance, their teams' logs for the last
complete week, reviews, the friction their teams own, decisions outside rights and findings on
their services, and, for org admins, the portfolio's exceptions. A fixed number of queries
for any number of services (one more set for each team the person is in)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Count, ExpressionWrapper, F, QuerySet
from django.db.models.functions import Lower

from decisions.models import Decision
from decisions.queries import my_services, reviews_due
from performance.figures.portfolio import EXCEPTIONS, NEEDS_ATTENTION, PortfolioFilters, portfolio
from performance.figures.rollups import Freshness, window_for
from performance.figures.windows import Window
from performance.models import DataQualityFinding, FrictionPoint, Rollup
from performance.queries import FRICTION_ORDER, HandoffToLog, StageToLog, team_week
from services.models import Person, Service, Team
from services.queries import User, is_org_admin, visible_services

SHOWN = 25  # of each list; the rest are a link away


@dataclass
class Glance:
    """One service's status for the window, and why."""

    row: Rollup
    problems: list[str]

    @property
    def status(self) -> str:
        if self.problems:
            return "Needs attention"
        return "On track" if self.row.reporting else "No data"


def with_exceptions(rows: QuerySet[Rollup]) -> QuerySet[Rollup]:
    """Each roll-up with ``is_<kind>`` for each kind of exception, as the portfolio counts them."""
    return rows.annotate(
        **{
            f"is_{name}": ExpressionWrapper(q, output_field=BooleanField())
            for name, q in EXCEPTIONS.items()
        }
    )


def glance(row: Rollup) -> Glance:
    """``row`` (annotated by ``with_exceptions``) with its exceptions in words."""
    problems = []
    if row.is_off_target:
        off = row.kpis_with_target - row.kpis_on_target
        problems.append(f"{off} of {row.kpis_with_target} KPIs off target")
    if row.is_stale:  # old or missing, as the portfolio's filter has it
        problems.append(
            f"data is stale: the last ends {row.last_period_end:%-d %b %Y}"
            if row.last_period_end
            else "nothing measured yet"
        )
    if row.is_friction_high:
        n = row.friction_open_high
        problems.append(f"{n} high-severity friction point{'s' if n != 1 else ''} open")
    if row.is_outside_rights:
        n = row.decisions_outside_rights
        problems.append(f"{n} decision{'s' if n != 1 else ''} outside agreed rights")
    if row.is_hands_on_gap:
        problems.append("hands-on leadership recommended but not in place")
    return Glance(row, problems)


@dataclass
class TeamLog:
    team: Team
    week_start: date
    rows: int
    logged: int

    @property
    def status(self) -> str:
        if not self.rows:
            return "Nothing to log"
        if self.logged == self.rows:
            return "Done"
        return "Not started" if not self.logged else f"{self.logged} of {self.rows} logged"


def team_log_of(user: User, team: Team, week_start: date) -> TeamLog:
    handoffs, stages = team_week(user, team, week_start)
    rows: list[HandoffToLog | StageToLog] = [*handoffs, *stages]
    return TeamLog(team, week_start, len(rows), sum(1 for row in rows if row.log))


@dataclass
class Exceptions:
    """Across every service the org admin may see, for the portfolio's default window."""

    window: Window
    missing: int  # services whose figures for the window are still being worked out
    services: int
    off_target: int
    hands_on_gap: int
    stale: int
    friction_high: int
    outside_rights: int


@dataclass
class Home:
    person: Person | None
    window: Window
    freshness: Freshness
    services: list[Glance]
    service_count: int
    team_logs: list[TeamLog]
    reviews: list[Decision]
    reviews_total: int
    reviews_overdue: int
    friction: list[FrictionPoint]
    outside_rights: list[Decision]
    findings: list[dict]  # {"service__name", "service__slug", "n"}
    attention: int = 0  # of all the person's services, not only those shown
    exceptions: Exceptions | None = None
    teams: list[Team] = field(default_factory=list)


def _exceptions(user: User) -> Exceptions:
    services = visible_services(user)
    window = window_for({}, services)["window"]
    found = portfolio(user, window, PortfolioFilters(), "service", within=services)
    counts = found.rows.order_by().aggregate(
        services=Count("pk"), **{name: Count("pk", filter=q) for name, q in EXCEPTIONS.items()}
    )
    return Exceptions(window=window, missing=found.freshness.missing, **counts)


def home_for(user: User, week_start: date) -> Home:
    person = Person.objects.filter(user=user).first()
    mine: QuerySet[Service] = my_services(user)
    window = window_for({}, mine)["window"]
    found = portfolio(user, window, PortfolioFilters(), "service", within=mine)
    # Those needing attention first, so none of them is beyond the ones shown.
    rows = (
        []
        if found.freshness.missing
        else list(
            with_exceptions(found.rows.defer("figures"))
            .annotate(attention=ExpressionWrapper(NEEDS_ATTENTION, output_field=BooleanField()))
            # NULL (a comparison with no KPI target) is "no": last, on PostgreSQL as on SQLite.
            .order_by(F("attention").desc(nulls_last=True), Lower("service__name"), "pk")[:SHOWN]
        )
    )
    teams = (
        list(Team.objects.filter(memberships__person=person).order_by("name").distinct())
        if person
        else []
    )
    reviews = reviews_due(mine)
    return Home(
        person=person,
        window=window,
        freshness=found.freshness,
        services=[glance(row) for row in rows],
        attention=0 if found.freshness.missing else found.rows.filter(NEEDS_ATTENTION).count(),
        service_count=mine.count(),
        team_logs=[team_log_of(user, team, week_start) for team in teams],
        reviews=list(reviews[:SHOWN]),
        reviews_total=reviews.count(),
        reviews_overdue=reviews.filter(review_overdue=True).count(),
        friction=list(
            FrictionPoint.objects.filter(service__in=visible_services(user), owner_team__in=teams)
            .exclude(status=FrictionPoint.Status.RESOLVED)
            .select_related("service", "owner_team")
            .order_by(*FRICTION_ORDER)[:SHOWN]
        ),
        outside_rights=list(
            Decision.objects.filter(
                service__in=mine, within_rights=False, status=Decision.Status.DECIDED
            )
            .select_related("service", "decision_type", "decided_by")
            .order_by("-decided_on", "-pk")[:SHOWN]
        ),
        findings=list(
            DataQualityFinding.objects.filter(service__in=mine)
            .values("service__name", "service__slug")
            .annotate(n=Count("pk"))
            .order_by("-n", "service__name")[:SHOWN]
        ),
        exceptions=_exceptions(user) if is_org_admin(user) else None,
        teams=teams,
    )
