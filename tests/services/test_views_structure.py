import pytest
from django.urls import reverse

from tests.factories import (
    DirectorateFactory,
    OrganisationFactory,
    PersonFactory,
    ServiceFactory,
    ServiceTeamFactory,
    StageFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    team = TeamFactory(name="Casework")
    StageFactory(service=ServiceFactory(name="Grants"), name="Decide", team=team)
    ServiceTeamFactory(service=ServiceFactory(name="Complaints"), team=team)
    StageFactory(service=ServiceFactory(name="Secret", restricted=True), name="Hidden", team=team)
    StageFactory(service=ServiceFactory(name="Unrelated"))
    return team


def service_names(response) -> list[str]:
    return [s.name for s in response.context["services"]]


def test_team_page_lists_its_services_stages_and_members(colleague_client, team):
    TeamMembershipFactory(team=team, person=PersonFactory(name="Hannah Lewis"), role_title="Lead")
    response = colleague_client.get(reverse("services:team", args=[team.pk]))
    assert service_names(response) == ["Complaints", "Grants"]
    assert [s.name for s in response.context["stages"]] == ["Decide"]
    assert "Hannah Lewis, Lead" in response.content.decode()


def test_directorate_page_includes_teams_of_nested_directorates(colleague_client, team):
    parent = DirectorateFactory(organisation=team.directorate.organisation)
    team.directorate.parent = parent
    team.directorate.save()
    response = colleague_client.get(reverse("services:directorate", args=[parent.pk]))
    assert service_names(response) == ["Complaints", "Grants"]
    assert team.directorate.name in response.content.decode()


def test_organisation_page_lists_directorates_services_and_stages(colleague_client, team):
    organisation = team.directorate.organisation
    ServiceFactory(name="Accountable only", organisation=organisation)
    response = colleague_client.get(reverse("services:organisation", args=[organisation.slug]))
    assert service_names(response) == ["Accountable only", "Complaints", "Grants"]
    assert [s.name for s in response.context["stages"]] == ["Decide"]
    assert [d.name for d, _ in response.context["directorates"]] == [team.directorate.name]


def test_restricted_services_stay_hidden_on_structure_pages(colleague_client, team):
    for url in [
        reverse("services:team", args=[team.pk]),
        reverse("services:directorate", args=[team.directorate.pk]),
        reverse("services:organisation", args=[team.directorate.organisation.slug]),
    ]:
        body = colleague_client.get(url).content.decode()
        assert "Secret" not in body
        assert "Hidden" not in body


def test_organisations_page_counts_directorates_and_teams(colleague_client):
    organisation = OrganisationFactory(name="Agency")
    directorate = DirectorateFactory(organisation=organisation)
    TeamFactory(directorate=directorate)
    TeamFactory(directorate=directorate)
    [row] = colleague_client.get(reverse("services:organisations")).context["organisations"]
    assert (row.name, row.directorate_count, row.team_count) == ("Agency", 1, 2)


def test_unknown_organisation_directorate_and_team_are_404(colleague_client):
    assert colleague_client.get("/organisations/nowhere/").status_code == 404
    assert colleague_client.get("/directorates/999999/").status_code == 404
    assert colleague_client.get("/teams/999999/").status_code == 404
