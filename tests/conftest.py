import os

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from services.queries import ORG_ADMINS_GROUP
from tests.factories import PersonFactory, UserFactory
from tests.routes import world  # noqa: F401 - the routes' world, a fixture for every test
from tests.write_guard import guarding


@pytest.fixture
def colleague(db):
    """A signed-in colleague with no particular role."""
    return UserFactory(username="colleague")


@pytest.fixture
def colleague_client(client, colleague):
    client.force_login(colleague)
    return client


@pytest.fixture
def org_admin_client(client, db):
    """A signed-in org admin (in the group, not a superuser)."""
    user = UserFactory(username="org-admin")
    user.groups.add(Group.objects.get_or_create(name=ORG_ADMINS_GROUP)[0])
    client.force_login(user)
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


@pytest.fixture(autouse=True)
def writes_through_actions(request):
    """Fail a test in which the application wrote a record outside its actions (see
    ``tests.write_guard``); tests that arrange data write freely."""
    with guarding([]) as found:
        yield
    if os.environ.get("WRITE_GUARD_LOG"):
        with open(os.environ["WRITE_GUARD_LOG"], "a") as log:
            log.writelines(f"{request.node.nodeid}: {line}\n" for line in found)
        return
    assert not found, "Written outside the actions:\n" + "\n".join(sorted(set(found)))
