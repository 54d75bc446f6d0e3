"""Whole-service figures, the dashboard, the portfolio and the API, against hand computations."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from performance.figures.metrics import kpi_status, summaries, summary
from performance.figures.portfolio import PortfolioFilters, portfolio, totals
from performance.imports.actions import api_token_issue
from performance.models import Metric, ReviewNarrative
from performance.windows import Window
from services import versions
from services.models import Service
from tests.factories import (
    FEB,
    JAN,
    MAR,
    Q1,
    D,
    DecisionFactory,
    DecisionTypeFactory,
    DirectorateFactory,
    FrictionPointFactory,
    HandoffFactory,
    HandoffLogFactory,
    MeasurementFactory,
    MetricFactory,
    OrganisationFactory,
    PersonFactory,
    ProportionalityAssessmentFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    StageLogFactory,
    TeamFactory,
    UserFactory,
    cost,
    measure,
)

pytestmark = pytest.mark.django_db


def portfolio_totals(services, window):
    """The portfolio's totals row over these services, as the page computes it."""
    within = Service.objects.filter(pk__in=[s.pk for s in services])
    return totals(portfolio(None, window, PortfolioFilters(), "service", within=within).rows)


def test_outcome_figures_by_hand(service):
    # January: 100 digital + 50 phone, 200 started, satisfaction 80
    # February: 300 digital, no started, satisfaction 60; completion rate given as 0.5
    measure(service, "transactions", JAN, 100, "digital")
    measure(service, "transactions", JAN, 50, "phone")
    measure(service, "started", JAN, 200)
    measure(service, "user_satisfaction", JAN, 80)
    measure(service, "transactions", FEB, 300, "digital")
    measure(service, "user_satisfaction", FEB, 60)
    measure(service, "completion_rate", FEB, "0.5")
    measure(service, "transactions", (date(2026, 3, 20), date(2026, 4, 5)), 999, "digital")

    s = summary(service, Q1)
    assert s.outcomes.transactions == D(450)  # the straddling period is left out
    assert s.outcomes.digital_take_up == D(400) / D(450)
    # Periods with both transactions and started: only January, 150 / 200
    assert s.outcomes.completion_rate == D("0.75")
    # Weighted by each period's transactions: (80 × 150 + 60 × 300) / 450
    assert s.outcomes.user_satisfaction == (D(80) * 150 + D(60) * 300) / 450


def test_digital_take_up_counts_only_periods_whose_digital_figure_is_given(service):
    # January: 100 digital + 50 phone; February: 400 phone and no digital figure (not given,
    # which is not zero): take-up is January's alone, 100 / 150.
    measure(service, "transactions", JAN, 100, "digital")
    measure(service, "transactions", JAN, 50, "phone")
    measure(service, "transactions", FEB, 400, "phone")
    s = summary(service, Q1)
    assert s.outcomes.transactions == D(550)
    assert s.outcomes.digital_take_up == D(100) / D(150)


def test_no_digital_figure_at_all_means_no_take_up_not_zero(service):
    measure(service, "transactions", JAN, 50, "phone")
    measure(service, "transactions", JAN, 20, "paper")
    s = summary(service, Q1)
    assert s.outcomes.transactions == D(70) and s.outcomes.digital_take_up is None
    other = ServiceFactory()
    measure(other, "transactions", JAN, 30, "digital")
    measure(other, "transactions", JAN, 90, "phone")
    total = portfolio_totals([service, other], Q1)
    assert total.digital_take_up == D(30) / D(120)  # the service with no digital figure is out


def test_completion_rate_falls_back_to_the_weighted_mean_of_given_rates(service):
    measure(service, "transactions", JAN, 100)
    measure(service, "transactions", FEB, 300)
    measure(service, "completion_rate", JAN, "0.9")
    measure(service, "completion_rate", FEB, "0.5")
    assert summary(service, Q1).outcomes.completion_rate == (D("0.9") * 100 + D("0.5") * 300) / 400


def test_satisfaction_without_transactions_weighs_periods_equally(service):
    measure(service, "user_satisfaction", JAN, 70)
    measure(service, "user_satisfaction", FEB, 90)
    assert summary(service, Q1).outcomes.user_satisfaction == D(80)


def test_a_window_with_no_data_has_no_figures(service):
    s = summary(service, Window(date(2020, 1, 1), date(2020, 1, 31)))
    assert s.outcomes.transactions is None and s.outcomes.digital_take_up is None
    assert s.outcomes.completion_rate is None and s.outcomes.user_satisfaction is None
    assert s.costs.total is None and s.cost_per_transaction is None
    assert not s.reporting


def test_costs_split_by_spend_and_payer_and_never_mix_currencies(service):
    other = OrganisationFactory(name="Agency")
    ops = DirectorateFactory(organisation=service.organisation, name="Operations")
    cost(service, JAN, 1000, directorate=ops)
    cost(service, FEB, 500, spend="change")
    cost(service, MAR, 250, organisation=other, allocated=True)
    cost(service, MAR, 9999, currency="EUR")
    measure(service, "transactions", JAN, 7)
    s = summary(service, Q1)
    assert (s.costs.total, s.costs.run, s.costs.change) == (D(1750), D(1250), D(500))
    assert s.costs.other_currencies == {"EUR": D(9999)}
    assert s.costs.allocated == D(250)
    assert s.costs.by_organisation == {service.organisation.name: D(1500), "Agency": D(250)}
    assert s.costs.by_directorate == {f"{service.organisation.name} / Operations": D(1000)}
    # The rest, paid by organisations as a whole, so who pays by directorate adds up: 500 + 250.
    assert s.costs.no_directorate == D(750)
    assert s.cost_per_transaction == D(1750) / 7


