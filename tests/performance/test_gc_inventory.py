"""The GC Service Inventory import, on a committed extract and on the full published files."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Sum

from performance.importers.gc_inventory import import_gc_inventory, number, read_files, split
from performance.models import CostLine, ImportRun, Measurement, Metric
from performance.summary import kpi_status
from services.models import Directorate, Organisation, Service, Stage

pytestmark = pytest.mark.django_db

EXTRACT = Path(__file__).parent / "fixtures" / "gc"
FULL = Path(settings.BASE_DIR).parent / "shared" / "data" / "gc-service-inventory"


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
    for name in ["ss_2024.csv", "rbpo.csv", "service_data_dict.json"]:
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
