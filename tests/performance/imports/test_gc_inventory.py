"""The GC Service Inventory import, on a committed extract and on the full published files."""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from performance.figures.metrics import kpi_status, summaries, summary
from performance.imports.base import ImportRejected
from performance.imports.gc_inventory import import_gc_inventory, number, read_files, split
from performance.models import CostLine, DataQualityFinding, ImportRun, Measurement, Metric
from performance.windows import Window
from services.models import Directorate, Organisation, Service, Stage
from tests.data import CASES, EXTRACT, FULL
from tests.factories import CostLineFactory

pytestmark = pytest.mark.django_db


def rows(folder: Path, name: str) -> list[dict]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def independent_counts(folder: Path) -> tuple[int, int, int]:
    inventory = rows(folder, "si_2024.csv")
    programmes = {
        (r["owner_org"], code.strip())
        for r in inventory
        for code in r["program_id"].split(",")
        if code.strip()
    }
    return (
        len({r["owner_org"] for r in inventory}),
        len(programmes),
        len({r["service_id"] for r in inventory}),
    )


def test_not_given_is_never_zero():
    assert [number(v) for v in ["NA", "ND", "", " nd ", "0", "12"]] == [
        None,
        None,
        None,
        None,
        Decimal(0),
        Decimal(12),
    ]


def test_split_adds_up_exactly_to_the_cent():
    shares = split(Decimal("100.00"), [Decimal(1), Decimal(1), Decimal(1)])
    assert shares == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(split(Decimal("52360723.82"), [Decimal(7), Decimal(0), Decimal(13)])) == Decimal(
        "52360723.82"
    )


def test_extract_loads_with_counts_matching_the_files():
    outcome = import_gc_inventory(read_files(EXTRACT))
    orgs, programmes, services = independent_counts(EXTRACT)
    assert Organisation.objects.count() == orgs == 2
    assert Directorate.objects.exclude(code="").count() == programmes
    assert Service.objects.filter(slug__startswith="gc-").count() == services == 6
    assert outcome.skipped["service standard for a service not in the inventory"] == 1
    run = ImportRun.objects.get(kind="gc_inventory")
    assert run.outcome == "applied" and run.services.count() == 6


def test_extract_translates_codes_and_builds_online_journeys():
    import_gc_inventory(read_files(EXTRACT))
    source = {r["service_id"]: r for r in rows(EXTRACT, "si_2024.csv")}["3685"]
    service = Service.objects.get(slug="gc-3685")
    assert service.name == source["service_name_en"]
    assert service.organisation.name == source["owner_org_title"].split(" | ")[0]
    assert "Clients:" in service.serves and "ECONOM" not in service.serves
    stages = list(service.stages.order_by("position").values_list("name", "online"))
    expected = [
        (name, source[column] == "Y")
        for column, name in [
            ("os_account_registration", "Account registration"),
            ("os_authentication", "Authentication"),
            ("os_application", "Application"),
            ("os_decision", "Decision"),
            ("os_issuance", "Issuance"),
            ("os_issue_resolution_feedback", "Issue resolution and feedback"),
        ]
        if source[column] in {"Y", "N"}
    ]
    assert stages == expected
    assert all(s.team is not None for s in service.stages.all())
    assert service.stages.first().team.name.endswith(" delivery")


def test_digital_take_up_is_online_over_all_channels():
    import_gc_inventory(read_files(EXTRACT))
    source = {r["service_id"]: r for r in rows(EXTRACT, "si_2024.csv")}["3685"]
    volumes = [
        number(source[c])
        for c in [
            "num_applications_online",
            "num_applications_by_phone",
            "num_applications_in_person",
            "num_applications_by_mail",
            "num_applications_by_email",
            "num_applications_by_fax",
            "num_applications_by_other",
        ]
    ]
    given = [v for v in volumes if v is not None]
    measured = Measurement.objects.filter(
        metric__service__slug="gc-3685", metric__key="transactions"
    )
    digital = measured.get(channel="digital").value
    assert digital == number(source["num_applications_online"])
    assert digital / measured.aggregate(total=Sum("value"))["total"] == volumes[0] / sum(given)


def test_not_given_volumes_make_no_measurement():
    import_gc_inventory(read_files(EXTRACT))
    assert not Measurement.objects.filter(
        metric__service__slug="gc-716", metric__key="transactions", channel="digital"
    ).exists()  # its online volume is ND


