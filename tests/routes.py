"""Every URL of the project, who may reach it, and the world the checks reach it in: the
permission matrix states them (``tests/test_permission_matrix.py``), and the checks of
leaks, query counts, fuzzed forms and every page walk the same routes."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from decisions.models import Decision, DecisionBand, DecisionRight, DecisionType
from performance.change.scenarios import predict
from performance.models import (
    ApiToken,
    Campaign,
    CapacityLog,
    ChangeInitiative,
    CostLine,
    FrictionPoint,
    Handoff,
    HandoffLog,
    Scenario,
    StageLog,
    TeamInteraction,
)
from performance.windows import Window
from services.actions import service_access_sync
from services.models import (
    Organisation,
    Person,
    Priority,
    ProportionalityAssessment,
    Service,
    ServiceLeader,
    ServiceTeam,
    Stage,
    Team,
    TeamMembership,
)
from services.queries import ORG_ADMINS_GROUP
from tests.factories import (
    ApiTokenFactory,
    ChangeInitiativeFactory,
    DecisionFactory,
    DecisionTypeFactory,
    FrictionPointFactory,
    ImportRunFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamMembershipFactory,
    UserFactory,
)

ROLES = ["anonymous", "colleague", "other_member", "member", "leader", "org_admin"]


AUDITED = [
    ApiToken,
    CapacityLog,
    Scenario,
    TeamInteraction,
    CostLine,
    ChangeInitiative,
    FrictionPoint,
    Handoff,
    HandoffLog,
    StageLog,
    Decision,
    DecisionBand,
    DecisionRight,
    DecisionType,
    Organisation,
    Person,
    Team,
    TeamMembership,
    Service,
    Priority,
    ServiceLeader,
    ProportionalityAssessment,
    Stage,
    ServiceTeam,
]


@dataclass(frozen=True)
class Route:
    """How to reach a URL pattern and who may."""

    # "service", "decision", "friction", "change" or "cell" (of the rights matrix): one of
    # an open and one of a restricted service; "type": a decision type; "team" and
    # "team_row": the member's team and one row of its weekly log; "membership": one of its
    # members; "campaign": one over both services; "global": no object.
    scope: str
    # "public", "public-redirect", "redirect" (to the catalogue), "read", "admin" (org admins),
    # "contribute" (team members and leaders), "change" (the record's author and leaders;
    # the world's records were made by the leader), "lead" (leaders), "team" (the team's
    # members and org admins)
    access: str
    methods: tuple[str, ...] = ("GET",)
    post_access: str = ""  # when a POST needs more than a GET (default: the same)
    expect: dict | None = None  # an explicit status per role, for routes that fit no rule


ROUTES = {
    "home": Route("global", "read"),
    "login": Route("global", "public"),
    "favicon": Route("global", "public-redirect"),
    "logout": Route("global", "public", methods=("POST",)),
    "services:catalogue": Route("global", "read"),
    "services:organisations": Route("global", "read"),
    "services:organisation": Route("global", "read"),
    "services:directorate": Route("global", "read"),
    "services:team": Route("global", "read"),
    "services:organisation_new": Route("global", "admin", ("GET", "POST")),
    "services:organisation_edit": Route("organisation", "admin", ("GET", "POST")),
    "services:directorate_new": Route("organisation", "admin", ("GET", "POST")),
    "services:directorate_edit": Route("directorate", "admin", ("GET", "POST")),
    "services:team_new": Route("directorate", "admin", ("GET", "POST")),
    "services:team_edit": Route("team", "admin", ("GET", "POST")),
    "services:team_members": Route("team", "admin", ("GET", "POST")),
    "services:team_member_remove": Route("membership", "admin", ("POST",)),
    "services:profile": Route("global", "read"),
    "services:service": Route("service", "read"),
    "services:service_history": Route("service", "read"),
    "services:service_edit": Route("service", "lead", ("GET", "POST")),
    "services:service_leadership": Route("service", "lead", ("GET", "POST")),
    "services:service_journey": Route("service", "lead", ("GET", "POST")),
    "services:service_assessment": Route("service", "lead", ("GET", "POST")),
    "decisions:types": Route("global", "read"),
    "decisions:type_new": Route("global", "admin", ("GET", "POST")),
    "decisions:type_edit": Route("type", "admin", ("GET", "POST")),
    "decisions:coverage": Route("global", "read"),
    "decisions:reviews": Route("global", "read"),
    "decisions:rights": Route("service", "read"),
    "decisions:rights_history": Route("service", "read"),
    "decisions:rights_cell_view": Route("cell", "read"),
    "decisions:rights_cell": Route("cell", "lead", ("GET", "POST")),
    "decisions:log": Route("service", "read"),
    "decisions:log_csv": Route("service", "read"),
    "decisions:new": Route("service", "contribute", ("GET", "POST")),
    "decisions:decision": Route("decision", "read"),
    "decisions:history": Route("decision", "read"),
    "decisions:edit": Route("decision", "change", ("GET", "POST")),
    "decisions:delete": Route("decision", "change", ("GET", "POST")),
    "performance:team_log": Route("team", "team", ("GET", "POST")),
    "performance:team_log_row": Route("team_row", "team", ("POST",)),
    "performance:flow": Route("service", "read"),
    "performance:friction": Route("service", "read"),
    "performance:friction_all": Route("global", "read"),
    "performance:friction_new": Route("service", "contribute", ("GET", "POST")),
    "performance:friction_edit": Route("friction", "read", ("GET", "POST"), post_access="change"),
    "performance:interactions": Route("service", "lead", ("GET", "POST")),
    "performance:scenarios": Route("service", "read"),
    # Open data: anyone, signed in or not, reads the published (open) service's figures.
    "opendata:portfolio": Route("global", "public"),
    "opendata:service": Route("published", "public"),
    "opendata:service_csv": Route("published", "public"),
    "opendata:service_json": Route("published", "public"),
    "opendata:gc_file": Route("gc_file", "public"),
    "performance:scenario_new": Route("service", "lead", ("GET", "POST")),
    "performance:scenario": Route("scenario", "read", ("GET", "POST"), post_access="lead"),
    "performance:change": Route("service", "read"),
    "performance:change_new": Route("service", "lead", ("GET", "POST")),
    "performance:change_edit": Route("change", "lead", ("GET", "POST")),
    "performance:imports": Route("global", "read"),
    "performance:import_upload": Route("global", "importer", ("GET", "POST")),
    "performance:gc_upload": Route("global", "admin", ("GET", "POST")),
    "performance:csv_template": Route("template", "read"),
    "performance:import_run": Route("run", "own-run"),
    "performance:import_errors": Route("run", "own-run"),
    "performance:import_progress": Route("run", "own-run"),
    "performance:import_confirm": Route(
        "run",
        "own-run",
        ("POST",),
        expect={
            "leader": 302,
            "org_admin": 404,
            "colleague": 404,
            "member": 404,
            "other_member": 404,
        },
    ),
    "performance:service_imports": Route("service", "read"),
    "performance:tokens": Route("service", "lead", ("GET", "POST")),
    "performance:token_revoke": Route("token", "lead", ("POST",)),
    "performance:dashboard": Route("service", "read"),
    "performance:review_pack": Route("service", "read", ("GET", "POST"), post_access="lead"),
    "performance:portfolio": Route("global", "read"),
    "performance:drift": Route("global", "read"),
    "performance:shared_problems": Route("global", "read"),
    "performance:campaigns": Route("global", "admin"),
    "performance:campaign_new": Route("global", "admin", ("GET", "POST")),
    "performance:campaign": Route("campaign", "admin"),
    "performance:campaign_fix": Route("campaign", "admin", ("GET", "POST")),
    "performance:portfolio_csv": Route("global", "read"),
    "performance:data_quality": Route("global", "read"),
    "performance:data_quality_csv": Route("global", "read"),
    "performance:organisation_share": Route("organisation", "read"),
    "performance:directorate_share": Route("directorate", "read"),
    # The JSON API answers for itself: JSON 401 without a token, never a sign-in redirect.
    "api:get_summary": Route("service", "api-read"),
    "api:get_portfolio": Route("global", "api-read"),
    "api:api-root": Route("global", "api", expect=dict.fromkeys(ROLES, 404)),
    "api:openapi-json": Route("global", "api", expect=dict.fromkeys(ROLES, 200)),
    "api:post_measurements": Route("service", "api", ("POST",), expect=dict.fromkeys(ROLES, 401)),
}


def url_names(patterns=None, namespace: str = "") -> set[str]:
    """Every named URL pattern of the project, outside the Django admin."""
    names: set[str] = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


@pytest.fixture
def world(db):
    """An open and a restricted service, each with a team and a leader; a user per role."""
    users = {role: UserFactory(username=role) for role in ROLES if role != "anonymous"}
    users["org_admin"].groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    services = {
        "open": ServiceFactory(name="Open service", slug="open", published=True),
        "restricted": ServiceFactory(name="Restricted service", slug="restricted", restricted=True),
    }
    leader, member = PersonFactory(user=users["leader"]), PersonFactory(user=users["member"])
    for service in services.values():
        stage = StageFactory(service=service, position=1, name="Apply")
        TeamMembershipFactory(team=stage.team, person=member)
        ServiceLeaderFactory(service=service, person=leader)
    TeamMembershipFactory(
        team=StageFactory(service=ServiceFactory(name="Elsewhere")).team,
        person=PersonFactory(user=users["other_member"]),
    )
    service_access_sync()
    decision_type = DecisionTypeFactory(name="Spend", category="spend")
    decisions = {
        which: DecisionFactory(
            service=service,
            title=f"Decision of {which}",
            decision_type=decision_type,
            decided_on=date(2026, 1, 5),
            logged_by=users["leader"],
        )
        for which, service in services.items()
    }
    friction = {
        which: FrictionPointFactory(
            service=service,
            title=f"Friction in {which}",
            category="process",
            severity="high",
            raised_on=date(2026, 1, 5),
            raised_by=users["leader"],
        )
        for which, service in services.items()
    }
    changes = {
        which: ChangeInitiativeFactory(
            service=service, title=f"Change in {which}", outcome_sought="Faster", kind="project"
        )
        for which, service in services.items()
    }
    team = services["open"].stages.get().team  # the member is in it
    run = ImportRunFactory(
        kind="measurements",
        source="upload",
        user=users["leader"],
        outcome="dry_run",
        summary={"upload": "gone.csv"},
    )
    tokens = {
        which: ApiTokenFactory(
            service=service, name=f"Token of {which}", prefix="sl_x", key_hash=which
        )
        for which, service in services.items()
    }
    campaign = Campaign.objects.create(
        name="Deciders for all",
        check_key="decide_holders",
        target_date=date(2099, 1, 1),
        scope="Every service",
        launched_on=date(2026, 1, 5),
    )
    campaign.services.set(services.values())
    year = Window(date(2025, 1, 1), date(2025, 12, 31))
    scenarios = {
        which: Scenario.objects.create(
            service=service,
            name=f"Scenario of {which}",
            changes=[{"kind": "merge", "stage": service.stages.get().pk}],
            window_start=year.start,
            window_end=year.end,
            predicted=predict(service, year, []).to_json(),
        )
        for which, service in services.items()
    }
    return {
        "scenarios": scenarios,
        "users": users,
        "services": services,
        "campaign": campaign,
        "decisions": decisions,
        "friction": friction,
        "changes": changes,
        "run": run,
        "tokens": tokens,
        "decision_type": decision_type,
        "team": team,
    }


def url_for(name: str, route: Route, world, which: str | None) -> str:
    return reverse(name, kwargs=kwargs_for(name, route, world, which))


def kwargs_for(name: str, route: Route, world, which: str | None) -> dict:
    """The URL pattern's arguments that reach the world's records."""
    team = world["team"]
    kwargs = {
        "services:organisation": {"slug": team.directorate.organisation.slug},
        "services:directorate": {"pk": team.directorate.pk},
        "services:team": {"pk": team.pk},
    }.get(name, {})
    if route.scope == "service":
        kwargs = {"slug": world["services"][which].slug}
    elif route.scope == "decision":
        kwargs = {"pk": world["decisions"][which].pk}
    elif route.scope == "cell":
        kwargs = {
            "slug": world["services"][which].slug,
            "type_pk": world["decision_type"].pk,
            "band_pk": 0,
            "role": "decide",
        }
    elif route.scope == "type":
        kwargs = {"pk": world["decision_type"].pk}
    elif route.scope == "team":
        kwargs = {"pk": team.pk}
    elif route.scope == "membership":
        kwargs = {"pk": team.pk, "membership": team.memberships.first().pk}
    elif route.scope == "team_row":
        kwargs = {"pk": team.pk, "key": f"s{team.stages.get().pk}"}
    elif route.scope == "friction":
        kwargs = {"pk": world["friction"][which].pk}
    elif route.scope == "change":
        kwargs = {"slug": world["services"][which].slug, "pk": world["changes"][which].pk}
    elif route.scope == "organisation":
        kwargs = {"slug": team.directorate.organisation.slug}
    elif route.scope == "directorate":
        kwargs = {"pk": team.directorate.pk}
    elif route.scope == "campaign":
        kwargs = {"pk": world["campaign"].pk}
    elif route.scope == "scenario":
        kwargs = {"pk": world["scenarios"][which].pk}
    elif route.scope == "published":
        kwargs = {"slug": world["services"]["open"].slug}
    elif route.scope == "gc_file":
        kwargs = {"name": "si_2024.csv"}
    elif route.scope == "template":
        kwargs = {"kind": "measurements"}
    elif route.scope == "run":
        kwargs = {"pk": world["run"].pk}
    elif route.scope == "token":
        kwargs = {"slug": world["services"][which].slug, "pk": world["tokens"][which].pk}
    return kwargs


def expected_status(route: Route, role: str, which: str | None, method: str) -> int:
    if route.expect is not None and role in route.expect:
        return route.expect[role]
    if route.access == "public":
        return 302 if method == "POST" else 200
    if route.access == "public-redirect":
        return 302
    if route.access == "api-read" and role == "anonymous":
        return 401
    if role == "anonymous" or route.access == "redirect":
        return 302
    access = route.post_access if method == "POST" and route.post_access else route.access
    if access == "admin":
        return 200 if role == "org_admin" else 403
    if access == "team":
        return 200 if role in {"member", "org_admin"} else 403
    if access == "importer":
        return 200 if role in {"leader", "org_admin"} else 403
    if access == "own-run":
        return 200 if role in {"leader", "org_admin"} else 404
    if route.scope in {"global", "type", "template", "organisation", "directorate"}:
        return 302 if method == "POST" else 200
    sees = which == "open" or role in {"member", "leader", "org_admin"}
    if not sees:
        return 404
    allowed = {
        "read": set(ROLES),
        "api-read": set(ROLES),
        "contribute": {"member", "leader", "org_admin"},
        "change": {"leader", "org_admin"},  # the decisions were logged by the leader
        "lead": {"leader", "org_admin"},
    }[access]
    return 200 if role in allowed else 403


def audit_count() -> int:
    """Every change to what is audited leaves a history record, so equal counts mean no write."""
    return sum(model.history.count() for model in AUDITED)
