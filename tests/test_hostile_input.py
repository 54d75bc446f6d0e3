"""Addresses a hostile or careless user can type get an answer naming the problem, never a
500: dates at the ends of the calendar, and characters no database or page can hold."""

import pytest
from django.contrib.auth.models import Group

from services.queries import ORG_ADMINS_GROUP
from tests.factories import (
    PersonFactory,
    ServiceFactory,
    StageFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(username="admin")
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    service = ServiceFactory(slug="grants", organisation__slug="revenue")
    stage = StageFactory(service=service, position=1)
    StageFactory(service=service, position=2)
    TeamMembershipFactory(team=stage.team, person=PersonFactory(user=user))
    client.force_login(user)
    client.raise_request_exception = True  # an exception fails the test, not just a 500
    return client, stage.team


@pytest.mark.parametrize(
    "path",
    [
        "/portfolio/",
        "/services/grants/dashboard/",
        "/services/grants/review-pack/",
        "/services/grants/flow/",
        "/organisations/revenue/share/",
    ],
)
@pytest.mark.parametrize(
    ("start", "end"),
    [("0001-01-01", "0001-12-31"), ("9999-12-01", "9999-12-31"), ("1899-12-01", "1900-01-31")],
)
def test_a_window_at_the_ends_of_the_calendar_is_refused_by_name(admin, path, start, end):
    client, _ = admin
    response = client.get(path, {"from": start, "to": end})
    assert response.status_code == 200
    assert "is outside the dates a window can cover (1900 to 2999)" in response.content.decode()


def test_the_api_refuses_a_window_at_the_ends_of_the_calendar(admin):
    client, _ = admin
    response = client.get(
        "/api/v1/services/grants/summary", {"from": "0001-01-01", "to": "0001-12-31"}
    )
    assert response.status_code == 400
    assert "outside the dates a window can cover" in str(response.json()["detail"])


@pytest.mark.parametrize("week", ["0001-01-01", "9999-12-31", "not-a-date"])
def test_a_week_the_log_cannot_show_shows_last_week_and_says_why(admin, week):
    client, team = admin
    response = client.get(f"/teams/{team.pk}/log/", {"week": week})
    assert response.status_code == 200
    assert f"“{week}” is not a week this log can show: here is last week." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/portfolio?organisation=%00",
        "/api/v1/services/%00/summary",
        "/api/v1/portfolio?from=%00",
        "/api/v1/portfolio?%00=1",
    ],
)
def test_the_api_refuses_a_nul_in_the_address_in_json(admin, url):
    client, _ = admin
    response = client.get(url)
    assert response.status_code == 400
    assert "a NUL or a lone surrogate" in response.json()["detail"]


@pytest.mark.parametrize("url", ["/services/?q=%00", "/portfolio/?organisation=%00"])
def test_a_page_refuses_a_nul_in_the_address(admin, url):
    client, _ = admin
    response = client.get(url)
    assert response.status_code == 400
    assert "a NUL or a lone surrogate" in response.content.decode()


@pytest.mark.parametrize("bad", ["trans\x00actions", "trans\ud800actions"])
def test_the_api_refuses_a_body_holding_a_nul_or_lone_surrogate_by_item(client, bad):
    from performance.imports.actions import api_token_issue
    from performance.models import Measurement
    from tests.api.requests import ITEM, post

    ServiceFactory(slug="grants")
    issued = api_token_issue(service=None, name="Warehouse", user=None)
    # json.dumps writes both as \u escapes, which JSON allows and Python decodes back.
    response = post(client, "grants", [ITEM, {**ITEM, "metric": bad}], issued.key)
    assert response.status_code == 400
    assert response.json()["detail"] == [
        "item 2: metric: Value error, holds a NUL or a lone surrogate, which no field may hold"
    ]
    assert not Measurement.objects.exists()


