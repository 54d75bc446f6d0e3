"""Shared problems: one kind of friction with one team, felt in several services across
directorates, seen as one problem; resolved friction says what worked, searchable."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from performance.friction.shared_problems import shared_problems
from performance.mail import send_weekly_digests
from performance.models import FrictionPoint
from services.actions import service_access_sync
from services.models import Service, Team
from tests.factories import (
    DirectorateFactory,
    FrictionPointFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOUR, CONTACT = settings.FRICTION_HOURLY_RATE, settings.FRICTION_COST_PER_CONTACT


@pytest.fixture
def world():
    """A platform team, and services whose stages sit in two directorates."""
    north, south = DirectorateFactory(name="North"), DirectorateFactory(name="South")
    platform = TeamFactory(name="Case platform", team_type=Team.TeamType.PLATFORM)
    grants = ServiceFactory(name="Grants", slug="grants")
    loans = ServiceFactory(name="Loans", slug="loans")
    permits = ServiceFactory(name="Permits", slug="permits")
    stages = {
        "grants": StageFactory(service=grants, name="Assess", team=TeamFactory(directorate=north)),
        "loans": StageFactory(service=loans, name="Assess", team=TeamFactory(directorate=south)),
        "permits": StageFactory(service=permits, name="Check", team=TeamFactory(directorate=north)),
    }
    return platform, {"grants": grants, "loans": loans, "permits": permits}, stages


def point(service, stage, team, **values) -> FrictionPoint:
    values = {
        "category": "technology",
        "severity": "medium",
        "hours_lost_per_week": Decimal(0),
        "failure_demand_contacts": 0,
        **values,
    }
    return FrictionPointFactory(service=service, stage=stage, owner_team=team, **values)


def test_one_kind_of_friction_with_one_team_across_directorates_is_one_problem(world):
    platform, services, stages = world
    point(
        services["grants"],
        stages["grants"],
        platform,
        title="Notes re-keyed",
        hours_lost_per_week=10,
    )
    point(
        services["loans"],
        stages["loans"],
        platform,
        title="Cases re-keyed",
        status="mitigating",
        severity="high",
        hours_lost_per_week=Decimal("5.5"),
        failure_demand_contacts=4,
    )
    # Not part of it: another category, and resolved friction.
    point(services["permits"], stages["permits"], platform, category="process")
    point(services["permits"], stages["permits"], platform, status="resolved", what_worked="x")
    [problem] = shared_problems(Service.objects.all())
    assert problem.title == "Technology friction with Case platform"
    assert problem.subject == "platform"
    assert [s.name for s in problem.services] == ["Grants", "Loans"]
    assert [d.name for d in problem.directorates] == ["North", "South"]
    assert problem.high == 1
    # 10 h + 5.5 h at the default hourly rate, 4 contacts at the default cost, 52 weeks.
    expected = (Decimal("15.5") * HOUR + 4 * CONTACT) * 52
    assert problem.cost_a_year == {"GBP": expected}
    assert [p.point.title for p, _ in problem.rows] == ["Notes re-keyed", "Cases re-keyed"]


def test_friction_within_one_directorate_or_one_service_is_not_shared(world):
    platform, services, stages = world
    # Grants and Permits are both felt in North only.
    point(services["grants"], stages["grants"], platform)
    point(services["permits"], stages["permits"], platform)
    assert shared_problems(Service.objects.all()) == []
    # Two points in one service, whatever the directorates.
    other = StageFactory(service=services["loans"], name="Pay", team=TeamFactory())
    point(services["loans"], stages["loans"], platform)
    point(services["loans"], other, platform)
    assert len(shared_problems(Service.objects.filter(slug__in=["loans"]))) == 0


def test_without_an_owner_the_stages_team_is_who_it_sits_with(world):
    _, services, _ = world
    supplier = TeamFactory(name="Print and post", team_type=Team.TeamType.SUPPLIER)
    for slug in ("grants", "loans"):
        stage = StageFactory(service=services[slug], name="Post", team=supplier)
        point(services[slug], stage, None, category="supplier")
    [problem] = shared_problems(Service.objects.all())
    assert problem.title == "Supplier friction with Print and post"
    assert problem.subject == "supplier"
    # Run from the journeys' directorates other than the supplier's own.
    assert [d.name for d in problem.directorates] == ["North", "South"]
    # A journey wholly within the team's directorate is run from it.
    services["loans"].stages.exclude(name="Post").update(team=supplier)
    [problem] = shared_problems(Service.objects.all())
    assert problem.directorates == sorted(
        [supplier.directorate, services["grants"].stages.get(name="Assess").team.directorate],
        key=lambda d: d.name,
    )


def test_what_worked_with_the_same_team_comes_with_the_problem(world):
    platform, services, stages = world
    point(services["grants"], stages["grants"], platform)
    point(services["loans"], stages["loans"], platform)
    worked = point(
        services["permits"],
        stages["permits"],
        platform,
        status="resolved",
        title="Files re-keyed",
        what_worked="An export from the helpline",
        resolved_on=timezone.localdate(),
    )
    point(services["permits"], stages["permits"], platform, status="resolved", what_worked="")
    point(services["permits"], stages["permits"], TeamFactory(), status="resolved", what_worked="y")
    [problem] = shared_problems(Service.objects.all())
    assert problem.worked == [worked]


def test_a_reader_sees_problems_only_through_services_they_may_see(world, client):
    platform, services, stages = world
    point(services["grants"], stages["grants"], platform, title="Notes re-keyed")
    point(services["loans"], stages["loans"], platform, title="Secret re-keying")
    services["loans"].restricted = True
    services["loans"].save()
    user = UserFactory(username="reader")
    client.force_login(user)
    body = client.get(reverse("performance:shared_problems")).content.decode()
    assert "No shared problems" in body
    assert "Secret re-keying" not in body and "Loans" not in body
    ServiceLeaderFactory(service=services["loans"], person=PersonFactory(user=user))
    service_access_sync()
    body = client.get(reverse("performance:shared_problems")).content.decode()
    assert "Technology friction with Case platform" in body and "Secret re-keying" in body


def test_the_page_costs_the_same_queries_for_more_problems(
    world, org_admin_client, django_assert_max_num_queries
):
    platform, services, stages = world
    point(services["grants"], stages["grants"], platform)
    point(services["loans"], stages["loans"], platform)
    url = reverse("performance:shared_problems")
    org_admin_client.get(url)
    with CaptureQueriesContext(connection) as one:
        org_admin_client.get(url)
    for category in ("process", "data", "policy"):
        point(services["grants"], stages["grants"], platform, category=category)
        point(services["loans"], stages["loans"], platform, category=category)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = org_admin_client.get(url)
    assert len(response.context["problems"]) == 4


def test_each_affected_leader_hears_of_it_in_the_digest(world):
    platform, services, stages = world
    user = UserFactory(email="priya@example.org")
    ServiceLeaderFactory(service=services["grants"], person=PersonFactory(user=user, name="Priya"))
    point(services["grants"], stages["grants"], platform, hours_lost_per_week=10)
    point(services["loans"], stages["loans"], platform, hours_lost_per_week=10)
    assert send_weekly_digests() == 1
    body = mail.outbox[0].body
    yearly = f"{20 * HOUR * 52:,.0f}"
    assert "Shared with other services:" in body
    assert f"Technology friction with Case platform: 2 services, {yearly} GBP a year together" in (
        body
    )
    assert "/portfolio/shared-problems/#technology-" in body


def test_resolving_friction_asks_what_worked_and_the_register_searches_it(world, org_admin_client):
    _, services, stages = world
    open_point = point(services["grants"], stages["grants"], None, title="Queue unseen")
    url = reverse("performance:friction_edit", args=[open_point.pk])
    form = org_admin_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data |= {"status": "resolved", "raised_on": open_point.raised_on.isoformat()}
    refused = org_admin_client.post(url, data)
    assert "Say what worked to resolve it" in refused.content.decode()
    data["what_worked"] = "A shared queue between the two teams"
    assert org_admin_client.post(url, data).status_code == 302
    open_point.refresh_from_db()
    assert open_point.status == "resolved" and open_point.resolved_on == timezone.localdate()
    other = point(services["loans"], stages["loans"], None, title="Shared queue idea")
    found = org_admin_client.get(reverse("performance:friction_all"), {"q": "queue shared"})
    assert {p.title for p in found.context["page"].object_list} == {"Queue unseen", other.title}
    found = org_admin_client.get(
        reverse("performance:friction_all"), {"q": "teams", "status": "resolved"}
    )
    assert [p.title for p in found.context["page"].object_list] == ["Queue unseen"]
    assert "What worked:" in found.content.decode()


def test_the_demo_shows_a_shared_problem_and_what_worked(db):
    call_command("seed_demo", stdout=StringIO())
    [problem] = shared_problems(Service.objects.all())
    assert problem.title == "Technology friction with Case management platform"
    assert len(problem.services) == 2 and len(problem.directorates) >= 2
    assert [p.title for p in problem.worked] == ["Complaint files re-keyed from the helpline"]
    assert timezone.localdate() - problem.worked[0].resolved_on == timedelta(days=75)
