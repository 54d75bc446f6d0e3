"""Decisions and rights changed in the Django admin take the log's own steps."""

from datetime import date

import pytest
from django.urls import reverse

from decisions.models import Decision
from services.models import FiguresVersion
from tests.factories import DecisionFactory, DecisionTypeFactory, ServiceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="morgan", is_staff=True, is_superuser=True))
    return client


def version(service) -> int:
    found = FiguresVersion.objects.filter(service=service).first()
    return found.version if found else 0


def fields(decision, **changes) -> dict:
    return {
        "service": decision.service.pk,
        "title": decision.title,
        "decision_type": decision.decision_type.pk,
        "status": decision.status,
        "decided_on": decision.decided_on.isoformat(),
        "decided_by_body": "The board",
        "supersedes": decision.supersedes_id or "",
    } | changes


def superseding(admin_client, first: Decision) -> Decision:
    data = fields(first, title="Second", supersedes=first.pk)
    assert admin_client.post(reverse("admin:decisions_decision_add"), data).status_code == 302
    return Decision.objects.get(title="Second")


def test_a_decision_added_in_the_admin_is_checked_counted_and_supersedes(admin_client):
    service = ServiceFactory()
    first = DecisionFactory(service=service, title="First", decided_on=date(2026, 1, 5))
    before = version(service)
    second = superseding(admin_client, first)
    assert second.within_rights is not None and second.rights_reason  # checked as the log does
    assert second.logged_by.username == "morgan"
    first.refresh_from_db()
    assert first.status == Decision.Status.SUPERSEDED
    assert version(service) > before  # the dashboard's figures are known to be behind


def test_a_decision_revoked_in_the_admin_restores_the_one_it_superseded(admin_client):
    service = ServiceFactory()
    first = DecisionFactory(service=service, title="First", decided_on=date(2026, 1, 5))
    second = superseding(admin_client, first)
    url = reverse("admin:decisions_decision_change", args=[second.pk])
    response = admin_client.post(url, fields(second, status="revoked"))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Decision.Status.DECIDED
    second.refresh_from_db()
    assert second.version == 2


def test_the_admin_offers_no_deletion_of_a_decision_in_a_chain(admin_client):
    service = ServiceFactory()
    first = DecisionFactory(service=service, title="First", decided_on=date(2026, 1, 5))
    second = superseding(admin_client, first)
    for decision in (first, second):
        url = reverse("admin:decisions_decision_delete", args=[decision.pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Decision.objects.count() == 2
    alone = DecisionFactory(service=service, decision_type=DecisionTypeFactory())
    url = reverse("admin:decisions_decision_delete", args=[alone.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Decision.objects.filter(pk=alone.pk).exists()
