from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from performance.flow.actions import handoff_log_record, handoffs_make, log_version
from performance.models import ChangeInitiative, FrictionPoint, HandoffLog, StageLog
from performance.windows import Window, presets, window_from
from servicelead.calendar import week_of
from services.actions import service_access_sync
from tests.factories import (
    FrictionPointFactory,
    HandoffLogFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WEEK = week_of(timezone.localdate())[0]


@pytest.fixture
def journey():
    """Apply (digital) → Check (casework, the member's team) → Decide (agency)."""
    service = ServiceFactory(name="Grants", slug="grants")
    digital, casework, agency = (
        TeamFactory(name="Digital"),
        TeamFactory(name="Casework"),
        TeamFactory(name="Agency"),
    )
    stages = [
        StageFactory(service=service, position=1, name="Apply", team=digital),
        StageFactory(service=service, position=2, name="Check", team=casework),
        StageFactory(service=service, position=3, name="Decide", team=agency),
    ]
    member = UserFactory(username="tom", first_name="Tom", last_name="Okafor")
    TeamMembershipFactory(team=casework, person=PersonFactory(user=member))
    service_access_sync()
    handoffs = handoffs_make({service.pk: stages})
    return {
        "service": service,
        "team": casework,
        "stages": stages,
        "member": member,
        "into": handoffs[(stages[0].pk, stages[1].pk)],
        "out": handoffs[(stages[1].pk, stages[2].pk)],
    }


def log_url(journey, week=WEEK) -> str:
    return f"{reverse('performance:team_log', args=[journey['team'].pk])}?week={week.isoformat()}"


def key_of(handoff) -> str:
    """A hand-off's row of the team log, named by its two stages."""
    return f"h{handoff.from_stage_id}-{handoff.to_stage_id}"


def row_data(key: str, week=WEEK, **values) -> dict:
    """A row of the week's log as its page posts it, with the version of its log."""
    if key.startswith("h"):
        start, end = key[1:].split("-")
        logs = HandoffLog.objects.filter(
            handoff__from_stage_id=int(start), handoff__to_stage_id=int(end)
        )
    else:
        logs = StageLog.objects.filter(stage_id=int(key[1:]))
    version = log_version(logs.filter(period_start=week).first())
    values = {"loaded_at": version, **values}
    return {f"{key}-present": "1", **{f"{key}-{name}": value for name, value in values.items()}}


def test_the_log_opens_on_the_last_complete_week(client, journey):
    client.force_login(journey["member"])
    response = client.get(reverse("performance:team_log", args=[journey["team"].pk]))
    assert response.context["week_start"] == WEEK - timedelta(days=7)
    assert "Last week" in response.content.decode()
    this_week = client.get(log_url(journey)).content.decode()
    assert "This week, not over yet" in this_week


def test_team_log_lists_handoffs_in_and_out_and_the_teams_stages(client, journey):
    client.force_login(journey["member"])
    response = client.get(log_url(journey))
    handoffs = [
        (row.direction, str(row.handoff)) for row, _, _ in response.context["handoff_entries"]
    ]
    assert handoffs == [("in", "Apply → Check"), ("out", "Check → Decide")]
    assert [row.stage.name for row, _, _ in response.context["stage_entries"]] == ["Check"]


def test_last_weeks_values_are_prefilled(client, journey):
    last_week = WEEK - timedelta(days=7)
    HandoffLogFactory(
        handoff=journey["into"],
        period_start=last_week,
        period_end=last_week + timedelta(days=6),
        handed_over=120,
        returned=6,
        median_wait_hours=Decimal("14.5"),
    )
    client.force_login(journey["member"])
    body = client.get(log_url(journey)).content.decode()
    assert 'value="120"' in body and 'value="14.5"' in body
    assert "Filled in from last week" in body


def test_saving_the_week_records_every_row(client, journey):
    client.force_login(journey["member"])
    into, out = key_of(journey["into"]), key_of(journey["out"])
    stage = f"s{journey['stages'][1].pk}"
    data = {
        **row_data(into, handed_over=100, returned=5, median_wait_hours="12"),
        **row_data(out, handed_over=90, returned=0, median_wait_hours="48.5"),
        **row_data(stage, completed=95, median_process_hours="3.5"),
    }
    response = client.post(log_url(journey), data)
    assert response.status_code == 302
    log = HandoffLog.objects.get(handoff=journey["out"])
    assert (log.period_start, log.period_end, log.handed_over, log.median_wait_hours) == (
        WEEK,
        WEEK + timedelta(days=6),
        90,
        Decimal("48.5"),
    )
    assert log.logged_by == journey["member"]
    assert StageLog.objects.get().completed == 95


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"handed_over": -1, "returned": 0, "median_wait_hours": "1"},
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            {"handed_over": 5, "returned": 6, "median_wait_hours": "1"},
            "More items cannot come back than were handed over.",
        ),
        ({"handed_over": "ten", "returned": 0, "median_wait_hours": "1"}, "Enter a whole number."),
        (
            {"handed_over": 5, "returned": 0, "median_wait_hours": "-2"},
            "Ensure this value is greater than or equal to 0.",
        ),
    ],
)
def test_bad_rows_are_shown_inline_and_good_rows_still_save(client, journey, values, message):
    client.force_login(journey["member"])
    bad, good = key_of(journey["into"]), key_of(journey["out"])
    data = {
        **row_data(bad, **values),
        **row_data(good, handed_over=10, returned=1, median_wait_hours="4"),
    }
    response = client.post(log_url(journey), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not HandoffLog.objects.filter(handoff=journey["into"]).exists()
    assert HandoffLog.objects.filter(handoff=journey["out"]).exists()
    # Said at the top: which row was not saved and why (linked to it), and that the other was.
    summary = response.content.decode().split('class="govuk-error-summary"')[1].split("</div>")[0]
    assert "1 row not saved" in summary
    assert "The other changes were saved (1 row)." in summary
    assert f'<a href="#row-{bad}">The hand-off Apply → Check (Grants): {message}</a>' in summary


def test_a_row_saves_on_its_own_with_htmx(client, journey):
    client.force_login(journey["member"])
    key = key_of(journey["out"])
    url = reverse("performance:team_log_row", args=[journey["team"].pk, key])
    response = client.post(
        f"{url}?week={WEEK.isoformat()}",
        row_data(key, handed_over=7, returned=1, median_wait_hours="2"),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith("<tr")
    assert "Saved" in body
    again = client.post(
        f"{url}?week={WEEK.isoformat()}",
        row_data(key, handed_over=7, returned=1, median_wait_hours="2"),
        headers={"HX-Request": "true"},
    )
    assert "No change" in again.content.decode()
    assert HandoffLog.objects.get().handed_over == 7


def test_upsert_reports_created_updated_unchanged(journey):
    args = {
        "handoff": journey["into"],
        "user": None,
        "period_start": WEEK,
        "period_end": WEEK + timedelta(days=6),
        "returned": 1,
        "median_wait_hours": Decimal(3),
    }
    assert handoff_log_record(handed_over=10, **args)[1] == "created"
    assert handoff_log_record(handed_over=10, **args)[1] == "unchanged"
    assert handoff_log_record(handed_over=11, **args)[1] == "updated"
    assert HandoffLog.objects.count() == 1


def test_period_ending_before_it_starts_is_refused(journey):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        handoff_log_record(
            handoff=journey["into"],
            user=None,
            period_start=WEEK,
            period_end=WEEK - timedelta(days=1),
            handed_over=1,
            returned=0,
            median_wait_hours=Decimal(1),
        )
    assert excinfo.value.message_dict["period_end"] == ["The period cannot end before it starts."]


def test_a_member_cannot_overwrite_a_teammates_log(client, journey):
    teammate = UserFactory(username="hannah")
    TeamMembershipFactory(team=journey["team"], person=PersonFactory(user=teammate))
    service_access_sync()
    HandoffLogFactory(
        handoff=journey["out"],
        period_start=WEEK,
        period_end=WEEK + timedelta(days=6),
        handed_over=50,
        returned=0,
        median_wait_hours=Decimal(5),
        logged_by=teammate,
    )
    client.force_login(journey["member"])
    page = client.get(log_url(journey)).content.decode()
    assert "Logged by hannah" in page
    key = key_of(journey["out"])
    url = reverse("performance:team_log_row", args=[journey["team"].pk, key])
    response = client.post(
        f"{url}?week={WEEK.isoformat()}",
        row_data(key, handed_over=1, returned=0, median_wait_hours="1"),
    )
    assert response.status_code == 403
    assert HandoffLog.objects.get(handoff=journey["out"]).handed_over == 50


def test_only_the_teams_members_may_log(client, journey):
    client.force_login(UserFactory())
    assert client.get(log_url(journey)).status_code == 403


@pytest.mark.parametrize("weeks", [2, 400])
def test_flow_page_runs_a_fixed_number_of_queries(
    client, journey, django_assert_num_queries, weeks
):
    logs = [
        HandoffLog(
            handoff=handoff,
            period_start=WEEK - timedelta(weeks=n),
            period_end=WEEK - timedelta(weeks=n) + timedelta(days=6),
            handed_over=10,
            returned=1,
            median_wait_hours=Decimal(5),
        )
        for n in range(1, weeks + 1)
        for handoff in (journey["into"], journey["out"])
    ]
    HandoffLog.objects.bulk_create(logs)
    client.force_login(journey["member"])
    url = reverse("performance:flow", args=["grants"])
    client.get(url)
    # session, user, org-admin check, access, stages, hand-offs, 2 sums, friction (3), metrics
    with django_assert_num_queries(13):
        response = client.get(url)
    window = response.context["window"]
    inside = HandoffLog.objects.filter(
        handoff=journey["into"], period_start__gte=window.start, period_end__lte=window.end
    ).count()
    assert response.context["flow"].handoffs[0].logs == inside


def test_flow_page_shows_the_bottleneck_and_a_table_alternative(client, journey):
    for handoff, wait in ((journey["into"], 5), (journey["out"], 90)):
        HandoffLogFactory(
            handoff=handoff,
            period_start=date(2026, 3, 2),
            period_end=date(2026, 3, 8),
            handed_over=10,
            returned=1,
            median_wait_hours=Decimal(wait),
        )
    client.force_login(journey["member"])
    response = client.get(
        reverse("performance:flow", args=["grants"]), {"from": "2026-03-01", "to": "2026-03-31"}
    )
    body = response.content.decode()
    assert response.context["flow"].bottleneck.to_stage.name == "Decide"
    assert "Bottleneck" in body
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--m">Stages and hand-offs' in body
    )
    assert "Across organisations" in body


def test_a_bad_window_is_explained_and_the_default_used(client, journey):
    client.force_login(journey["member"])
    response = client.get(
        reverse("performance:flow", args=["grants"]), {"from": "2026-13-01", "to": "x"}
    )
    assert "“2026-13-01” is not a date" in response.content.decode()
    assert response.context["window"].preset == "12m"


def test_windows_presets_and_previous():
    today = date(2026, 11, 22)
    found = {key: (w.start, w.end) for key, (_, w) in presets(today).items()}
    assert found == {
        "month": (date(2026, 10, 1), date(2026, 10, 31)),
        "quarter": (date(2026, 7, 1), date(2026, 9, 30)),
        "fy": (date(2026, 4, 1), date(2027, 3, 31)),
        "12m": (date(2025, 11, 1), date(2026, 10, 31)),
    }
    assert Window(date(2026, 10, 1), date(2026, 10, 31)).previous() == Window(
        date(2026, 8, 31), date(2026, 9, 30)
    )
    window, problems = window_from(QueryDict("from=2026-10-01&to=2026-10-31"), today)
    assert (window.preset, problems) == ("month", [])
    window, problems = window_from(QueryDict("from=2026-10-31&to=2026-10-01"), today)
    assert problems == ["The window cannot end before it starts."]


# --- Friction and change --------------------------------------------------------------------


def test_member_records_friction_on_a_handoff(client, journey):
    client.force_login(journey["member"])
    response = client.post(
        reverse("performance:friction_new", args=["grants"]),
        {
            "title": "Checkers cannot see the queue",
            "category": "handoff",
            "severity": "high",
            "status": "open",
            "handoff": key_of(journey["out"])[1:],
            "owner_team": journey["team"].pk,
            "hours_lost_per_week": "12.5",
            "failure_demand_contacts": "30",
            "raised_on": "2026-11-01",
        },
    )
    assert response.status_code == 302
    point = FrictionPoint.objects.get()
    assert (point.raised_by, point.handoff, point.hours_lost_per_week) == (
        journey["member"],
        journey["out"],
        Decimal("12.5"),
    )


def test_friction_on_another_services_stage_is_refused(client, journey):
    client.force_login(journey["member"])
    elsewhere = StageFactory()
    response = client.post(
        reverse("performance:friction_new", args=["grants"]),
        {
            "title": "X",
            "category": "process",
            "severity": "low",
            "status": "open",
            "stage": elsewhere.pk,
            "hours_lost_per_week": "0",
            "failure_demand_contacts": "0",
            "raised_on": "2026-11-01",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not FrictionPoint.objects.exists()


def slow_point(journey) -> FrictionPoint:
    return FrictionPointFactory(
        service=journey["service"],
        title="Slow",
        category="process",
        severity="low",
        raised_on=date(2026, 1, 1),
        raised_by=journey["member"],
    )


def test_resolving_friction_dates_it(client, journey):
    point = slow_point(journey)
    client.force_login(journey["member"])
    client.post(
        reverse("performance:friction_edit", args=[point.pk]),
        {
            "title": "Slow",
            "category": "process",
            "severity": "low",
            "status": "resolved",
            "hours_lost_per_week": "0",
            "failure_demand_contacts": "0",
            "raised_on": "2026-01-01",
            "what_worked": "A daily stand-up between the two teams",
            "loaded_at": point.updated_at.isoformat(),
        },
    )
    point.refresh_from_db()
    assert point.resolved_on == timezone.localdate()


def test_saving_over_a_later_change_to_friction_is_refused_naming_who(client, journey):
    from django.test import Client

    from services.actions import service_access_sync
    from tests.factories import PersonFactory, ServiceLeaderFactory, UserFactory

    leader = UserFactory(username="priya", first_name="Priya", last_name="Shah")
    ServiceLeaderFactory(service=journey["service"], person=PersonFactory(user=leader))
    service_access_sync()
    point = slow_point(journey)
    url = reverse("performance:friction_edit", args=[point.pk])
    data = {
        "category": "process",
        "status": "open",
        "hours_lost_per_week": "0",
        "failure_demand_contacts": "0",
        "raised_on": "2026-01-01",
    }
    client.force_login(journey["member"])
    mine = client.get(url).context["form"].initial["loaded_at"]
    other = Client()
    other.force_login(leader)
    theirs = other.get(url).context["form"].initial["loaded_at"]
    saved = other.post(url, {**data, "title": "Slow", "severity": "high", "loaded_at": theirs})
    assert saved.status_code == 302
    response = client.post(url, {**data, "title": "Quick", "severity": "low", "loaded_at": mine})
    assert "Changed by Priya Shah at " in response.content.decode()
    point.refresh_from_db()
    assert (point.title, point.severity) == ("Slow", "high")  # the first save stands


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["High open", "Low mitigating", "Medium resolved"]),
        ({"severity": "high"}, ["High open"]),
        ({"status": "resolved"}, ["Medium resolved"]),
        ({"category": "data"}, ["Low mitigating"]),
    ],
)
def test_friction_filters_and_order(client, journey, query, expected):
    service = journey["service"]
    for title, severity, status, category in [
        ("Medium resolved", "medium", "resolved", "process"),
        ("Low mitigating", "low", "mitigating", "data"),
        ("High open", "high", "open", "process"),
    ]:
        FrictionPointFactory(
            service=service,
            title=title,
            category=category,
            severity=severity,
            status=status,
            raised_on=date(2026, 1, 1),
        )
    client.force_login(journey["member"])
    response = client.get(reverse("performance:friction", args=["grants"]), query)
    assert [p.title for p in response.context["page"].object_list] == expected


