"""No lost update: on every edit page, two people open the same form, the first saves, and the
second's save is refused naming who changed it and when, leaving the first one's change.

Each form is filled in from its own page, as a browser would post it.
"""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from decisions.models import DecisionType
from performance.models import ChangeInitiative, StageLog
from services.actions import service_access_sync
from services.models import ProportionalityAssessment, Service, Stage
from services.queries import ORG_ADMINS_GROUP
from tests.factories import (
    ChangeInitiativeFactory,
    DecisionFactory,
    DecisionTypeFactory,
    FrictionPointFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    StageLogFactory,
    UserFactory,
)
from tests.pages import form_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    service = ServiceFactory(name="Grants", slug="grants", leadership_model="single")
    StageFactory(service=service, position=1, name="Apply")
    StageFactory(service=service, position=2, name="Assess")
    admins = Group.objects.create(name=ORG_ADMINS_GROUP)
    people = {}
    for username, first in [("priya", "Priya"), ("grace", "Grace")]:
        user = UserFactory(username=username, first_name=first, last_name="Leader")
        user.groups.add(admins)
        ServiceLeaderFactory(service=service, person=PersonFactory(user=user, name=first))
        people[username] = user
    service_access_sync()
    return {
        "service": service,
        "people": people,
        "type": DecisionTypeFactory(name="Spend", description="Money"),
        "change": ChangeInitiativeFactory(
            service=service, title="Faster checks", outcome_sought="Quicker", kind="project"
        ),
    }


# page: (its URL, the field both change, three values they give it, what shows it saved)
PAGES = {
    "leadership": (
        lambda w: reverse("services:service_leadership", args=["grants"]),
        "leadership_model",
        ["team", "council", "none"],
        lambda w: Service.objects.get(slug="grants").leadership_model,
    ),
    "journey": (
        lambda w: reverse("services:service_journey", args=["grants"]),
        "stages-0-name",
        ["Apply online", "Apply by post", "Ask"],
        lambda w: Stage.objects.get(service__slug="grants", position=1).name,
    ),
    "assessment": (
        lambda w: reverse("services:service_assessment", args=["grants"]),
        "important_note",
        ["Half the applications", "A third of the cost", "Main service"],
        lambda w: ProportionalityAssessment.objects.get(service__slug="grants").important_note,
    ),
    "decision type": (
        lambda w: reverse("decisions:type_edit", args=[w["type"].pk]),
        "description",
        ["Money over the limit", "Any money", "Spending"],
        lambda w: DecisionType.objects.get(pk=w["type"].pk).description,
    ),
    "change initiative": (
        lambda w: reverse("performance:change_edit", args=["grants", w["change"].pk]),
        "title",
        ["Checks in a day", "Checks in an hour", "Instant checks"],
        lambda w: ChangeInitiative.objects.get(pk=w["change"].pk).title,
    ),
}


def opened(user, url) -> tuple[Client, dict]:
    client = Client()
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200
    fields = form_fields(page.content.decode())
    if "assessed_on" in fields and not fields["assessed_on"][0]:
        fields["assessed_on"] = ["2026-11-02"]
    return client, fields


@pytest.mark.parametrize("page", PAGES)
def test_a_save_over_someone_elses_is_refused_naming_them(world, page):
    url_of, field, (graces, priyas, later), saved = PAGES[page]
    url = url_of(world)
    priya, priya_sees = opened(world["people"]["priya"], url)
    grace, grace_sees = opened(world["people"]["grace"], url)

    response = grace.post(url, {**grace_sees, field: graces})
    assert response.status_code == 302
    assert saved(world) == graces

    response = priya.post(url, {**priya_sees, field: priyas})
    assert response.status_code == 200
    assert "Changed by Grace Leader at" in response.content.decode()
    assert saved(world) == graces

    again = priya.get(url)  # reloaded: her change goes in over what she now sees
    response = priya.post(url, {**form_fields(again.content.decode()), field: later})
    assert response.status_code == 302
    assert saved(world) == later