def test_programme_spending_counts_in_total_cost_but_not_in_the_cost_to_serve(service):
    measure(service, "transactions", JAN, 100, "digital")
    cost(service, JAN, 250)  # staff: cost to serve
    cost(service, JAN, 10000, category="programme")  # grants paid out, among other things
    cost(service, FEB, "-400.50", category="programme")  # a recovery, published negative
    s = summary(service, Q1)
    assert s.costs.total == D(250) + D(10000) - D("400.50")
    assert s.costs.programme == D(10000) - D("400.50")
    assert s.cost_per_transaction == D(250) / 100


def test_only_programme_spending_gives_no_cost_per_transaction(service):
    measure(service, "transactions", JAN, 100, "digital")
    cost(service, JAN, 10000, category="programme")
    s = summary(service, Q1)
    assert s.costs.total == D(10000) and s.cost_per_transaction is None


def test_money_is_in_the_accountable_organisations_currency():
    canadian = ServiceFactory(organisation=OrganisationFactory(currency="CAD"))
    british = ServiceFactory()  # the site's currency, GBP
    measure(canadian, "transactions", JAN, 10, "digital")
    cost(canadian, JAN, 100, currency="CAD")
    cost(canadian, JAN, 7, currency="GBP")  # shown apart, never added in
    measure(british, "transactions", JAN, 40, "digital")
    cost(british, JAN, 20, currency="GBP")
    figures = summaries([canadian, british], Q1)
    s = figures[canadian.pk]
    assert s.costs.currency == "CAD" and s.costs.total == D(100)
    assert s.costs.other_currencies == {"GBP": D(7)}
    assert s.cost_per_transaction == D(10)
    total = portfolio_totals([canadian, british], Q1)
    assert total.total_cost == {"CAD": D(100), "GBP": D(27)}
    assert total.cost_per_transaction == {"CAD": D(10), "GBP": D("0.5")}


def test_portfolio_totals_a_currency_no_service_accounts_in(service):
    """Money in a currency that is no service's own is still totalled, apart."""
    cost(service, JAN, 500)
    cost(service, JAN, 9999, currency="EUR")
    cost(service, FEB, 1, currency="EUR")
    assert portfolio_totals([service], Q1).total_cost == {"EUR": D(10000), "GBP": D(500)}


def test_cost_per_transaction_is_none_when_there_are_no_transactions(service):
    cost(service, JAN, 100)
    measure(service, "transactions", JAN, 0)
    assert summary(service, Q1).cost_per_transaction is None


@pytest.mark.parametrize(
    ("value", "target", "higher", "status"),
    [
        (D(90), D(85), True, "on_target"),
        (D(81), D(85), True, "within_5"),
        (D(80), D(85), True, "off_target"),
        (D(20), D(28), False, "on_target"),
        (D(29), D(28), False, "within_5"),
        (D(30), D(28), False, "off_target"),
        (None, D(28), False, "no_data"),
        (D(3), None, True, "no_target"),
    ],
)
def test_kpi_status_honours_direction(value, target, higher, status):
    assert kpi_status(value, target, higher) == status


def test_totals_recompute_rates_from_sums_not_means():
    small, large, silent = ServiceFactory(), ServiceFactory(), ServiceFactory()
    measure(small, "transactions", JAN, 10, "digital")  # 100% digital, cost 10 each
    cost(small, JAN, 100)
    measure(large, "transactions", JAN, 990, "phone")  # 0% digital, cost 1 each
    measure(large, "transactions", JAN, 0, "digital")
    cost(large, JAN, 990)
    total = portfolio_totals([small, large, silent], Q1)
    assert (total.services, total.services_reporting) == (3, 2)
    assert total.transactions == D(1000) and total.total_cost == {"GBP": D(1090)}
    assert total.cost_per_transaction == {"GBP": D("1.09")}  # not (10 + 1) / 2
    assert total.digital_take_up == D("0.01")  # not (1 + 0) / 2


def test_gaps_include_rights_and_stale_data(service):
    from tests.factories import DecisionTypeFactory

    DecisionTypeFactory(name="Spend")
    s = summary(service, Q1)
    assert "Nobody holds the Decide right for 1 kind of decision: Spend." in s.gaps
    assert "Data is stale: nothing measured in the last two months." in s.gaps


def test_dashboard_shows_kpis_change_target_and_trend(leader_client, service):
    for n, (start, end) in enumerate([JAN, FEB, MAR]):
        measure(service, "transactions", (start, end), 100 + n * 50, "digital")
    MetricFactory(
        service=service,
        key="days_to_decide",
        name="Days to decide",
        higher_is_better=False,
        target=D(28),
        unit="days",
    )
    measure(service, "days_to_decide", MAR, "29")
    response = leader_client.get(
        reverse("performance:dashboard", args=["grants"]),
        {"from": "2026-03-01", "to": "2026-03-31"},
    )
    tiles = {tile.name: tile for tile in response.context["tiles"]}
    assert tiles["Completed transactions"].shown == "200"
    assert tiles["Completed transactions"].change == "+50"  # February's 150 before
    assert tiles["Days to decide"].status == "within_5"
    body = response.content.decode()
    assert "<polyline" in body and "Within 5% of target" in body


