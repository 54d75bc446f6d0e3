"""What if we changed the journey? Predictions worked out by hand for a small journey, the range
around them, and scenarios kept, compared and set beside what happened."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.change.scenarios import Change, Kind, NoLongerApplies, predict
from performance.models import ChangeInitiative, Handoff, HandoffLog, Scenario, StageLog
from performance.windows import Window
from servicelead.calendar import week_of
from services.actions import service_access_sync
from tests.factories import (
    ChangeInitiativeFactory,
    DirectorateFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

W2 = week_of(timezone.localdate())[0] - timedelta(days=7)  # the last complete week
W1 = W2 - timedelta(days=7)
WINDOW = Window(W1, W2 + timedelta(days=6))


def stage_log(stage, week, completed, hours):
    StageLog.objects.create(
        stage=stage,
        period_start=week,
        period_end=week + timedelta(days=6),
        completed=completed,
        median_process_hours=Decimal(hours),
    )


def handoff_log(a, b, week, handed, returned, wait):
    handoff, _ = Handoff.objects.get_or_create(service=a.service, from_stage=a, to_stage=b)
    HandoffLog.objects.create(
        handoff=handoff,
        period_start=week,
        period_end=week + timedelta(days=6),
        handed_over=handed,
        returned=returned,
        median_wait_hours=Decimal(wait),
    )


@pytest.fixture
def journey():
    """Apply (3 h) → Check (5 h) → Decide (1 h), over two weeks.

    Apply → Check: 20 handed over, 2 returned (90 %), waits 10 h and 30 h: 20 h weighted.
    Check → Decide: 20 handed over, 2 returned (90 %), 4 h each week.
    Today: process 9 h, lead time 9 + 20 + 4 = 33 h, flow efficiency 9/33, rolled 81 %.
    """
    north, south = DirectorateFactory(name="North"), DirectorateFactory(name="South")
    south.organisation = north.organisation
    south.save()
    apply_team = TeamFactory(name="Apply team", directorate=north)
    check_team = TeamFactory(name="Check team", directorate=north)
    decide_team = TeamFactory(name="Decide team", directorate=south)
    service = ServiceFactory(name="Grants", slug="grants")
    apply = StageFactory(service=service, position=1, name="Apply", team=apply_team)
    check = StageFactory(service=service, position=2, name="Check", team=check_team)
    decide = StageFactory(service=service, position=3, name="Decide", team=decide_team)
    stage_log(apply, W1, 10, 2)
    stage_log(apply, W2, 10, 4)
    for week in (W1, W2):
        stage_log(check, week, 10, 5)
        stage_log(decide, week, 10, 1)
        handoff_log(check, decide, week, 10, 1, 4)
    handoff_log(apply, check, W1, 10, 2, 10)
    handoff_log(apply, check, W2, 10, 0, 30)
    return service, {"apply": apply, "check": check, "decide": decide}, apply_team


def figures(prediction, which: str) -> dict:
    return {key: getattr(f, which) for key, f in prediction.figures.items()}


def test_today_is_worked_out_as_the_flow_view_does(journey):
    service, stages, _ = journey
    p = predict(service, WINDOW, [Change(Kind.CUT_WAIT, stages["apply"].pk, value=Decimal(0))])
    assert figures(p, "today") == {
        "lead_time_hours": Decimal(33),
        "process_time_hours": Decimal(9),
        "flow_efficiency": Decimal(9) / Decimal(33),
        "rolled_complete_accurate": Decimal("0.81"),
    }
    assert p.weeks == 2


def test_merging_two_stages_removes_their_hand_off(journey):
    service, stages, _ = journey
    p = predict(service, WINDOW, [Change(Kind.MERGE, stages["apply"].pk)])
    # Apply and Check as one stage of 3 + 5 h; only Check → Decide is left: 4 h, 90 %.
    assert figures(p, "point") == {
        "lead_time_hours": Decimal(13),
        "process_time_hours": Decimal(9),
        "flow_efficiency": Decimal(9) / Decimal(13),
        "rolled_complete_accurate": Decimal("0.9"),
    }
    assert (p.counts_today["total"], p.counts_then["total"]) == (2, 1)


def test_cutting_a_wait_and_raising_complete_and_accurate(journey):
    service, stages, _ = journey
    apply = stages["apply"].pk
    p = predict(
        service,
        WINDOW,
        [
            Change(Kind.CUT_WAIT, apply, value=Decimal("0.5")),
            Change(Kind.COMPLETE_ACCURATE, apply, value=Decimal("0.95")),
        ],
    )
    # The 20 h wait halved: 9 + 10 + 4 = 23 h. Apply → Check at 95 %: 0.95 × 0.9.
    assert figures(p, "point") == {
        "lead_time_hours": Decimal(23),
        "process_time_hours": Decimal(9),
        "flow_efficiency": Decimal(9) / Decimal(23),
        "rolled_complete_accurate": Decimal("0.855"),
    }
    # Raising to a rate lower than today's keeps today's.
    lower = predict(service, WINDOW, [Change(Kind.COMPLETE_ACCURATE, apply, value=Decimal("0.8"))])
    assert figures(lower, "point")["rolled_complete_accurate"] == Decimal("0.81")


def test_moving_a_stage_changes_the_boundaries_it_crosses(journey):
    service, stages, apply_team = journey
    p = predict(service, WINDOW, [Change(Kind.MOVE, stages["decide"].pk, team=apply_team.pk)])
    # Check → Decide crossed into South; with Decide in North's Apply team it stays in North.
    assert p.counts_today["cross_directorate"] == 1
    assert p.counts_then["cross_directorate"] == 0
    assert figures(p, "point") == figures(p, "today")  # waits are kept as they were


def test_the_range_contains_the_estimate_and_repeats(journey):
    service, stages, _ = journey
    changes = [Change(Kind.CUT_WAIT, stages["check"].pk, value=Decimal("0.25"))]
    p = predict(service, WINDOW, changes)
    for key, f in p.figures.items():
        assert f.low <= f.point <= f.high, key
    # Resampling two weeks draws W1 twice (process 2 + 5 + 1 h, waits 10 + 3 h: 21 h), W2
    # twice (4 + 5 + 1 + 30 + 3 = 43 h) or one of each (32 h, the estimate), each about a
    # quarter, a quarter and a half of the time: the 10th and 90th percentiles are the two
    # ends.
    lead = p.figures["lead_time_hours"]
    assert (lead.low, lead.point, lead.high) == (Decimal(21), Decimal(32), Decimal(43))
    assert predict(service, WINDOW, changes).figures == p.figures


def test_a_change_to_a_stage_the_journey_no_longer_has_is_refused(journey):
    service, _, _ = journey
    with pytest.raises(NoLongerApplies):
        predict(service, WINDOW, [Change(Kind.MERGE, 999_999)])


@pytest.fixture
def leader_client(client, journey):
    service = journey[0]
    user = UserFactory(username="lead")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user))
    service_access_sync()
    client.force_login(user)
    return client


def test_a_leader_previews_saves_compares_and_deletes_scenarios(journey, leader_client):
    service, stages, _ = journey
    initiative = ChangeInitiativeFactory(service=service, title="Shared queue")
    url = reverse("performance:scenario_new", args=[service.slug]) + "?" + WINDOW.query
    data = {"name": "Merge", "merge": stages["apply"].pk, "initiative": initiative.pk}
    preview = leader_client.post(url, {**data, "action": "preview"})
    assert preview.status_code == 200
    assert preview.context["prediction"].counts_then["total"] == 1
    assert not Scenario.objects.exists()
    assert leader_client.post(url, {**data, "action": "save"}).status_code == 302
    merged = Scenario.objects.get()
    assert (merged.initiative, merged.window_start, merged.window_end) == (
        initiative,
        WINDOW.start,
        WINDOW.end,
    )
    assert Decimal(merged.predicted["figures"]["lead_time_hours"]["point"]) == 13
    leader_client.post(
        url,
        {"name": "Halve", "cut_after": stages["apply"].pk, "cut_by": "50", "action": "save"},
    )
    halved = Scenario.objects.get(name="Halve")
    page = leader_client.get(
        reverse("performance:scenarios", args=[service.slug]),
        {"compare": [merged.pk, halved.pk]},
    )
    assert [c["scenario"] for c in page.context["compared"]] == [halved, merged]
    body = page.content.decode()
    assert "Merge “Apply” with “Check”" in body and "Cut the wait at the hand-off Apply" in body
    leader_client.post(reverse("performance:scenario", args=[halved.pk]))
    assert list(Scenario.objects.all()) == [merged]


def test_the_form_says_what_is_missing(journey, leader_client):
    service, stages, _ = journey
    url = reverse("performance:scenario_new", args=[service.slug])
    nothing = leader_client.post(url, {"name": "Nothing", "action": "save"})
    assert "Choose at least one change to the journey." in nothing.content.decode()
    half = leader_client.post(
        url, {"name": "Half", "cut_after": stages["apply"].pk, "action": "save"}
    )
    assert "Give by (%) as well." in half.content.decode()
    over = leader_client.post(
        url, {"name": "Over", "cut_after": stages["apply"].pk, "cut_by": "150", "action": "save"}
    )
    assert over.status_code == 200 and not Scenario.objects.exists()


def test_once_the_change_is_done_the_scenario_shows_what_happened(journey, leader_client):
    service, stages, _ = journey
    initiative = ChangeInitiativeFactory(
        service=service,
        status=ChangeInitiative.Status.DONE,
        starts_on=W1 - timedelta(days=30),
        ends_on=W2 - timedelta(days=1),
    )
    url = reverse("performance:scenario_new", args=[service.slug]) + "?" + WINDOW.query
    leader_client.post(
        url,
        {
            "name": "Halve",
            "cut_after": stages["apply"].pk,
            "cut_by": "50",
            "initiative": initiative.pk,
            "action": "save",
        },
    )
    page = leader_client.get(Scenario.objects.get().get_absolute_url())
    actual = {label: value for label, _, _, value in page.context["rows"]}
    # The week after the change, W2 alone: process 4 + 5 + 1 = 10 h, waits 30 + 4 h.
    assert actual == {
        "Lead time": Decimal(44),
        "Process time": Decimal(10),
        "Flow efficiency": Decimal(10) / Decimal(44),
        "Complete and accurate, end to end": Decimal("0.9"),
    }
    assert "Actual, " in page.content.decode()


def test_the_demo_keeps_a_scenario_on_its_shared_queue(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    scenario = Scenario.objects.get()
    assert scenario.initiative.title == "A shared queue between checking and assessment"
    lead = scenario.predicted["figures"]["lead_time_hours"]
    assert Decimal(lead["point"]) < Decimal(lead["today"])


def test_a_prediction_reads_the_logs_once_however_many_resamples(
    journey, django_assert_num_queries
):
    service, stages, _ = journey
    changes = [Change(Kind.MERGE, stages["apply"].pk)]
    # The journey's stages and hand-offs, the weekly sums of each, and the teams moved to
    # (none here, so none asked for).
    with django_assert_num_queries(4):
        predict(service, WINDOW, changes)


def test_a_saved_scenario_keeps_its_changes_in_words_when_the_journey_changes(
    journey, leader_client
):
    service, stages, _ = journey
    url = reverse("performance:scenario_new", args=[service.slug]) + "?" + WINDOW.query
    leader_client.post(url, {"name": "Merge", "merge": stages["apply"].pk, "action": "save"})
    scenario = Scenario.objects.get()
    stages["check"].delete()  # Decide now follows Apply
    page = leader_client.get(scenario.get_absolute_url())
    assert page.context["changes"] == ["Merge “Apply” with “Check”"]