def test_standards_become_metrics_whose_status_follows_target_and_performance():
    import_gc_inventory(read_files(EXTRACT))
    for standard in rows(EXTRACT, "ss_2024.csv"):
        if standard["service_id"] == "999999" or not standard["performance"]:
            continue
        metric = Metric.objects.get(key=f"standard-{standard['service_standard_id']}")
        assert metric.target == Decimal(standard["target"]) and metric.higher_is_better
        value = metric.measurements.get().value
        met = Decimal(standard["performance"]) >= Decimal(standard["target"])
        assert (kpi_status(value, metric.target, True) == "on_target") == met


def test_each_organisation_has_its_programmes_actual_ftes_of_the_latest_year():
    import_gc_inventory(read_files(EXTRACT))
    # Each organisation by its name as org_var.csv gives it (one of its variants).
    ids = {r["org_name_variant"]: r["org_id"] for r in rows(EXTRACT, "org_var.csv")}
    years: dict[str, dict[str, Decimal]] = {}
    for r in rows(EXTRACT, "rbpo.csv"):
        if r["actual_ftes"]:
            by_year = years.setdefault(r["organization_id"], {})
            by_year[r["fy_ef"]] = by_year.get(r["fy_ef"], Decimal(0)) + Decimal(r["actual_ftes"])
    checked = 0
    for organisation in Organisation.objects.all():
        by_year = years.get(ids.get(organisation.name, ""), {})
        expected = by_year[max(by_year)] if by_year else None
        assert organisation.staff_fte == expected, organisation.name
        checked += expected is not None
    assert checked >= 2


def test_allocated_cost_lines_sum_exactly_to_actual_spending():
    import_gc_inventory(read_files(EXTRACT))
    spending = {
        (r["organization"], r["program_id"]): Decimal(r["actual_spending"])
        for r in rows(EXTRACT, "rbpo.csv")
        if r["fy_ef"] == "FY 2023-24" and r["actual_spending"]
    }
    lines = CostLine.objects.filter(currency="CAD", allocated=True)
    assert lines.exists()
    for directorate in Directorate.objects.exclude(code=""):
        total = lines.filter(directorate=directorate).aggregate(total=Sum("amount"))["total"]
        if total is not None:
            assert total == spending[(directorate.organisation.name, directorate.code)]
    assert all("actual spending" in line.allocation_driver for line in lines)


def test_a_second_run_changes_nothing():
    import_gc_inventory(read_files(EXTRACT))
    second = import_gc_inventory(read_files(EXTRACT))
    assert all(c.created == 0 and c.updated == 0 for c in second.counts.values())
    assert (
        Stage.objects.filter(service__slug__startswith="gc-").count()
        == second.counts["stages"].unchanged
    )