def test_org_wide_friction_filters_by_owner_directorate(client, journey):
    other_team = TeamFactory()
    FrictionPointFactory(
        service=journey["service"],
        title="Ours",
        category="process",
        severity="low",
        owner_team=journey["team"],
        raised_on=date(2026, 1, 1),
    )
    FrictionPointFactory(
        service=ServiceFactory(),
        title="Theirs",
        category="process",
        severity="low",
        owner_team=other_team,
        raised_on=date(2026, 1, 1),
    )
    client.force_login(journey["member"])
    response = client.get(
        reverse("performance:friction_all"), {"directorate": journey["team"].directorate.pk}
    )
    assert [p.title for p in response.context["page"].object_list] == ["Ours"]


def test_leader_records_a_change_initiative(client, journey):
    leader = UserFactory()
    ServiceLeaderFactory(service=journey["service"], person=PersonFactory(user=leader))
    service_access_sync()
    client.force_login(leader)
    response = client.post(
        reverse("performance:change_new", args=["grants"]),
        {
            "title": "Shared queue",
            "outcome_sought": "Wait under 2 days",
            "kind": "project",
            "status": "active",
            "starts_on": "2026-09-01",
            "ends_on": "2026-12-31",
            "affected_stages": [journey["stages"][1].pk],
            "delivering_teams": [journey["team"].pk],
        },
    )
    assert response.status_code == 302
    change = ChangeInitiative.objects.get()
    assert [s.name for s in change.affected_stages.all()] == ["Check"]
    bad = client.post(
        reverse("performance:change_new", args=["grants"]),
        {
            "title": "Backwards",
            "outcome_sought": "x",
            "kind": "project",
            "status": "active",
            "starts_on": "2026-09-01",
            "ends_on": "2026-08-01",
        },
    )
    assert "It cannot end before it starts." in bad.content.decode()


