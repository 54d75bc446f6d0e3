"""Roll-ups as rows: kept in step with writes, computed on the page when few are missing or
behind and by the worker when many are, shown with the time they were computed, and the
portfolio sorted, paged and totalled over them."""

from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import call, patch

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from performance.figures import rollups
from performance.models import Rollup
from performance.tasks import refresh_all_summaries, refresh_service_summaries
from performance.windows import Window
from services import versions
from services.models import FiguresVersion, Service
from tests.factories import (
    JAN,
    MAR,
    MetricFactory,
    OrganisationFactory,
    ProportionalityAssessmentFactory,
    RollupFactory,
    ServiceFactory,
    cost,
    measure,
)

pytestmark = pytest.mark.django_db

D = Decimal
Q1 = {"from": "2026-01-01", "to": "2026-03-31"}
Q1_DATES = (date(2026, 1, 1), date(2026, 3, 31))
WINDOW = Window(date(2026, 1, 1), date(2026, 3, 31))


def rows(response) -> list[str]:
    return [row.service.name for row in response.context["page"].object_list]


def test_writes_raise_the_version_in_their_own_transaction_and_ask_for_one_refresh():
    service = ServiceFactory()
    with patch("performance.figures.rollups.enqueue") as enqueue:
        versions.changed([service.pk])
        versions.changed([service.pk])  # within the minute: the refresh asked for covers it
    assert FiguresVersion.objects.get(service=service).version == 2
    enqueue.assert_called_once_with(
        "performance.tasks.refresh_service_summaries", service_ids=[service.pk]
    )
    rollups.begin_refresh([service.pk])  # the worker starts: a later write asks again
    with patch("performance.figures.rollups.enqueue") as enqueue:
        versions.changed([service.pk])
    assert enqueue.call_count == 1


def test_a_refresh_stores_every_preset_window_at_the_current_version():
    service = ServiceFactory()
    measure(service, "transactions", JAN, 10, "digital")
    versions.changed([service.pk])
    refresh_service_summaries([service.pk])
    stored = Rollup.objects.filter(service=service)
    windows = {(w.start, w.end) for w in rollups.preset_windows()}
    assert {(r.window_start, r.window_end) for r in stored} == windows
    assert {r.version for r in stored} == {1}
    fy2025 = stored.get(window_start=date(2025, 4, 1))  # the financial year January is in
    assert fy2025.transactions == D(10) and fy2025.digital_take_up == D(1)


def test_the_nightly_refresh_forgets_windows_no_longer_offered():
    service = ServiceFactory()
    old = timezone.now() - timedelta(days=2)
    RollupFactory(
        service=service,
        window_start=date(2001, 1, 1),
        window_end=date(2001, 1, 31),
        version=0,
        computed_at=old,
        currency="GBP",
    )
    refresh_all_summaries()
    assert not Rollup.objects.filter(window_start=date(2001, 1, 1)).exists()
    assert Rollup.objects.filter(service=service).count() == len(rollups.preset_windows())


def test_no_data_sorts_last_both_ways_and_pages_do_not_overlap(colleague_client):
    for n in range(7):
        service = ServiceFactory(name=f"Service {n}")
        if n % 2:
            cost(service, JAN, 100 * n)
    url = reverse("performance:portfolio")
    ascending = rows(colleague_client.get(url, {**Q1, "sort": "total_cost"}))
    descending = rows(colleague_client.get(url, {**Q1, "sort": "-total_cost"}))
    assert ascending == ["Service 1", "Service 3", "Service 5", "Service 0", "Service 2"] + [
        "Service 4",
        "Service 6",
    ]
    assert descending[:3] == ["Service 5", "Service 3", "Service 1"]
    assert descending[3:] == ["Service 0", "Service 2", "Service 4", "Service 6"]
    with patch("performance.figures.views.PORTFOLIO_PAGE_SIZE", 3):
        pages = [
            rows(colleague_client.get(url, {**Q1, "sort": "-total_cost", "page": page}))
            for page in (1, 2, 3)
        ]
    assert sum(pages, []) == descending


def test_totals_keep_currencies_apart_and_count_money_given_in_another(colleague_client):
    canadian = ServiceFactory(organisation=OrganisationFactory(currency="CAD"))
    british = ServiceFactory()
    measure(canadian, "transactions", JAN, 10)
    cost(canadian, JAN, 100, currency="CAD")
    cost(canadian, JAN, 7, currency="GBP")  # shown apart on its row, counted in the GBP total
    measure(british, "transactions", JAN, 40)
    cost(british, JAN, 20)
    totals = colleague_client.get(reverse("performance:portfolio"), Q1).context["totals"]
    assert totals.total_cost == {"CAD": D(100), "GBP": D(27)}
    # 100 CAD / 10 and 20 GBP / 40: the 7 GBP of the Canadian service has no transactions.
    assert totals.cost_per_transaction == {"CAD": D(10), "GBP": D("0.5")}


