"""Every CSV kind: good rows, each kind of bad row, re-import unchanged, corrections update."""

import contextlib
import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from performance.imports import KINDS, ImportRejected, run_import
from performance.models import (
    CostLine,
    DataQualityFinding,
    HandoffLog,
    ImportRun,
    Measurement,
    Metric,
    StageLog,
)
from services.models import Directorate, Organisation, Service, Stage, Team
from tests.factories import MetricFactory, ServiceFactory, StageFactory, TeamFactory

pytestmark = pytest.mark.django_db


def run(kind: str, text: str, **options):
    return run_import(KINDS[kind](), text.encode(), user=None, source="test", **options)


def errors_of(kind: str, text: str) -> list[str]:
    with pytest.raises(ImportRejected) as excinfo:
        run(kind, text)
    return [str(e) for e in excinfo.value.errors]


def counts(outcome) -> tuple[int, int, int]:
    return outcome.counts.created, outcome.counts.updated, outcome.counts.unchanged


@pytest.fixture
def grants():
    """A service with a three-stage journey across two organisations."""
    dept = TeamFactory(
        name="Casework", directorate__name="Operations", directorate__organisation__name="Dept"
    )
    agency = TeamFactory(
        name="Assessors", directorate__name="Grants", directorate__organisation__name="Agency"
    )
    service = ServiceFactory(slug="grants", organisation=dept.directorate.organisation)
    for position, (name, team) in enumerate(
        [("Apply", dept), ("Check", dept), ("Assess", agency)], start=1
    ):
        StageFactory(service=service, position=position, name=name, team=team)
    return service


# --- File-level checks --------------------------------------------------------------------


MEASUREMENTS = "service,metric,period_start,period_end,value,channel\n"


def test_bom_spaces_windows_line_endings_and_trailing_blank_lines_are_fine(grants):
    text = (
        "\ufeffservice, metric ,period_start,period_end,value,channel\r\n"
        " grants , transactions ,2026-01-01,2026-01-31, 1200 ,digital\r\n\r\n\r\n"
    )
    assert counts(run("measurements", text)) == (1, 0, 0)


def test_wrong_headers_are_refused_naming_the_columns(grants):
    problems = errors_of("measurements", "service,metrik,period_start,value,colour\n")
    assert problems == [
        "line 1: missing columns: metric, period_end",
        "line 1: unknown columns: metrik, colour; a measurements file has service, metric, "
        "period_start, period_end, value, channel",
    ]


def test_an_empty_file_is_refused():
    assert errors_of("measurements", "") == ["line 1: the file is empty; it needs a header row"]


def test_a_file_with_only_a_header_is_refused():
    assert errors_of("measurements", MEASUREMENTS) == ["the file: there are no rows to import"]


def test_binary_and_wrong_encoding_are_refused():
    with pytest.raises(ImportRejected) as binary:
        run_import(KINDS["costs"](), b"\x89PNG\r\n\x1a\n\x00\x00", user=None, source="test")
    assert "holds binary data" in str(binary.value.errors[0])
    with pytest.raises(ImportRejected) as latin:
        run_import(
            KINDS["org"](), "organisation\nCaf\xe9".encode("latin-1"), user=None, source="test"
        )
    assert "is not UTF-8 text" in str(latin.value.errors[0])


def test_a_nul_past_the_first_8_kb_is_refused_with_its_line(grants):
    rows = "".join(f"grants,transactions,2026-01-01,2026-01-31,{n},\n" for n in (1, 2))
    rows = rows * 200 + "grants,transactions,2026-01-01,2026-01-31,5\x00,\n"
    assert len(MEASUREMENTS + rows) > 8192
    assert errors_of("measurements", MEASUREMENTS + rows) == [
        "line 402: holds a NUL character, which no CSV cell may hold: remove it"
    ]
    assert not Measurement.objects.exists()


