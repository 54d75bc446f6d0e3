"""Teams as they work together: interaction modes and their flags, and the weekly split of a
team's capacity between running services, changing them, failure demand and improvement."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from performance.flow.teamwork import balances, service_balance, teamwork
from performance.models import CapacityLog, TeamInteraction
from servicelead.calendar import week_of
from services.actions import service_access_sync
from services.models import Service, Team
from tests.factories import (
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    ServiceTeamFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Mode = TeamInteraction.Mode
TODAY = timezone.localdate()
LAST_WEEK = week_of(TODAY)[0] - timedelta(days=7)


def log(team, weeks_ago: int, run: int, change: int, failure: int = 0, improvement: int = 0):
    week = LAST_WEEK - timedelta(weeks=weeks_ago)
    return CapacityLog.objects.create(
        team=team,
        period_start=week,
        period_end=week + timedelta(days=6),
        run=run,
        change=change,
        failure_demand=failure,
        improvement=improvement,
    )


@pytest.fixture
def journey():
    service = ServiceFactory(name="Grants", slug="grants")
    checking = TeamFactory(name="Checking", team_type=Team.TeamType.OPERATIONS)
    assessing = TeamFactory(name="Assessing", team_type=Team.TeamType.OPERATIONS)
    StageFactory(service=service, position=1, name="Check", team=checking)
    StageFactory(service=service, position=2, name="Assess", team=assessing)
    return service, checking, assessing


# --- Interactions and their flags -----------------------------------------------------------


def test_a_collaboration_past_its_expected_end_is_flagged(journey):
    service, checking, assessing = journey
    started = TODAY - timedelta(weeks=13)
    TeamInteraction.objects.create(
        service=service,
        team=checking,
        with_team=assessing,
        mode=Mode.COLLABORATION,
        started_on=started,
        expected_weeks=12,
    )
    end = started + timedelta(weeks=12)
    assert teamwork(service, TODAY).flags == [
        f"The collaboration between Checking and Assessing was expected to end on "
        f"{end:%-d %B %Y} (12 weeks from {started:%-d %B %Y}) and is still recorded: settle it "
        "into X-as-a-service or facilitating, or agree a new end."
    ]
    # Within its time, or with no end given, or another mode: no flag.
    TeamInteraction.objects.update(started_on=TODAY - timedelta(weeks=11))
    assert teamwork(service, TODAY).flags == []
    TeamInteraction.objects.update(started_on=started, expected_weeks=None)
    assert teamwork(service, TODAY).flags == []
    TeamInteraction.objects.update(expected_weeks=12, mode=Mode.FACILITATING)
    assert teamwork(service, TODAY).flags == []


def test_a_platform_team_on_the_journey_needs_an_x_as_a_service_arrangement(journey):
    service, checking, _ = journey
    platform = TeamFactory(name="Payments platform", team_type=Team.TeamType.PLATFORM)
    ServiceTeamFactory(service=service, team=platform)  # taking part counts as on the journey
    assert teamwork(service, TODAY).flags == [
        "Payments platform is a platform team on this journey, but no X-as-a-service "
        "arrangement with it is recorded."
    ]
    TeamInteraction.objects.create(
        service=service,
        team=platform,
        with_team=checking,
        mode=Mode.COLLABORATION,
        started_on=TODAY,
    )
    assert len(teamwork(service, TODAY).flags) == 1  # collaborating is not the arrangement
    TeamInteraction.objects.create(
        service=service,
        team=platform,
        with_team=checking,
        mode=Mode.X_AS_A_SERVICE,
        started_on=TODAY,
    )
    assert teamwork(service, TODAY).flags == []


def test_a_stream_aligned_team_handing_work_across_many_boundaries_is_flagged(settings):
    service = ServiceFactory()
    stream = TeamFactory(name="Apply team", team_type=Team.TeamType.STREAM_ALIGNED)
    other = TeamFactory(name="Casework", team_type=Team.TeamType.OPERATIONS)
    # Apply → Check → Decide → Notify: the stream-aligned team's stages hand work to or from
    # Casework three times.
    for position, (name, team) in enumerate(
        [("Apply", stream), ("Check", other), ("Decide", stream), ("Notify", other)], start=1
    ):
        StageFactory(service=service, position=position, name=name, team=team)
    assert teamwork(service, TODAY).flags == [
        "Apply team is stream-aligned, but its stages hand work to or from other teams 3 times "
        "on this journey (more than 2): the flow is not its own end to end."
    ]
    settings.STREAM_ALIGNED_MAX_BOUNDARIES = 3
    assert teamwork(service, TODAY).flags == []


def test_an_interaction_is_between_two_teams_once():
    team = TeamFactory()
    interaction = TeamInteraction(
        service=ServiceFactory(),
        team=team,
        with_team=team,
        mode=Mode.FACILITATING,
        started_on=TODAY,
    )
    with pytest.raises(ValidationError):
        interaction.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        interaction.save()


# --- Capacity -------------------------------------------------------------------------------


def test_a_team_is_flagged_when_change_stays_under_10_percent_for_12_weeks(journey):
    service, checking, assessing = journey
    for n in range(12):
        log(checking, n, run=91, change=9)
    for n in range(12):
        change = 25 if n % 2 else 15
        log(assessing, n, run=85 - change, change=change, failure=10, improvement=5)
    found = balances([checking, assessing], TODAY)
    assert found[checking.pk].flagged and found[checking.pk].low_change_weeks == 12
    assert not found[assessing.pk].flagged
    assert dict(found[assessing.pk].parts) == {
        "Running services": Decimal("65.0"),  # (60 + 70) / 2
        "Changing them": Decimal("20.0"),  # (25 + 15) / 2
        "Failure demand": Decimal("10.0"),
        "Improving how it works": Decimal("5.0"),
    }
    # The service: each team counted once, (9 + 20) / 2 = 14.5 % on change.
    assert service_balance(list(found.values()))["Changing them"] == Decimal("14.5")
    assert (
        "Checking spent under 10 % of its capacity on change in each of the last 12 weeks."
        in teamwork(service, TODAY).flags
    )


@pytest.mark.parametrize("week, change", [(0, 10), (11, 12), (5, None)])
def test_one_week_at_10_percent_or_more_or_unlogged_breaks_the_run(journey, week, change):
    _, checking, _ = journey
    for n in range(12):
        if n == week and change is None:
            continue  # a week not logged
        log(checking, n, run=100 - (change if n == week else 5), change=change if n == week else 5)
    assert not balances([checking], TODAY)[checking.pk].flagged


def test_the_shares_must_add_up_to_100(journey):
    _, checking, _ = journey
    bad = CapacityLog(
        team=checking, period_start=LAST_WEEK, period_end=LAST_WEEK, run=50, change=40
    )
    with pytest.raises(ValidationError, match="add up to 90 %"):
        bad.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()


def test_a_team_logs_its_week_with_its_hand_offs(journey, client):
    _, checking, _ = journey
    member = UserFactory(username="checker")
    checking.memberships.create(person=PersonFactory(user=member))
    service_access_sync()
    client.force_login(member)
    url = reverse("performance:team_log", args=[checking.pk]) + f"?week={LAST_WEEK}"
    shares = {"capacity-run": "60", "capacity-change": "30", "capacity-failure_demand": "5"}
    refused = client.post(url, {"capacity-present": "1", **shares})
    assert refused.status_code == 200
    assert "The four shares add up to 95 %: they must add up to 100 %." in refused.content.decode()
    assert not CapacityLog.objects.exists()
    saved = client.post(url, {"capacity-present": "1", **shares, "capacity-improvement": "5"})
    assert saved.status_code == 302
    logged = CapacityLog.objects.get()
    assert (logged.run, logged.change, logged.failure_demand, logged.improvement) == (60, 30, 5, 5)
    assert (logged.period_start, logged.logged_by) == (LAST_WEEK, member)
    assert logged.history.get().history_user == member
    # The next week opens with last week's split, to change what differs; empty logs nothing.
    page = client.get(reverse("performance:team_log", args=[checking.pk]))
    assert page.context["capacity"]["run"].value() == 60
    blank = {f"capacity-{p}": "" for p in CapacityLog.PARTS}
    client.post(url, {"capacity-present": "1", **blank})
    assert CapacityLog.objects.count() == 1


@pytest.fixture
def leader(journey, client):
    """The journey's service's leader, signed in."""
    user = UserFactory(username="lead")
    ServiceLeaderFactory(service=journey[0], person=PersonFactory(user=user))
    service_access_sync()
    client.force_login(user)
    return user


def test_leaders_record_and_remove_interactions(journey, client, leader):
    service, checking, assessing = journey
    url = reverse("performance:interactions", args=[service.slug])
    data = {
        "action": "add",
        "team": checking.pk,
        "with_team": checking.pk,
        "mode": "collaboration",
        "started_on": (TODAY + timedelta(days=1)).isoformat(),
        "expected_weeks": "12",
    }
    body = client.post(url, data).content.decode()
    assert "Choose two different teams." in body
    assert "Record an interaction once it has started." in body
    data |= {"with_team": assessing.pk, "started_on": TODAY.isoformat()}
    assert client.post(url, data).status_code == 302
    interaction = TeamInteraction.objects.get()
    assert interaction.expected_end == TODAY + timedelta(weeks=12)
    assert interaction.history.get().history_user == leader
    page = client.get(service.get_absolute_url()).content.decode()
    assert "Teams as they work together" in page and "Collaboration" in page
    client.post(url, {"action": "remove", "interaction": interaction.pk})
    assert not TeamInteraction.objects.exists()
    assert client.post(url, {"action": "remove", "interaction": "x"}).status_code == 404


def test_the_demo_shows_an_overrunning_collaboration_and_a_team_with_no_time_for_change(db):
    call_command("seed_demo", stdout=StringIO())
    showcase = teamwork(Service.objects.get(slug="home-improvement-grant"), TODAY)
    assert showcase.flags[0].startswith(
        "The collaboration between Applications processing and Grant assessment was expected"
    )
    assert (
        "Applications processing spent under 10 % of its capacity on change in each of the "
        "last 12 weeks." in showcase.flags
    )
    cases = teamwork(Service.objects.get(slug="grant-case-management"), TODAY)
    assert any("Case management platform is a platform team" in flag for flag in cases.flags)


def test_figures_for_a_week_that_cannot_be_logged_are_never_saved_to_another(journey, client):
    _, checking, _ = journey
    member = UserFactory(username="checker")
    checking.memberships.create(person=PersonFactory(user=member))
    service_access_sync()
    client.force_login(member)
    log(checking, 0, run=70, change=6, failure=20, improvement=4)
    ahead = week_of(TODAY)[0] + timedelta(weeks=5)
    for week in (ahead.isoformat(), "not-a-week"):
        url = reverse("performance:team_log", args=[checking.pk]) + f"?week={week}"
        shares = {f"capacity-{p}": "25" for p in CapacityLog.PARTS}
        response = client.post(url, {"capacity-present": "1", **shares})
        assert response.status_code == 302
    kept = CapacityLog.objects.get()
    assert (kept.run, kept.change) == (70, 6)


def test_a_pair_of_teams_is_recorded_once_whichever_way_round(journey, client, leader):
    service, checking, assessing = journey
    url = reverse("performance:interactions", args=[service.slug])
    data = {"action": "add", "mode": "collaboration", "started_on": TODAY.isoformat()}
    client.post(url, {**data, "team": checking.pk, "with_team": assessing.pk})
    again = client.post(url, {**data, "team": assessing.pk, "with_team": checking.pk})
    assert (
        "Assessing and Checking are already recorded as collaboration on this service"
        in again.content.decode()
    )
    assert TeamInteraction.objects.count() == 1
    old = client.post(
        url, {**data, "team": checking.pk, "with_team": assessing.pk, "started_on": "0001-01-01"}
    )
    assert "Give a start on or after 1 January 1900." in old.content.decode()