def test_rows_behind_a_write_are_shown_as_of_when_computed_until_refreshed(colleague_client):
    services = [ServiceFactory(name=f"Service {n}") for n in range(4)]
    for service in services:
        measure(service, "transactions", JAN, 10)
    url = reverse("performance:portfolio")
    colleague_client.get(url, Q1)
    assert Rollup.objects.filter(window_start=WINDOW.start).count() == 4
    changed = [s.pk for s in services[:3]]
    for service in services[:3]:
        measure(service, "transactions", JAN, 5, "phone")
    with patch(
        "performance.figures.rollups.enqueue"
    ) as enqueue:  # the worker has not come round yet
        versions.changed(changed)
        response = colleague_client.get(url, Q1)
    assert enqueue.call_args_list == [
        call("performance.tasks.refresh_service_summaries", service_ids=changed)
    ]  # asked by the write, not by the page: a reader never computes what a writer changed
    page = response.content.decode()
    assert "The figures of 3 services are as of" in page
    assert response.context["totals"].transactions == D(40)  # as computed, until refreshed
    body = colleague_client.get("/api/v1/portfolio", Q1).json()
    assert body["behind"] == 3 and body["as_of"] is not None
    rollups.refresh(changed)  # what the worker does; it forgets their rows of others' dates
    assert Rollup.objects.filter(window_start=WINDOW.start).count() == 1
    response = colleague_client.get(url, Q1)
    assert "are as of" not in response.content.decode()
    assert response.context["totals"].transactions == D(55)


@override_settings(ROLLUP_INLINE_LIMIT=2)
def test_a_window_nobody_asked_for_shows_its_progress_not_a_wait(colleague_client):
    for n in range(4):
        ServiceFactory(name=f"Service {n}")
    with patch("performance.figures.rollups.enqueue") as enqueue:
        response = colleague_client.get(reverse("performance:portfolio"), Q1)
        export = colleague_client.get(reverse("performance:portfolio_csv"), Q1)
        api = colleague_client.get("/api/v1/portfolio", Q1)
    page = response.content.decode()
    assert "The figures for this window are being worked out now: 0 of 4 services done" in page
    assert 'hx-trigger="every 3s"' in page and "page" not in response.context
    assert enqueue.call_count == 1  # asked once, however often the page is opened
    assert export.status_code == 503 and export["Retry-After"] == "30"
    assert api.status_code == 503 and api["Retry-After"] == "30"
    assert "0 of 4 services done" in api.json()["detail"]


@override_settings(ROLLUP_INLINE_LIMIT=2)
def test_a_window_the_worker_computed_at_once_shows_its_figures_at_once(colleague_client):
    for n in range(4):
        measure(ServiceFactory(name=f"Service {n}"), "transactions", JAN, 10)

    def run_now(task, start, end):  # without a broker the task runs in the request
        rollups.compute_window(date.fromisoformat(start), date.fromisoformat(end))

    with patch("performance.figures.rollups.enqueue", side_effect=run_now):
        response = colleague_client.get(reverse("performance:portfolio"), Q1)
    assert "being worked out" not in response.content.decode()
    assert response.context["totals"].transactions == D(40)


def test_a_few_services_without_figures_are_computed_on_the_page(colleague_client):
    url = reverse("performance:portfolio")
    ServiceFactory(name="Benefits")
    colleague_client.get(url, Q1)
    added = ServiceFactory(name="Grants")
    measure(added, "transactions", JAN, 10)
    with patch("performance.figures.rollups.enqueue") as enqueue:
        response = colleague_client.get(url, Q1)
    assert not enqueue.called
    assert response.context["totals"].transactions == D(10)
    assert "being worked out" not in response.content.decode()


def test_kpis_sort_by_the_share_on_target(colleague_client):
    from performance.models import Metric

    whole, half, many = (ServiceFactory(name=n) for n in ("Whole", "Half", "Many"))
    ServiceFactory(name="Untargeted")
    for service, satisfaction in [(whole, None), (half, 50), (many, 95)]:
        measure(service, "transactions", JAN, 10)
        if satisfaction is not None:
            measure(service, "user_satisfaction", JAN, satisfaction)
    Metric.objects.filter(key="transactions").update(target=5)
    Metric.objects.filter(key="user_satisfaction").update(target=90)
    for n in range(3):  # "Many": 2 of 5 on target, a lower share than "Half"'s 1 of 2
        metric = MetricFactory(service=many, key=f"own{n}", name=f"Own {n}", target=100)
        metric.measurements.create(period_start=JAN[0], period_end=JAN[1], value=1)
    url = reverse("performance:portfolio")
    assert rows(colleague_client.get(url, {**Q1, "sort": "-kpis"})) == [
        "Whole",
        "Half",
        "Many",
        "Untargeted",
    ]
    assert rows(colleague_client.get(url, {**Q1, "sort": "kpis"}))[:3] == ["Many", "Half", "Whole"]


