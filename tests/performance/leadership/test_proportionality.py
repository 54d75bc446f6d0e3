"""Proportionality from evidence: each criterion suggested from hand-built data, with the
numbers behind it, disagreements with the assessment flagged, the model recommended, and the
portfolio's filter."""

from datetime import date

import pytest
from django.conf import settings
from django.test import override_settings

from performance.figures.metrics import summary
from performance.figures.portfolio import PortfolioFilters, portfolio
from performance.leadership.proportionality import evidence_for
from performance.windows import Window
from services.models import Service
from tests.factories import (
    ChangeInitiativeFactory,
    DirectorateFactory,
    FrictionPointFactory,
    MetricFactory,
    OrganisationFactory,
    ProportionalityAssessmentFactory,
    ServiceFactory,
    StageFactory,
    TeamFactory,
    cost,
    measure,
)

pytestmark = pytest.mark.django_db

YEAR = Window(date(2025, 4, 1), date(2026, 3, 31))  # 365 days
WHOLE = (YEAR.start, YEAR.end)


@pytest.fixture
def benefits():
    """Benefits, the department's: 412,000 transactions of the department's 4,000,000 (Parking
    has the rest); 1,000 GBP spent, 100 of it on change; a journey of three teams, one in
    each of three organisations, the third a supplier's; one KPI off target. Assessed: not
    large or complex, but major change."""
    department = OrganisationFactory(name="Department")
    agency = OrganisationFactory(name="Agency", kind="agency")
    supplier = OrganisationFactory(name="Supplier", kind="supplier")
    teams = [
        TeamFactory(directorate=DirectorateFactory(organisation=organisation))
        for organisation in (department, agency, supplier)
    ]
    teams[2].team_type = "supplier"
    teams[2].save()
    service = ServiceFactory(name="Benefits", organisation=department, leadership_model="single")
    for position, team in enumerate(teams, start=1):
        StageFactory(service=service, position=position, team=team)
    measure(service, "transactions", WHOLE, 412_000)
    parking = ServiceFactory(name="Parking", organisation=department)
    measure(parking, "transactions", WHOLE, 3_588_000)
    cost(service, WHOLE, 900)
    cost(service, WHOLE, 100, spend="change")
    MetricFactory(
        service=service,
        key="days",
        name="Days to decide",
        unit="days",
        higher_is_better=False,
        target=28,
    )
    measure(service, "days", WHOLE, 40)
    ProportionalityAssessmentFactory(
        service=service,
        important=True,
        large_complex=False,
        in_house_control=True,
        major_change=True,
        critical_issues=True,
    )
    return service


def evidence_of(service, window=YEAR):
    return evidence_for({service.pk: summary(service, window)}, window)[service.pk]


def test_each_criterion_from_the_data_with_the_numbers_behind_it(benefits):
    found = {c.field: c for c in evidence_of(benefits).criteria}
    assert found["important"].suggested is True  # 412,000 ÷ 4,000,000 = 10.3 % ≥ 10 %
    assert found["important"].facts[0] == "10% of Department's transactions"
    assert found["large_complex"].sentence == (
        "Assessed: not large or complex. Data: 412,000 transactions a year; 1,000 GBP a year "
        "to serve; a journey of 3 teams in 3 directorates of 3 organisations."
    )
    assert found["large_complex"].disagrees
    # Two of the three stages are owned in-house: 67 % ≥ 50 %.
    assert found["in_house_control"].facts == ["2 of 3 stages owned in-house (67%)"]
    assert found["in_house_control"].suggested and not found["in_house_control"].disagrees
    # 100 of 1,000 on change: 10 % < 20 %, and no project or programme under way.
    assert found["major_change"].sentence == (
        "Assessed: major change. Data: 10% of its spending on change."
    )
    assert found["major_change"].disagrees
    assert found["critical_issues"].facts == ["1 of 1 KPI with a target off it"]
    assert found["critical_issues"].suggested


def test_the_model_the_evidence_points_to_and_why(benefits):
    evidence = evidence_of(benefits)
    assert evidence.hands_on_suggested  # four of five hold
    assert evidence.model == Service.LeadershipModel.TEAM
    assert evidence.reasons[1] == (
        "The journey spans 3 organisations and 3 directorates: a multidisciplinary leadership "
        "team can hold what no single line manager does."
    )
    benefits.leadership_model = Service.LeadershipModel.COUNCIL
    assert "transitional" in evidence_of(benefits).reasons[-1]


def test_a_project_under_way_is_major_change(benefits):
    ChangeInitiativeFactory(service=benefits, kind="programme", status="active")
    ChangeInitiativeFactory(service=benefits, kind="improvement", status="active")  # not major
    change = evidence_of(benefits).criteria[3]
    assert change.suggested and change.facts[0] == "1 active project or programme"


def test_friction_failure_demand_and_flow_efficiency_are_problems():
    service = ServiceFactory()
    measure(service, "contacts", WHOLE, 100)
    measure(service, "failure_demand_contacts", WHOLE, 25)  # 25 % ≥ 20 %
    FrictionPointFactory(service=service, severity="high", status="open")
    problems = evidence_of(service).criteria[4]
    assert problems.facts == [
        "1 high-severity friction point open",
        "failure demand 25% of contacts",
    ]
    with override_settings(EVIDENCE={**settings.EVIDENCE, "failure_demand_share": 0.3}):
        FrictionPointFactory._meta.model.objects.all().delete()
        assert evidence_of(service).criteria[4].suggested is False


def test_what_the_data_cannot_judge_never_disagrees():
    service = ServiceFactory()
    ProportionalityAssessmentFactory(service=service, large_complex=True, in_house_control=True)
    evidence = evidence_of(service)
    assert [c.suggested for c in evidence.criteria] == [None] * 5
    assert evidence.disagrees is False
    assert evidence.criteria[1].sentence == (
        "Assessed: large and complex. Data: nothing recorded to judge by."
    )
    unassessed = ServiceFactory()
    assert evidence_of(unassessed).disagrees is None


def test_the_portfolio_shows_the_services_whose_evidence_disagrees(benefits):
    agreeing = ServiceFactory(name="Agreeing")
    ProportionalityAssessmentFactory(service=agreeing)  # nothing holds, nothing to say otherwise
    found = portfolio(
        None,
        YEAR,
        PortfolioFilters(evidence_disagrees=True),
        "service",
        within=Service.objects.all(),
    )
    assert [row.service.name for row in found.rows] == ["Benefits"]


def test_a_leap_years_total_is_a_years_and_programme_spending_is_no_cost_to_serve():
    service = ServiceFactory()
    leap = Window(date(2023, 4, 1), date(2024, 3, 31))  # 366 days
    measure(service, "transactions", (leap.start, leap.end), 89_154_252)
    cost(service, (leap.start, leap.end), 1_000_000, category="programme")
    large = evidence_of(service, leap).criteria[1]
    assert large.facts == ["89,154,252 transactions a year"]  # not scaled by 365 ÷ 366


def test_a_kpi_with_a_target_but_no_value_tells_nothing():
    service = ServiceFactory()
    MetricFactory(service=service, key="days", name="Days", target=28, higher_is_better=False)
    problems = evidence_of(service).criteria[4]
    assert (problems.suggested, problems.facts) == (None, [])
