"""Friction priced in money, worked out by hand: hours × the loaded hourly rate, contacts ×
the cost of a contact, at the organisation's rates or the site's defaults (40 and 8)."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from performance.figures.windows import Window
from performance.models import FrictionPoint
from performance.pricing import across, costliest, rates_of
from services.models import Service
from services.queries import ORG_ADMINS_GROUP
from tests.factories import (
    FrictionPointFactory,
    OrganisationFactory,
    ServiceFactory,
    UserFactory,
)
from tests.performance.test_summary import cost

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = Window(date(2025, 4, 1), date(2026, 3, 31))  # 365 days


@pytest.fixture
def points():
    """Housing prices an hour at 50 and a contact at 10; Parks gives no rates (40 and 8)."""
    housing = OrganisationFactory(name="Housing", hourly_rate=D(50), cost_per_contact=D(10))
    parks = OrganisationFactory(name="Parks")
    grants = ServiceFactory(name="Grants", organisation=housing)
    benches = ServiceFactory(name="Benches", organisation=parks)
    made = {
        # 10 × 50 + 20 × 10 = 700 a week, 36,400 a year
        "chasing": FrictionPointFactory(
            service=grants, title="Chasing", hours_lost_per_week=D(10), failure_demand_contacts=20
        ),
        # 5 × 40 = 200 a week, 10,400 a year
        "rekeying": FrictionPointFactory(
            service=benches, title="Rekeying", hours_lost_per_week=D(5), failure_demand_contacts=0
        ),
        "resolved": FrictionPointFactory(
            service=grants, title="Resolved", hours_lost_per_week=D(100), status="resolved"
        ),
        "free": FrictionPointFactory(
            service=grants, title="Free", hours_lost_per_week=D(0), failure_demand_contacts=0
        ),
    }
    return grants, benches, made


def test_the_costliest_open_friction_first_at_each_organisations_rates(points):
    found = costliest(FrictionPoint.objects.all())
    assert [(p.point.title, p.a_week, p.a_year) for p in found] == [
        ("Chasing", D(700), D(36_400)),
        ("Rekeying", D(200), D(10_400)),
    ]
    assert found[0].rates.own and not found[1].rates.own
    assert found[1].rates.text == "40.00 GBP an hour and 8.00 GBP a contact (the default rates)"


def test_friction_beside_run_cost_per_currency(points):
    grants, benches, _ = points
    cost(grants, (YEAR.start, YEAR.end), 70_000)
    cost(benches, (YEAR.start, YEAR.end), 23_600)
    cost(grants, (YEAR.start, YEAR.end), 5_000, spend="change")  # not run cost
    [(currency, against)] = across(Service.objects.all(), YEAR)
    # (700 + 200) × 52 = 46,800 against 93,600 of run cost: a half.
    assert (currency, against.friction, against.run) == ("GBP", D(46_800), D(93_600))
    assert against.share == D("0.5") and not against.implausible


def test_friction_costing_more_than_the_run_cost_is_flagged_not_stated(points):
    grants, benches, _ = points
    cost(grants, (YEAR.start, YEAR.end), 10_000)
    [(_, against)] = across(Service.objects.all(), YEAR)
    assert against.share == D("4.68") and against.implausible


def test_the_dashboard_prices_a_services_friction(client, points):

    grants, _, _ = points
    cost(grants, (YEAR.start, YEAR.end), 36_400)
    user = UserFactory()
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    client.force_login(user)
    page = client.get(
        reverse("performance:dashboard", args=[grants.slug]),
        {"from": YEAR.start.isoformat(), "to": YEAR.end.isoformat()},
    ).content.decode()
    # Open: Chasing (700) and Free (0): 36,400 a year, the whole run cost: 100 %.
    assert "What open friction costs a year (GBP)</dt><dd>36,400" in page
    assert "That is 100.0% of its run cost (36,400 GBP a year)." in page
    page = client.get(reverse("performance:friction_all")).content.decode()
    assert "The 2 costliest open friction points" in page


def test_rates_are_the_organisations_or_the_defaults(points):
    grants, benches, _ = points
    assert (rates_of(grants.organisation).hourly, rates_of(benches.organisation).hourly) == (
        D(50),
        D(40),
    )


def test_rates_say_whose_each_is():
    mixed = OrganisationFactory(name="Mixed", cost_per_contact=D(3))
    assert rates_of(mixed).text == (
        "40.00 GBP an hour (the default) and 3.00 GBP a contact (its organisation's)"
    )
