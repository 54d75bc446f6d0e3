import pytest
from django.core.cache import cache

from tests.factories import PersonFactory, UserFactory


@pytest.fixture
def colleague(db):
    """A signed-in colleague with no particular role."""
    return UserFactory(username="colleague")


@pytest.fixture
def colleague_client(client, colleague):
    client.force_login(colleague)
    return client


@pytest.fixture
def person_for():
    """Make a Person linked to a user account."""

    def make(user):
        return PersonFactory(user=user, name=user.username.title())

    return make


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached roll-ups are keyed by service id, which the database reuses between tests."""
    cache.clear()
    yield
    cache.clear()