def test_review_pack_saves_a_narrative_per_window(leader_client, service):
    url = reverse("performance:review_pack", args=["grants"])
    leader_client.post(f"{url}?from=2026-01-01&to=2026-03-31", {"text": "Waits fell."})
    leader_client.post(f"{url}?from=2026-04-01&to=2026-06-30", {"text": "Spring."})
    narratives = {(n.window_start, n.text) for n in ReviewNarrative.objects.filter(service=service)}
    assert narratives == {(date(2026, 1, 1), "Waits fell."), (date(2026, 4, 1), "Spring.")}
    page = leader_client.get(f"{url}?from=2026-01-01&to=2026-03-31").content.decode()
    assert "Waits fell." in page and 'media="print"' in page
    # The dashboard shows the window's narrative too, and only that window's.
    dashboard = reverse("performance:dashboard", args=["grants"])
    spring = leader_client.get(f"{dashboard}?from=2026-04-01&to=2026-06-30").content.decode()
    assert "Spring." in spring and "Waits fell." not in spring


@pytest.fixture
def portfolio_world(service):
    other = ServiceFactory(slug="other", name="Other", leadership_model="none")
    ProportionalityAssessmentFactory(service=other, important=True, large_complex=True)
    measure(service, "transactions", JAN, 100, "digital")
    cost(service, JAN, 500)
    measure(other, "transactions", JAN, 300, "phone")
    cost(other, JAN, 300)
    ServiceFactory(slug="secret", name="Secret", restricted=True)
    return other


def names(response) -> list[str]:
    return [row.service.name for row in response.context["page"].object_list]


def test_portfolio_sorts_every_way_and_totals_honestly(colleague_client, portfolio_world):
    url = reverse("performance:portfolio")
    window = {"from": "2026-01-01", "to": "2026-03-31"}
    assert names(colleague_client.get(url, window)) == ["Grants", "Other"]
    assert names(colleague_client.get(url, {**window, "sort": "-total_cost"})) == [
        "Grants",
        "Other",
    ]
    assert names(colleague_client.get(url, {**window, "sort": "cost_per_transaction"})) == [
        "Other",
        "Grants",
    ]
    response = colleague_client.get(url, window)
    total = response.context["totals"]
    assert (total.services, total.services_reporting, total.transactions) == (2, 2, D(400))
    assert "Totals: 2 of 2 services reporting" in response.content.decode()
    assert "Secret" not in response.content.decode()


def test_portfolio_sorts_phases_in_lifecycle_order_and_leadership_by_its_label(colleague_client):
    for name, phase, model in [
        ("Beta one", "beta", "none"),
        ("Live one", "live", "single"),
        ("Discovery one", "discovery", "team"),
        ("Retiring one", "retiring", "council"),
        ("Alpha one", "alpha", "council"),
    ]:
        ServiceFactory(name=name, phase=phase, leadership_model=model)
    url = reverse("performance:portfolio")
    window = {"from": "2026-01-01", "to": "2026-03-31"}
    lifecycle = ["Discovery one", "Alpha one", "Beta one", "Live one", "Retiring one"]
    assert names(colleague_client.get(url, {**window, "sort": "phase"})) == lifecycle
    assert names(colleague_client.get(url, {**window, "sort": "-phase"})) == lifecycle[::-1]
    # Council or working group, Multidisciplinary leadership team, None, Single leader;
    # the same label by name.
    assert names(colleague_client.get(url, {**window, "sort": "leadership"})) == [
        "Alpha one",
        "Retiring one",
        "Discovery one",
        "Beta one",
        "Live one",
    ]


def test_portfolio_filter_hands_on_gap(colleague_client, portfolio_world):
    response = colleague_client.get(
        reverse("performance:portfolio"),
        {"from": "2026-01-01", "to": "2026-03-31", "hands_on_gap": "on"},
    )
    assert names(response) == ["Other"]


def test_portfolio_csv_is_the_table(colleague_client, portfolio_world):
    query = {"from": "2026-01-01", "to": "2026-03-31", "sort": "-transactions"}
    page = colleague_client.get(reverse("performance:portfolio"), query)
    export = colleague_client.get(reverse("performance:portfolio_csv"), query)
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [r[0] for r in rows[1:-2]] == names(page)
    assert rows[1][5] == "300" and rows[1][6] == "300" and rows[1][-1] == "GBP"
    assert rows[-2][0] == "Totals: 2 of 2 services reporting" and rows[-2][5] == "400"
    assert rows[-1][0] == "Totals in GBP" and rows[-1][-1] == "GBP"
    assert len({len(r) for r in rows}) == 1  # every row has every column


@pytest.mark.parametrize("count", [3, 30])
def test_portfolio_runs_a_fixed_number_of_queries(
    colleague_client, django_assert_num_queries, count
):
    for n in range(count):
        service = ServiceFactory()
        StageFactory(service=service, position=1)
        StageFactory(service=service, position=2)
        measure(service, "transactions", JAN, n + 1, "digital")
        cost(service, JAN, 10)
    url = reverse("performance:portfolio")
    query = {"from": "2026-01-01", "to": "2026-03-31"}
    colleague_client.get(url, query)  # the window's roll-ups are computed and stored
    # read from the roll-up rows (14), and the overview's counts and by organisation (2)
    with django_assert_num_queries(16):
        colleague_client.get(url, query)
    measure(service, "transactions", FEB, 5, "digital")
    versions.changed([service.pk])  # as every write does: the worker will recompute it
    with django_assert_num_queries(16):  # shown as it was, never computed by the reader
        response = colleague_client.get(url, query)
    page = response.content.decode()
    assert f"{count} of {count} services reporting" in page
    assert "The figures of 1 service are as of" in page


