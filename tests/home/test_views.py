"""The home page: what needs each person, on their services and in their teams."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from servicelead.calendar import week_of
from services.actions import service_access_sync
from services.queries import ORG_ADMINS_GROUP
from tests.factories import (
    DecisionFactory,
    FrictionPointFactory,
    HandoffLogFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_WEEK = week_of(TODAY)[0] - timedelta(days=7)


@pytest.fixture
def leader(client):
    user = UserFactory(username="priya")
    person = PersonFactory(user=user, name="Priya Shah")
    service = ServiceFactory(name="Grants")
    ServiceLeaderFactory(service=service, person=person)
    quiet = ServiceFactory(name="Allotments")
    ServiceLeaderFactory(service=quiet, person=person)
    service_access_sync()
    client.force_login(user)
    return client, service, quiet


def test_the_home_is_the_front_page(leader):
    client, _, _ = leader
    response = client.get("/")
    assert response.status_code == 200
    assert "What needs you" in response.content.decode()


def test_my_services_lead_with_those_needing_attention_and_say_why(leader):
    client, grants, allotments = leader
    FrictionPointFactory(service=grants, severity="high", status="open")
    FrictionPointFactory(service=grants, severity="high", status="resolved")
    FrictionPointFactory(service=allotments, severity="low", status="open")
    home = client.get("/").context["home"]
    # Neither has measured anything: stale or missing data is an exception, as in the portfolio.
    assert [(g.row.service.name, g.status, g.problems) for g in home.services] == [
        ("Allotments", "Needs attention", ["nothing measured yet"]),
        (
            "Grants",
            "Needs attention",
            ["nothing measured yet", "1 high-severity friction point open"],
        ),
    ]
    body = client.get("/").content.decode()
    assert "2 of your 2 services need attention" in body


def test_reviews_overdue_and_decisions_outside_rights_on_my_services(leader):
    client, grants, _ = leader
    DecisionFactory(service=grants, title="Past", review_by=TODAY - timedelta(days=2))
    DecisionFactory(service=grants, title="Soon", review_by=TODAY + timedelta(days=5))
    DecisionFactory(service=grants, title="Bypassed", within_rights=False)
    DecisionFactory(service=ServiceFactory(), title="Elsewhere", within_rights=False)
    home = client.get("/").context["home"]
    assert (home.reviews_overdue, home.reviews_total) == (1, 2)
    assert [d.title for d in home.outside_rights] == ["Bypassed"]
    assert "1 decision review overdue" in client.get("/").content.decode()


def test_a_team_member_sees_last_weeks_log_due_with_one_click_to_it(client):
    user = UserFactory(username="tom")
    person = PersonFactory(user=user)
    stage = StageFactory(position=1)
    StageFactory(service=stage.service, position=2)
    TeamMembershipFactory(team=stage.team, person=person)
    FrictionPointFactory(service=stage.service, owner_team=stage.team, title="Queue unseen")
    service_access_sync()
    client.force_login(user)
    home = client.get("/").context["home"]
    [log] = home.team_logs
    # The team's stage, and its one hand-off out: two rows, none logged.
    assert (log.week_start, log.rows, log.logged, log.status) == (LAST_WEEK, 2, 0, "Not started")
    body = client.get("/").content.decode()
    assert f'/teams/{stage.team.pk}/log/?week={LAST_WEEK.isoformat()}"' in body
    assert [p.title for p in home.friction] == ["Queue unseen"]

    handoff = stage.service.handoffs.create(from_stage=stage, to_stage=stage.service.stages.last())
    HandoffLogFactory(handoff=handoff, period_start=LAST_WEEK)
    [log] = client.get("/").context["home"].team_logs
    assert (log.logged, log.status) == (1, "1 of 2 logged")


def test_org_admins_see_the_portfolios_exceptions_and_others_do_not(leader):
    client, grants, _ = leader
    FrictionPointFactory(service=grants, severity="high", status="open")
    ServiceFactory(name="Not mine")
    assert client.get("/").context["home"].exceptions is None
    user = UserFactory(username="morgan")
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    client.force_login(user)
    exceptions = client.get("/").context["home"].exceptions
    assert (exceptions.services, exceptions.friction_high, exceptions.missing) == (3, 1, 0)
    assert "Across the portfolio" in client.get("/").content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_the_home_runs_a_fixed_number_of_queries(leader, django_assert_num_queries, size):
    client, grants, _ = leader
    person = grants.leaders.first().person
    for n in range(size):
        service = ServiceFactory(name=f"Service {n}")
        ServiceLeaderFactory(service=service, person=person)
        FrictionPointFactory(service=service)
        DecisionFactory(service=service, review_by=TODAY, within_rights=False)
    service_access_sync()
    client.get("/")  # the roll-ups are computed once
    # session and user (2); the person (1); their services' data span (3); the roll-ups'
    # freshness and rows (2); the person's teams (1: none here, so no logs and no friction);
    # the count of their services and of those needing attention (2); reviews, their count
    # and the overdue (3); the org-admin check (1); decisions outside rights (1); findings (1)
    with django_assert_num_queries(QUERIES):
        client.get("/")


QUERIES = 17


def test_the_services_needing_attention_come_first_and_are_all_counted(leader):
    from unittest.mock import patch

    from tests.factories import MeasurementFactory, MetricFactory

    client, grants, allotments = leader
    month_end = TODAY.replace(day=1) - timedelta(days=1)
    for service in (grants, allotments):  # both measured last month: neither is stale
        metric = MetricFactory(service=service, key="transactions", name="Transactions")
        MeasurementFactory(
            metric=metric, period_start=month_end.replace(day=1), period_end=month_end
        )
    FrictionPointFactory(service=grants, severity="high", status="open")
    with patch("home.queries.SHOWN", 1):
        home = client.get("/").context["home"]
    assert [(g.row.service.name, g.status) for g in home.services] == [
        ("Grants", "Needs attention")  # before Allotments, though it sorts after it by name
    ]
    assert (home.attention, home.service_count) == (1, 2)
    assert "On track" in client.get("/").content.decode()  # Allotments, shown in full
