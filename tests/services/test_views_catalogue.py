import pytest
from django.urls import reverse

from services.models import Service
from tests.factories import (
    DirectorateFactory,
    OrganisationFactory,
    ServiceFactory,
    ServiceTeamFactory,
    StageFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("services:catalogue")


def names(response) -> list[str]:
    return [service.name for service in response.context["page"].object_list]


def test_lists_services_by_name(colleague_client):
    ServiceFactory(name="Register a landlord")
    ServiceFactory(name="Apply for a grant")
    assert names(colleague_client.get(URL)) == ["Apply for a grant", "Register a landlord"]


def test_lists_services_by_name_whatever_its_case(colleague_client):
    for name in ["eServiceCanada", "Work permits", "Apply for a grant", "introduction to IAA"]:
        ServiceFactory(name=name)
    assert names(colleague_client.get(URL)) == [
        "Apply for a grant",
        "eServiceCanada",
        "introduction to IAA",
        "Work permits",
    ]


def test_search_matches_name_and_purpose(colleague_client):
    ServiceFactory(name="Apply for a grant", purpose="Money for repairs")
    ServiceFactory(name="Register a landlord", purpose="Keep a register")
    assert names(colleague_client.get(URL, {"q": "grant"})) == ["Apply for a grant"]
    assert names(colleague_client.get(URL, {"q": "repairs"})) == ["Apply for a grant"]


def test_filter_by_organisation_includes_services_it_takes_part_in(colleague_client):
    agency = OrganisationFactory(name="Agency", slug="agency")
    ServiceFactory(name="Accountable", organisation=agency)
    StageFactory(
        service=ServiceFactory(name="Owns a stage"), team__directorate__organisation=agency
    )
    ServiceTeamFactory(
        service=ServiceFactory(name="Takes part"), team__directorate__organisation=agency
    )
    ServiceFactory(name="Elsewhere")
    assert names(colleague_client.get(URL, {"organisation": "agency"})) == [
        "Accountable",
        "Owns a stage",
        "Takes part",
    ]


def test_filter_by_directorate_includes_nested_directorates(colleague_client):
    digital = DirectorateFactory(name="Digital")
    platforms = DirectorateFactory(organisation=digital.organisation, parent=digital)
    StageFactory(service=ServiceFactory(name="Direct"), team=TeamFactory(directorate=digital))
    StageFactory(service=ServiceFactory(name="Nested"), team=TeamFactory(directorate=platforms))
    StageFactory(service=ServiceFactory(name="Elsewhere"))
    assert names(colleague_client.get(URL, {"directorate": digital.pk})) == ["Direct", "Nested"]
    assert names(colleague_client.get(URL, {"directorate": platforms.pk})) == ["Nested"]


@pytest.mark.parametrize(
    ("field", "value", "other"),
    [
        ("phase", Service.Phase.BETA, Service.Phase.LIVE),
        ("kind", Service.Kind.PLATFORM, Service.Kind.INTERNAL),
        ("leadership_model", Service.LeadershipModel.COUNCIL, Service.LeadershipModel.TEAM),
    ],
)
def test_filter_by_phase_kind_and_leadership_model(colleague_client, field, value, other):
    ServiceFactory(name="Match", **{field: value})
    ServiceFactory(name="Other", **{field: other})
    assert names(colleague_client.get(URL, {field: value})) == ["Match"]


def test_unknown_filter_values_are_reported_not_a_crash(colleague_client):
    ServiceFactory(name="Kept")
    response = colleague_client.get(URL, {"organisation": "nowhere", "phase": "gamma"})
    assert response.status_code == 200
    assert names(response) == ["Kept"]
    assert "Select a valid choice" in response.content.decode()


def test_htmx_request_gets_only_the_results_fragment(colleague_client):
    ServiceFactory(name="Apply for a grant")
    response = colleague_client.get(URL, {"q": "grant"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert "Apply for a grant" in body
    assert "HX-Request" in response["Vary"]


def test_plain_get_form_gets_the_whole_page(colleague_client):
    response = colleague_client.get(URL, {"q": "grant"})
    body = response.content.decode()
    assert body.startswith("<!DOCTYPE html>")
    assert 'id="catalogue-results"' in body
    assert 'method="get" action="/services/"' in body


def test_restricted_services_are_not_listed_for_outsiders(colleague_client):
    ServiceFactory(name="Open")
    ServiceFactory(name="Secret", restricted=True)
    response = colleague_client.get(URL)
    assert names(response) == ["Open"]
    assert "Secret" not in response.content.decode()


def test_results_are_paginated_keeping_the_filters(colleague_client):
    for n in range(55):
        ServiceFactory(name=f"Live {n:02d}")
    response = colleague_client.get(URL, {"phase": "live"})
    assert len(names(response)) == 50
    assert 'href="?phase=live&amp;page=2"' in response.content.decode()
    assert names(colleague_client.get(URL, {"phase": "live", "page": 2})) == [
        f"Live {n}" for n in range(50, 55)
    ]


@pytest.mark.parametrize("count", [5, 100])
def test_catalogue_runs_a_fixed_number_of_queries(
    colleague_client, django_assert_num_queries, count
):
    organisation = OrganisationFactory()
    for _ in range(count):
        StageFactory(service=ServiceFactory(organisation=organisation))
    colleague_client.get(URL)  # warm the content-type cache
    # session, user, org-admin check, organisations, directorates, count, page
    with django_assert_num_queries(7):
        response = colleague_client.get(URL, {"phase": "live"})
    assert response.context["page"].paginator.count == count