@pytest.mark.parametrize("stages", [0, 1])
def test_flow_page_of_a_journey_with_no_hand_offs_renders(colleague_client, stages):
    service = ServiceFactory(slug="short")
    for position in range(1, stages + 1):
        StageFactory(service=service, position=position, name=f"Stage {position}")
    page = colleague_client.get(reverse("performance:flow", args=["short"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert ("This service has no journey yet" in text) == (stages == 0)
    assert ("Stage 1: Stage 1" in text) == (stages == 1)


def test_latest_data_is_the_default_and_every_past_financial_year_with_data_a_preset():
    from performance.windows import DataSpan

    today = date(2026, 11, 22)
    span = DataSpan(latest=date(2024, 3, 31), financial_years=[2021, 2022, 2023, 2026])
    options = presets(today, span)
    assert options["latest"] == (
        "Latest data: financial year 2023–24",
        Window(date(2023, 4, 1), date(2024, 3, 31), "latest"),
    )
    # 2023-24 is the latest data already; 2026-27 is this financial year ("fy").
    assert [k for k in options if k.startswith("fy")] == ["fy", "fy2022", "fy2021"]
    assert options["fy2022"][1] == Window(date(2022, 4, 1), date(2023, 3, 31), "fy2022")
    assert window_from(QueryDict(""), today, span)[0].preset == "latest"
    assert window_from(QueryDict(""), today)[0].preset == "12m"  # no data: the last 12 months
    monthly = presets(today, DataSpan(latest=date(2026, 10, 31)))["latest"]
    assert monthly == (
        "Latest data: 12 months to October 2026",
        Window(date(2025, 11, 1), date(2026, 10, 31), "latest"),
    )


def test_a_log_row_saved_by_someone_else_since_the_page_opened_is_not_overwritten(client, journey):
    from django.contrib.auth.models import Group
    from django.test import Client

    from services.queries import ORG_ADMINS_GROUP
    from tests.pages import form_fields

    grace = UserFactory(username="grace", first_name="Grace", last_name="Adeyemi")
    TeamMembershipFactory(team=journey["team"], person=PersonFactory(user=grace))
    priya = UserFactory(username="priya", first_name="Priya", last_name="Shah")
    priya.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    service_access_sync()
    key = f"s{journey['stages'][1].pk}"

    def the_row(page, **values) -> dict:  # the stage's row as its page holds it, filled in
        fields = form_fields(page.content.decode())
        row = {name: value for name, value in fields.items() if name.startswith(f"{key}-")}
        return row | {f"{key}-{name}": value for name, value in values.items()}

    client.force_login(priya)  # an org admin, who may change anybody's log
    priyas_page = client.get(log_url(journey))
    tom = Client()
    tom.force_login(journey["member"])
    toms_page = tom.get(log_url(journey))
    other = Client()
    other.force_login(grace)
    saved = other.post(
        log_url(journey),
        the_row(other.get(log_url(journey)), completed=40, median_process_hours=3),
    )
    assert saved.status_code == 302

    # Priya's page still shows the week unlogged: her save is refused, naming Grace.
    response = client.post(
        log_url(journey), the_row(priyas_page, completed=12, median_process_hours=5)
    )
    assert response.status_code == 200
    assert "Changed by Grace Adeyemi at" in response.content.decode()
    assert StageLog.objects.get().completed == 40

    # Reloaded, her page shows Grace's figures, and her change saves over them.
    again = client.get(log_url(journey))
    assert the_row(again)[f"{key}-completed"] == ["40"]
    response = client.post(log_url(journey), the_row(again, completed=12))
    assert response.status_code == 302
    assert StageLog.objects.get().completed == 12

    # Tom may not change Grace's log: told so, not silently dropped.
    response = tom.post(
        log_url(journey), the_row(toms_page, completed=3, median_process_hours=1), follow=True
    )
    assert (
        "Stage 2: Check (Grants) was logged by Grace Adeyemi since you opened this page; only "
        "they or a leader of the service can change it, so your figures for it were not saved."
    ) in response.content.decode()
    assert StageLog.objects.get().completed == 12


def test_friction_on_a_hand_off_nothing_was_logged_against_saves_it(client, journey):
    from performance.models import Handoff

    service = ServiceFactory(slug="licences", name="Licences")
    a = StageFactory(service=service, position=1, name="Ask", team=journey["team"])
    b = StageFactory(service=service, position=2, name="Answer", team=journey["team"])
    service_access_sync()
    client.force_login(journey["member"])
    url = reverse("performance:friction_new", args=["licences"])
    assert (
        f'<option value="{a.pk}-{b.pk}">Ask → Answer</option>' in client.get(url).content.decode()
    )
    assert not Handoff.objects.filter(service=service).exists()  # reading the form wrote nothing
    response = client.post(
        url,
        {
            "title": "Answers wait for a signature",
            "category": "handoff",
            "severity": "medium",
            "status": "open",
            "handoff": f"{a.pk}-{b.pk}",
            "hours_lost_per_week": "2",
            "failure_demand_contacts": "0",
            "raised_on": "2026-11-01",
        },
    )
    assert response.status_code == 302
    point = FrictionPoint.objects.get(service=service)
    assert (point.handoff.from_stage, point.handoff.to_stage) == (a, b)
