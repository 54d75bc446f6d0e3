"""Trends over 24 months: each period's figures worked out by hand from the raw rows, and the
chart drawn from them (its scale, target, windows and gaps)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.figures.charts import axis_label, chart, nice_ticks
from performance.figures.metrics import summary
from performance.figures.trends import Point, Trend, service_trends
from performance.flow.actions import handoffs_make
from performance.windows import Window, span_to
from tests.factories import (
    FEB,
    JAN,
    MAR,
    Q1,
    HandoffLogFactory,
    MetricFactory,
    StageFactory,
    StageLogFactory,
    TeamFactory,
    cost,
    measure,
)

pytestmark = pytest.mark.django_db
D = Decimal


def month(year: int, number: int) -> tuple[date, date]:
    start = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return start, following - timedelta(days=1)


def by_key(service, window=Q1):
    return {trend.key: trend for trend in service_trends(summary(service, window))}


def values(trend):
    return [(p.start, p.end, p.value) for p in trend.points]


def test_the_span_is_the_24_months_to_the_windows_end():
    assert span_to(date(2026, 3, 31)) == Window(date(2024, 4, 1), date(2026, 3, 31))
    assert span_to(date(2026, 3, 15)) == Window(date(2024, 3, 16), date(2026, 3, 15))
    assert span_to(date(2024, 2, 29)) == Window(date(2022, 3, 1), date(2024, 2, 29))


def test_each_periods_kpis_follow_the_windows_rules(service):
    # January: 80 digital + 20 phone of 125 started; satisfaction 70.
    # February: 30 digital only; no started; completion rate given as 0.6; satisfaction 90.
    # March: nothing.  March 2024 lies outside the 24 months; April 2026 after the window.
    measure(service, "transactions", JAN, 80, "digital")
    measure(service, "transactions", JAN, 20, "phone")
    measure(service, "started", JAN, 125)
    measure(service, "user_satisfaction", JAN, 70)
    measure(service, "transactions", FEB, 30, "digital")
    measure(service, "completion_rate", FEB, "0.6")
    measure(service, "user_satisfaction", FEB, 90)
    measure(service, "transactions", month(2024, 3), 999, "digital")
    measure(service, "transactions", month(2026, 4), 999, "digital")
    trends = by_key(service)
    assert values(trends["transactions"]) == [(*JAN, D(100)), (*FEB, D(30))]
    assert values(trends["digital_take_up"]) == [(*JAN, D("0.8")), (*FEB, D(1))]
    assert values(trends["completion_rate"]) == [(*JAN, D("0.8")), (*FEB, D("0.6"))]
    assert values(trends["user_satisfaction"]) == [(*JAN, D(70)), (*FEB, D(90))]
    assert [p.shown for p in trends["digital_take_up"].points] == ["80.0%", "100.0%"]
    assert [p.window for p in trends["transactions"].points] == ["this", "this"]


def test_cost_per_transaction_is_each_cost_periods_cost_to_serve_over_its_transactions(service):
    # January: 1,000 staff + 500 programme (not a cost to serve) over 100 transactions: 10.
    # February: 900 over no transactions: none. A yearly line (2024–25) over the monthly
    # transactions recorded within it: 2,400 ÷ (40 + 20) = 40.
    measure(service, "transactions", JAN, 100, "digital")
    cost(service, JAN, 1000)
    cost(service, JAN, 500, category="programme")
    cost(service, FEB, 900)
    year = (date(2024, 4, 1), date(2025, 3, 31))
    cost(service, year, 2400)
    measure(service, "transactions", month(2024, 6), 40)
    measure(service, "transactions", month(2025, 1), 20)
    cost(service, JAN, 7, currency="EUR")  # another currency: never added in
    trend = by_key(service)["cost_per_transaction"]
    assert values(trend) == [(*year, D(40)), (*JAN, D(10)), (*FEB, None)]
    assert [p.shown for p in trend.points] == ["40 GBP", "10 GBP", "No data"]
    assert not trend.higher_is_better


def test_flow_figures_by_month_count_a_week_in_the_month_it_ends_in(service):
    team = TeamFactory()
    apply, check = (
        StageFactory(service=service, position=n, name=name, team=team)
        for n, name in ((1, "Apply"), (2, "Check"))
    )
    handoff = handoffs_make({service.pk: [apply, check]})[(apply.pk, check.pk)]

    def week(start: date, handed: int, returned: int, wait: str, process: str) -> None:
        end = start + timedelta(days=6)
        HandoffLogFactory(
            handoff=handoff,
            period_start=start,
            period_end=end,
            handed_over=handed,
            returned=returned,
            median_wait_hours=D(wait),
        )
        StageLogFactory(
            stage=apply,
            period_start=start,
            period_end=end,
            completed=handed,
            median_process_hours=D(process),
        )

    # January: the week of 29 December (ends 4 January) and of 19 January.
    week(date(2025, 12, 29), 100, 10, "10", "2")
    week(date(2026, 1, 19), 300, 30, "30", "6")
    # February: one week, all returned.
    week(date(2026, 2, 2), 50, 50, "4", "4")
    trends = by_key(service)
    # January: wait (100×10 + 300×30) ÷ 400 = 25; process (100×2 + 300×6) ÷ 400 = 5;
    # lead time 30; efficiency 5 ÷ 30; C&A 1 − 40 ÷ 400 = 0.9.
    # February: wait 4, process 4, lead time 8, efficiency 0.5, C&A 0.
    assert values(trends["lead_time"]) == [(*JAN, D(30)), (*FEB, D(8))]
    assert values(trends["flow_efficiency"]) == [(*JAN, D(5) / D(30)), (*FEB, D("0.5"))]
    assert values(trends["complete_accurate"]) == [(*JAN, D("0.9")), (*FEB, D(0))]
    assert [p.shown for p in trends["lead_time"].points] == ["30.0 hours", "8.0 hours"]


def test_a_services_own_metric_is_summed_over_channels_with_its_target_and_unit(service):
    measure(service, "calls_answered", JAN, 10, "phone")
    measure(service, "calls_answered", JAN, 5, "paper")
    measure(service, "calls_answered", MAR, 7, "phone")
    metric = service.metrics.get(key="calls_answered")
    metric.unit, metric.target = "calls", D(12)
    metric.save()
    trend = by_key(service)["metric-calls_answered"]
    assert values(trend) == [(*JAN, D(15)), (*MAR, D(7))]
    assert [p.shown for p in trend.points] == ["15 calls", "7 calls"]
    assert trend.target_shown == "12 calls"
    assert trend.axis == "calls"


def test_points_are_marked_in_the_window_or_the_previous_one(service):
    for n in range(9, 13):
        measure(service, "transactions", month(2025, n), n)
    measure(service, "transactions", JAN, 1)
    trend = by_key(service)["transactions"]
    # The previous window is the 90 days before 1 January: 3 October to 31 December, so
    # October lies in neither.
    assert [p.window for p in trend.points] == ["", "", "previous", "previous", "this"]


def test_round_ticks_take_in_every_value():
    assert nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    assert nice_ticks(0.62, 0.91) == pytest.approx([0.6, 0.7, 0.8, 0.9, 1.0])
    assert nice_ticks(3, 3) == [2.6, 2.8, 3.0, 3.2, 3.4]  # 10 % either side of a flat line
    assert nice_ticks(0, 157_000) == [0, 50_000, 100_000, 150_000, 200_000]
    assert axis_label(0.75, "percent", 0.25) == "75%"
    assert axis_label(0.925, "percent", 0.005) == "92.5%"
    assert axis_label(0.725, "percent", 0.025) == "72.5%"  # never "72%" for 72.5 %
    assert axis_label(150_000, "count", 50_000) == "150k"  # short, to fit beside the axis
    assert axis_label(75_000_000, "count", 25_000_000) == "75M"
    assert axis_label(2_500_000, "count", 250_000) == "2.50M"  # as many places as the step
    assert axis_label(6_000, "count", 2_000) == "6,000"
    assert axis_label(7.5, "number", 2.5) == "7.5"


def trend_of(points, target=None, kind="percent"):
    return Trend("t", "T", kind, [Point(s, e, v, str(v)) for s, e, v in points], target=target)


def test_the_chart_places_points_target_windows_and_gaps():
    span = Window(date(2024, 4, 1), date(2026, 3, 31))  # 730 days
    points = [
        (*month(2025, 4), D("0.5")),
        (*month(2025, 5), None),  # a gap: the line breaks
        (*month(2025, 6), D("0.7")),
        (*month(2025, 7), D("0.9")),
    ]
    drawn = chart(trend_of(points, target=D("0.8")), span, Q1)
    plot = drawn.plot
    # Ticks 0.5 to 0.9 in steps of 0.1 over the plot's height: 0.8 lies at three quarters up.
    assert [t.label for t in drawn.y_ticks] == ["50%", "60%", "70%", "80%", "90%"]
    assert drawn.target_y == pytest.approx(plot["bottom"] - 0.75 * plot["height"], abs=0.1)
    # One point alone before the gap is a dot, not a line; the two after make one line.
    assert len(drawn.dots) == 3 and len(drawn.lines) == 1
    (x, y, text) = drawn.dots[0]
    # 15 April 2025 (the middle of April) is 379 days into the 730.
    assert x == pytest.approx(plot["left"] + 379 / 730 * plot["width"], abs=0.1)
    assert y == pytest.approx(plot["bottom"], abs=0.1)
    assert text == "Apr 2025: 0.5"
    # This window (January to March 2026) ends at the plot's right edge; the previous one
    # (October to December 2025) ends where it starts.
    this, previous = (next(b for b in drawn.bands if b.kind == k) for k in ("this", "previous"))
    assert this.x + this.width == pytest.approx(plot["right"])
    assert previous.x + previous.width == pytest.approx(this.x)
    # A quarter is too narrow to name in the drawing (the caption names the shading); a
    # year is not.
    assert (this.label, previous.label) == ("", "")
    year = Window(date(2025, 4, 1), date(2026, 3, 31))
    wide = {b.kind: b.label for b in chart(trend_of(points), span, year).bands}
    assert wide == {"this": "This window", "previous": "Previous window"}


def test_counts_are_drawn_from_zero_and_the_axis_names_every_fourth_month():
    span = Window(date(2024, 4, 1), date(2026, 3, 31))
    points = [(*month(2025, 10), D(900)), (*month(2025, 11), D(950))]
    drawn = chart(trend_of(points, kind="count"), span, Q1)
    assert drawn.y_ticks[0].label == "0"
    # Named by time, not by the points, so labels never crowd where the data is dense.
    assert [t.label for t in drawn.x_ticks] == [
        "Apr 24",
        "Aug 24",
        "Dec 24",
        "Apr 25",
        "Aug 25",
        "Dec 25",
    ]
    assert drawn.x_ticks[3].at == pytest.approx(drawn.plot["left"] + 379 / 730 * 392, abs=0.1)


def test_the_target_is_named_on_the_chart_in_short():
    span = span_to(Q1.end)
    points = [(*JAN, D("0.9"))]
    assert chart(trend_of(points, D("0.85")), span, Q1).target_label == "Target 85%"
    assert chart(trend_of(points, D("80"), "score"), span, Q1).target_label == "Target 80"
    days = Trend("t", "T", "number", [], target=D("28.50"), unit=" days")
    assert chart(days, span, Q1).target_label == "Target 28.5 days"


def test_a_chart_with_no_figures_draws_only_the_windows():
    drawn = chart(trend_of([]), span_to(Q1.end), Q1)
    assert drawn.dots == [] and drawn.y_ticks == [] and len(drawn.bands) == 2


def test_the_dashboard_draws_each_trend_with_its_figures_as_a_table(leader_client, service):
    measure(service, "transactions", JAN, 120, "digital")
    measure(service, "transactions", FEB, 80, "digital")
    response = leader_client.get(reverse("performance:dashboard", args=[service.slug]))
    html = response.content.decode()
    assert "Trends over 24 months" in html
    assert 'id="trend-transactions-heading">Completed transactions</h3>' in html
    assert '<th scope="row" class="govuk-table__header">Jan 2026</th>' in html
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">120</td>' in html
    assert "Jan 2026: 120" in html and "Feb 2026: 80" in html  # the points' titles
    assert 'href="#trend-transactions-heading"' in html


def test_flat_series_get_an_axis_that_fits_what_they_measure():
    span = span_to(Q1.end)
    zeros = chart(trend_of([(*JAN, D(0)), (*FEB, D(0))], kind="count"), span, Q1)
    assert [t.label for t in zeros.y_ticks][0] == "0"  # from zero up, never below it
    full = chart(trend_of([(*JAN, D(1)), (*FEB, D(1))]), span, Q1)
    assert full.y_ticks[-1].label == "100%"  # a share never drawn above 100 %
    nearly = chart(trend_of([(*JAN, D("0.996"))]), span, Q1)
    assert nearly.y_ticks[-1].label == "100%"


def test_flow_months_at_the_edges_of_the_span_are_drawn_only_when_whole(service):
    team = TeamFactory()
    apply, check = (StageFactory(service=service, position=n, team=team) for n in (1, 2))
    handoff = handoffs_make({service.pk: [apply, check]})[(apply.pk, check.pk)]
    for start in (date(2026, 2, 2), date(2026, 3, 2)):
        HandoffLogFactory(handoff=handoff, period_start=start, period_end=start + timedelta(6))
    # The window ends on 15 March: March is not a whole month of it, February is.
    trend = by_key(service, Window(date(2026, 1, 1), date(2026, 3, 15)))["lead_time"]
    assert [(p.start, p.end) for p in trend.points] == [FEB]


def test_a_metric_with_nothing_measured_draws_no_chart(service):
    measure(service, "calls_answered", JAN, 10)
    MetricFactory(service=service, key="never", name="Never measured")
    keys = set(by_key(service))
    assert "metric-calls_answered" in keys and "metric-never" not in keys
