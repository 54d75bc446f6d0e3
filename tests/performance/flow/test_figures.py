"""Flow figures against hand computations (DESIGN.md "Metrics")."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from performance.flow.actions import handoffs_make
from performance.flow.figures import HandoffFigures, StageFigures, flow_figures
from performance.flow.queries import journey_handoffs, service_flow
from performance.models import Handoff
from performance.windows import Window
from services.journey import Boundary
from services.models import Stage
from tests.factories import (
    DirectorateFactory,
    HandoffLogFactory,
    ServiceFactory,
    StageFactory,
    StageLogFactory,
    TeamFactory,
)

D = Decimal


def stage(position: int, name: str) -> Stage:
    return Stage(position=position, name=name)


def test_figures_by_hand_for_three_stages_and_two_handoffs():
    apply, check, decide = stage(1, "Apply"), stage(2, "Check"), stage(3, "Decide")
    stages = [
        # Two weeks each: completed 100 at 2 h and 300 at 4 h -> (200 + 1200) / 400 = 3.5 h
        StageFigures(apply, logs=2, completed=400, process_weighted=D(100 * 2 + 300 * 4)),
        # 50 at 10 h -> 10 h
        StageFigures(check, logs=1, completed=50, process_weighted=D(500)),
        # 20 at 6 h and 60 at 2 h -> (120 + 120) / 80 = 3 h
        StageFigures(decide, logs=2, completed=80, process_weighted=D(20 * 6 + 60 * 2)),
    ]
    handoffs = [
        # handed 100 (wait 10 h) and 300 (wait 20 h): wait (1000 + 6000) / 400 = 17.5 h;
        # returned 4 + 36 = 40 of 400 -> %C&A 0.9
        HandoffFigures(
            apply,
            check,
            Boundary.CROSS_DIRECTORATE,
            logs=2,
            handed_over=400,
            returned=40,
            wait_weighted=D(100 * 10 + 300 * 20),
        ),
        # handed 50, returned 5, wait 30 h -> %C&A 0.9, wait 30 h
        HandoffFigures(
            check,
            decide,
            Boundary.CROSS_ORGANISATION,
            logs=1,
            handed_over=50,
            returned=5,
            wait_weighted=D(50 * 30),
        ),
    ]
    figures = flow_figures(stages, handoffs)

    assert [s.median_process_hours for s in stages] == [D("3.5"), D(10), D(3)]
    assert [h.median_wait_hours for h in handoffs] == [D("17.5"), D(30)]
    assert [h.complete_accurate for h in handoffs] == [D("0.9"), D("0.9")]
    assert figures.process_time_hours == D("16.5")  # 3.5 + 10 + 3
    assert figures.lead_time_hours == D("64.0")  # 16.5 + 17.5 + 30
    assert figures.flow_efficiency == D("16.5") / D("64.0")
    assert figures.rolled_complete_accurate == D("0.81")  # 0.9 × 0.9
    assert figures.bottleneck is handoffs[1]
    assert figures.handoff_counts == {"total": 2, "cross_directorate": 1, "cross_organisation": 1}
    assert figures.missing_handoffs == [] and figures.missing_stages == []


def test_a_handoff_with_no_log_is_left_out_and_named():
    a, b, c = stage(1, "A"), stage(2, "B"), stage(3, "C")
    logged = HandoffFigures(
        a, b, Boundary.WITHIN_TEAM, logs=1, handed_over=10, returned=1, wait_weighted=D(40)
    )
    silent = HandoffFigures(b, c, Boundary.CROSS_ORGANISATION)
    stages = [StageFigures(s, logs=1, completed=10, process_weighted=D(10)) for s in (a, b, c)]
    figures = flow_figures(stages, [logged, silent])
    assert figures.rolled_complete_accurate == D("0.9")
    assert figures.missing_handoffs == [silent]
    assert figures.lead_time_hours == D(3) + D(4)  # three stages of 1 h, one wait of 4 h
    assert figures.handoff_counts["cross_organisation"] == 1  # still part of the journey


def test_zero_volumes_give_no_rate_rather_than_a_false_one():
    a, b = stage(1, "A"), stage(2, "B")
    empty = HandoffFigures(a, b, Boundary.WITHIN_TEAM, logs=3, handed_over=0, returned=0)
    idle = StageFigures(a, logs=2, completed=0, process_weighted=D(0))
    figures = flow_figures([idle, StageFigures(b)], [empty])
    assert empty.complete_accurate is None and empty.median_wait_hours is None
    assert figures.rolled_complete_accurate is None
    assert figures.process_time_hours is None and figures.lead_time_hours is None
    assert figures.flow_efficiency is None and figures.bottleneck is None
    assert figures.missing_handoffs == [empty]


def test_a_single_stage_journey_has_no_handoffs():
    only = StageFigures(stage(1, "Everything"), logs=1, completed=5, process_weighted=D(10))
    figures = flow_figures([only], [])
    assert figures.process_time_hours == figures.lead_time_hours == D(2)
    assert figures.flow_efficiency == D(1)
    assert figures.rolled_complete_accurate is None and figures.bottleneck is None
    assert figures.handoff_counts == {"total": 0, "cross_directorate": 0, "cross_organisation": 0}


def test_bottleneck_ties_go_to_the_larger_volume():
    a, b, c = stage(1, "A"), stage(2, "B"), stage(3, "C")
    small = HandoffFigures(a, b, Boundary.WITHIN_TEAM, logs=1, handed_over=10, wait_weighted=D(50))
    large = HandoffFigures(b, c, Boundary.WITHIN_TEAM, logs=1, handed_over=20, wait_weighted=D(100))
    assert flow_figures([], [small, large]).bottleneck is large


@pytest.mark.django_db
def test_service_flow_sums_logs_inside_the_window_only():
    service = ServiceFactory()
    team = TeamFactory()
    other_org = TeamFactory()
    same_org = TeamFactory(
        directorate=DirectorateFactory(organisation=team.directorate.organisation)
    )
    apply = StageFactory(service=service, position=1, name="Apply", team=team)
    check = StageFactory(service=service, position=2, name="Check", team=same_org)
    decide = StageFactory(service=service, position=3, name="Decide", team=other_org)
    handoffs = handoffs_make({service.pk: [apply, check, decide]})
    first = handoffs[(apply.pk, check.pk)]
    week = date(2026, 3, 2)

    def log_week(start, handed, returned, wait):
        HandoffLogFactory(
            handoff=first,
            period_start=start,
            period_end=start + timedelta(days=6),
            handed_over=handed,
            returned=returned,
            median_wait_hours=D(wait),
        )

    log_week(week, 100, 10, 10)
    log_week(week + timedelta(days=7), 300, 30, 20)
    log_week(date(2026, 3, 30), 999, 999, 999)  # straddles the window's end: left out
    StageLogFactory(
        stage=apply,
        period_start=week,
        period_end=week + timedelta(days=6),
        completed=40,
        median_process_hours=D(3),
    )

    figures = service_flow(service, Window(date(2026, 3, 1), date(2026, 3, 31)))
    h = figures.handoffs[0]
    assert (h.handed_over, h.returned, h.median_wait_hours) == (400, 40, D("17.5"))
    assert [x.boundary for x in figures.handoffs] == [
        Boundary.CROSS_DIRECTORATE,
        Boundary.CROSS_ORGANISATION,
    ]
    assert figures.process_time_hours == D(3)
    assert figures.lead_time_hours == D("20.5")
    assert [m.to_stage.name for m in figures.missing_handoffs] == ["Decide"]
    assert [m.stage.name for m in figures.missing_stages] == ["Check", "Decide"]


@pytest.mark.django_db
def test_reading_a_journey_writes_nothing_and_the_first_log_saves_its_hand_off():
    from performance.flow.actions import handoff_log_record

    service = ServiceFactory()
    a, b = (StageFactory(service=service, position=n) for n in (1, 2))
    read = journey_handoffs({service.pk: [a, b]})
    assert read[(a.pk, b.pk)].pk is None and not Handoff.objects.exists()
    assert service_flow(service, Window(date(2026, 1, 1), date(2026, 1, 31))).handoffs
    assert not Handoff.objects.exists()
    log, outcome = handoff_log_record(
        handoff=read[(a.pk, b.pk)],
        user=None,
        period_start=date(2026, 1, 5),
        period_end=date(2026, 1, 11),
        handed_over=10,
        returned=1,
        median_wait_hours=D(2),
    )
    assert outcome == "created" and log.handoff.from_stage_id == a.pk
    assert journey_handoffs({service.pk: [a, b]})[(a.pk, b.pk)].pk == log.handoff_id


@pytest.mark.django_db
def test_handoffs_follow_the_journey_and_keep_old_pairs():
    service = ServiceFactory()
    a, b, c = (StageFactory(service=service, position=n) for n in (1, 2, 3))
    first = handoffs_make({service.pk: [a, b, c]})
    assert set(first) == {(a.pk, b.pk), (b.pk, c.pk)}
    again = handoffs_make({service.pk: [a, b, c]})
    assert {h.pk for h in again.values()} == {h.pk for h in first.values()}
    reordered = handoffs_make({service.pk: [a, c, b]})
    assert set(reordered) == {(a.pk, c.pk), (c.pk, b.pk)}
    assert service.handoffs.count() == 4  # the old pairs keep their logs


@pytest.mark.django_db
def test_a_hand_off_saved_by_its_first_log_has_its_creation_on_record():
    first = StageFactory()
    second = StageFactory(service=first.service, position=first.position + 1)
    made = handoffs_make({first.service_id: [first, second]})
    handoff = made[first.pk, second.pk]
    assert list(handoff.history.values_list("history_type", flat=True)) == ["+"]
    handoffs_make({first.service_id: [first, second]})  # already saved: nothing more
    assert handoff.history.count() == 1