def test_a_window_that_is_not_offered_says_so(colleague_client):
    url = reverse("performance:portfolio")
    page = colleague_client.get(url, {"window": "fy1999"}).content.decode()
    assert "There is no window “fy1999” for these services." in page
    page = colleague_client.get(url, {"from": "2026-01-01"}).content.decode()
    assert "Give the end of the window as YYYY-MM-DD." in page


def test_a_dashboard_shows_its_figures_as_of_when_computed_until_the_refresh(
    colleague_client, django_capture_on_commit_callbacks
):
    service = ServiceFactory(name="Grants", slug="grants")
    measure(service, "transactions", JAN, 10)
    url = reverse("performance:dashboard", args=["grants"])
    api = "/api/v1/services/grants/summary?from=2026-01-01&to=2026-03-31"
    assert colleague_client.get(url, Q1).context["summary"].outcomes.transactions == D(10)
    measure(service, "transactions", JAN, 5, "phone")
    with patch(
        "performance.figures.rollups.enqueue"
    ) as enqueue:  # the worker has not come round yet
        versions.changed([service.pk])
    assert enqueue.called
    response = colleague_client.get(url, Q1)
    assert response.context["summary"].outcomes.transactions == D(10)
    assert "These figures are as of" in response.content.decode()
    assert colleague_client.get(api).json()["transactions"] == 15  # the API never lags
    with django_capture_on_commit_callbacks(execute=True):  # the worker runs the refresh
        refresh_service_summaries(service_ids=[service.pk])
    response = colleague_client.get(url, Q1)
    assert response.context["summary"].outcomes.transactions == D(15)
    assert "These figures are as of" not in response.content.decode()


def test_a_summary_behind_with_no_refresh_on_its_way_is_computed_for_the_reader(
    colleague_client,
):
    service = ServiceFactory(name="Grants", slug="grants")
    measure(service, "transactions", JAN, 10)
    url = reverse("performance:dashboard", args=["grants"])
    colleague_client.get(url, Q1)
    measure(service, "transactions", JAN, 5, "phone")
    with patch("performance.figures.rollups.enqueue"):
        versions.changed([service.pk])
    rollups.begin_refresh([service.pk])  # the refresh began before this write was seen
    response = colleague_client.get(url, Q1)
    assert response.context["summary"].outcomes.transactions == D(15)
    assert "These figures are as of" not in response.content.decode()


def test_an_unknown_sort_is_by_service_name(colleague_client):
    for name in ["Beta", "alpha", "Gamma"]:
        ServiceFactory(name=name)
    url = reverse("performance:portfolio")
    assert rows(colleague_client.get(url, {**Q1, "sort": "no-such-column"})) == [
        "alpha",
        "Beta",
        "Gamma",
    ]


def test_the_portfolio_reads_the_windows_own_roll_ups_of_the_services_in_view(colleague_client):
    """Roll-ups of another window with the same start, and of a restricted service computed
    for somebody allowed to see it, are not this reader's rows."""
    mine = ServiceFactory(name="Open")
    cost(mine, JAN, 100)
    ServiceFactory(name="Secret", restricted=True)
    url = reverse("performance:portfolio")
    everyone = list(Service.objects.values_list("pk", flat=True))
    rollups.store(everyone, [Window(*Q1_DATES)])
    rollups.store(everyone, [Window(Q1_DATES[0], JAN[1])])
    response = colleague_client.get(url, Q1)
    assert rows(response) == ["Open"]
    assert response.context["totals"].services == 1


def test_the_stale_filter_shows_services_whose_data_is_old_or_missing(colleague_client):
    fresh, empty = ServiceFactory(name="Fresh"), ServiceFactory(name="Empty")
    measure(fresh, "transactions", MAR, 10, "digital")
    response = colleague_client.get(reverse("performance:portfolio"), {**Q1, "stale": "on"})
    assert rows(response) == [empty.name]


def test_the_hands_on_gap_filter_needs_hands_on_recommended(colleague_client):
    """A service with no leadership model is a gap only where hands-on leadership is
    recommended."""
    gap = ServiceFactory(name="Gap", leadership_model="none")
    ProportionalityAssessmentFactory(service=gap, important=True, large_complex=True)
    ServiceFactory(name="Small", leadership_model="none")  # no assessment: not recommended
    response = colleague_client.get(reverse("performance:portfolio"), {**Q1, "hands_on_gap": "on"})
    assert rows(response) == ["Gap"]
