"""Where a service stands among its peers, worked out by hand from the raw measurements and
costs of services of the same kind and phase."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from performance.figures.peers import peer_standing
from services.actions import service_access_sync
from tests.factories import (
    JAN,
    Q1,
    MetricFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    UserFactory,
    cost,
    measure,
)

pytestmark = pytest.mark.django_db


def live(name, **fields):
    return ServiceFactory(name=name, kind="transactional", phase="live", **fields)


@pytest.fixture
def group():
    """Grants and six other live transactional services, by hand (January, in GBP):
    cost per transaction — Grants 300 ÷ 10 = 30; the others 10, 20, 30, 40, 50, 60;
    satisfaction — Grants 80; the others 70, 75, 60, 65, 85, 90;
    started (so a completion rate) — Grants and three others only.
    Not peers: a beta service, an internal one, and one accounting in euros (a peer, but
    not for money)."""
    grants = live("Grants")
    measure(grants, "transactions", JAN, 10)
    cost(grants, JAN, 300)
    measure(grants, "user_satisfaction", JAN, 80)
    measure(grants, "started", JAN, 20)
    for n, (per_transaction, satisfaction) in enumerate(
        [(10, 70), (20, 75), (30, 60), (40, 65), (50, 85), (60, 90)]
    ):
        other = live(f"Peer {n}")
        measure(other, "transactions", JAN, 10)
        cost(other, JAN, per_transaction * 10)
        measure(other, "user_satisfaction", JAN, satisfaction)
        if n < 3:
            measure(other, "started", JAN, 40)
    for outsider in (
        ServiceFactory(name="Beta", kind="transactional", phase="beta"),
        ServiceFactory(name="Internal", kind="internal", phase="live"),
    ):
        measure(outsider, "transactions", JAN, 1)
        cost(outsider, JAN, 1)  # 1 a transaction: would beat everyone
        measure(outsider, "user_satisfaction", JAN, 100)
    euros = live("Euros")
    euros.organisation.currency = "EUR"
    euros.organisation.save()
    measure(euros, "transactions", JAN, 10)
    cost(euros, JAN, 1, currency="EUR")
    user = UserFactory(username="priya")
    ServiceLeaderFactory(service=grants, person__user=user)
    service_access_sync()
    return grants, user


def standings(user, service):
    return {s.figure.key: s for s in peer_standing(user, service, Q1).standings}


def test_cost_per_transaction_among_peers_in_the_same_currency(group):
    grants, user = group
    s = standings(user, grants)["cost_per_transaction"]
    # Six peers in GBP (not the euro one); lower than 40, 50 and 60; the same as one.
    assert (s.peers, s.beaten, s.same) == (6, 3, 1)
    assert s.sentence == (
        "Lower than 50% of 6 live public-facing transactional services (the same as 1)."
    )
    assert s.shown == "30 GBP"


def test_higher_is_better_and_too_few_to_compare(group):
    grants, user = group
    found = standings(user, grants)
    satisfaction = found["user_satisfaction"]
    # Six peers with a satisfaction score (not the euro service); higher than 70, 75, 60, 65.
    assert (satisfaction.peers, satisfaction.beaten) == (6, 4)
    assert (
        satisfaction.sentence == "Higher than 67% of 6 live public-facing transactional services."
    )
    completion = found["completion_rate"]  # 10 of 20 started; three others give started
    assert completion.peers == 3 and not completion.compared
    assert completion.sentence == (
        "3 other live public-facing transactional services have this figure: too few to "
        "compare (at least 5)."
    )
    assert found["lead_time_hours"].sentence == "No figure for this service in the window."


@override_settings(PEERS_AT_LEAST=3)
def test_the_least_number_of_peers_is_a_setting(group):
    grants, user = group
    completion = standings(user, grants)["completion_rate"]
    # Grants 10 ÷ 20 = 50 %; the three others 10 ÷ 40 = 25 %: higher than all three.
    assert completion.sentence == "Higher than 100% of 3 live public-facing transactional services."


def test_a_restricted_peer_is_compared_only_for_those_who_may_see_it(group):
    grants, user = group
    hidden = live("Hidden", restricted=True)
    measure(hidden, "transactions", JAN, 10)
    cost(hidden, JAN, 5)  # 0.50 a transaction
    service_access_sync()
    assert standings(user, grants)["cost_per_transaction"].peers == 6


def test_the_dashboard_shows_where_the_service_stands(client, group):
    grants, user = group
    client.force_login(user)
    page = client.get(
        reverse("performance:dashboard", args=[grants.slug]),
        {"from": "2026-01-01", "to": "2026-03-31"},
    ).content.decode()
    assert "Among its peers" in page
    assert "Lower than 50% of 6 live public-facing transactional services" in page


def kpis(service, *results):
    """One KPI of ``service`` per result, each with a target of 10 (lower is better): on
    target when ``True`` (9 in January), off it when ``False`` (20)."""
    for n, on_target in enumerate(results):
        MetricFactory(service=service, key=f"kpi{n}", target=10, higher_is_better=False)
        measure(service, f"kpi{n}", JAN, 9 if on_target else 20)


def test_targets_met_is_a_share_on_every_database(group):
    """2 of 3 KPIs on target is 66.7 %, not the whole number an integer division gives
    (SQLite divides integers as integers). By hand: Grants 2 ÷ 3; two peers 1 ÷ 2 = 50 %,
    three 1 ÷ 1 = 100 %: Grants beats 2 of the 5."""
    grants, user = group
    kpis(grants, True, True, False)
    for n in range(5):
        kpis(grants.__class__.objects.get(name=f"Peer {n}"), *([True, False] if n < 2 else [True]))
    s = standings(user, grants)["targets_met"]
    assert s.value.quantize(Decimal("0.0001")) == Decimal("0.6667")
    assert s.shown == "66.7%"
    assert (s.peers, s.beaten, s.same) == (5, 2, 0)
    assert s.sentence == "Higher than 40% of 5 live public-facing transactional services."