@pytest.mark.parametrize("periods", [2, 24])
def test_dashboard_runs_a_fixed_number_of_queries(
    leader_client, service, django_assert_num_queries, periods
):
    StageFactory(service=service, position=1)
    StageFactory(service=service, position=2)
    start = date(2024, 1, 1)
    for n in range(periods):
        day = start + timedelta(days=31 * n)
        measure(service, "transactions", (day, day + timedelta(days=27)), 10, "digital")
        cost(service, (day, day + timedelta(days=27)), 5)
    url = reverse("performance:dashboard", args=["grants"])
    leader_client.get(url)
    cache.clear()
    # two windows (this and the previous) of every panel, the trends over 24 months and the
    # standing among peers (the roll-ups' freshness, its own row, the peers' counts), and
    # whether its organisation's staff give the hour friction is priced at: fixed, whatever
    # the data
    with django_assert_num_queries(57):
        leader_client.get(url)
    with django_assert_num_queries(31):  # the summaries from the roll-up cache
        leader_client.get(url)


def test_api_summary_gives_every_figure_as_worked_out_by_hand(leader_client, service):
    """January, by hand: 150 digital + 50 phone transactions of 250 started; satisfaction 80
    (target 80); 40 contacts, 10 of them failure demand. Costs: 600 staff (Operations),
    200 change, 1,000 programme, and 50 EUR apart. Journey: Apply (100 done, 2 h) hands 100
    to Check (90 done, 3 h), 10 sent back, 5 h wait. One open high-severity friction point,
    one resolved; one decision, within rights."""
    organisation = service.organisation
    operations = DirectorateFactory(organisation=organisation, name="Operations")
    measure(service, "transactions", JAN, 150, "digital")
    measure(service, "transactions", JAN, 50, "phone")
    measure(service, "started", JAN, 250)
    measure(service, "user_satisfaction", JAN, 80)
    service.metrics.filter(key="user_satisfaction").update(target=D(80))
    measure(service, "contacts", JAN, 40)
    measure(service, "failure_demand_contacts", JAN, 10)
    cost(service, JAN, 600, directorate=operations)
    cost(service, JAN, 200, spend="change", category="technology")
    cost(service, JAN, 1000, category="programme")
    cost(service, JAN, 50, currency="EUR")
    team = TeamFactory(directorate=operations)
    apply = StageFactory(service=service, position=1, name="Apply", team=team)
    check = StageFactory(service=service, position=2, name="Check", team=team)
    week = {"period_start": date(2026, 1, 5), "period_end": date(2026, 1, 11)}
    StageLogFactory(stage=apply, completed=100, median_process_hours=D(2), **week)
    StageLogFactory(stage=check, completed=90, median_process_hours=D(3), **week)
    handoff = HandoffFactory(service=service, from_stage=apply, to_stage=check)
    HandoffLogFactory(handoff=handoff, handed_over=100, returned=10, median_wait_hours=D(5), **week)
    FrictionPointFactory(service=service, severity="high", raised_on=date(2026, 1, 2))
    FrictionPointFactory(
        service=service, status="resolved", raised_on=date(2026, 1, 2), resolved_on=JAN[1]
    )
    hiring = DecisionTypeFactory(name="Hiring")  # nobody holds its Decide right: a gap
    DecisionFactory(
        service=service, decision_type=hiring, decided_on=date(2026, 2, 2), within_rights=True
    )
    api = leader_client.get(
        "/api/v1/services/grants/summary", {"from": "2026-01-01", "to": "2026-03-31"}
    ).json()
    kpis = {k.pop("metric"): k for k in api.pop("kpis")}
    assert api == {
        "service": "grants",
        "from": "2026-01-01",
        "to": "2026-03-31",
        "transactions": 200,
        "digital_take_up": 0.75,
        "completion_rate": 0.8,
        "user_satisfaction": 80,
        "total_cost": "1800.00",
        "run_cost": "1600.00",
        "change_cost": "200.00",
        "cost_per_transaction": "4.00",  # (1,800 - 1,000 programme) / 200
        "programme_spending": "1000.00",
        "currency": "GBP",
        "costs_in_other_currencies": {"EUR": "50.00"},
        "cost_by_organisation": {organisation.name: "1800.00"},
        "cost_by_directorate": {f"{organisation.name} / Operations": "600.00"},
        "flow": {
            "process_time_hours": 5,
            "lead_time_hours": 10,
            "flow_efficiency": 0.5,
            "rolled_complete_accurate": 0.9,
            "handoffs": {"total": 1, "cross_directorate": 0, "cross_organisation": 0},
            "bottleneck": {"from_stage": "Apply", "to_stage": "Check", "median_wait_hours": 5},
        },
        "friction": {"open": 1, "open_high": 1, "failure_demand_share": 0.25},
        "decisions": {"logged": 1, "outside_rights": 0, "rights_gaps": 1},
        "leadership": {
            "model": service.leadership_model,
            "leaders": [service.leaders.get().person.name],
            "hands_on_recommended": None,
        },
        "gaps": [
            "No proportionality assessment: is hands-on leadership needed here?",
            "Nobody holds the Decide right for 1 kind of decision: Hiring.",
        ],
    }
    assert kpis["user_satisfaction"] == {
        "name": "User satisfaction",
        "value": 80,
        "target": 80,
        "higher_is_better": True,
        "status": "on_target",
    }


def test_api_summary_without_costs_says_none_not_zero(leader_client, service):
    measure(service, "transactions", JAN, 100, "digital")
    api = leader_client.get(
        "/api/v1/services/grants/summary", {"from": "2026-01-01", "to": "2026-03-31"}
    ).json()
    money = ["total_cost", "run_cost", "change_cost", "cost_per_transaction", "programme_spending"]
    assert {key: api[key] for key in money} == dict.fromkeys(money)


