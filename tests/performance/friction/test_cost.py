"""Friction priced in money, worked out by hand: hours × the loaded hourly rate, contacts ×
the cost of a contact, at the organisation's rates or the site's defaults (40 and 8)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from performance.friction.cost import across, costliest, rates_of
from performance.models import FrictionPoint
from performance.windows import Window
from services.models import Service
from services.queries import ORG_ADMINS_GROUP
from tests.factories import (
    FrictionPointFactory,
    OrganisationFactory,
    ServiceFactory,
    UserFactory,
    cost,
)

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


# --- An hour worked out from the organisation's staff cost and staff numbers ---------------


def monthly_staff_cost(service, months, amount, currency="GBP"):
    """``months`` monthly staff cost lines paid by the service's organisation, to March 2026."""
    ends = [date(2026, 3, 31)]
    for _ in range(months - 1):
        first = ends[-1].replace(day=1)
        ends.append(first - timedelta(days=1))
    for end in ends:
        cost(service, (end.replace(day=1), end), amount, currency=currency)


def test_an_hour_from_a_year_of_staff_cost_over_the_staff(settings):
    settings.FRICTION_HOURS_PER_FTE = 1650
    housing = OrganisationFactory(name="Housing", staff_fte=D(10))
    grants = ServiceFactory(name="Grants", organisation=housing)
    monthly_staff_cost(grants, 14, 6_600)  # the last twelve months: 79,200
    cost(grants, (date(2025, 4, 1), date(2026, 3, 31)), 999, category="technology")
    monthly_staff_cost(grants, 12, 5_000, currency="EUR")  # not its currency: left out
    FrictionPointFactory(service=grants, hours_lost_per_week=D(5), failure_demand_contacts=2)
    rates = rates_of(housing)
    # 79,200 ÷ (10 × 1,650 hours) = 4.80 an hour
    assert rates.hourly == D("4.80") and rates.staff.a_year == D(79_200)
    assert rates.text == (
        "4.80 GBP an hour (from its staff cost of 79,200 GBP from 1 Apr 2025 to 31 Mar 2026 over "
        "10 FTE of 1,650 hours a year) and 8.00 GBP a contact (the default)"
    )
    # 5 × 4.80 + 2 × 8 = 40 a week, the same in SQL (to sort by) and by hand
    [found] = costliest(FrictionPoint.objects.all())
    assert (found.a_week, found.point.cost_a_week) == (D(40), D(40))
    [(_, against)] = across(Service.objects.all(), YEAR)
    assert against.friction == D(40) * 52


def test_no_hour_is_worked_out_from_less_than_a_year_or_without_staff_numbers(settings):
    settings.FRICTION_HOURS_PER_FTE = 1650
    short = OrganisationFactory(name="Short", staff_fte=D(10))
    monthly_staff_cost(ServiceFactory(organisation=short), 11, 6_600)
    unknown = OrganisationFactory(name="Unknown")
    monthly_staff_cost(ServiceFactory(organisation=unknown), 12, 6_600)
    own = OrganisationFactory(name="Own", staff_fte=D(10), hourly_rate=D(55))
    monthly_staff_cost(ServiceFactory(organisation=own), 12, 6_600)
    assert [rates_of(o).hourly for o in (short, unknown, own)] == [D(40), D(40), D(55)]
    assert rates_of(own).staff is None
    assert rates_of(short).text == (
        "40.00 GBP an hour (the default: its staff numbers are given, but not a year of its "
        "staff cost) and 8.00 GBP a contact (the default)"
    )
    assert rates_of(unknown).text == "40.00 GBP an hour and 8.00 GBP a contact (the default rates)"


# --- A contact priced on the channel it comes through ------------------------------------


@pytest.fixture
def by_channel():
    """Housing prices a phone call at 12.50 and gives no other cost of a contact (8)."""
    housing = OrganisationFactory(name="Housing", contact_costs={"phone": "12.50"})
    grants = ServiceFactory(name="Grants", organisation=housing)
    for title, channel in (("Calls", "phone"), ("Letters", "paper"), ("Unsaid", "")):
        FrictionPointFactory(
            service=grants,
            title=title,
            hours_lost_per_week=D(1),
            failure_demand_contacts=10,
            contact_channel=channel,
        )
    return grants


def test_contacts_are_priced_on_their_channel_where_the_organisation_gives_it(by_channel):
    # Calls: 1 × 40 + 10 × 12.50 = 165; Letters and Unsaid: 1 × 40 + 10 × 8 = 120 each.
    found = costliest(FrictionPoint.objects.all())
    assert [(p.point.title, p.a_week, p.point.cost_a_week) for p in found] == [
        ("Calls", D(165), D(165)),
        ("Letters", D(120), D(120)),
        ("Unsaid", D(120), D(120)),
    ]
    [(_, against)] = across(Service.objects.all(), YEAR)
    assert against.friction == D(405) * 52
    assert rates_of(by_channel.organisation).text == (
        "40.00 GBP an hour (the default) and 8.00 GBP a contact (the default), except on the "
        "channels its organisation prices itself (phone 12.50)"
    )


def test_the_dashboard_prices_contacts_on_their_channels(org_admin_client, by_channel):
    page = org_admin_client.get(
        reverse("performance:dashboard", args=[by_channel.slug])
    ).content.decode()
    # 405 a week, 21,060 a year
    assert "What open friction costs a year (GBP)</dt><dd>21,060" in page


def test_an_org_admin_sets_the_cost_of_a_contact_on_each_channel(org_admin_client):
    client = org_admin_client
    housing = OrganisationFactory(name="Housing")
    url = reverse("services:organisation_edit", args=[housing.slug])
    form = {"name": "Housing", "kind": "department", "currency": "GBP"}
    page = client.post(url, {**form, "contact_cost_phone": "-1"}).content.decode()
    assert "Cost of a contact: phone (optional): Ensure this value is greater than" in page
    client.post(url, {**form, "contact_cost_phone": "12.5", "contact_cost_paper": "1e2"})
    housing.refresh_from_db()
    assert housing.contact_costs == {"phone": "12.5", "paper": "100"}
    assert 'value="12.5"' in client.get(url).content.decode()
    client.post(url, {**form, "contact_cost_paper": "-0"})
    housing.refresh_from_db()
    assert housing.contact_costs == {"paper": "0"}


@pytest.mark.parametrize(
    "value",
    [{"phone": "abc"}, {"phone": True}, {"phone": "NaN"}, {"phone": -5}, {"fax": "1"}, [1]],
)
def test_the_cost_of_a_contact_on_a_channel_is_checked_on_every_write(value):
    housing = OrganisationFactory(name="Housing")
    housing.contact_costs = value
    with pytest.raises(ValidationError):
        housing.full_clean()
