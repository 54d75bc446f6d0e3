import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from performance.imports import KINDS, runs
from performance.imports.actions import api_token_issue, api_token_revoke, token_hash
from performance.models import ApiToken, ImportRun, Measurement
from services.actions import service_access_sync
from services.models import ServiceLeader
from tests.api.requests import ITEM, bearer, post
from tests.factories import (
    ImportRunFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


GOOD = (
    "service,metric,period_start,period_end,value,channel\n"
    "grants,transactions,2026-01-01,2026-01-31,1200,digital\n"
)


@pytest.fixture
def grants():
    return ServiceFactory(slug="grants", name="Grants")


@pytest.fixture
def leader(grants):
    user = UserFactory(username="leader")
    ServiceLeaderFactory(service=grants, person=PersonFactory(user=user))
    service_access_sync()
    return user


def upload(client, text: str | bytes, kind: str = "measurements", name: str = "data.csv"):
    """Upload a file and follow to its run's page, the worker having checked it (or the
    upload page, the file refused)."""
    data = text.encode() if isinstance(text, str) else text
    with TestCase.captureOnCommitCallbacks(execute=True):  # the background check
        started = client.post(
            reverse("performance:import_upload"),
            {"kind": kind, "file": SimpleUploadedFile(name, data, content_type="text/csv")},
        )
    return client.get(started["Location"]) if started.status_code == 302 else started


def test_preview_then_confirm(client, leader, django_capture_on_commit_callbacks):
    client.force_login(leader)
    preview = upload(client, GOOD)
    body = preview.content.decode()
    assert "Check before you import" in body
    assert "What importing 1 row would do" in body
    assert not Measurement.objects.exists()
    run = preview.context["run"]
    with django_capture_on_commit_callbacks(execute=True):  # the background import
        started = client.post(reverse("performance:import_confirm", args=[run.pk]))
    done = client.get(started["Location"])
    assert done.context["run"].outcome == "applied"
    assert "What 1 row did" in done.content.decode()
    assert Measurement.objects.get().recorded_by == leader
    again = client.post(reverse("performance:import_confirm", args=[run.pk]), follow=True)
    assert "That preview has expired or was already imported" in again.content.decode()
    assert Measurement.objects.count() == 1


def test_a_confirmed_import_that_fails_says_so_and_why_and_keeps_nothing(
    client, leader, django_capture_on_commit_callbacks
):
    from unittest.mock import patch

    from django.db import IntegrityError

    client.force_login(leader)
    preview = upload(client, GOOD).context["run"]
    clash = IntegrityError('duplicate key value violates unique constraint "one_measurement"')
    with (
        patch("performance.imports.runs.run_import", side_effect=clash),
        django_capture_on_commit_callbacks(execute=True),
    ):
        started = client.post(reverse("performance:import_confirm", args=[preview.pk]))
    page = client.get(started["Location"])
    run = ImportRun.objects.latest("pk")
    folder = runs.UPLOADS / run.summary["folder"]
    assert (run.outcome, run.progress_note) == ("failed", "Failed") and run.finished_at
    body = page.content.decode()
    assert "The import failed" in body and "Imported" not in body
    assert (
        "The import stopped before changing anything (the same rows were being saved by another "
        "change at the same moment); upload the file again to retry." in body
    )
    assert not folder.exists() and not Measurement.objects.exists()


def test_an_import_the_database_interrupts_keeps_its_file_for_the_retry(leader):
    from unittest.mock import patch

    from django.db import OperationalError

    run = ImportRunFactory(kind="measurements", source="upload", file_name="data.csv", user=leader)
    runs.start(run, runs.store({"data.csv": GOOD.encode()}))
    folder = runs.UPLOADS / run.summary["folder"]
    gone = OperationalError("the server closed the connection")
    with (
        patch("performance.imports.runs.run_import", side_effect=gone),
        pytest.raises(OperationalError),
    ):
        runs.apply_confirmed(run)
    assert folder.exists()  # the retried task reads it again
    assert runs.apply_confirmed(run) == "applied"
    assert not folder.exists() and Measurement.objects.count() == 1


def test_rejected_upload_lists_errors_and_offers_a_report(client, leader):
    client.force_login(leader)
    response = upload(client, GOOD.replace("1200", "twelve hundred"))
    body = response.content.decode()
    assert "The file was not imported" in body
    assert "line 2, column value: &quot;twelve hundred&quot; is not a whole number" in body
    run = response.context["run"]
    report = client.get(reverse("performance:import_errors", args=[run.pk]))
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert rows == [["problem"], ['line 2, column value: "twelve hundred" is not a whole number']]


def test_binary_upload_is_refused_clearly(client, leader):
    client.force_login(leader)
    response = upload(client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", name="photo.csv")
    assert "this is not a CSV file: it holds binary data" in response.content.decode()


def test_too_large_a_file_is_refused_before_reading(client, leader, settings):
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(leader)
    response = upload(client, GOOD * 10)
    assert "the most is 0 MB. Split it into smaller files." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_leaders_cannot_choose_organisation_kinds(client, leader):
    client.force_login(leader)
    response = client.get(reverse("performance:import_upload"))
    kinds = [value for value, _ in response.context["form"].fields["kind"].choices]
    assert "org" not in kinds and "services" not in kinds and "measurements" in kinds


def test_import_history_per_service(client, leader, grants, django_capture_on_commit_callbacks):
    client.force_login(leader)
    preview = upload(client, GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("performance:import_confirm", args=[preview.context["run"].pk]))
    response = client.get(reverse("performance:service_imports", args=["grants"]))
    [run] = response.context["page"].object_list
    assert (run.kind, run.outcome, run.created) == ("measurements", "applied", 1)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_templates_have_the_columns_and_an_example_row(client, leader, kind):
    client.force_login(leader)
    response = client.get(reverse("performance:csv_template", args=[kind]))
    header, example = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == KINDS[kind].columns + KINDS[kind].optional
    assert all(example[header.index(column)] for column in KINDS[kind].columns)


def test_leader_issues_a_token_shown_once_and_stored_hashed(client, leader, grants):
    client.force_login(leader)
    response = client.post(reverse("performance:tokens", args=["grants"]), {"name": "Case system"})
    key = response.context["issued"].key
    assert key in response.content.decode()
    token = ApiToken.objects.get()
    assert token.key_hash == token_hash(key) and key not in token.key_hash
    assert key not in client.get(reverse("performance:tokens", args=["grants"])).content.decode()


def test_api_writes_measurements_with_a_service_token(client, grants, leader):
    issued = api_token_issue(service=grants, name="Case system", user=leader)
    response = post(
        client, "grants", [ITEM, {**ITEM, "channel": "phone", "value": 300}], issued.key
    )
    assert response.status_code == 200
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert post(client, "grants", [ITEM], issued.key).json() == {
        "created": 0,
        "updated": 0,
        "unchanged": 1,
    }
    assert post(client, "grants", [{**ITEM, "value": 1250}], issued.key).json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
    }
    issued.token.refresh_from_db()
    assert issued.token.last_used_at is not None
    run = ImportRun.objects.filter(source="api").latest("started_at")
    assert run.user == leader and "Case system" in run.file_name


def test_api_needs_a_valid_unrevoked_token(client, grants, leader):
    assert post(client, "grants", [ITEM]).status_code == 401
    assert post(client, "grants", [ITEM], "sl_not_a_token").status_code == 401
    issued = api_token_issue(service=grants, name="Old", user=leader)
    api_token_revoke(token=issued.token, user=leader)
    response = post(client, "grants", [ITEM], issued.key)
    assert response.status_code == 401
    assert response.json() == {"detail": "Send a valid API token: Authorization: Bearer <token>."}


def test_a_token_for_another_service_is_refused(client, grants, leader):
    other = ServiceFactory(slug="other")
    ServiceLeaderFactory(service=other, person=leader.person)
    service_access_sync()
    issued = api_token_issue(service=other, name="Other", user=leader)
    response = post(client, "grants", [ITEM], issued.key)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "This token is for another service."},
    )
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("reason", ["stopped leading", "deactivated"])
def test_a_token_stops_when_its_owner_may_no_longer_lead_the_service(
    client, grants, leader, reason
):
    issued = api_token_issue(service=grants, name="Case system", user=leader)
    assert post(client, "grants", [ITEM], issued.key).status_code == 200
    if reason == "stopped leading":
        ServiceLeader.objects.filter(service=grants).delete()
        service_access_sync()
    else:
        leader.is_active = False
        leader.save()
    response = post(client, "grants", [{**ITEM, "value": 1}], issued.key)
    assert response.status_code == 401
    assert "This token no longer holds" in response.json()["detail"]
    assert Measurement.objects.get().value == 1200
    summary = client.get("/api/v1/services/grants/summary", headers=bearer(issued.key))
    assert summary.status_code == 401  # reads too