def test_a_row_with_the_wrong_number_of_cells_is_reported(grants):
    problems = errors_of("measurements", MEASUREMENTS + "grants,transactions,2026-01-01\n")
    assert problems == ["line 2: has 3 cells; the header has 6"]


def test_rejection_is_recorded_and_changes_nothing(grants):
    text = MEASUREMENTS + "grants,transactions,2026-01-01,2026-01-31,5,\nnope,x,y,z,w,\n"
    errors_of("measurements", text)
    assert not Measurement.objects.exists()
    rejected = ImportRun.objects.get()
    assert rejected.outcome == "rejected" and len(rejected.errors) >= 3


# --- measurements ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            "grnts,transactions,2026-01-01,2026-01-31,5,",
            'line 2, column service: unknown service "grnts" (did you mean "grants"?)',
        ),
        (
            "grants,transactions,2026-01-01,2026-01-31,twelve,",
            'line 2, column value: "twelve" is not a whole number',
        ),
        (
            "grants,transactions,2026-01-01,2026-01-31,-3,",
            "line 2, column value: -3 is negative; it must be 0 or more",
        ),
        (
            "grants,completion_rate,2026-01-01,2026-01-31,1.7,",
            "line 2, column value: 1.7 is above 1; it must be 1 or less",
        ),
        (
            "grants,user_satisfaction,2026-01-01,2026-01-31,140,",
            "line 2, column value: 140 is above 100; it must be 100 or less",
        ),
        (
            "grants,transactions,2026-02-01,2026-01-31,5,",
            "line 2, column period_end: 2026-01-31 is before the period starts (2026-02-01)",
        ),
        (
            "grants,transactions,2026-01-01,31/01/2026,5,",
            'line 2, column period_end: "31/01/2026" is not a date written YYYY-MM-DD',
        ),
        (
            "grants,transactions,2026-01-01,2026-01-31,5,fax",
            'line 2, column channel: "fax" is not one of: digital, assisted_digital, phone, paper, '
            "in_person, other",
        ),
        (
            "grants,satisfaction,2026-01-01,2026-01-31,5,",
            'line 2, column metric: unknown metric "satisfaction" for grants (did you mean '
            '"user_satisfaction"?); the standard metrics are transactions, started, '
            "completion_rate, user_satisfaction, contacts, failure_demand_contacts",
        ),
    ],
)
def test_each_kind_of_bad_measurement_row(grants, row, problem):
    assert errors_of("measurements", MEASUREMENTS + row + "\n") == [problem]


def test_duplicate_rows_in_one_file_are_refused(grants):
    row = "grants,transactions,2026-01-01,2026-01-31,5,digital\n"
    assert errors_of("measurements", MEASUREMENTS + row + row) == [
        "line 3: repeats line 2 (the same service, metric, period and channel); give each once"
    ]


def test_measurements_reimport_unchanged_and_correction_updates(grants):
    text = MEASUREMENTS + (
        "grants,transactions,2026-01-01,2026-01-31,1200,digital\n"
        "grants,transactions,2026-01-01,2026-01-31,300,phone\n"
        "grants,completion_rate,2026-01-01,2026-01-31,0.82,\n"
    )
    assert counts(run("measurements", text)) == (3, 0, 0)
    assert counts(run("measurements", text)) == (0, 0, 3)
    corrected = text.replace("300,phone", "320,phone")
    assert counts(run("measurements", corrected)) == (0, 1, 2)
    assert Measurement.objects.get(channel="phone").value == Decimal(320)
    metric = Metric.objects.get(service=grants, key="transactions")
    assert (metric.name, metric.higher_is_better) == ("Completed transactions", True)


def test_a_service_defined_metric_takes_any_number(grants):
    MetricFactory(
        service=grants, key="days_to_decide", name="Days to decide", higher_is_better=False
    )
    text = MEASUREMENTS + "grants,days_to_decide,2026-01-01,2026-01-31,23.5,\n"
    assert counts(run("measurements", text)) == (1, 0, 0)