def test_api_summary_names_the_bottleneck(leader_client, service):
    apply = StageFactory(service=service, position=1, name="Apply")
    check = StageFactory(service=service, position=2, name="Check")
    decide = StageFactory(service=service, position=3, name="Decide")
    week = (date(2026, 1, 5), date(2026, 1, 11))
    for giving, receiving, wait in [(apply, check, "30.5"), (check, decide, "12")]:
        handoff = HandoffFactory(service=service, from_stage=giving, to_stage=receiving)
        HandoffLogFactory(
            handoff=handoff, period_start=week[0], period_end=week[1], median_wait_hours=D(wait)
        )
    window = {"from": "2026-01-01", "to": "2026-03-31"}
    api = leader_client.get("/api/v1/services/grants/summary", window).json()
    assert api["flow"]["bottleneck"] == {
        "from_stage": "Apply",
        "to_stage": "Check",
        "median_wait_hours": 30.5,
    }


def test_api_summary_equals_the_page(leader_client, service):
    measure(service, "transactions", JAN, 100, "digital")
    measure(service, "transactions", JAN, 100, "phone")
    cost(service, JAN, 500)
    window = {"from": "2026-01-01", "to": "2026-03-31"}
    api = leader_client.get("/api/v1/services/grants/summary", window).json()
    page = leader_client.get(reverse("performance:dashboard", args=["grants"]), window)
    s = page.context["summary"]
    assert api["transactions"] == 200 == s.outcomes.transactions
    assert isinstance(api["transactions"], int)  # a whole number reads as one: 200, not 200.0
    assert api["digital_take_up"] == 0.5
    assert api["total_cost"] == "500.00" and api["cost_per_transaction"] == "2.50"
    assert api["flow"]["handoffs"] == {"total": 0, "cross_directorate": 0, "cross_organisation": 0}
    assert api["leadership"]["leaders"] == s.leaders
    assert set(api) >= {
        "service",
        "from",
        "to",
        "transactions",
        "digital_take_up",
        "completion_rate",
        "user_satisfaction",
        "total_cost",
        "run_cost",
        "change_cost",
        "cost_per_transaction",
        "cost_by_organisation",
        "cost_by_directorate",
        "flow",
        "friction",
        "decisions",
        "leadership",
        "gaps",
    }


def test_api_reads_need_a_session_or_token_and_hide_restricted(client, portfolio_world):
    assert client.get("/api/v1/portfolio").status_code == 401
    issued = api_token_issue(service=None, name="Warehouse", user=None)
    headers = {"Authorization": f"Bearer {issued.key}"}
    response = client.get(
        "/api/v1/portfolio", {"from": "2026-01-01", "to": "2026-03-31"}, headers=headers
    )
    body = response.json()
    assert body["totals"]["services"] == 3  # an admin token sees the restricted one too
    assert body["totals"]["transactions"] == 400
    client.force_login(UserFactory())
    seen = client.get("/api/v1/portfolio").json()
    assert "secret" not in [s["service"] for s in seen["services"]]
    assert client.get("/api/v1/services/secret/summary").status_code == 404


def test_api_bad_window_is_400(leader_client):
    response = leader_client.get("/api/v1/portfolio", {"from": "2026-02-30", "to": "2026-03-01"})
    assert response.status_code == 400
    assert "is not a date" in response.json()["detail"]


def test_api_summary_lists_every_kpi_with_its_status(leader_client, service):
    measure(service, "transactions", JAN, 100, "digital")
    measure(service, "transactions", JAN, 300, "phone")
    measure(service, "started", JAN, 500)
    Metric.objects.filter(service=service, key="transactions").update(target=D(1000))
    MetricFactory(service=service, key="completion_rate", name="Completion rate", target=D("0.78"))
    waits = MetricFactory(
        service=service, key="wait-days", name="Days to decide", higher_is_better=False
    )
    waits.target = D(10)
    waits.save()
    for period, days in [(JAN, 8), (FEB, "10.4")]:  # the latest in the window counts
        MeasurementFactory(
            metric=waits, period_start=period[0], period_end=period[1], value=D(days)
        )
    MetricFactory(service=service, key="unused", name="Never measured")
    api = leader_client.get(
        "/api/v1/services/grants/summary", {"from": "2026-01-01", "to": "2026-03-31"}
    ).json()
    kpis = {
        k["metric"]: (k["value"], k["target"], k["higher_is_better"], k["status"])
        for k in api["kpis"]
    }
    assert kpis == {
        "transactions": (400, 1000, True, "off_target"),
        "digital_take_up": (0.25, None, True, "no_target"),
        "completion_rate": (0.8, 0.78, True, "on_target"),  # 400 / 500
        "wait-days": (10.4, 10, False, "within_5"),  # 10.4 ≤ 10 × 1.05
    }


def test_failure_demand_share_counts_only_periods_that_give_both(service):
    # Contacts in January, February and March; failure demand only for February.
    measure(service, "contacts", JAN, 1000)
    measure(service, "contacts", FEB, 400)
    measure(service, "contacts", MAR, 600)
    measure(service, "failure_demand_contacts", FEB, 100)
    s = summary(service, Q1)
    assert s.outcomes.failure_demand_share == D(100) / D(400)  # not 100 / 2,000
    assert s.outcomes.contacts == D(2000)


