"""Automation and AI agents in the journey: who performs each stage, what an agent may hold in
the decision rights, the gaps an autonomous agent opens, and the portfolio's view of them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from decisions.agents import agent_gaps
from decisions.models import DecisionRight, HolderKind, Role
from performance.figures.portfolio import PortfolioFilters, overview, portfolio
from performance.figures.rollups import preset_windows
from services.actions import service_access_sync
from services.gaps import more_gaps
from services.models import Stage
from services.queries import service_detail
from tests.factories import (
    DecisionBandFactory,
    DecisionRightFactory,
    DecisionTypeFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Performer = Stage.Performer


def agent_right(stage, decision_type, role=Role.PERFORM, band=None) -> DecisionRight:
    return DecisionRightFactory(
        service=stage.service,
        decision_type=decision_type,
        band=band,
        role=role,
        holder_kind=HolderKind.AGENT,
        person=None,
        stage=stage,
    )


@pytest.fixture
def service():
    return ServiceFactory(name="Report disrepair", slug="disrepair")


@pytest.fixture
def leader_client(client, service):
    user = UserFactory(username="leader")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user))
    service_access_sync()
    client.force_login(user)
    return client


# --- What an agent may hold -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.DECIDE, Role.AGREE, Role.RECOMMEND])
def test_an_agent_never_decides_agrees_or_recommends(service, role):
    stage = StageFactory(service=service, performer=Performer.AUTONOMOUS_AI)
    right = DecisionRight(
        service=service,
        decision_type=DecisionTypeFactory(),
        role=role,
        holder_kind=HolderKind.AGENT,
        stage=stage,
    )
    with pytest.raises(ValidationError) as refused:
        right.full_clean()
    assert "An agent may Perform or give Input, never Decide" in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        right.save()  # the database refuses it too, whoever writes


@pytest.mark.parametrize("role", [Role.PERFORM, Role.INPUT])
def test_an_agent_performs_or_gives_input(service, role):
    stage = StageFactory(service=service, name="Triage", performer=Performer.AUTONOMOUS_AI)
    right = agent_right(stage, DecisionTypeFactory(), role=role)
    right.full_clean()
    assert right.holder_label == "Autonomous AI agent at “Triage”"


def test_an_agent_right_needs_a_stage_an_agent_performs_in_the_same_service(service):
    people = StageFactory(service=service, position=1, name="Inspect", performer=Performer.PEOPLE)
    elsewhere = StageFactory(performer=Performer.AUTOMATION)
    for stage, message in [
        (people, "Stage 1 “Inspect” is performed by people"),
        (elsewhere, "That stage belongs to another service."),
    ]:
        right = DecisionRight(
            service=service,
            decision_type=DecisionTypeFactory(),
            role=Role.PERFORM,
            holder_kind=HolderKind.AGENT,
            stage=stage,
        )
        with pytest.raises(ValidationError) as refused:
            right.full_clean()
        assert message in str(refused.value)


def test_other_holders_name_no_stage(service):
    stage = StageFactory(service=service, performer=Performer.AUTOMATION)
    right = DecisionRightFactory(service=service, role=Role.PERFORM)
    right.stage = stage
    with pytest.raises(IntegrityError), transaction.atomic():
        right.save()


def test_the_matrix_offers_an_agent_only_for_perform_and_input(leader_client, service):
    StageFactory(service=service, name="Triage", performer=Performer.AUTONOMOUS_AI)
    routing = DecisionTypeFactory(name="Routing")

    def kinds(role):
        url = reverse("decisions:rights_cell", args=[service.slug, routing.pk, 0, role])
        return [value for value, _ in leader_client.get(url).context["form"].fields["kind"].choices]

    assert "agent" in kinds("perform") and "agent" in kinds("input")
    assert "agent" not in kinds("decide") and "agent" not in kinds("agree")


def test_a_forged_agent_decider_is_refused_and_nothing_is_written(leader_client, service):
    stage = StageFactory(service=service, performer=Performer.AUTONOMOUS_AI)
    routing = DecisionTypeFactory(name="Routing")
    url = reverse("decisions:rights_cell", args=[service.slug, routing.pk, 0, "decide"])
    token = leader_client.get(url).context["form"].initial["token"]
    response = leader_client.post(url, {"token": token, "kind": "agent", "stage": stage.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not DecisionRight.objects.exists()


def test_a_leader_names_the_agent_as_performer(leader_client, service):
    StageFactory(service=service, name="Apply", performer=Performer.PEOPLE)
    triage = StageFactory(service=service, name="Triage", performer=Performer.AUTONOMOUS_AI)
    routing = DecisionTypeFactory(name="Routing")
    url = reverse("decisions:rights_cell", args=[service.slug, routing.pk, 0, "perform"])
    form = leader_client.get(url).context["form"]
    assert list(form.fields["stage"].queryset) == [triage]  # only stages an agent performs
    response = leader_client.post(
        url, {"token": form.initial["token"], "kind": "agent", "stage": triage.pk}
    )
    assert response.status_code == 302
    right = DecisionRight.objects.get()
    assert (right.role, right.holder_kind, right.stage) == ("perform", "agent", triage)
    history = leader_client.get(reverse("decisions:rights_history", args=[service.slug]))
    assert "The agent at “Triage”" in history.content.decode()


# --- The gaps an autonomous agent opens -----------------------------------------------------


def test_an_autonomous_stage_needs_an_accountable_team_and_a_human_decider(service):
    routing, hazard = DecisionTypeFactory(name="Routing"), DecisionTypeFactory(name="Hazard")
    spend = DecisionTypeFactory(name="Spend")
    small, large = (
        DecisionBandFactory(decision_type=spend, up_to=1000),
        DecisionBandFactory(decision_type=spend, up_to=None),
    )
    StageFactory(service=service, position=1, name="Report", performer=Performer.PEOPLE)
    StageFactory(service=service, position=2, name="Triage", performer=Performer.AUTONOMOUS_AI)
    refund = StageFactory(
        service=service,
        position=3,
        name="Refund",
        performer=Performer.AUTONOMOUS_AI,
        agent_team=TeamFactory(),
    )
    agent_right(refund, routing)
    agent_right(refund, hazard)
    agent_right(refund, spend, band=small)
    agent_right(refund, spend, band=large)
    agent_right(refund, routing, role=Role.INPUT)  # input is not taking the decision
    DecisionRightFactory(service=service, decision_type=routing, role=Role.DECIDE)
    DecisionRightFactory(service=service, decision_type=spend, band=small, role=Role.DECIDE)
    assert agent_gaps([service.pk])[service.pk] == [
        "Stage 2 “Triage” is performed by an autonomous AI agent with no team accountable for it.",
        "Stage 2 “Triage” is performed by an autonomous AI agent, but no decision right says "
        "which decisions it takes (Perform) or who decides them.",
        "Stage 3 “Refund”'s autonomous AI agent takes decisions nobody holds the Decide right "
        "for: Hazard, Spend (any amount). People must answer for them.",
    ]
    # Every gap reaches the service page's list.
    assert set(agent_gaps([service.pk])[service.pk]) <= set(more_gaps([service.pk])[service.pk])


def test_assistive_agents_and_automation_open_no_such_gap(service):
    StageFactory(service=service, position=1, performer=Performer.ASSISTIVE_AI)
    StageFactory(service=service, position=2, performer=Performer.AUTOMATION)
    assert agent_gaps([service.pk]) == {service.pk: []}


def test_an_automated_decision_system_with_no_stage_saying_so_is_a_gap(service, leader_client):
    user = leader_client.get("/").wsgi_request.user
    service.automated_decision_system = True
    service.save()
    StageFactory(service=service, position=1, performer=Performer.PEOPLE)
    gap = (
        "It uses an automated decision system, but no stage of its journey says automation "
        "or an AI agent performs it."
    )
    assert gap in service_detail(user, service).gaps
    StageFactory(service=service, position=2, performer=Performer.AUTOMATION)
    assert gap not in service_detail(user, service).gaps


# --- The journey and the portfolio ----------------------------------------------------------


def test_the_journey_page_sets_who_performs_a_stage(leader_client, service):
    team = TeamFactory(name="Contact centre")
    stage = StageFactory(service=service, name="Triage")
    url = reverse("services:service_journey", args=[service.slug])
    page = leader_client.get(url)
    data = {
        "version": page.context["save_form"].initial["version"],
        "stages-TOTAL_FORMS": 1,
        "stages-INITIAL_FORMS": 1,
        "stages-0-stage_id": stage.pk,
        "stages-0-name": "Triage",
        "stages-0-ORDER": 1,
        "stages-0-performer": "autonomous_ai",
        "stages-0-agent_team": team.pk,
    }
    assert leader_client.post(url, data).status_code == 302
    stage.refresh_from_db()
    assert (stage.performer, stage.agent_team) == ("autonomous_ai", team)
    shown = leader_client.get(service.get_absolute_url()).content.decode()
    assert "Autonomous AI agent" in shown and "Answered for by" in shown

    people = {**data, "version": leader_client.get(url).context["save_form"].initial["version"]}
    people["stages-0-performer"] = "people"
    refused = leader_client.post(url, people)
    assert refused.status_code == 200
    assert "People perform this stage" in refused.content.decode()
    stage.refresh_from_db()
    assert stage.performer == "autonomous_ai"


def test_the_portfolio_counts_and_filters_services_with_autonomous_agents(org_admin_client):
    team = TeamFactory()
    with_gap = ServiceFactory(name="Triage reports")
    StageFactory(service=with_gap, performer=Performer.AUTONOMOUS_AI)  # no team, no rights
    answered = ServiceFactory(name="Refund fees")
    refund = StageFactory(service=answered, performer=Performer.AUTONOMOUS_AI, agent_team=team)
    fees = DecisionTypeFactory(name="Fees")
    agent_right(refund, fees)
    DecisionRightFactory(service=answered, decision_type=fees, role=Role.DECIDE)
    published = ServiceFactory(name="Score applications", automated_decision_system=True)
    StageFactory(service=published, performer=Performer.ASSISTIVE_AI)
    ServiceFactory(name="Plain", automated_decision_system=False)

    user = org_admin_client.get(reverse("performance:portfolio")).wsgi_request.user
    window = preset_windows()[0]
    rows = portfolio(user, window, PortfolioFilters(), "service").rows
    seen = overview(rows)
    assert (seen.services, seen.autonomous, seen.agent_gaps, seen.automated_decisions) == (
        4,
        2,
        1,
        1,
    )

    def names(agents):
        found = portfolio(user, window, PortfolioFilters(agents=agents), "service").rows
        return [row.service.name for row in found]

    assert names("autonomous") == ["Refund fees", "Triage reports"]
    assert names("agent_gaps") == ["Triage reports"]
    assert names("automated_decisions") == ["Score applications"]
    page = org_admin_client.get(reverse("performance:portfolio"), {"agents": "agent_gaps"})
    body = page.content.decode()
    assert "2 services have stages an autonomous AI agent performs" not in body  # filtered
    assert "1 service has stages an autonomous AI agent performs" in body
    assert "Triage reports" in body and "Refund fees" not in body


def test_a_stage_keeps_its_agent_while_the_agent_holds_rights(leader_client, service):
    stage = StageFactory(service=service, name="Triage", performer=Performer.AUTONOMOUS_AI)
    agent_right(stage, DecisionTypeFactory(), role=Role.INPUT)
    url = reverse("services:service_journey", args=[service.slug])
    data = {
        "version": leader_client.get(url).context["save_form"].initial["version"],
        "stages-TOTAL_FORMS": 1,
        "stages-INITIAL_FORMS": 1,
        "stages-0-stage_id": stage.pk,
        "stages-0-name": "Triage",
        "stages-0-ORDER": 1,
        "stages-0-performer": "people",
    }
    refused = leader_client.post(url, data)
    assert refused.status_code == 200
    assert "The agent at “Triage” still holds decision rights" in refused.content.decode()
    stage.refresh_from_db()
    assert stage.performer == "autonomous_ai"
    DecisionRight.objects.all().delete()
    assert leader_client.post(url, data).status_code == 302
    stage.refresh_from_db()
    assert stage.performer == "people"