def test_dry_run_reports_but_changes_nothing(grants):
    text = MEASUREMENTS + "grants,transactions,2026-01-01,2026-01-31,5,\n"
    assert counts(run("measurements", text, dry_run=True)) == (1, 0, 0)
    assert not Measurement.objects.exists()
    assert not Metric.objects.exists()


# --- org, services, stages -----------------------------------------------------------------


def test_org_file_builds_the_structure_and_reimports_unchanged():
    text = (
        "organisation,directorate,team,team_type\n"
        "Dept,Operations,Casework,operations\n"
        "Dept,Operations,Contact centre,operations\n"
        "Dept,Digital,Apply team,stream-aligned\n"
        "Agency,Grants,Assessors,operations\n"
    )
    outcome = run("org", text)
    assert counts(outcome) == (4, 0, 0)
    assert vars(outcome.details["organisations"]) == {"created": 2, "updated": 0, "unchanged": 0}
    assert (Organisation.objects.count(), Directorate.objects.count(), Team.objects.count()) == (
        2,
        3,
        4,
    )
    assert counts(run("org", text)) == (0, 0, 4)
    assert counts(run("org", text.replace("Apply team,stream-aligned", "Apply team,platform"))) == (
        0,
        1,
        3,
    )


def test_org_preview_names_what_is_new_and_the_existing_name_it_may_mean():
    header = "organisation,directorate,team,team_type\n"
    run("org", header + "Department for Housing,Operations,Casework,operations\n")
    text = (
        "organisation,directorate,team,team_type\n"
        "Department for Housing & Communities,Operations,Casework,operations\n"
        "Department for Housing,Operatoins,Casework,operations\n"
    )
    outcome = run("org", text, dry_run=True)
    assert outcome.notes == [
        "New organisation “Department for Housing & Communities” "
        '(did you mean "Department for Housing"?).',
        "New directorate “Operations” in Department for Housing & Communities.",
        'New directorate “Operatoins” in Department for Housing (did you mean "Operations"?).',
    ]
    assert Organisation.objects.count() == 1  # a preview writes nothing


def test_org_file_refuses_an_unknown_team_type():
    problems = errors_of(
        "org", "organisation,directorate,team,team_type\nDept,Ops,Case,operation\n"
    )
    assert problems[0].startswith('line 2, column team_type: "operation" is not one of:')
    assert '(did you mean "operations"?)' in problems[0]


def test_org_file_refuses_a_name_with_a_line_break_and_keeps_a_purpose_of_lines(grants):
    problems = errors_of(
        "org", 'organisation,directorate,team,team_type\nDept,Ops,"Case\nwork",operations\n'
    )
    assert problems == ["line 2, column team: holds a line break; write it on one line"]
    text = (
        "service,name,organisation,phase,kind,purpose,leadership_model\n"
        'renew,Renew a licence,Agency,live,internal,"Renew it.\nEvery year.",\n'
    )
    assert counts(run("services", text)) == (1, 0, 0)
    assert Service.objects.get(slug="renew").purpose == "Renew it.\nEvery year."


def test_services_file_upserts_by_slug(grants):
    text = (
        "service,name,organisation,phase,kind,purpose,leadership_model\n"
        "grants,Apply for a grant,Dept,beta,transactional,,team\n"
        "renew,Renew a licence,Agency,live,internal,Renew it,\n"
    )
    assert counts(run("services", text)) == (1, 1, 0)
    grants.refresh_from_db()
    assert (grants.name, grants.phase, grants.leadership_model) == (
        "Apply for a grant",
        "beta",
        "team",
    )
    assert grants.purpose != ""  # an empty optional cell leaves the value as it was
    assert counts(run("services", text)) == (0, 0, 2)


def test_services_file_refuses_a_bad_slug_and_unknown_organisation():
    problems = errors_of(
        "services",
        "service,name,organisation,phase,kind\nApply Grant,Apply,Nowhere,live,transactional\n",
    )
    assert problems == [
        'line 2, column service: "Apply Grant" is not a slug (lower-case letters, digits, hyphens)',
        'line 2, column organisation: unknown organisation "Nowhere"',
    ]