def test_changes_keep_the_precision_of_the_figures_and_shares_of_a_negative_total_are_none():
    from performance.figures.dashboard import signed_change
    from performance.templatetags.figures import share_of

    assert signed_change(D("0.9458"), D("0.9865"), "number") == "-0.0407"
    assert signed_change(D("12"), D("10.5"), "number") == "+1.5"
    assert signed_change(D("80.74"), D("80"), "score") == "+0.7"
    assert share_of(D(1296703), D(-2115622)) == "No data"
    assert share_of(D(25), D(100)) == "25%"


def test_satisfaction_weighs_periods_equally_unless_every_one_has_transactions(service):
    """DESIGN: weighted by the same period's transactions, equal weights where none are
    recorded: one period without transactions makes every weight equal."""
    measure(service, "user_satisfaction", JAN, 80)
    measure(service, "user_satisfaction", FEB, 60)
    measure(service, "transactions", JAN, 300)
    assert summary(service, Q1).outcomes.user_satisfaction == D(70)  # not 80
    measure(service, "transactions", FEB, 100)
    assert summary(service, Q1).outcomes.user_satisfaction == D(75)  # (80·300 + 60·100) / 400


def test_completion_rate_counts_transactions_only_of_periods_that_give_started(service):
    measure(service, "transactions", JAN, 90)
    measure(service, "started", JAN, 100)
    measure(service, "transactions", FEB, 500)  # no "started" in February
    assert summary(service, Q1).outcomes.completion_rate == D("0.9")  # not 590 / 100


@pytest.mark.parametrize(
    ("value", "target", "higher", "status"),
    [
        (D("95.00"), D(100), True, "within_5"),  # exactly 5 % short: within
        (D("94.99"), D(100), True, "off_target"),
        (D("100"), D(100), True, "on_target"),
        (D("105.00"), D(100), False, "within_5"),  # exactly 5 % over, lower is better
        (D("105.01"), D(100), False, "off_target"),
        (D("100"), D(100), False, "on_target"),
    ],
)
def test_within_5_includes_its_boundary_in_either_direction(value, target, higher, status):
    assert kpi_status(value, target, higher) == status


@pytest.mark.parametrize(("days", "stale"), [(62, False), (63, True)])
def test_data_is_stale_after_62_days_on_pages_and_in_reminders(service, days, stale):
    from unittest.mock import patch

    from django.core import mail

    from performance.mail import send_reminders

    end = date(2026, 3, 31)
    last = end - timedelta(days=days)
    measure(service, "transactions", (last.replace(day=1), last), 10)
    assert summary(service, Window(date(2026, 1, 1), end)).stale is stale
    ServiceLeaderFactory(
        service=service, person=PersonFactory(user=UserFactory(email="leader@example.org"))
    )
    with patch("django.utils.timezone.localdate", return_value=end):
        send_reminders()
    said = any("Nothing has been measured since" in m.body for m in mail.outbox)
    assert said is stale


def test_portfolio_cost_per_transaction_is_over_services_with_both(service):
    """A service with cost but no transactions adds nothing to the portfolio's cost per
    transaction (its cost is in the total cost), nor one with transactions but no cost."""
    measure(service, "transactions", JAN, 100)
    cost(service, JAN, 200)
    costs_only, volume_only = ServiceFactory(), ServiceFactory()
    cost(costs_only, JAN, 5000)
    measure(volume_only, "transactions", JAN, 900)
    total = portfolio_totals([service, costs_only, volume_only], Q1)
    assert total.total_cost == {"GBP": D(5200)} and total.transactions == D(1000)
    assert total.cost_per_transaction == {"GBP": D(2)}  # 200 / 100


@pytest.mark.parametrize(
    ("model", "gap"), [("none", True), ("council", True), ("single", False), ("team", False)]
)
def test_the_hands_on_gap_is_a_recommendation_met_by_no_leader_or_a_council(
    colleague_client, portfolio_world, model, gap
):
    from performance.figures.rollups import refresh

    Service.objects.filter(pk=portfolio_world.pk).update(leadership_model=model)
    refresh([portfolio_world.pk])
    response = colleague_client.get(
        reverse("performance:portfolio"),
        {"from": "2026-01-01", "to": "2026-03-31", "hands_on_gap": "on"},
    )
    assert names(response) == (["Other"] if gap else [])


def test_data_recorded_far_outside_the_years_does_not_break_the_pages(leader_client, service):
    """Recorded before dates were checked (year 1): the pages still open, with no window
    for that year."""
    measure(service, "transactions", (date(1, 1, 1), date(1, 1, 31)), 5, "digital")
    measure(service, "transactions", JAN, 100, "digital")
    for name in ["services:service", "performance:dashboard", "performance:review_pack"]:
        assert leader_client.get(reverse(name, args=["grants"])).status_code == 200
    assert leader_client.get(reverse("performance:portfolio")).status_code == 200


def test_only_transactions_give_take_up_by_channel(service):
    # A "started" figure split by channel is not a transaction: take-up stays 80 / 100
    # (not 80 / 250 with the 150 started on paper).
    measure(service, "transactions", JAN, 80, "digital")
    measure(service, "transactions", JAN, 20, "phone")
    measure(service, "started", JAN, 150, "paper")
    assert summary(service, Q1).outcomes.digital_take_up == D(80) / D(100)