def test_a_fault_in_the_api_answers_in_json_and_is_logged(client, caplog):
    from unittest.mock import patch

    from performance.imports.actions import api_token_issue

    ServiceFactory(slug="grants")
    issued = api_token_issue(service=None, name="Warehouse", user=None)
    with patch("api.v1.cached_summary", side_effect=RuntimeError("disk on fire")):
        response = client.get(
            "/api/v1/services/grants/summary", headers={"Authorization": f"Bearer {issued.key}"}
        )
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side and has been logged. Try again later."
    }
    assert "disk on fire" in caplog.text


def test_the_portfolio_export_refuses_a_window_it_cannot_use_by_name(admin):
    client, _ = admin
    response = client.get("/portfolio.csv", {"from": "0001-01-01", "to": "0001-12-31"})
    assert response.status_code == 400
    assert "0001-01-01 is outside the dates a window can cover" in response.content.decode()


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-", "'-"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("-1250.50", "-1250.50"),  # a negative amount is a number, not a formula
        ("12", "12"),
        ("Grants", "Grants"),
    ],
)
def test_an_export_cell_is_never_read_as_a_formula(text, written):
    from servicelead.exports import csv_safe

    assert csv_safe(text) == written


@pytest.mark.parametrize("form_name", ["decision", "change"])
def test_an_id_too_large_to_be_a_record_is_refused_as_an_unknown_choice(form_name):
    from decisions.forms import DecisionForm
    from performance.change.forms import ChangeForm

    stage = StageFactory()
    form_class = {"decision": DecisionForm, "change": ChangeForm}[form_name]
    huge = "99999999999999999999999"
    form = form_class(data={"affected_stages": [str(stage.pk), huge]}, service=stage.service)
    assert form.errors["affected_stages"] == [
        f"Select a valid choice. {huge} is not one of the available choices."
    ]


def test_an_api_body_past_the_limit_is_refused_in_json_before_it_is_read(client, settings):
    import json

    from performance.imports.actions import api_token_issue
    from performance.models import Measurement

    ServiceFactory(slug="grants")
    issued = api_token_issue(service=None, name="Warehouse", user=None)
    item = {"metric": "transactions", "period_start": "2026-01-01", "period_end": "2026-01-31"}
    body = json.dumps([{**item, "value": 1}] * 60_000)  # about 6 MB
    assert len(body) > settings.API_MAX_BYTES
    response = client.post(
        "/api/v1/services/grants/measurements",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {issued.key}"},
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The body is {len(body) / 1024 / 1024:.1f} MB; the most the API takes is "
        "5.0 MB. Send the measurements in several requests."
    }
    assert not Measurement.objects.exists()


def test_a_page_body_past_the_limit_is_refused_naming_it(admin, settings):
    client, _ = admin
    settings.REQUEST_MAX_BYTES = 1024
    response = client.post("/imports/upload/", {"kind": "measurements", "notes": "x" * 2000})
    assert response.status_code == 413
    assert "the most this site takes is 0.0 MB. Split the file" in response.content.decode()


def test_a_week_that_has_not_begun_cannot_be_logged(admin):
    from datetime import timedelta

    from django.utils import timezone

    from performance.models import StageLog

    client, team = admin
    ahead = timezone.localdate() + timedelta(days=400)
    stage = team.stages.first()
    response = client.post(
        f"/teams/{team.pk}/log/?week={ahead.isoformat()}",
        {f"s{stage.pk}-present": "1", f"s{stage.pk}-completed": "5"},
        follow=True,
    )
    assert f"The week of {ahead:%-d %B %Y} has not begun: here is last week." in (
        response.content.decode()
    )
    assert not StageLog.objects.filter(period_start__gt=timezone.localdate()).exists()
    this_week = client.get(f"/teams/{team.pk}/log/", {"week": timezone.localdate()})
    assert "Next week" not in this_week.content.decode()
    assert "Previous week" in this_week.content.decode()