def test_stages_file_sets_the_journey_and_keeps_unnamed_stages_after(grants):
    text = (
        "service,position,stage,organisation,directorate,team,online\n"
        "grants,1,Check,Dept,Operations,Casework,yes\n"
        "grants,2,Apply,Dept,Operations,Casework,no\n"
    )
    assert counts(run("stages", text)) == (0, 2, 0)
    assert list(grants.stages.order_by("position").values_list("name", flat=True)) == [
        "Check",
        "Apply",
        "Assess",
    ]
    assert counts(run("stages", text)) == (0, 0, 2)


def test_stages_file_names_the_closest_team(grants):
    text = (
        "service,position,stage,organisation,directorate,team\n"
        "grants,1,Apply,Dept,Operations,Casewrk\n"
        "grants,2,Check,Dept,Operations,Casework\n"
    )
    assert errors_of("stages", text) == [
        'line 2, column team: unknown team "Casewrk" in Operations (did you mean "Casework"?)',
    ]


def test_stages_file_refuses_two_stages_at_one_position(grants):
    text = (
        "service,position,stage,organisation,directorate,team\n"
        "grants,1,Apply,Dept,Operations,Casework\n"
        "grants,1,Check,Dept,Operations,Casework\n"
    )
    assert errors_of("stages", text) == [
        "line 3: repeats line 2 (the same service and position); give each once"
    ]


# --- stage_logs, handoffs -------------------------------------------------------------------


def test_stage_logs_upsert(grants):
    text = (
        "service,stage,period_start,period_end,completed,median_process_hours\n"
        "grants,Apply,2026-03-02,2026-03-08,120,3.5\n"
    )
    assert counts(run("stage_logs", text)) == (1, 0, 0)
    assert counts(run("stage_logs", text)) == (0, 0, 1)
    assert counts(run("stage_logs", text.replace("120", "121"))) == (0, 1, 0)
    assert StageLog.objects.get().completed == 121


def test_stage_logs_name_the_closest_stage(grants):
    text = (
        "service,stage,period_start,period_end,completed,median_process_hours\n"
        "grants,Aply,2026-03-02,2026-03-08,120,3.5\n"
    )
    assert errors_of("stage_logs", text) == [
        'line 2, column stage: unknown stage "Aply" of grants (did you mean "Apply"?)'
    ]


HANDOFFS = (
    "service,from_stage,to_stage,period_start,period_end,handed_over,returned,median_wait_hours\n"
)


def test_handoffs_upsert_and_check_the_journey(grants):
    text = HANDOFFS + "grants,Check,Assess,2026-03-02,2026-03-08,100,12,48\n"
    assert counts(run("handoffs", text)) == (1, 0, 0)
    assert counts(run("handoffs", text)) == (0, 0, 1)
    log = HandoffLog.objects.get()
    assert (log.handoff.from_stage.name, log.handed_over, log.median_wait_hours) == (
        "Check",
        100,
        Decimal(48),
    )


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            "grants,Apply,Assess,2026-03-02,2026-03-08,10,1,4",
            'line 2, column to_stage: "Assess" does not follow "Apply" in grants\'s journey; '
            "hand-offs run between consecutive stages",
        ),
        (
            "grants,Check,Assess,2026-03-02,2026-03-08,10,11,4",
            "line 2, column returned: 11 is more than the 10 handed over",
        ),
        (
            "grants,Check,Assess,2026-03-02,2026-03-08,ten,1,4",
            'line 2, column handed_over: "ten" is not a whole number',
        ),
    ],
)
def test_bad_handoff_rows(grants, row, problem):
    assert errors_of("handoffs", HANDOFFS + row + "\n") == [problem]


