"""What a person's home page reads: their services at a glance, their teams' logs for the last
complete week, reviews, the friction their teams own, decisions outside rights and findings on
their services, and, for org admins, the portfolio's exceptions. A fixed number of queries
for any number of services (one more set for each team the person is in)."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField, Count, ExpressionWrapper, F, QuerySet
from django.db.models.functions import Lower

from decisions.models import Decision
from decisions.queries import reviews_due
from performance.figures.exceptions import (
    Exceptions,
    Glance,
    exceptions_in,
    glance,
    with_exceptions,
)
from performance.figures.extents import window_for
from performance.figures.portfolio import NEEDS_ATTENTION, PortfolioFilters, portfolio
from performance.figures.rollups import Freshness
from performance.flow.queries import HandoffToLog, StageToLog, team_week
from performance.friction.queries import FRICTION_ORDER
from performance.models import DataQualityFinding, FrictionPoint
from performance.windows import Window
from services.access import my_services
from services.models import Person, Service, Team
from services.queries import User, is_org_admin, visible_services

SHOWN = 25  # of each list; the rest are a link away


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
        exceptions=exceptions_in(user, PortfolioFilters()) if is_org_admin(user) else None,
        teams=teams,
    )
