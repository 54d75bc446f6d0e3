import pytest
from django.urls import reverse

from services.actions import service_access_sync
from services.models import Service
from tests.factories import (
    DirectorateFactory,
    PersonFactory,
    PriorityFactory,
    ProportionalityAssessmentFactory,
    ServiceDependencyFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    ServiceTeamFactory,
    StageFactory,
    TeamFactory,
    TeamMembershipFactory,
)

pytestmark = pytest.mark.django_db


def url(service) -> str:
    return reverse("services:service", args=[service.slug])


@pytest.fixture
def grant():
    """A service whose journey crosses a directorate and an organisation."""
    service = ServiceFactory(
        name="Apply for a grant",
        purpose="Help people repair homes.",
        vision="Decided in 4 weeks.",
        leadership_model=Service.LeadershipModel.TEAM,
    )
    digital = TeamFactory(name="Apply digital team")
    ops = TeamFactory(
        name="Casework",
        directorate=DirectorateFactory(organisation=digital.directorate.organisation),
    )
    StageFactory(service=service, position=1, name="Apply", team=digital)
    StageFactory(service=service, position=2, name="Check", team=digital)
    StageFactory(service=service, position=3, name="Decide", team=ops)
    StageFactory(service=service, position=4, name="Inspect", team=TeamFactory(name="Agency"))
    StageFactory(service=service, position=5, name="Pay", team=None)
    PriorityFactory(service=service, position=1, text="Halve the wait")
    ServiceLeaderFactory(
        service=service, person=PersonFactory(name="Priya Shah"), leads_on="tech, ops"
    )
    ProportionalityAssessmentFactory(service=service, important=True, large_complex=True)
    ServiceTeamFactory(service=service, team__name="Grants policy", role="Sets the rules")
    return service


def test_shows_purpose_vision_priorities_and_leaders(colleague_client, grant):
    body = colleague_client.get(url(grant)).content.decode()
    for text in [
        "Help people repair homes.",
        "Decided in 4 weeks.",
        "Halve the wait",
        "Multidisciplinary leadership team",
        "Priya Shah",
        "Leads from among peers on: tech, ops",
    ]:
        assert text in body


def test_shows_the_journey_with_each_handoff_boundary(colleague_client, grant):
    response = colleague_client.get(url(grant))
    detail = response.context["detail"]
    assert [h.boundary.value for h in detail.handoffs] == [
        "within_team",
        "cross_directorate",
        "cross_organisation",
        "unknown",
    ]
    body = response.content.decode()
    assert "5 stages and 4 hand-offs: 1 across directorates, 1 across organisations." in body
    assert "Across directorates" in body
    assert "Across organisations" in body


def test_lists_accountability_gaps(colleague_client, grant):
    body = colleague_client.get(url(grant)).content.decode()
    assert "Accountability gaps (2)" in body
    assert "Stage 5 “Pay” has no owning team." in body
    assert "The leadership team has 1 person; it works as one with 2 to 4." in body


def test_shows_proportionality_recommendation(colleague_client, grant):
    body = colleague_client.get(url(grant)).content.decode()
    assert "Hands-on leadership recommended" in body
    assert "2 of 5 criteria hold" in body


def test_lists_teams_involved_with_their_part(colleague_client, grant):
    teams = colleague_client.get(url(grant)).context["detail"].teams
    parts = {t.team.name: ([s.name for s in t.stages], t.roles) for t in teams}
    assert parts["Apply digital team"] == (["Apply", "Check"], [])
    assert parts["Grants policy"] == ([], ["Sets the rules"])


def test_shows_dependencies_both_ways(colleague_client, grant):
    platform = ServiceFactory(name="Sign in")
    ServiceDependencyFactory(service=grant, depends_on=platform, note="Shared releases")
    ServiceDependencyFactory(service=ServiceFactory(name="Complaints"), depends_on=grant)
    detail = colleague_client.get(url(grant)).context["detail"]
    assert [d.depends_on.name for d in detail.relies_on] == ["Sign in"]
    assert [d.service.name for d in detail.relied_on_by] == ["Complaints"]


def test_hides_restricted_dependents_from_outsiders(colleague_client, grant):
    ServiceDependencyFactory(
        service=ServiceFactory(name="Secret", restricted=True), depends_on=grant
    )
    response = colleague_client.get(url(grant))
    assert response.context["detail"].relied_on_by == []
    assert "Secret" not in response.content.decode()


def test_restricted_service_is_404_for_outsiders(colleague_client):
    assert colleague_client.get(url(ServiceFactory(restricted=True))).status_code == 404


def test_restricted_service_opens_for_a_member_of_its_team(client, colleague, grant):
    grant.restricted = True
    grant.save()
    TeamMembershipFactory(team=grant.stages.first().team, person=PersonFactory(user=colleague))
    service_access_sync()
    client.force_login(colleague)
    assert client.get(url(grant)).status_code == 200


def test_unknown_service_is_404(colleague_client):
    assert colleague_client.get("/services/no-such-service/").status_code == 404


@pytest.mark.parametrize("size", [5, 100])
def test_service_page_runs_a_fixed_number_of_queries(
    colleague_client, django_assert_num_queries, size
):
    service = ServiceFactory(leadership_model=Service.LeadershipModel.TEAM)
    for position in range(1, size + 1):
        StageFactory(service=service, position=position)
        ServiceLeaderFactory(service=service)
        ServiceDependencyFactory(service=service)
        ServiceDependencyFactory(depends_on=service)
        ServiceTeamFactory(service=service)
        PriorityFactory(service=service, position=position)
    ProportionalityAssessmentFactory(service=service)
    colleague_client.get(url(service))  # warm the content-type cache
    # session, user, org-admin check, access, service, 6 prefetches, 2 for the user's
    # permissions on the service (13); the accountability gaps' decision types and Decide
    # rights, and the stages autonomous AI agents perform (3); the decisions panel's counts,
    # recent decisions and rights gaps (4); the flow
    # panel's stages, hand-offs, friction counts and measurements (no sums of hand-off logs:
    # nothing has been logged, so none is saved); the leadership panel's summary freshness
    # (the summary itself from the cache), its organisation's transactions, currency and
    # cost, the projects under way, old high-severity friction and narratives, its maturity
    # records and campaigns (10); the drift
    # panel's histories of leaders, stages,
    # decision rights, the service (twice: vision, model) and the assessment, the decisions
    # (twice: dated, outside rights), kinds of decision, spending, last measurement (11); the
    # teamwork panel's stages, participating teams, interactions and capacity logs (4)
    with django_assert_num_queries(55):
        response = colleague_client.get(url(service))
    assert len(response.context["detail"].stages) == size


def test_the_service_page_counts_decisions_nobody_may_take_as_an_accountability_gap(
    colleague_client,
):
    from tests.factories import DecisionTypeFactory

    service = ServiceFactory()
    DecisionTypeFactory(name="Spend")
    page = colleague_client.get(url(service)).content.decode()
    assert "Nobody holds the Decide right for 1 kind of decision: Spend." in page
    assert "None found" not in page
    assert "1</span> decision type with nobody to decide" in page
