"""Accountability drift: histories built by hand, and exactly the events they should give."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import DecisionRight
from performance.leadership.drift import drift_events
from services.models import ProportionalityAssessment, Service, ServiceLeader, Stage
from tests.factories import (
    DecisionFactory,
    DecisionRightFactory,
    DecisionTypeFactory,
    PersonFactory,
    ProportionalityAssessmentFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
    cost,
    measure,
)

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 30)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def dated(model, pk: int, day: date) -> None:
    """Date the record's latest history entry ``day``."""
    latest = model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
    model.history.filter(history_id=latest.history_id).update(history_date=at(day))


def events(service, today=TODAY):
    return [(e.on, e.kind, e.text) for e in drift_events([service], today)]


@pytest.fixture
def service():
    service = ServiceFactory(name="Grants", leadership_model="single")
    Service.history.filter(id=service.pk).update(history_date=at(date(2025, 1, 1)))
    return service


def test_leaders_changed_three_times_in_twelve_months(service):
    days = [date(2025, 9, 1), date(2026, 1, 10), date(2026, 5, 4)]
    for day in days:
        leader = ServiceLeaderFactory(service=service, person=PersonFactory())
        dated(ServiceLeader, leader.pk, day)
    assert events(service) == [
        (
            date(2026, 5, 4),
            "leaders",
            "The leaders changed 3 times in 12 months (1 Sep 2025, 10 Jan 2026, 4 May 2026).",
        )
    ]
    # Two changes in 12 months, a third more than a year after the first: no drift.
    other = ServiceFactory()
    for day in [date(2024, 1, 1), date(2024, 6, 1), date(2025, 3, 1)]:
        dated(ServiceLeader, ServiceLeaderFactory(service=other).pk, day)
    assert events(other) == []


def test_a_swap_on_one_day_is_one_change(service):
    first = ServiceLeaderFactory(service=service)
    dated(ServiceLeader, first.pk, date(2026, 2, 1))
    first._history_date = at(date(2026, 3, 1))
    first.delete()
    dated(ServiceLeader, ServiceLeaderFactory(service=service).pk, date(2026, 3, 1))
    assert events(service) == []  # 1 February and 1 March: two changes


def test_a_stage_moved_with_no_decision_within_14_days(service):
    casework, triage = TeamFactory(name="Casework"), TeamFactory(name="Triage")
    stage = StageFactory(service=service, name="Check", team=casework)
    dated(Stage, stage.pk, date(2026, 1, 5))
    stage.team = triage
    stage.save()
    dated(Stage, stage.pk, date(2026, 3, 2))
    moved = (
        date(2026, 3, 16),
        "stage_moved",
        "The stage “Check” moved from Casework to Triage on 2 Mar 2026, and no decision was "
        "logged within 14 days.",
    )
    assert events(service) == [moved]
    assert events(service, today=date(2026, 3, 10)) == []  # the 14 days are not over yet
    DecisionFactory(service=service, decided_on=date(2026, 3, 20))  # too late
    assert events(service) == [moved]
    DecisionFactory(service=service, decided_on=date(2026, 3, 16))  # the 14th day
    assert events(service) == []


def test_rights_edited_soon_after_a_decision_outside_them(service):
    spend, hiring = DecisionTypeFactory(name="Spend"), DecisionTypeFactory(name="Hiring")
    decision = DecisionFactory(
        service=service, decision_type=spend, title="Buy the new system", within_rights=False
    )
    type(decision).objects.filter(pk=decision.pk).update(logged_at=at(date(2026, 4, 1)))
    right = DecisionRightFactory(service=service, decision_type=spend)
    dated(DecisionRight, right.pk, date(2026, 1, 10))  # set before the decision: fine
    for day in (date(2026, 4, 13), date(2026, 5, 20)):  # the second after the 30 days
        right.person = PersonFactory()
        right.save()
        dated(DecisionRight, right.pk, day)
    other = DecisionRightFactory(service=service, decision_type=hiring)
    dated(DecisionRight, other.pk, date(2026, 4, 2))  # another kind of decision
    assert events(service) == [
        (
            date(2026, 4, 13),
            "rights_fitted",
            "The decision rights for Spend were edited 12 days after “Buy the new system” was "
            "flagged as taken outside them: were the rights fitted to the decision?",
        )
    ]


def test_a_vision_untouched_for_a_year_while_spending_goes_on_change(service):
    service.vision = "Grants in a week"
    service.save()
    dated(Service, service.pk, date(2025, 3, 1))
    year = (date(2025, 7, 1), date(2026, 6, 30))
    cost(service, year, 600)
    cost(service, year, 400, spend="change")  # 40 % ≥ 20 %
    assert events(service) == [
        (
            date(2026, 3, 1),
            "vision",
            "The vision has not changed since 1 Mar 2025 while 40% of the last 12 months' "
            "spending went on change.",
        )
    ]
    service.leadership_model = "team"  # another field: the vision's date stays
    service.save()
    assert [e[1] for e in events(service)] == ["vision"]


def test_hands_on_recommended_but_a_council_for_six_months(service):
    assessment = ProportionalityAssessmentFactory(
        service=service, important=True, large_complex=True
    )
    dated(ProportionalityAssessment, assessment.pk, date(2025, 10, 1))
    service.leadership_model = "council"
    service.save()
    dated(Service, service.pk, date(2025, 11, 15))
    gap = (
        date(2026, 5, 16),
        "hands_on",
        "Hands-on leadership has been recommended since 15 Nov 2025, but the leadership model "
        "has been “council or working group” for 6 months.",
    )
    assert events(service) == [gap]
    service.leadership_model = "team"  # a hands-on model from 1 April: 137 days, no drift
    service.save()
    dated(Service, service.pk, date(2026, 4, 1))
    assert events(service) == []


def test_data_stale_for_a_quarter(service):
    measure(service, "transactions", (date(2025, 12, 1), date(2025, 12, 31)), 10)
    # Stale from 3 March 2026 (62 days after 31 December); a quarter (three calendar months)
    # later, 3 June.
    assert events(service) == [
        (
            date(2026, 6, 3),
            "stale",
            "Nothing has been measured since 31 Dec 2025: the data has been stale for a quarter.",
        )
    ]
    assert events(service, today=date(2026, 6, 2)) == []


def test_the_portfolio_lists_drift_on_the_services_one_may_see(client, service):
    hidden = ServiceFactory(name="Hidden", restricted=True)
    ended = timezone.localdate() - timedelta(days=200)  # stale a quarter 47 days ago
    for target in (service, hidden):
        measure(target, "transactions", (ended - timedelta(days=30), ended), 1)
    client.force_login(UserFactory())
    page = client.get(reverse("performance:drift")).content.decode()
    assert "1 event on 1 service" in page
    assert "Data gone stale: 1" in page and ">Grants</a>" in page
    assert "Hidden" not in page
