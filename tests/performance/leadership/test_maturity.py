"""Leadership maturity: each level's checks on hand-built services, the one thing that would
raise each, and the portfolio's filter by level."""

from datetime import timedelta

import pytest

from performance.figures.portfolio import PortfolioFilters, portfolio
from performance.models import ReviewNarrative
from services.models import Service
from tests.factories import (
    FrictionPointFactory,
    ProportionalityAssessmentFactory,
    ServiceFactory,
    StageFactory,
)
from tests.performance.leadership.services import TODAY, WINDOW, bronze, cards

pytestmark = pytest.mark.django_db


def silver(name):
    service = bronze(name)
    # As the data has it: its one stage is owned in-house, and nothing else holds.
    ProportionalityAssessmentFactory(service=service, in_house_control=True)
    return service


def test_nothing_in_place_is_not_yet_bronze():
    service = ServiceFactory()
    card = cards(service)[service.pk]
    assert (card.level, card.label) == (0, "Not yet Bronze")
    assert card.next_step.key == "leader" and card.next_label == "Bronze"


def test_bronze_and_the_step_to_silver():
    service = bronze("Grants")
    card = cards(service)[service.pk]
    assert card.label == "Bronze"
    assert (card.next_step.name, card.next_step.why) == (
        "Proportionality assessed, and the evidence agrees",
        "not assessed",
    )


def test_an_unowned_stage_keeps_it_below_bronze():
    service = bronze("Grants")
    StageFactory(service=service, team=None)
    card = cards(service)[service.pk]
    assert card.level == 0 and card.next_step.why == "1 of 2 stages unowned"


def test_silver_then_gold_with_old_friction_resolved_and_a_narrative():
    service = silver("Grants")
    old = FrictionPointFactory(
        service=service, severity="high", raised_on=TODAY - timedelta(days=91)
    )
    FrictionPointFactory(service=service, severity="high", raised_on=TODAY - timedelta(days=89))
    service.assessment.critical_issues = True  # as the open high-severity friction says
    service.assessment.save()
    card = cards(service)[service.pk]
    assert card.label == "Silver"
    assert card.next_step.why == "1 open longer"  # the one raised 91 days ago
    old.status = "resolved"
    old.save()
    ReviewNarrative.objects.create(
        service=service,
        window_start=TODAY - timedelta(days=120),
        window_end=TODAY - timedelta(days=30),
        text="Waits fell.",
    )
    card = cards(service)[service.pk]
    assert (card.label, card.next_step) == ("Gold", None)


def test_the_portfolio_filters_by_level():
    bronze("Grants")
    silver("Loans")
    ServiceFactory(name="Nothing yet")
    found = portfolio(
        None, WINDOW, PortfolioFilters(maturity=2), "service", within=Service.objects.all()
    )
    assert [row.service.name for row in found.rows] == ["Loans"]