def test_a_newer_snapshot_updates_in_place(tmp_path):
    for name in ["ss_2024.csv", "rbpo.csv", "org_var.csv", "service_data_dict.json"]:
        (tmp_path / name).write_bytes((EXTRACT / name).read_bytes())
    text = (EXTRACT / "si_2024.csv").read_text(encoding="utf-8-sig")
    (tmp_path / "si_2024.csv").write_text(text, encoding="utf-8-sig")
    import_gc_inventory(read_files(tmp_path))
    source = rows(EXTRACT, "si_2024.csv")
    newer = source[1] | {"num_applications_online": "2000"}
    with (tmp_path / "si_2024.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(source[0]))
        writer.writeheader()
        writer.writerows([source[0], newer, *source[2:]])
    outcome = import_gc_inventory(read_files(tmp_path))
    assert outcome.counts["measurements"].updated == 1
    assert Service.objects.filter(slug__startswith="gc-").count() == 6
    assert Measurement.objects.get(
        metric__service__slug=f"gc-{newer['service_id']}", channel="digital"
    ).value == Decimal(2000)


def test_command_prints_the_summary(capsys):
    call_command("import_gc_inventory", str(EXTRACT))
    out = capsys.readouterr().out
    assert "services" in out and "Skipped:" in out
    assert "service standard for a service not in the inventory" in out


@pytest.mark.skipif(not FULL.exists(), reason="the shared GC data folder is not beside the project")
def test_full_inventory_loads_and_matches_an_independent_count():
    outcome = import_gc_inventory(read_files(FULL))
    orgs, programmes, services = independent_counts(FULL)
    assert outcome.counts["organisations"].created == orgs
    assert outcome.counts["directorates"].created == programmes
    assert outcome.counts["services"].created == services
    again = import_gc_inventory(read_files(FULL))
    assert all(c.created == 0 and c.updated == 0 for c in again.counts.values())


def test_org_admin_uploads_the_inventory(client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from services.queries import ORG_ADMINS_GROUP
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True)
    admin.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    client.force_login(admin)
    files = {
        key: SimpleUploadedFile(name, (EXTRACT / name).read_bytes())
        for key, name in [
            ("inventory", "si_2024.csv"),
            ("standards", "ss_2024.csv"),
            ("spending", "rbpo.csv"),
            ("organisations", "org_var.csv"),
            ("dictionary", "service_data_dict.json"),
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):  # the background task, eagerly
        response = client.post(reverse("performance:gc_upload"), files)
    page = client.get(response["Location"]).content.decode()
    assert '<h1 class="govuk-heading-xl">Imported</h1>' in page
    run = ImportRun.objects.get(kind="gc_inventory")
    assert (run.user, run.source, run.outcome) == (admin, "upload", "applied")
    assert Service.objects.filter(slug__startswith="gc-").count() == 6


# --- Figures against the files: what the real data gets wrong ---------------------------------

FY2324 = Window(date(2023, 4, 1), date(2024, 3, 31))


def expected_spending(folder: Path, fiscal: str) -> dict[str, Decimal]:
    """Per organisation (its owner_org slug): the rbpo.csv actuals of the programmes its
    services report in that fiscal year, joined on the organisation id from org_var.csv."""
    org_ids = {r["org_name_variant"]: r["org_id"] for r in rows(folder, "org_var.csv")}
    reported = {
        (r["owner_org"], code.strip())
        for r in rows(folder, "si_2024.csv")
        if r["fiscal_yr"] == fiscal
        for code in r["program_id"].split(",")
        if code.strip()
    }
    fy = f"FY {fiscal[:4]}-{fiscal[-2:]}"
    actuals = {
        (r["organization_id"], r["program_id"]): Decimal(r["actual_spending"])
        for r in rows(folder, "rbpo.csv")
        if r["fy_ef"] == fy and r["actual_spending"]
    }
    expected: dict[str, Decimal] = {}
    for owner, code in reported:
        amount = actuals.get((org_ids.get(owner), code))
        if amount is not None:
            expected[owner] = expected.get(owner, Decimal(0)) + amount
    return expected


def stored_spending(start: date) -> dict[str, Decimal]:
    return {  # to the cent: SQLite adds decimals as floats
        row["service__organisation__slug"]: row["total"].quantize(Decimal("0.01"))
        for row in CostLine.objects.filter(category="programme", period_start=start)
        .values("service__organisation__slug")
        .annotate(total=Sum("amount"))
    }


def findings(kind: str) -> list[tuple[str, str]]:
    return sorted(
        DataQualityFinding.objects.filter(kind=kind).values_list("service__slug", "subject")
    )


def test_spending_is_joined_by_organisation_id_and_never_goes_to_another_organisation():
    import_gc_inventory(read_files(CASES))
    expected = expected_spending(CASES, "2023-2024")
    assert expected == {"cra-arc": Decimal("572000000.00"), "dnd-mdn": Decimal("1000.00")}
    assert stored_spending(date(2023, 4, 1)) == expected
    # Library and Archives reports BRA03, which rbpo.csv gives only to the Canada Revenue
    # Agency: no money, and a finding that names where the code belongs.
    assert not CostLine.objects.filter(service__slug="gc-l1").exists()
    finding = DataQualityFinding.objects.get(service__slug="gc-l1")
    assert finding.kind == "programme_elsewhere" and "Canada Revenue Agency" in finding.message
    assert finding.location == "si_2024.csv line 2"
    assert Organisation.objects.get(slug="dnd-mdn").currency == "CAD"


def test_spending_is_allocated_by_applications_and_adds_up_to_the_cent():
    import_gc_inventory(read_files(CASES))
    # ISS01 in 2023-24: D1 40, D2 60 and D3 2 applications (its later row of two).
    amounts = dict(
        CostLine.objects.filter(period_start=date(2023, 4, 1), service__slug__startswith="gc-d")
        .values_list("service__slug")
        .annotate(total=Sum("amount"))
    )
    assert sum(amounts.values()) == Decimal("1000.00")
    for slug, weight in [("gc-d1", 40), ("gc-d2", 60), ("gc-d3", 2)]:
        assert abs(amounts[slug] - Decimal(1000) * weight / 102) < Decimal("0.01")


def test_negative_actuals_are_kept_and_flagged():
    import_gc_inventory(read_files(CASES))
    line = CostLine.objects.get(service__slug="gc-d1", period_start=date(2022, 4, 1))
    assert line.amount == Decimal("-250.50") and line.category == "programme"
    assert findings("negative_spending") == [("gc-d1", "programme ISS01 2022-23")]


def test_every_fiscal_year_is_kept_in_its_own_year():
    import_gc_inventory(read_files(CASES))
    transactions = dict(
        Measurement.objects.filter(metric__service__slug="gc-d1", metric__key="transactions")
        .values_list("period_start")
        .annotate(total=Sum("value"))
    )
    assert transactions == {date(2022, 4, 1): Decimal(10), date(2023, 4, 1): Decimal(40)}
    # The unfinished 2024-25 row keeps 2023-24's complete figures and adds its own, flagged.
    d2 = dict(
        Measurement.objects.filter(metric__service__slug="gc-d2")
        .values_list("period_start")
        .annotate(total=Sum("value"))
    )
    assert d2 == {date(2023, 4, 1): Decimal(60), date(2024, 4, 1): Decimal(5)}
    assert findings("period_not_ended") == [("gc-d2", "fiscal year 2024-25")]
    assert not CostLine.objects.filter(period_start=date(2024, 4, 1)).exists()
    assert findings("service_id_reused") == [("gc-d3", "service D3")]


def test_not_given_online_volume_means_no_digital_take_up():
    import_gc_inventory(read_files(CASES))
    service = Service.objects.select_related("organisation").get(slug="gc-c1")
    figures = summary(service, FY2324)
    assert figures.outcomes.transactions == Decimal(500)  # phone 400 + mail 100
    assert figures.outcomes.digital_take_up is None  # online is ND: not 0 %
    assert figures.costs.currency == "CAD" and figures.costs.total == Decimal("572000000.00")
    assert figures.cost_per_transaction is None  # programme spending is not cost to serve


def test_standards_are_per_service_with_no_zero_target_and_over_100_flagged():
    import_gc_inventory(read_files(CASES))
    shared = dict(Metric.objects.filter(key="standard-77").values_list("service__slug", "target"))
    assert shared == {"gc-l1": None, "gc-c1": Decimal("0.8")}  # target 0 with NA: no target
    assert not Metric.objects.filter(target=0).exists()
    d1 = Metric.objects.get(service__slug="gc-d1", key="standard-88")
    assert sorted(d1.measurements.values_list("period_start", "value")) == [
        (date(2022, 4, 1), Decimal("0.5")),
        (date(2023, 4, 1), Decimal("1.05")),  # kept as published
    ]
    assert findings("performance_over_100") == [("gc-d1", "standard 88 2023-24")]


def test_cases_reimport_changes_nothing():
    import_gc_inventory(read_files(CASES))
    again = import_gc_inventory(read_files(CASES))
    assert all(c.created == 0 and c.updated == 0 for c in again.counts.values())
    assert not again.removed.total()


def test_spending_needs_org_var_beside_it():
    files = {k: v for k, v in read_files(CASES).items() if k != "organisations"}
    with pytest.raises(ImportRejected) as rejected:
        import_gc_inventory(files)
    assert "org_var.csv" in str(rejected.value.errors[0])


@pytest.mark.skipif(not FULL.exists(), reason="the shared GC data folder is not beside the project")
def test_full_inventory_figures_match_the_files():
    import_gc_inventory(read_files(FULL))
    assert stored_spending(date(2023, 4, 1)) == expected_spending(FULL, "2023-2024")
    inventory = rows(FULL, "si_2024.csv")
    # Services whose 2023-24 online volume is ND but other channels are given: no take-up.
    nd = [
        f"gc-{r['service_id'].lower()}"
        for r in inventory
        if r["fiscal_yr"] == "2023-2024" and r["num_applications_online"] == "ND"
    ]
    services = list(Service.objects.filter(slug__in=nd).select_related("organisation"))
    assert len(services) > 100
    assert all(s.outcomes.digital_take_up is None for s in summaries(services, FY2324).values())
    # 2022-23 figures exist for the services that have 2022-23 rows with volumes.
    earlier = {
        f"gc-{r['service_id'].lower()}"
        for r in inventory
        if r["fiscal_yr"] == "2022-2023" and number(r["num_applications_total"])
    }
    assert earlier and earlier <= set(
        Measurement.objects.filter(period_start=date(2022, 4, 1)).values_list(
            "metric__service__slug", flat=True
        )
    )
    # As many standards per service as the file has, and no target of 0 anywhere.
    standards: dict[str, set] = {}
    known = {f"gc-{r['service_id'].lower()}" for r in inventory}
    for r in rows(FULL, "ss_2024.csv"):
        slug = f"gc-{r['service_id'].lower()}"
        if slug in known:
            standards.setdefault(slug, set()).add(r["service_standard_id"])
    stored = dict(
        Metric.objects.filter(key__startswith="standard-")
        .values_list("service__slug")
        .annotate(n=Count("pk"))
    )
    assert stored == {slug: len(ids) for slug, ids in standards.items()}
    assert not Metric.objects.filter(target=0).exists()
    # Whether each service uses an automated decision system, and how it is described, as
    # its latest year's row says (Y, N or not said).
    latest: dict[str, dict] = {}
    for r in inventory:
        slug = f"gc-{r['service_id'].strip().lower()}"
        if slug not in latest or r["fiscal_yr"] > latest[slug]["fiscal_yr"]:
            latest[slug] = r
    said = {"Y": True, "N": False}
    expected_ads = {
        slug: (
            said.get(r["automated_decision_system"].strip().upper()),
            r["automated_decision_system_description_en"].strip(),
        )
        for slug, r in latest.items()
    }
    stored_ads = {
        slug: (uses, described)
        for slug, uses, described in Service.objects.filter(slug__startswith="gc-").values_list(
            "slug", "automated_decision_system", "automated_decision_description"
        )
    }
    assert stored_ads == expected_ads
    assert sum(uses is True for uses, _ in stored_ads.values()) > 30


def test_the_portfolio_opens_on_the_latest_data_not_on_the_current_year(colleague_client):
    from django.urls import reverse

    import_gc_inventory(read_files(CASES))
    page = colleague_client.get(reverse("performance:portfolio"))
    # Four of five services end in 2023-24; one also has an unfinished 2024-25 row.
    assert page.context["window"] == Window(date(2023, 4, 1), date(2024, 3, 31), "latest")
    totals = page.context["totals"]
    assert (totals.services_reporting, totals.services) == (5, 5)
    assert totals.total_cost == {"CAD": Decimal("572001000.00")}
    text = page.content.decode()
    assert "Latest data: financial year 2023–24" in text
    assert "Financial year 2022–23" in text and "Financial year 2024–25" in text
    assert text.count("Financial year 2023–24") == 0  # it is the latest data


def test_the_services_in_view_set_the_window_and_cost_alone_counts_as_data(colleague_client):
    from django.urls import reverse

    from tests.factories import OrganisationFactory, ServiceFactory

    import_gc_inventory(read_files(CASES))
    mine = ServiceFactory(organisation=OrganisationFactory(slug="housing"))
    CostLineFactory(
        service=mine,
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 30),
        amount=Decimal(500),
        currency="GBP",
        category="staff",
        spend="run",
        organisation=mine.organisation,
    )
    url = reverse("performance:portfolio")
    assert colleague_client.get(url).context["window"].end == date(2024, 3, 31)  # most GC
    filtered = colleague_client.get(url, {"organisation": "housing"})
    assert filtered.context["window"] == Window(date(2025, 10, 1), date(2026, 9, 30), "latest")
    assert filtered.context["totals"].total_cost == {"GBP": Decimal(500)}
    dashboard = colleague_client.get(reverse("performance:dashboard", args=[mine.slug]))
    assert dashboard.context["window"].end == date(2026, 9, 30)


def test_invisible_characters_are_dropped_from_names(tmp_path):
    for name in ["ss_2024.csv", "rbpo.csv", "org_var.csv"]:
        (tmp_path / name).write_bytes((CASES / name).read_bytes())
    text = (CASES / "si_2024.csv").read_text(encoding="utf-8")
    (tmp_path / "si_2024.csv").write_text(
        text.replace("Archives reference requests", "\u200bArchives reference requests"),
        encoding="utf-8",
    )
    import_gc_inventory(read_files(tmp_path))
    assert Service.objects.get(slug="gc-l1").name == "Archives reference requests"


def test_line_breaks_in_names_become_spaces_and_descriptions_keep_theirs(tmp_path):
    """A few services and standards of the published files are named over two lines."""
    for name in ["ss_2024.csv", "rbpo.csv", "org_var.csv"]:
        (tmp_path / name).write_bytes((CASES / name).read_bytes())
    text = (CASES / "si_2024.csv").read_text(encoding="utf-8")
    assert text.count("Archives reference requests") == 1
    (tmp_path / "si_2024.csv").write_text(
        text.replace("Archives reference requests", '"Archives reference\r\nrequests"'),
        encoding="utf-8",
    )
    import_gc_inventory(read_files(tmp_path))
    assert Service.objects.get(slug="gc-l1").name == "Archives reference requests"