def test_hours_are_stored_as_given_and_more_precision_is_refused(grants):
    text = HANDOFFS + "grants,Check,Assess,2026-03-02,2026-03-08,100,12,2.37\n"
    assert counts(run("handoffs", text)) == (1, 0, 0)
    assert HandoffLog.objects.get().median_wait_hours == Decimal("2.37")
    assert counts(run("handoffs", text)) == (0, 0, 1)  # the same file again changes nothing
    assert counts(run("handoffs", text.replace("2.37", "2.370"))) == (0, 0, 1)
    assert errors_of("handoffs", text.replace("2.37", "2.375")) == [
        "line 2, column median_wait_hours: 2.375 has 3 decimal places; at most 2 are kept, "
        "so give it to that precision"
    ]
    stage_logs = "service,stage,period_start,period_end,completed,median_process_hours\n"
    assert counts(
        run("stage_logs", stage_logs + "grants,Check,2026-03-02,2026-03-08,9,0.05\n")
    ) == (
        1,
        0,
        0,
    )
    assert StageLog.objects.get().median_process_hours == Decimal("0.05")
    assert errors_of("stage_logs", stage_logs + "grants,Check,2026-03-02,2026-03-08,9,0.051\n")


def test_measurement_values_keep_six_decimal_places_and_refuse_a_seventh(grants):
    text = MEASUREMENTS + "grants,completion_rate,2026-01-01,2026-01-31,0.123456,\n"
    assert counts(run("measurements", text)) == (1, 0, 0)
    assert Measurement.objects.get().value == Decimal("0.123456")
    assert counts(run("measurements", text)) == (0, 0, 1)
    assert errors_of("measurements", text.replace("0.123456", "0.1234567")) == [
        "line 2, column value: 0.1234567 has 7 decimal places; at most 6 are kept, "
        "so give it to that precision"
    ]


# --- costs ----------------------------------------------------------------------------------


COSTS = (
    "service,period_start,period_end,amount,category,spend,organisation,directorate,team,currency\n"
)


def test_costs_upsert_with_the_site_currency_by_default(grants):
    text = COSTS + (
        "grants,2026-03-01,2026-03-31,48250.00,staff,run,Dept,Operations,Casework,\n"
        "grants,2026-03-01,2026-03-31,12000,technology,change,Agency,,,EUR\n"
    )
    assert counts(run("costs", text)) == (2, 0, 0)
    assert sorted(CostLine.objects.values_list("currency", flat=True)) == ["EUR", "GBP"]
    assert counts(run("costs", text)) == (0, 0, 2)
    assert counts(run("costs", text.replace("12000", "12500"))) == (0, 1, 1)
    line = CostLine.objects.get(currency="EUR")
    assert line.history.count() == 2  # created, then corrected: both on record


def test_costs_default_to_the_paying_organisations_currency_and_programme_may_be_negative(grants):
    Organisation.objects.filter(name="Agency").update(currency="CAD")
    text = COSTS + (
        "grants,2026-03-01,2026-03-31,100,staff,run,Agency,,,\n"
        "grants,2026-03-01,2026-03-31,-2500.25,programme,run,Agency,,,\n"
    )
    assert counts(run("costs", text)) == (2, 0, 0)
    assert sorted(CostLine.objects.values_list("category", "currency", "amount")) == [
        ("programme", "CAD", Decimal("-2500.25")),
        ("staff", "CAD", Decimal(100)),
    ]


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            "grants,2026-03-01,2026-03-31,-5,staff,run,Dept,,,",
            "line 2, column amount: -5 is below 0; it must be 0 or more",
        ),
        (
            "grants,2026-03-01,2026-03-31,5.123,staff,run,Dept,,,",
            "line 2, column amount: 5.123 has 3 decimal places; at most 2 are kept, "
            "so give it to that precision",
        ),
        (
            "grants,2026-03-01,2026-03-31,5,staff,capex,Dept,,,",
            'line 2, column spend: "capex" is not one of: run, change',
        ),
        (
            "grants,2026-03-01,2026-03-31,5,staff,run,Dept,,Casework,",
            "line 2, column team: a paying team needs its directorate too",
        ),
        (
            "grants,2026-03-01,2026-03-31,5,staff,run,Dept,,,pounds",
            'line 2, column currency: "pounds" is not a three-letter currency code such as GBP',
        ),
    ],
)
def test_bad_cost_rows(grants, row, problem):
    assert errors_of("costs", COSTS + row + "\n") == [problem]