def test_contacts_and_failure_demand_add_up_over_the_window(service):
    # Fewer contacts is better: 100 against a target of 80 is off it (not on it).
    for key, values in {"contacts": (40, 60), "failure_demand_contacts": (10, 5)}.items():
        MetricFactory(
            service=service,
            key=key,
            name=f"Our {key}",
            unit="calls",
            target=D(80),
            higher_is_better=False,
        )
        measure(service, key, JAN, values[0])
        measure(service, key, FEB, values[1])
    kpis = {kpi.metric: kpi for kpi in summary(service, Q1).kpis}
    contacts, failure = kpis["contacts"], kpis["failure_demand_contacts"]
    assert (contacts.value, failure.value) == (D(100), D(15))
    assert (contacts.name, contacts.unit, contacts.higher_is_better) == (
        "Our contacts",
        "calls",
        False,
    )
    assert (contacts.status, failure.status) == ("off_target", "on_target")


def test_costs_add_up_line_by_line_within_the_window_only(service):
    # Lines that differ in category (so are summed apart before they are added up): change
    # 100 + 200, all of it allocated and paid by Operations; EUR 30 + 70 kept apart.
    ops = DirectorateFactory(organisation=service.organisation, name="Operations")
    cost(service, JAN, 100, spend="change", directorate=ops, allocated=True)
    cost(service, FEB, 200, spend="change", directorate=ops, allocated=True, category="technology")
    cost(service, JAN, 30, currency="EUR")
    cost(service, FEB, 70, currency="EUR", category="technology")
    cost(service, (date(2025, 12, 1), date(2025, 12, 31)), 5000)  # before the window
    s = summary(service, Q1)
    assert (s.costs.total, s.costs.change, s.costs.allocated) == (D(300), D(300), D(300))
    assert s.costs.other_currencies == {"EUR": D(100)}
    assert s.costs.by_directorate == {f"{service.organisation.name} / Operations": D(300)}


def test_open_friction_and_the_high_severity_among_it(service):
    FrictionPointFactory(service=service, severity="high", status="open")
    FrictionPointFactory(service=service, severity="low", status="mitigating")
    FrictionPointFactory(service=service, severity="high", status="resolved")
    s = summary(service, Q1)
    assert (s.friction_open, s.friction_open_high) == (2, 1)


def test_decisions_logged_and_outside_rights_are_those_of_the_window(service):
    DecisionFactory(service=service, decided_on=date(2026, 1, 1), within_rights=True)
    DecisionFactory(service=service, decided_on=date(2026, 3, 31), within_rights=False)
    DecisionFactory(service=service, decided_on=date(2026, 3, 1), within_rights=False)
    DecisionFactory(service=service, decided_on=date(2026, 2, 1), within_rights=None)
    DecisionFactory(service=service, decided_on=date(2025, 12, 31), within_rights=False)
    DecisionFactory(service=service, decided_on=date(2026, 4, 1), within_rights=False)
    s = summary(service, Q1)
    assert (s.decisions_logged, s.decisions_outside_rights) == (4, 2)  # unchecked is not outside


def test_the_summary_gaps_weigh_the_proportionality_assessment():
    service = ServiceFactory(leadership_model=Service.LeadershipModel.NONE)
    ProportionalityAssessmentFactory(
        service=service, important=True, large_complex=True, major_change=True
    )
    gaps = summary(service, Q1).gaps
    assert any(gap.startswith("Hands-on leadership is recommended") for gap in gaps), gaps


def test_failure_demand_without_contacts_gives_no_share(service):
    measure(service, "failure_demand_contacts", JAN, 10)
    assert summary(service, Q1).outcomes.failure_demand_share is None


def test_the_headline_leads_with_the_exceptions_and_judges_each_move(leader_client, service):
    # Q1 2026 against the 90 days before it (which hold November 2025):
    # transactions 80 → 100 (+25 %, better); cost 400 → 1,000, so the cost to serve a
    # transaction 5.00 → 10.00 (+100 %, the biggest move, worse: lower is better);
    # completion 100 / 200 = 50.0 % against a target of 80 %: off target.
    nov = (date(2025, 11, 1), date(2025, 11, 30))
    measure(service, "transactions", nov, 80)
    cost(service, nov, 400)
    measure(service, "transactions", JAN, 100)
    measure(service, "started", JAN, 200)
    cost(service, JAN, 1000)
    MetricFactory(service=service, key="completion_rate", name="Completion rate", target=D("0.8"))
    FrictionPointFactory(service=service, severity="high", status="open")

    response = leader_client.get(
        reverse("performance:dashboard", args=["grants"]),
        {"from": "2026-01-01", "to": "2026-03-31"},
    )
    lines = [(line.status, line.text) for line in response.context["headline"]]
    assert lines == [
        ("bad", "1 of 1 KPI with a target is off it: Completion rate 50.0% against 80.0%."),
        (
            "bad",
            "Cost to serve a transaction rose 100% on the previous window (5.00 GBP to "
            "10.00 GBP): the biggest move, and for the worse.",
        ),
        ("bad", "1 high-severity friction point open."),
    ]
    tiles = {tile.name: tile for tile in response.context["tiles"]}
    assert tiles["Completed transactions"].direction == "better"
    assert response.context["cost_direction"] == "worse"
    body = response.content.decode()
    assert "Needs attention</strong> 1 high-severity friction point open." in body
    better = '<strong class="govuk-tag sl-verdict govuk-tag--green">Better</strong>'
    assert f"window: +20 {better}" in body


def test_a_move_down_is_judged_by_the_measures_direction():
    from performance.figures.dashboard import direction

    assert direction(D(3), D(5), higher_is_better=False) == "better"
    assert direction(D(3), D(5), higher_is_better=True) == "worse"
    assert direction(D(5), D(5), higher_is_better=True) == "same"
    assert direction(None, D(5), higher_is_better=True) == ""


