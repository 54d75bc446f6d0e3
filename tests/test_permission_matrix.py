"""Who may see and change what: every URL the project has, for every role.

The test enumerates the URL patterns; a new pattern without an entry in ROUTES fails it, so
each new screen must say who may reach it. For every request a role may not make, the
database must be unchanged (no audit record was written).
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "colleague", "other_member", "member", "leader", "org_admin"]
AUDITED = [
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

    scope: str  # "service": per service (open and restricted); "global": needs no object
    access: str  # "public", "public-redirect", "redirect" (to the catalogue), "read", "lead"
    methods: tuple[str, ...] = ("GET",)


ROUTES = {
    "home": Route("global", "redirect"),
    "login": Route("global", "public"),
    "favicon": Route("global", "public-redirect"),
    "logout": Route("global", "public", methods=("POST",)),
    "services:catalogue": Route("global", "read"),
    "services:organisations": Route("global", "read"),
    "services:organisation": Route("global", "read"),
    "services:directorate": Route("global", "read"),
    "services:team": Route("global", "read"),
    "services:service": Route("service", "read"),
    "services:service_history": Route("service", "read"),
    "services:service_edit": Route("service", "lead", ("GET", "POST")),
    "services:service_leadership": Route("service", "lead", ("GET", "POST")),
    "services:service_journey": Route("service", "lead", ("GET", "POST")),
    "services:service_assessment": Route("service", "lead", ("GET", "POST")),
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
        "open": ServiceFactory(name="Open service", slug="open"),
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
    team = Team.objects.first()
    return {"users": users, "services": services, "team": team}


def url_for(name: str, route: Route, world, service: Service | None) -> str:
    team = world["team"]
    kwargs = {
        "services:organisation": {"slug": team.directorate.organisation.slug},
        "services:directorate": {"pk": team.directorate.pk},
        "services:team": {"pk": team.pk},
    }.get(name, {})
    if route.scope == "service":
        kwargs = {"slug": service.slug}
    return reverse(name, kwargs=kwargs)


def expected_status(route: Route, role: str, which: str | None, method: str) -> int:
    if route.access == "public":
        return 302 if method == "POST" else 200
    if route.access == "public-redirect":
        return 302
    if role == "anonymous" or route.access == "redirect":
        return 302
    if route.scope == "global":
        return 302 if method == "POST" else 200
    sees = which == "open" or role in {"member", "leader", "org_admin"}
    if not sees:
        return 404
    if route.access == "lead" and role not in {"leader", "org_admin"}:
        return 403
    return 200


def audit_count() -> int:
    return sum(model.history.count() for model in AUDITED)


def test_every_url_pattern_is_in_the_matrix():
    assert url_names() - ROUTES.keys() == set(), "add the new URL patterns to ROUTES"
    assert ROUTES.keys() - url_names() == set(), "ROUTES names patterns that no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_status_for_every_role_and_url(client, world, role, name):
    route = ROUTES[name]
    if role != "anonymous":
        client.force_login(world["users"][role])
    cases = (
        [(which, world["services"][which]) for which in ("open", "restricted")]
        if route.scope == "service"
        else [(None, None)]
    )
    for which, service in cases:
        url = url_for(name, route, world, service)
        for method in route.methods:
            before = audit_count()
            response = client.get(url) if method == "GET" else client.post(url, {"name": ""})
            expected = expected_status(route, role, which, method)
            if method == "POST" and expected == 200:
                # Allowed: the form either re-renders with errors or saves and redirects.
                assert response.status_code in {200, 302}, (role, name, which, method)
            else:
                assert response.status_code == expected, (role, name, which, method)
            if expected in {403, 404} or (expected == 302 and role == "anonymous"):
                assert audit_count() == before, f"{role} {method} {url} changed the database"
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                policy = response["Content-Security-Policy"]
                assert "script-src 'self'" in policy
                assert "unsafe-inline" not in policy


def test_admin_is_for_org_admins_only(client, world):
    url = reverse("admin:index")
    assert client.get(url).status_code == 302
    client.force_login(world["users"]["leader"])
    assert client.get(url).status_code == 302
    client.force_login(world["users"]["org_admin"])
    world["users"]["org_admin"].is_staff = True
    world["users"]["org_admin"].save()
    assert client.get(url).status_code == 200
