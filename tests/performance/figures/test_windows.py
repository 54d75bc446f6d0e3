"""Windows of whole days: the presets, the window before, and what a URL may ask for."""

from datetime import date

from django.http import QueryDict

from performance.windows import DataSpan, Window, latest_data, presets, window_from

TODAY = date(2026, 5, 20)  # in the financial year 2026-27, which began on 1 April


def test_a_window_counts_whole_days_and_the_one_before_is_as_long_and_ends_the_day_before():
    quarter = Window(date(2026, 1, 1), date(2026, 3, 31))
    assert quarter.days == 90
    assert quarter.previous() == Window(date(2025, 10, 3), date(2025, 12, 31))
    assert Window(date(2026, 3, 1), date(2026, 3, 1)).previous() == Window(
        date(2026, 2, 28), date(2026, 2, 28)
    )
    assert quarter.label == "1 Jan 2026 to 31 Mar 2026"
    assert quarter.query == "from=2026-01-01&to=2026-03-31"


def test_presets_are_the_last_whole_month_quarter_financial_year_and_twelve_months():
    options = {key: (label, (w.start, w.end)) for key, (label, w) in presets(TODAY).items()}
    assert options == {
        "month": ("Last month", (date(2026, 4, 1), date(2026, 4, 30))),
        "quarter": ("Last quarter", (date(2026, 1, 1), date(2026, 3, 31))),
        "fy": ("Financial year 2026–27", (date(2026, 4, 1), date(2027, 3, 31))),
        "12m": ("Last 12 months", (date(2025, 5, 1), date(2026, 4, 30))),
    }
    assert all(window.preset == key for key, (_, window) in presets(TODAY).items())
    # Before April the financial year is the one that began the April before.
    january = presets(date(2026, 1, 15))
    assert (january["fy"][1].start, january["fy"][1].end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert january["quarter"][1].start == date(2025, 10, 1)
    assert january["month"][1].start == date(2025, 12, 1)


def test_latest_data_is_the_twelve_months_to_the_month_of_the_latest_period():
    window = latest_data(DataSpan(latest=date(2026, 2, 14)))
    assert (window.start, window.end, window.preset) == (
        date(2025, 3, 1),
        date(2026, 2, 28),
        "latest",
    )
    assert latest_data(DataSpan()) is None
    options = presets(TODAY, DataSpan(latest=date(2026, 2, 14)))
    assert options["latest"][0] == "Latest data: 12 months to February 2026"
    # Data that ends with a financial year opens on that year, named as one.
    options = presets(TODAY, DataSpan(latest=date(2025, 3, 31), financial_years=[2024, 2023]))
    assert options["latest"][0] == "Latest data: financial year 2024–25"
    # Past financial years with data each get a preset, except the one "latest" already is.
    assert "fy2024" not in options
    assert options["fy2023"] == (
        "Financial year 2023–24",
        Window(date(2023, 4, 1), date(2024, 3, 31), "fy2023"),
    )


def test_past_financial_years_are_offered_back_to_the_first_year_recorded():
    options = presets(TODAY, DataSpan(latest=date(2026, 4, 30), financial_years=[1900, 1899]))
    assert options["fy1900"][1] == Window(date(1900, 4, 1), date(1901, 3, 31), "fy1900")
    assert "fy1899" not in options


def test_past_financial_years_are_offered_newest_first():
    span = DataSpan(latest=date(2026, 4, 30), financial_years=[2021, 2024, 2022])
    past = [key for key in presets(TODAY, span) if key.startswith("fy2")]
    assert past == ["fy2024", "fy2022", "fy2021"]


def test_the_current_financial_year_is_not_offered_twice():
    options = presets(TODAY, DataSpan(latest=date(2026, 4, 30), financial_years=[2026, 2025]))
    assert "fy2026" not in options and "fy2025" in options


def _asked(**params) -> tuple[Window, list[str]]:
    query = QueryDict(mutable=True)
    query.update(params)
    return window_from(query, TODAY)


def test_a_url_names_a_window_by_preset_or_by_its_two_ends():
    assert _asked(window="quarter") == (presets(TODAY)["quarter"][1], [])
    window, problems = _asked(**{"from": "2026-01-01", "to": "2026-03-31"})
    assert (window.start, window.end, window.preset, problems) == (
        date(2026, 1, 1),
        date(2026, 3, 31),
        "quarter",  # the same dates as a preset are that preset
        [],
    )
    window, _ = _asked(**{"from": "2026-01-01", "to": "2026-01-01"})
    assert (window.days, window.preset) == (1, "custom")
    # Nothing asked: the default, the last 12 months where there is no data.
    assert _asked() == (presets(TODAY)["12m"][1], [])


def test_what_a_url_may_not_ask_is_said_and_the_default_shown():
    default = presets(TODAY)["12m"][1]
    assert _asked(window="fy1999") == (default, ["There is no window “fy1999” for these services."])
    assert _asked(**{"from": "2026-01-01"}) == (
        default,
        ["Give the end of the window as YYYY-MM-DD."],
    )
    assert _asked(**{"from": "2026-13-01", "to": "2026-01-01"}) == (
        default,
        ["“2026-13-01” is not a date: write the start as YYYY-MM-DD."],
    )
    assert _asked(**{"from": "1899-12-31", "to": "2026-01-01"}) == (
        default,
        [
            "1899-12-31 is outside the dates a window can cover (1900 to 2999): write the "
            "start within them."
        ],
    )
    assert _asked(**{"from": "2026-01-02", "to": "2026-01-01"}) == (
        default,
        ["The window cannot end before it starts."],
    )
    assert _asked(**{"from": "2000-01-01", "to": "2010-01-08"})[1] == []  # 366 × 10 days on
    assert _asked(**{"from": "2000-01-01", "to": "2010-01-09"}) == (
        default,
        ["Choose a window of at most ten years."],
    )


def test_where_the_services_have_data_the_default_is_their_latest_data():
    span = DataSpan(latest=date(2026, 2, 14))
    window, problems = window_from(QueryDict(), TODAY, span)
    assert (window.start, window.end, window.preset, problems) == (
        date(2025, 3, 1),
        date(2026, 2, 28),
        "latest",
        [],
    )


def test_a_window_may_run_from_the_first_to_the_last_day_of_the_years_recorded():
    window, problems = _asked(**{"from": "1900-01-01", "to": "1900-12-31"})
    assert (window.start, problems) == (date(1900, 1, 1), [])
    window, problems = _asked(**{"from": "2999-01-01", "to": "2999-12-31"})
    assert (window.end, problems) == (date(2999, 12, 31), [])


def test_a_long_bad_date_is_quoted_to_forty_characters():
    raw = "x" * 50
    _, problems = _asked(**{"from": raw, "to": "2026-01-01"})
    assert problems == [f"“{'x' * 40}” is not a date: write the start as YYYY-MM-DD."]


def test_a_long_unknown_window_name_is_quoted_to_forty_characters():
    _, problems = _asked(window="w" * 50)
    assert problems == [f"There is no window “{'w' * 40}” for these services."]


def test_latest_data_in_december_ends_with_that_year():
    window = latest_data(DataSpan(latest=date(2025, 12, 3)))
    assert (window.start, window.end) == (date(2025, 1, 1), date(2025, 12, 31))


def test_data_on_the_first_and_last_days_recorded_has_a_latest_window():
    assert latest_data(DataSpan(latest=date(1900, 1, 1))).end == date(1900, 1, 31)
    assert latest_data(DataSpan(latest=date(2999, 12, 31))).end == date(2999, 12, 31)


def test_last_quarter_and_the_financial_year_at_their_turns():
    december = presets(date(2026, 12, 5))
    assert (december["quarter"][1].start, december["quarter"][1].end) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    april = presets(date(2026, 4, 1))  # the first day of the financial year 2026-27
    assert april["fy"][1].start == date(2026, 4, 1)
    march = presets(date(2026, 3, 31))
    assert march["fy"][1].start == date(2025, 4, 1)