def test_removing_a_stage_with_logs_says_what_it_deletes_and_waits_for_a_yes(world):
    assess = Stage.objects.get(name="Assess")
    for week in [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]:
        StageLogFactory(
            stage=assess,
            period_start=week,
            period_end=week.replace(day=week.day + 6),
            completed=9,
            median_process_hours=2,
        )
    url = reverse("services:service_journey", args=["grants"])
    client, fields = opened(world["people"]["priya"], url)
    removing = {**fields, "stages-1-DELETE": "on"}

    response = client.post(url, removing)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Removing this stage deletes what was logged against it" in body
    assert "Assess: 3 weekly stage logs" in body
    assert Stage.objects.filter(pk=assess.pk).exists()
    assert StageLog.objects.count() == 3

    response = client.post(url, {**form_fields(body), "stages-1-DELETE": "on"})
    assert response.status_code == 200  # the box not ticked: still nothing removed
    assert Stage.objects.filter(pk=assess.pk).exists()

    confirmed = {**form_fields(body), "stages-1-DELETE": "on", "remove_logged": "on"}
    response = client.post(url, confirmed)
    assert response.status_code == 302
    assert not Stage.objects.filter(pk=assess.pk).exists()
    assert not StageLog.objects.exists()


def test_removing_a_stage_with_nothing_logged_needs_no_yes(world):
    url = reverse("services:service_journey", args=["grants"])
    client, fields = opened(world["people"]["priya"], url)
    response = client.post(url, {**fields, "stages-1-DELETE": "on"})
    assert response.status_code == 302
    assert list(Stage.objects.values_list("name", flat=True)) == ["Apply"]


def test_hand_offs_the_journey_rebuilds_are_no_loss_but_a_set_turnaround_is(world):
    from performance.flow.actions import handoffs_make
    from performance.models import Handoff

    service = world["service"]
    handoffs_make({service.pk: list(service.stages.order_by("position"))})
    assess = Stage.objects.get(name="Assess")
    url = reverse("services:service_journey", args=["grants"])
    client, fields = opened(world["people"]["priya"], url)
    Handoff.objects.filter(to_stage=assess).update(expected_turnaround_hours=48)
    response = client.post(url, {**fields, "stages-1-DELETE": "on"})
    assert "Assess: 1 hand-off" in response.content.decode()
    Handoff.objects.filter(to_stage=assess).update(expected_turnaround_hours=None)
    client, fields = opened(world["people"]["priya"], url)
    assert client.post(url, {**fields, "stages-1-DELETE": "on"}).status_code == 302


@pytest.mark.parametrize("page", PAGES)
def test_a_save_without_the_pages_version_is_refused_as_out_of_date(world, page):
    """An old page, or a tampered one, cannot skip the check by leaving its version out."""
    url_of, field, (value, _, _), saved = PAGES[page]
    url = url_of(world)
    client, fields = opened(world["people"]["grace"], url)
    posted = {k: v for k, v in fields.items() if k not in {"version", "loaded_at"}}
    response = client.post(url, {**posted, field: value})
    assert response.status_code == 200
    assert "since you opened this page; reload to see it" in response.content.decode()
    if page == "assessment":
        assert not ProportionalityAssessment.objects.exists()
    else:
        assert saved(world) != value


def test_removing_a_stage_names_the_friction_decisions_and_changes_that_lose_it(world):

    assess = Stage.objects.get(name="Assess")
    FrictionPointFactory(
        service=world["service"],
        title="Slow checks",
        category="process",
        severity="high",
        raised_on=date(2026, 1, 5),
        stage=assess,
    )
    decision = DecisionFactory(
        service=world["service"],
        title="Check less",
        decision_type=world["type"],
        decided_on=date(2026, 1, 5),
    )
    decision.affected_stages.add(assess)
    world["change"].affected_stages.add(assess)
    url = reverse("services:service_journey", args=["grants"])
    client, fields = opened(world["people"]["priya"], url)
    body = client.post(url, {**fields, "stages-1-DELETE": "on"}).content.decode()
    assert (
        "Assess: 1 decision no longer naming it, 1 change initiative no longer naming it, "
        "1 friction point losing the link to it"
    ) in body
    assert Stage.objects.filter(pk=assess.pk).exists()
