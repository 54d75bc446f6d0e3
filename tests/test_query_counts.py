"""Every page reads the same number of queries whatever the size of the portfolio.

Each GET page of the permission matrix is requested for the same service, team, directorate
and organisation before and after the portfolio grows sixfold around them (more services in
the same organisation, directorate and team, led by the same leader, with their own
journeys, data, decisions, friction and changes). A page whose count grows reads per row:
at 20,000 services that is the difference between a page and an outage. The number for
each page is pinned by the page's own tests; this one pins that it does not grow.
"""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from performance.figures import rollups
from services.actions import service_access_sync
from services.models import Service
from tests.factories import (
    JAN,
    ChangeInitiativeFactory,
    DecisionFactory,
    FrictionPointFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    cost,
    measure,
)
from tests.routes import ROUTES, url_for

pytestmark = pytest.mark.django_db

PAGES = sorted(
    name
    for name, route in ROUTES.items()
    if "GET" in route.methods
    and route.scope not in {"run", "token", "template"}
    and not route.access.startswith(("api", "public", "redirect"))
)


def grow(objects, count: int) -> None:
    """``count`` more services shaped like the open one, around the same team and leader."""
    team = objects["team"]
    leader = objects["services"]["open"].leaders.get().person
    user = objects["users"]["leader"]
    for n in range(count):
        service = ServiceFactory(
            name=f"Grown {n}", organisation=team.directorate.organisation, restricted=n % 2 == 1
        )
        StageFactory(service=service, position=1, team=team)
        StageFactory(service=service, position=2, team=team)
        ServiceLeaderFactory(service=service, person=leader)
        measure(service, "transactions", JAN, 10 + n, "digital")
        cost(service, JAN, 100 + n)
        DecisionFactory(
            service=service,
            title=f"Decision {n}",
            decision_type=objects["decision_type"],
            decided_on=date(2026, 1, 5),
            logged_by=user,
        )
        FrictionPointFactory(
            service=service,
            title=f"Friction {n}",
            category="process",
            severity="high",
            raised_on=date(2026, 1, 5),
            raised_by=user,
        )
        ChangeInitiativeFactory(
            service=service, title=f"Change {n}", outcome_sought="Faster", kind="project"
        )
    service_access_sync()
    rollups.refresh(list(Service.objects.values_list("pk", flat=True)))


def counts(client: Client, objects, pages: list[str]) -> dict[str, int]:
    found = {}
    for name in pages:
        url = url_for(name, ROUTES[name], objects, "open")
        client.get(url)  # anything a first visit computes and keeps is kept
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        assert status == 200, (name, status)
        found[name] = len(queries)
    return found


@pytest.mark.parametrize("role", ["org_admin", "leader", "member"])
def test_no_page_reads_more_queries_for_a_larger_portfolio(world, role):  # noqa: F811
    client = Client()
    client.force_login(world["users"][role])
    grow(world, 2)
    pages = [name for name in PAGES if _may(role, ROUTES[name].access)]
    before = counts(client, world, pages)
    grow(world, 10)
    after = counts(client, world, pages)
    grew = {name: (before[name], after[name]) for name in pages if after[name] != before[name]}
    assert grew == {}


def _may(role: str, access: str) -> bool:
    return {
        "read": True,
        "change": role == "leader",  # the world's records were made by the leader
        "contribute": role in {"leader", "member"},
        "lead": role == "leader",
        "team": role in {"member", "org_admin"},
        "admin": role == "org_admin",
        "importer": role in {"leader", "org_admin"},
    }[access]