def test_the_tokens_page_marks_a_token_that_no_longer_holds(client, grants, leader):
    api_token_issue(service=grants, name="Case system", user=leader)
    other = UserFactory(username="grace")
    ServiceLeaderFactory(service=grants, person=PersonFactory(user=other))
    service_access_sync()
    client.force_login(other)
    url = reverse("performance:tokens", args=["grants"])
    assert "Not working" not in client.get(url).content.decode()
    ServiceLeader.objects.filter(person__user=leader).delete()
    service_access_sync()
    body = client.get(url).content.decode()
    assert "Not working</strong> Whoever made it no longer leads this service" in body


def test_an_admin_token_stops_when_its_owner_is_no_longer_an_org_admin(client, grants):
    from django.contrib.auth.models import Group

    from services.queries import ORG_ADMINS_GROUP

    admin = UserFactory(username="admin")
    admin.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    issued = api_token_issue(service=None, name="Data warehouse", user=admin)
    assert post(client, "grants", [ITEM], issued.key).status_code == 200
    admin.groups.clear()
    assert post(client, "grants", [ITEM], issued.key).status_code == 401


def test_an_admin_token_writes_to_any_service(client, grants):
    issued = api_token_issue(service=None, name="Data warehouse", user=None)
    assert post(client, "grants", [ITEM], issued.key).status_code == 200


