"""Fixtures of the figures' tests: a service, and its leader signed in."""

import pytest

from services.actions import service_access_sync
from tests.factories import PersonFactory, ServiceFactory, ServiceLeaderFactory, UserFactory


@pytest.fixture
def service():
    return ServiceFactory(slug="grants", name="Grants")


@pytest.fixture
def leader_client(client, service):
    user = UserFactory(username="leader", first_name="Priya", last_name="Shah")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user))
    service_access_sync()
    client.force_login(user)
    return client