# --- the command --------------------------------------------------------------------------


def test_command_prints_counts_and_exits_non_zero_on_rejection(grants, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_text(MEASUREMENTS + "grants,transactions,2026-01-01,2026-01-31,5,\n")
    call_command("import_csv", "measurements", str(good))
    assert "1 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(MEASUREMENTS + "grants,transactions,2026-01-01,2026-01-31,x,\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_csv", "measurements", str(bad))
    assert "line 2, column value" in capsys.readouterr().err


# --- nothing but validation errors, whatever the row ---------------------------------------

cell = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30),
    st.sampled_from(
        [
            "",
            "grants",
            "transactions",
            "2026-01-01",
            "-1",
            "1e400",
            "NaN",
            "0.5",
            "Infinity",
            "digital",
            "\x00",
            "9" * 40,
        ]
    ),
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=st.sampled_from(sorted(KINDS)), cells=st.lists(cell, min_size=1, max_size=12))
def test_no_row_raises_anything_but_a_rejection(grants, kind, cells):
    spec = KINDS[kind]
    header = spec.columns + spec.optional
    values = (cells * 12)[: len(header)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerow(values)
    with contextlib.suppress(ImportRejected):
        run_import(
            spec(),
            buffer.getvalue().encode("utf-8", "surrogatepass"),
            user=None,
            source="test",
            dry_run=True,
        )


def test_period_records_within_the_transaction_roll_back_together(grants):
    """All or nothing: a failure while applying leaves nothing half-written."""
    text = MEASUREMENTS + "grants,transactions,2026-01-01,2026-01-31,5,\n"
    kind = KINDS["measurements"]()
    original = kind.apply

    def apply_then_fail(rows, user, run_):
        original(rows, user, run_)
        raise RuntimeError("disk full")

    kind.apply = apply_then_fail
    with pytest.raises(RuntimeError):
        run_import(kind, text.encode(), user=None, source="test")
    assert not Measurement.objects.exists() and not Metric.objects.exists()


def test_leaders_import_only_for_services_they_lead(grants):
    from services.actions import service_access_sync
    from tests.factories import PersonFactory, ServiceLeaderFactory, UserFactory

    leader = UserFactory()
    ServiceLeaderFactory(service=grants, person=PersonFactory(user=leader))
    other = ServiceFactory(slug="other")
    service_access_sync()
    text = MEASUREMENTS + "other,transactions,2026-01-01,2026-01-31,5,\n"
    with pytest.raises(ImportRejected) as excinfo:
        run_import(KINDS["measurements"](), text.encode(), user=leader, source="test")
    assert str(excinfo.value.errors[0]) == (
        'line 2, column service: you do not lead "other", so you cannot import data for it'
    )
    assert other.pk
    with pytest.raises(ImportRejected) as org:
        run_import(
            KINDS["org"](),
            b"organisation,directorate,team,team_type\nA,B,C,policy\n",
            user=leader,
            source="test",
        )
    assert str(org.value.errors[0]) == "the file: only org admins can import org files"


def test_an_import_neither_names_nor_suggests_a_service_the_user_may_not_see(grants):
    from services.actions import service_access_sync
    from tests.factories import PersonFactory, ServiceLeaderFactory, UserFactory

    leader = UserFactory()
    ServiceLeaderFactory(service=grants, person=PersonFactory(user=leader))
    ServiceFactory(slug="fraud-referrals", restricted=True)
    service_access_sync()
    rows = "".join(
        f"{slug},transactions,2026-01-01,2026-01-31,5,\n"
        for slug in ("fraud-referral", "fraud-referrals", "grant")
    )
    with pytest.raises(ImportRejected) as excinfo:
        run_import(KINDS["measurements"](), (MEASUREMENTS + rows).encode(), user=leader, source="t")
    assert [str(e) for e in excinfo.value.errors] == [
        'line 2, column service: unknown service "fraud-referral"',
        'line 3, column service: unknown service "fraud-referrals"',
        'line 4, column service: unknown service "grant" (did you mean "grants"?)',
    ]


def test_import_run_records_the_services_it_touched(grants):
    outcome = run("measurements", MEASUREMENTS + "grants,transactions,2026-01-01,2026-01-31,5,\n")
    assert list(outcome.run.services.all()) == [grants]
    assert outcome.run.outcome == "applied" and outcome.run.created == 1


def test_stage_positions_stay_valid_after_a_stages_import(grants):
    run(
        "stages",
        "service,position,stage,organisation,directorate,team\n"
        "grants,3,Apply,Dept,Operations,Casework\n",
    )
    positions = sorted(Stage.objects.filter(service=grants).values_list("position", flat=True))
    assert len(set(positions)) == len(positions)
    assert Service.objects.get(pk=grants.pk).stages.get(name="Apply").position == 3


# --- Data-quality findings ----------------------------------------------------------------


def test_measurements_that_contradict_each_other_are_imported_and_flagged(grants):
    text = MEASUREMENTS + (
        "grants,transactions,2026-01-01,2026-01-31,90,digital\n"
        "grants,transactions,2026-01-01,2026-01-31,30,phone\n"
        "grants,started,2026-01-01,2026-01-31,100,\n"
    )
    outcome = run("measurements", text)
    assert counts(outcome) == (3, 0, 0)
    finding = DataQualityFinding.objects.get()
    assert (finding.kind, finding.service.slug) == ("volumes_contradict", "grants")
    assert finding.message == "2026-01-01 to 2026-01-31: 120 transactions but only 100 started."
    assert outcome.notes[0] == (
        "1 data-quality finding: 2026-01-01 to 2026-01-31: 120 transactions but only 100 started."
    )
    # The corrected file replaces the finding; importing it again changes nothing.
    corrected = text.replace(",100,\n", ",150,\n")
    run("measurements", corrected)
    assert not DataQualityFinding.objects.exists()
    assert counts(run("measurements", corrected)) == (0, 0, 3)


def test_a_period_not_yet_ended_is_flagged(grants):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    later = today + timedelta(days=400)
    text = MEASUREMENTS + f"grants,transactions,{today},{later},5,digital\n"
    run("measurements", text)
    assert DataQualityFinding.objects.get().kind == "period_not_ended"
    costs = COSTS + f"grants,{today},{later},10,staff,run,Dept,,,\n"
    run("costs", costs)
    assert DataQualityFinding.objects.filter(kind="period_not_ended").count() == 2


def test_a_dry_run_records_no_finding(grants):
    text = MEASUREMENTS + (
        "grants,transactions,2026-01-01,2026-01-31,120,digital\n"
        "grants,started,2026-01-01,2026-01-31,100,\n"
    )
    outcome = run("measurements", text, dry_run=True)
    assert "1 data-quality finding" in outcome.notes[0]
    assert not DataQualityFinding.objects.exists()


def test_dates_outside_the_years_recorded_are_refused_by_name(grants):
    errors = errors_of(
        "measurements",
        MEASUREMENTS
        + "grants,transactions,0001-01-01,0001-01-31,5,digital\n"
        + "grants,transactions,2026-01-01,3000-01-31,5,digital\n",
    )
    assert errors == [
        "line 2, column period_start: 0001-01-01 is outside the years this records (1900 to 2999)",
        "line 2, column period_end: 0001-01-31 is outside the years this records (1900 to 2999)",
        "line 3, column period_end: 3000-01-31 is outside the years this records (1900 to 2999)",
    ]