def test_the_portfolio_overview_counts_each_kind_of_exception(service):
    from performance.figures.portfolio import overview

    # Grants: measured in January, one KPI of two off target, high friction open.
    MetricFactory(service=service, key="transactions", name="Transactions", target=D(50))
    MetricFactory(service=service, key="user_satisfaction", name="Satisfaction", target=D(95))
    measure(service, "transactions", JAN, 100)
    measure(service, "user_satisfaction", JAN, 90)  # more than 5 % under 95
    FrictionPointFactory(service=service, severity="high", status="open")
    # Licences: never measured (stale or missing), hands-on recommended but no model.
    licences = ServiceFactory(name="Licences", leadership_model=Service.LeadershipModel.NONE)
    ProportionalityAssessmentFactory(
        service=licences, important=True, large_complex=True, major_change=True
    )
    # Parking: on target, nothing open; its organisation has nothing needing attention.
    parking = ServiceFactory(name="Parking")
    MetricFactory(service=parking, key="transactions", name="Transactions", target=D(5))
    measure(parking, "transactions", JAN, 10)

    within = Service.objects.filter(pk__in=[service.pk, licences.pk, parking.pk])
    rows = portfolio(None, Q1, PortfolioFilters(), "service", within=within).rows
    o = overview(rows)
    assert (o.services, o.attention) == (3, 2)
    assert (o.off_target, o.friction_high, o.hands_on_gap, o.stale, o.outside_rights) == (
        1,
        1,
        1,
        1,
        0,
    )
    assert {org["name"]: (org["services"], org["attention"]) for org in o.by_organisation} == {
        service.organisation.name: (1, 1),
        licences.organisation.name: (1, 1),
        parking.organisation.name: (1, 0),
    }


def test_the_portfolio_shows_the_usual_columns_or_those_chosen(admin_portfolio_client):
    client = admin_portfolio_client
    url = reverse("performance:portfolio")

    def headings(response):
        return [key for key, *_ in response.context["columns"]]

    usual = client.get(url, {"from": "2026-01-01", "to": "2026-03-31"})
    assert headings(usual) == [
        "service",
        "organisation",
        "transactions",
        "cost_per_transaction",
        "digital_take_up",
        "kpis",
        "friction_high",
        "outside_rights",
        "last_data",
    ]
    chosen = client.get(url, {"columns": ["total_cost", "phase"]})
    assert headings(chosen) == ["service", "phase", "total_cost"]  # in the table's order
    body = chosen.content.decode()
    assert body.count('<td class="govuk-table__cell') == 2 * 1 + 2  # one row and the totals
    # Sorting keeps the choice: the sort links carry it.
    assert "columns=total_cost" in {k: link for k, _, link, _ in chosen.context["columns"]}["phase"]
    wrong = client.get(url, {"columns": ["phase", "colour"]})
    assert headings(wrong) == ["service", "phase"]
    assert "Select a valid choice. colour is not one of the available choices." in (
        wrong.content.decode()
    )


@pytest.fixture
def admin_portfolio_client(client, service):
    from django.contrib.auth.models import Group

    from services.queries import ORG_ADMINS_GROUP

    user = UserFactory(username="morgan")
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    measure(service, "transactions", JAN, 100)
    client.force_login(user)
    return client


def test_a_service_with_nothing_open_or_logged_counts_none_of_either(service):
    s = summary(service, Q1)
    assert (s.friction_open, s.friction_open_high) == (0, 0)
    assert (s.decisions_logged, s.decisions_outside_rights) == (0, 0)
    assert s.kpis == []


def test_transactions_started_are_a_kpi_once_given_a_target(service):
    MetricFactory(service=service, key="started", name="Started", target=D(150))
    measure(service, "transactions", JAN, 100)
    measure(service, "started", JAN, 120)
    measure(service, "started", FEB, 60)  # no transactions that month: not a period of both
    kpis = {kpi.metric: kpi.value for kpi in summary(service, Q1).kpis}
    assert kpis["started"] == D(120)


def test_a_services_own_metrics_are_kpis_with_a_value_or_a_target(service):
    # By name: "Appeals" (a value, no target), "Backlog" (neither: left out), "Days to
    # decide" (a target, no value in the window: shown as no data).
    appeals = MetricFactory(service=service, key="appeals", name="Appeals", unit="cases")
    MetricFactory(service=service, key="backlog", name="Backlog", unit="cases")
    MetricFactory(
        service=service,
        key="days",
        name="Days to decide",
        unit="days",
        target=D(20),
        higher_is_better=False,
    )
    # Its latest period in the window is its value, whatever order the periods were recorded
    # in (April's is after the window).
    for period, value in [((date(2026, 4, 1), date(2026, 4, 30)), 11), (FEB, 9), (JAN, 7)]:
        MeasurementFactory(
            metric=appeals, period_start=period[0], period_end=period[1], value=D(value)
        )
    kpis = [
        (k.metric, k.name, k.value, k.target, k.unit, k.higher_is_better)
        for k in summary(service, Q1).kpis
    ]
    assert kpis == [
        ("appeals", "Appeals", D(9), None, "cases", True),
        ("days", "Days to decide", None, D(20), "days", False),
    ]


def test_a_standard_kpi_with_no_metric_of_its_own_takes_its_standard_name(service):
    measure(service, "transactions", JAN, 80, "digital")
    measure(service, "transactions", JAN, 20, "phone")
    [take_up] = [k for k in summary(service, Q1).kpis if k.metric == "digital_take_up"]
    assert (take_up.name, take_up.value, take_up.unit, take_up.higher_is_better) == (
        "Digital take-up",
        D("0.8"),
        "",
        True,
    )
