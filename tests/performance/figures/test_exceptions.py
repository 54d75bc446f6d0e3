"""The portfolio's exceptions on the organisation and directorate pages: the services each
is accountable for or takes part in, counted by kind, and only those the reader may see."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.actions import service_access_sync
from services.queries import ORG_ADMINS_GROUP
from tests.factories import (
    DirectorateFactory,
    FrictionPointFactory,
    OrganisationFactory,
    ServiceFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
    measure,
)

pytestmark = pytest.mark.django_db


def last_month() -> tuple:
    end = timezone.localdate().replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


@pytest.fixture
def structure():
    """Housing (Operations, Digital) and a supplier. Grants (Housing's, run by Operations)
    has high-severity friction open; Repairs (Housing's, Digital's) has no data; Hosting (the
    supplier's, with a stage Operations owns) is on track; Payroll (the supplier's alone)
    has friction too but nothing to do with Housing."""
    housing = OrganisationFactory(name="Housing")
    supplier = OrganisationFactory(name="Supplier")
    operations = DirectorateFactory(organisation=housing, name="Operations")
    digital = DirectorateFactory(organisation=housing, name="Digital")
    ops_team = TeamFactory(directorate=operations)
    digital_team = TeamFactory(directorate=digital)
    supplier_team = TeamFactory(directorate=DirectorateFactory(organisation=supplier))
    grants = ServiceFactory(name="Grants", organisation=housing)
    repairs = ServiceFactory(name="Repairs", organisation=housing)
    hosting = ServiceFactory(name="Hosting", organisation=supplier)
    payroll = ServiceFactory(name="Payroll", organisation=supplier)
    StageFactory(service=grants, team=ops_team)
    StageFactory(service=repairs, team=digital_team)
    StageFactory(service=hosting, team=ops_team)
    StageFactory(service=payroll, team=supplier_team)
    for service in (grants, hosting, payroll):
        measure(service, "transactions", last_month(), 100, "digital")
    FrictionPointFactory(service=grants, severity="high", status="open")
    FrictionPointFactory(service=payroll, severity="high", status="open")
    service_access_sync()
    return housing, operations, digital, grants, repairs, hosting


@pytest.fixture
def admin(client):
    user = UserFactory(username="morgan")
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    client.force_login(user)
    return client


def test_an_organisations_exceptions_count_what_it_is_accountable_for_or_takes_part_in(
    admin, structure
):
    housing, *_ = structure
    page = admin.get(reverse("services:organisation", args=[housing.slug])).content.decode()
    assert "Exceptions: 2 of 3 services need attention" in page
    assert "1 high-severity friction point open" in page  # Grants, and why
    assert "Nothing measured yet" in page  # Repairs
    assert "Payroll" not in page
    assert f'href="/portfolio/?organisation={housing.slug}&amp;exception=stale"' in page


def test_a_directorates_exceptions_count_the_services_its_teams_take_part_in(admin, structure):
    _, operations, digital, grants, repairs, hosting = structure
    page = admin.get(reverse("services:directorate", args=[operations.pk])).content.decode()
    assert "Exceptions: 1 of 2 services needs attention" in page  # Grants and Hosting
    assert ">Grants</a>" in page and ">Repairs</a>" not in page
    page = admin.get(reverse("services:directorate", args=[digital.pk])).content.decode()
    assert "Exceptions: 1 of 1 service needs attention" in page  # Repairs, unmeasured


def test_a_restricted_service_is_counted_only_for_those_who_may_see_it(client, structure):
    housing, _, _, grants, _, _ = structure
    grants.restricted = True
    grants.save()
    service_access_sync()
    client.force_login(UserFactory(username="outsider"))
    page = client.get(reverse("services:organisation", args=[housing.slug])).content.decode()
    assert "Exceptions: 1 of 2 services needs attention" in page  # Repairs; Hosting on track
    assert "Grants" not in page


def test_the_exceptions_list_ten_and_send_the_rest_to_the_portfolio(admin, structure):
    housing, *_ = structure
    for n in range(12):
        ServiceFactory(name=f"Unmeasured {n:02}", organisation=housing)
    page = admin.get(reverse("services:organisation", args=[housing.slug])).content.decode()
    assert "Services needing attention: 10 of 14" in page
    assert "All 14 in the portfolio" in page


def test_the_organisation_page_runs_as_many_queries_for_30_services_as_for_3(admin, structure):
    housing, *_ = structure
    url = reverse("services:organisation", args=[housing.slug])

    def queries() -> int:
        admin.get(url)  # the roll-ups are worked out once
        with CaptureQueriesContext(connection) as captured:
            admin.get(url)
        return len(captured.captured_queries)

    few = queries()
    for n in range(27):
        ServiceFactory(name=f"Unmeasured {n:02}", organisation=housing)
    assert queries() == few