def test_unknown_and_hidden_services_are_404(client, grants, leader):
    issued = api_token_issue(service=grants, name="Case system", user=leader)
    assert post(client, "nowhere", [ITEM], issued.key).status_code == 404
    ServiceFactory(slug="secret", restricted=True)
    assert post(client, "secret", [ITEM], issued.key).status_code == 404


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"metric": "transactions"}, "Input should be a valid list"),
        ("not json at all", "detail"),
        ([{"metric": "transactions", "value": 5}], "period_start: Field required"),
        ([], "Send a list of at least one measurement."),
    ],
)
def test_malformed_bodies_are_400_with_detail(client, grants, leader, payload, fragment):
    issued = api_token_issue(service=grants, name="Case system", user=leader)
    response = post(client, "grants", payload, issued.key)
    assert response.status_code == 400
    assert fragment in json.dumps(response.json())
    assert not Measurement.objects.exists()


def test_bad_values_are_400_naming_each_item(client, grants, leader):
    issued = api_token_issue(service=grants, name="Case system", user=leader)
    response = post(
        client,
        "grants",
        [
            ITEM,
            {**ITEM, "metric": "completion_rate", "value": 1.7, "channel": None},
            {**ITEM, "channel": "fax"},
        ],
        issued.key,
    )
    assert response.status_code == 400
    assert response.json()["detail"] == [
        "item 2, field value: 1.7 is above 1; it must be 1 or less",
        'item 3, field channel: "fax" is not one of: digital, assisted_digital, phone, paper, '
        "in_person, other",
    ]
    assert not Measurement.objects.exists()


def test_openapi_schema_describes_the_api(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Servicelead API"
    assert "/api/v1/services/{slug}/measurements" in schema["paths"]


def test_an_upload_is_checked_by_a_worker_not_in_the_request(client, leader):
    from performance.tasks import check_upload

    client.force_login(leader)
    started = client.post(  # no worker has run: the request only keeps the file
        reverse("performance:import_upload"),
        {"kind": "measurements", "file": SimpleUploadedFile("data.csv", GOOD.encode())},
    )
    waiting = client.get(started["Location"])
    run = waiting.context["run"]
    assert run.outcome == "running" and "Checking the file" in waiting.content.decode()
    assert check_upload(run.pk) == "dry_run"
    preview = client.get(started["Location"])
    assert "Check before you import" in preview.content.decode()
    assert preview.context["can_confirm"]
    assert not Measurement.objects.exists()


def test_the_sweep_fails_lost_runs_and_removes_old_previews_and_stray_files(leader, settings):
    import os
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    lost = runs.start(
        ImportRunFactory(kind="measurements", source="upload", user=leader),
        runs.store({"data.csv": GOOD.encode()}),
    )
    ImportRun.objects.filter(pk=lost.pk).update(
        started_at=now - timedelta(seconds=settings.IMPORT_LOST_AFTER_SECONDS + 1)
    )
    runs.UPLOADS.mkdir(parents=True, exist_ok=True)
    previews = {}
    for age in [2, 0]:
        (runs.UPLOADS / f"preview-{age}.csv").write_text(GOOD)
        previews[age] = ImportRunFactory(
            kind="measurements",
            source="upload",
            user=leader,
            outcome="dry_run",
            finished_at=now - timedelta(days=age, minutes=1),
            summary={"upload": f"preview-{age}.csv", "notes": []},
        )
    stray = runs.UPLOADS / "stray.csv"
    stray.write_text(GOOD)
    two_days_ago = (now - timedelta(days=2)).timestamp()
    os.utime(stray, (two_days_ago, two_days_ago))

    assert runs.sweep(now) == (1, 1, 1)
    lost.refresh_from_db()
    assert lost.outcome == "failed"
    assert lost.errors == [
        "the import stopped before it finished (its worker stopped); nothing was changed; "
        "upload the file again to retry"
    ]
    assert not (runs.UPLOADS / lost.summary["folder"]).exists()
    previews[2].refresh_from_db()
    assert previews[2].summary == {"notes": []}
    assert not (runs.UPLOADS / "preview-2.csv").exists()
    assert (runs.UPLOADS / "preview-0.csv").exists()  # a preview of today waits
    assert not stray.exists()
    (runs.UPLOADS / "preview-0.csv").unlink()
