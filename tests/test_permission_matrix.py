"""Who may see and change what: every URL the project has, for every role.

The test enumerates the URL patterns; a new pattern without an entry in ROUTES fails it, so
each new screen must say who may reach it. For every request a role may not make, the
database must be unchanged (no audit record was written).
"""

import pytest
from django.urls import reverse

from tests.routes import ROLES, ROUTES, audit_count, expected_status, url_for, url_names

pytestmark = pytest.mark.django_db


def test_every_url_pattern_is_in_the_matrix():
    assert url_names() - ROUTES.keys() == set(), "add the new URL patterns to ROUTES"
    assert ROUTES.keys() - url_names() == set(), "ROUTES names patterns that no longer exist"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_status_for_every_role_and_url(client, world, role, name):
    route = ROUTES[name]
    if role != "anonymous":
        client.force_login(world["users"][role])
    per_service = {"service", "decision", "cell", "friction", "change", "token", "scenario"}
    cases = ["open", "restricted"] if route.scope in per_service else [None]
    for which in cases:
        url = url_for(name, route, world, which)
        for method in route.methods:
            before = audit_count()
            response = client.get(url) if method == "GET" else client.post(url, {"name": ""})
            expected = expected_status(route, role, which, method)
            if method == "POST" and expected == 200:
                # Allowed: the form either re-renders with errors or saves and redirects.
                assert response.status_code in {200, 302}, (role, name, which, method)
            else:
                assert response.status_code == expected, (role, name, which, method)
            if expected in {403, 404} or (expected == 302 and role == "anonymous"):
                assert audit_count() == before, f"{role} {method} {url} changed the database"
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                policy = response["Content-Security-Policy"]
                assert "script-src 'self'" in policy
                assert "unsafe-inline" not in policy


def test_admin_is_for_org_admins_only(client, world):
    """One test of who is an org admin, for the Django admin, its link and every page."""
    url = reverse("admin:index")
    assert client.get(url).status_code == 302
    staff = world["users"]["leader"]
    staff.is_staff = True  # staff, but not an org admin: no admin, no link
    staff.save()
    client.force_login(staff)
    assert client.get(url).status_code == 302
    assert f'href="{url}"' not in client.get(reverse("performance:imports")).content.decode()
    client.force_login(world["users"]["org_admin"])  # an org admin, not staff
    assert not world["users"]["org_admin"].is_staff
    assert client.get(url).status_code == 200
    page = client.get(reverse("performance:imports")).content.decode()
    assert f'href="{url}"' in page
    assert reverse("performance:gc_upload") in page
