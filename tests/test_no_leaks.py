"""What a person may not see does not exist for them: no page, export, API answer, import
message or email shows them a restricted service's name, slug or records.

The permission matrix's world, with its restricted service and everything of it given a name
found nowhere else ("Zebra"), a dependency of the open service on it, figures, decisions,
friction, a change and an import naming it. Every GET address of the matrix, with the search
and export variants, is read by each person who may not see the restricted service.
"""

from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision
from performance.imports import KINDS, ImportRejected, run_import
from performance.mail import send_reminders, send_weekly_digests
from performance.models import ChangeInitiative, FrictionPoint
from services.actions import service_access_sync
from services.models import Service, Stage
from tests.factories import (
    PersonFactory,
    ServiceDependencyFactory,
    ServiceLeaderFactory,
    UserFactory,
    measure,
)
from tests.routes import ROUTES, url_for

pytestmark = pytest.mark.django_db

SECRET = "zebra"  # in every name and slug of the restricted service's things, nowhere else
OUTSIDERS = ["colleague", "other_member", "open_leader"]


@pytest.fixture
def hidden(world):  # noqa: F811
    restricted, open_service = world["services"]["restricted"], world["services"]["open"]
    Service.objects.filter(pk=restricted.pk).update(
        name="Zebra fraud referrals", slug="zebra-fraud", purpose="Zebra purpose"
    )
    restricted.refresh_from_db()
    Stage.objects.filter(service=restricted).update(name="Zebra triage")
    Decision.objects.filter(service=restricted).update(title="Zebra decision")
    FrictionPoint.objects.filter(service=restricted).update(title="Zebra friction")
    ChangeInitiative.objects.filter(service=restricted).update(title="Zebra change")
    ServiceDependencyFactory(service=open_service, depends_on=restricted, note="Zebra note")
    for service in (open_service, restricted):
        measure(service, "transactions", (date(2025, 4, 1), date(2026, 3, 31)), 500)
    # Its leader's review is due and friction old: reminders go to its leaders only.
    Decision.objects.filter(service=restricted).update(review_by=timezone.localdate())
    open_leader = UserFactory(username="open_leader", email="open@example.org")
    ServiceLeaderFactory(service=open_service, person=PersonFactory(user=open_leader))
    service_access_sync()
    world["users"]["open_leader"] = open_leader
    return world


def addresses(world) -> list[str]:  # noqa: F811
    found = [
        url_for(name, route, world, "open")
        for name, route in ROUTES.items()
        if "GET" in route.methods and route.scope not in {"token", "run"}
    ]
    return found + [
        "/services/?q=zeb",
        "/services/?q=fraud",
        "/portfolio/?q=fraud&sort=-transactions",
        reverse("performance:portfolio_csv"),
        reverse("performance:data_quality_csv"),
        reverse("performance:friction_all") + "?severity=high",
        "/api/v1/portfolio",
    ]


def read(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode().lower()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_no_page_export_or_api_answer_names_what_they_may_not_see(hidden, role):
    client = Client()
    client.force_login(hidden["users"][role])
    for address in addresses(hidden):
        response = client.get(address)
        assert response.status_code < 500, address
        assert SECRET not in read(response), f"{role} reads “{SECRET}” at {address}"


@pytest.mark.parametrize("role", OUTSIDERS)
def test_the_restricted_service_answers_as_if_it_did_not_exist(hidden, role):
    client = Client()
    client.force_login(hidden["users"][role])
    for kind in ["", "dashboard/", "history/", "decisions.csv"]:
        there = client.get(f"/services/zebra-fraud/{kind}")
        nowhere = client.get(f"/services/no-such-service/{kind}")
        assert there.status_code == nowhere.status_code == 404
        assert SECRET not in there.content.decode().lower()
    there = client.get("/api/v1/services/zebra-fraud/summary")
    nowhere = client.get("/api/v1/services/zebra-frau/summary")
    assert there.status_code == nowhere.status_code == 404
    assert there.json()["detail"] == "There is no service “zebra-fraud”."


def test_an_import_names_nothing_its_uploader_may_not_see(hidden):
    text = (
        "service,metric,period_start,period_end,value,channel\n"
        "zebra-fraud,transactions,2026-01-01,2026-01-31,5,\n"
        "zebra-frau,transactions,2026-01-01,2026-01-31,5,\n"
    )
    with pytest.raises(ImportRejected) as rejected:
        run_import(
            KINDS["measurements"](), text.encode(), user=hidden["users"]["open_leader"], source="t"
        )
    problems = [str(error) for error in rejected.value.errors]
    assert problems == [
        'line 2, column service: unknown service "zebra-fraud"',
        'line 3, column service: unknown service "zebra-frau"',
    ]


def test_no_email_names_a_service_its_reader_may_not_see(hidden):
    send_reminders()
    send_weekly_digests()
    to_outsiders = [m for m in mail.outbox if m.to == ["open@example.org"]]
    assert to_outsiders  # the open service's leader did get mail
    for message in to_outsiders:
        html = message.alternatives[0][0] if message.alternatives else ""
        assert SECRET not in f"{message.subject} {message.body} {html}".lower()


def test_those_who_may_see_it_do_so_the_walk_would_find_a_leak(hidden):
    client = Client()
    client.force_login(hidden["users"]["org_admin"])
    seen = [address for address in addresses(hidden) if SECRET in read(client.get(address))]
    assert {"/services/open/", "/services/?q=zeb", "/portfolio/?q=fraud&sort=-transactions"} <= (
        set(seen)
    )
