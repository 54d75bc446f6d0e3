"""Every page of every service renders: services from the GC inventory (no journey, one stage,
no data, no leader, several fiscal years, data-quality findings) and hand-made odd shapes.

The pages are the permission matrix's service pages, walked as an org admin (who may open
them all) and as a colleague (who reads). ``GC_FULL_WALK=1`` walks every service of the full
published inventory too (``make check-gc``: about 1,700 services, minutes, so not in CI).
"""

import os

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from performance.imports.gc_inventory import import_gc_inventory, read_files
from services.models import Service
from services.queries import ORG_ADMINS_GROUP
from tests.data import CASES, EXTRACT, FULL
from tests.factories import ServiceFactory, StageFactory, UserFactory
from tests.routes import ROUTES

pytestmark = pytest.mark.django_db

SERVICE_PAGES = sorted(
    name
    for name, route in ROUTES.items()
    if route.scope == "service" and "GET" in route.methods and not route.access.startswith("api")
)


READ_PAGES = [name for name in SERVICE_PAGES if ROUTES[name].access == "read"]


def walk(client, slugs, pages=SERVICE_PAGES) -> list[tuple[str, str, int]]:
    """(page, service, status) of every page that did not answer 200."""
    failures = []
    for slug in slugs:
        for name in pages:
            status = client.get(reverse(name, args=[slug])).status_code
            if status != 200:
                failures.append((name, slug, status))
        status = client.get(f"/api/v1/services/{slug}/summary").status_code
        if status != 200:
            failures.append(("api:get_summary", slug, status))
    return failures


@pytest.fixture
def admin_client(db):
    admin = UserFactory(username="admin")
    admin.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    client = Client()
    client.force_login(admin)
    return client


def test_the_pages_are_the_service_pages():
    assert {"performance:dashboard", "performance:flow", "services:service"} <= set(SERVICE_PAGES)


def test_every_page_of_odd_shaped_services_renders(admin_client, colleague_client):
    ServiceFactory(slug="no-journey")
    one = ServiceFactory(slug="one-stage")
    StageFactory(service=one, position=1, team=None)
    two = ServiceFactory(slug="no-owner")
    StageFactory(service=two, position=1, team=None)
    StageFactory(service=two, position=2, team=None)
    slugs = ["no-journey", "one-stage", "no-owner"]
    assert walk(admin_client, slugs) == []
    assert walk(colleague_client, slugs, READ_PAGES) == []


@pytest.mark.parametrize("folder", [CASES, EXTRACT], ids=["cases", "extract"])
def test_every_page_of_every_imported_gc_service_renders(admin_client, folder):
    import_gc_inventory(read_files(folder))
    slugs = list(Service.objects.filter(slug__startswith="gc-").values_list("slug", flat=True))
    assert slugs
    assert walk(admin_client, slugs) == []
    # The org admin's home counts every service among the portfolio's (figures worked out, or
    # still being), and the portfolio opens with its overview.
    home = admin_client.get("/")
    assert home.status_code == 200
    exceptions = home.context["home"].exceptions
    assert exceptions.services + exceptions.missing == len(slugs)
    portfolio = admin_client.get("/portfolio/")
    assert portfolio.status_code == 200
    if not portfolio.context["freshness"].missing:
        assert portfolio.context["overview"].services == len(slugs)


@pytest.mark.skipif(
    not (FULL.exists() and os.environ.get("GC_FULL_WALK")),
    reason="walks the full GC inventory only with GC_FULL_WALK=1 (make check-gc)",
)
def test_every_page_of_every_service_of_the_full_inventory_renders(admin_client):
    import_gc_inventory(read_files(FULL))
    slugs = list(Service.objects.filter(slug__startswith="gc-").values_list("slug", flat=True))
    assert len(slugs) > 1700
    assert walk(admin_client, slugs) == []
