import pytest
from django.urls import reverse

from services.access import CONTRIBUTE, LEAD
from services.actions import (
    assessment_version,
    journey_version,
    leadership_version,
    service_access_sync,
)
from services.models import (
    Person,
    ProportionalityAssessment,
    Service,
    ServiceLeader,
    Stage,
)
from tests.factories import (
    PersonFactory,
    PriorityFactory,
    ServiceDependencyFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader():
    return UserFactory(username="leader", first_name="Priya", last_name="Shah")


@pytest.fixture
def service(leader):
    service = ServiceFactory(name="Apply for a grant", leadership_model="single")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=leader, name="Priya Shah"))
    StageFactory(service=service, position=1, name="Apply")
    StageFactory(service=service, position=2, name="Decide")
    service_access_sync()
    return service


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


def management(prefix: str, total: int, initial: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def details(service, **changes) -> dict:
    data = {
        "loaded_at": Service.objects.get(pk=service.pk).updated_at.isoformat(),
        "name": service.name,
        "purpose": service.purpose,
        "serves": "",
        "vision": "",
        "phase": service.phase,
        "kind": service.kind,
        "priorities": "",
    }
    return data | changes


def test_leader_edits_details_and_priorities(leader_client, service, leader):
    PriorityFactory(service=service, position=1, text="Old first")
    PriorityFactory(service=service, position=2, text="Old second")
    url = reverse("services:service_edit", args=[service.slug])
    data = details(service, vision="Decided in 4 weeks", priorities="Halve waits\n\n  Cut returns ")
    response = leader_client.post(url, data)
    assert response["Location"] == service.get_absolute_url()
    service.refresh_from_db()
    assert service.vision == "Decided in 4 weeks"
    assert [p.text for p in service.priorities.order_by("position")] == [
        "Halve waits",
        "Cut returns",
    ]
    assert service.history.latest().history_user == leader


def test_edit_details_reports_bad_input_on_the_field(leader_client, service):
    url = reverse("services:service_edit", args=[service.slug])
    response = leader_client.post(url, details(service, name="", priorities="x" * 501))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Name: This field is required." in body
    assert "Priority 1 is longer than 500 characters; shorten it." in body
    assert 'class="govuk-input govuk-input--error"' in body


def test_null_characters_are_refused_not_a_crash(leader_client, service):
    url = reverse("services:service_edit", args=[service.slug])
    response = leader_client.post(url, details(service, name="Grant\x00"))
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()


@pytest.mark.parametrize("name", ["Grants\nand loans", "Grants\rloans", "Grants\u2028loans"])
def test_a_name_with_a_line_break_is_refused_on_the_field(leader_client, service, name):
    url = reverse("services:service_edit", args=[service.slug])
    response = leader_client.post(url, details(service, name=name))
    assert response.status_code == 200
    assert "Name: Write it on one line: it cannot hold a line break." in (response.content.decode())
    service.refresh_from_db()
    assert "loans" not in service.name


def leadership_data(service, model: str, rows: list[dict], initial: int) -> dict:
    data = {
        "leadership_model": model,
        "version": leadership_version(service),
        **management("leaders", len(rows), initial),
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"leaders-{index}-{key}"] = value
    return data


def test_leader_changes_leadership_and_new_leaders_gain_permissions(leader_client, service):
    current = service.leaders.get()
    newcomer = PersonFactory(user=UserFactory(username="grace"), name="Grace Adeyemi")
    data = leadership_data(
        service,
        "team",
        [
            {"person": current.person.pk, "role": "Service owner", "leads_on": "users"},
            {"person": newcomer.pk, "role": "Director of operations", "leads_on": "operations"},
        ],
        initial=1,
    )
    response = leader_client.post(reverse("services:service_leadership", args=[service.slug]), data)
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.leadership_model == Service.LeadershipModel.TEAM
    assert set(service.leaders.values_list("person__name", flat=True)) == {
        "Priya Shah",
        "Grace Adeyemi",
    }
    assert newcomer.user.has_perm(LEAD, service)


def test_removed_leader_loses_their_permissions(leader_client, service, leader):
    other = ServiceLeaderFactory(service=service, person=PersonFactory(user=UserFactory()))
    service_access_sync()
    assert other.person.user.has_perm(LEAD, service)
    data = leadership_data(
        service,
        "single",
        [
            {"person": service.leaders.get(person__user=leader).person.pk},
            {"person": other.person.pk, "DELETE": "on"},
        ],
        initial=2,
    )
    leader_client.post(reverse("services:service_leadership", args=[service.slug]), data)
    assert not ServiceLeader.objects.filter(pk=other.pk).exists()
    user = type(other.person.user).objects.get(pk=other.person.user.pk)  # fresh perm cache
    assert not user.has_perm(LEAD, service)


def test_naming_a_leader_twice_is_refused(leader_client, service):
    person = service.leaders.get().person.pk
    data = leadership_data(service, "team", [{"person": person}, {"person": person}], initial=1)
    response = leader_client.post(reverse("services:service_leadership", args=[service.slug]), data)
    assert "is named more than once; name each leader once." in response.content.decode()
    assert service.leaders.count() == 1


def journey_data(service, rows: list[dict], initial: int) -> dict:
    data = {"version": journey_version(service), **management("stages", len(rows), initial)}
    for index, row in enumerate(rows):
        for key, value in {"performer": "people", **row}.items():
            data[f"stages-{index}-{key}"] = value
    return data


def test_leader_reorders_renames_removes_and_adds_stages(leader_client, service):
    apply, decide = service.stages.order_by("position")
    team = TeamFactory(name="Casework")
    member = PersonFactory(user=UserFactory(username="caseworker"))
    team.memberships.create(person=member)
    data = journey_data(
        service,
        [
            {"stage_id": apply.pk, "name": "Decide", "ORDER": 2, "channels": ["digital"]},
            {"stage_id": decide.pk, "name": "Apply", "ORDER": 1, "DELETE": "on"},
            {"name": "Check", "ORDER": 1, "team": team.pk, "online": "on"},
        ],
        initial=2,
    )
    response = leader_client.post(reverse("services:service_journey", args=[service.slug]), data)
    assert response.status_code == 302
    stages = list(service.stages.order_by("position").values_list("position", "name", "team"))
    assert stages == [(1, "Check", team.pk), (2, "Decide", None)]
    assert not Stage.objects.filter(pk=decide.pk).exists()
    assert member.user.has_perm(CONTRIBUTE, service)


def test_two_stages_with_one_name_are_refused(leader_client, service):
    apply, decide = service.stages.order_by("position")
    data = journey_data(
        service,
        [
            {"stage_id": apply.pk, "name": "Apply", "ORDER": 1},
            {"stage_id": decide.pk, "name": "apply", "ORDER": 2},
        ],
        initial=2,
    )
    response = leader_client.post(reverse("services:service_journey", args=[service.slug]), data)
    assert "Two stages are called “apply”; give each stage its own name." in (
        response.content.decode()
    )
    assert list(service.stages.values_list("name", flat=True)) == ["Apply", "Decide"]


def test_one_stage_sent_twice_is_refused_not_half_saved(leader_client, service):
    apply, decide = service.stages.order_by("position")
    data = journey_data(
        service,
        [
            {"stage_id": apply.pk, "name": "Apply online", "ORDER": 1},
            {"stage_id": apply.pk, "name": "Check", "ORDER": 2},
            {"stage_id": decide.pk, "name": "Decide", "ORDER": 3},
        ],
        initial=3,
    )
    response = leader_client.post(reverse("services:service_journey", args=[service.slug]), data)
    assert "The same stage is in the journey twice" in response.content.decode()
    assert list(service.stages.values_list("name", flat=True)) == ["Apply", "Decide"]


def test_unknown_channel_is_refused_on_the_field(leader_client, service):
    apply, decide = service.stages.order_by("position")
    data = journey_data(
        service,
        [
            {"stage_id": apply.pk, "name": "Apply", "ORDER": 1, "channels": ["pigeon"]},
            {"stage_id": decide.pk, "name": "Decide", "ORDER": 2},
        ],
        initial=2,
    )
    response = leader_client.post(reverse("services:service_journey", args=[service.slug]), data)
    assert "Stage 1, channels: Select a valid choice. pigeon is not one of the available" in (
        response.content.decode()
    )


def test_leader_records_the_proportionality_assessment(leader_client, service, leader):
    data = {"important": "on", "important_note": "Statutory duty", "major_change": "on"}
    data["version"] = assessment_version(service)
    response = leader_client.post(reverse("services:service_assessment", args=[service.slug]), data)
    assert response.status_code == 302
    assessment = ProportionalityAssessment.objects.get(service=service)
    assert assessment.hands_on_recommended
    assert assessment.history.latest().history_user == leader


def test_edit_links_show_only_to_those_who_may_lead(client, leader_client, service):
    edit = reverse("services:service_edit", args=[service.slug])
    assert edit in leader_client.get(service.get_absolute_url()).content.decode()
    client.force_login(UserFactory(username="reader"))
    assert edit not in client.get(service.get_absolute_url()).content.decode()


def test_saving_details_over_a_later_change_is_refused_naming_who(leader_client, service):
    from django.test import Client

    other = UserFactory(username="grace", first_name="Grace", last_name="Adeyemi")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=other))
    service_access_sync()
    url = reverse("services:service_edit", args=[service.slug])
    mine = leader_client.get(url).context["form"].initial["loaded_at"]
    grace = Client()
    grace.force_login(other)
    theirs = grace.get(url).context["form"].initial["loaded_at"]
    saved = grace.post(url, details(service, vision="Grace's vision", loaded_at=theirs))
    assert saved.status_code == 302
    response = leader_client.post(url, details(service, vision="Mine", loaded_at=mine))
    assert "Changed by Grace Adeyemi at " in response.content.decode()
    service.refresh_from_db()
    assert service.vision == "Grace's vision"
    again = leader_client.get(url).context["form"].initial["loaded_at"]
    assert (
        leader_client.post(url, details(service, vision="Mine", loaded_at=again)).status_code == 302
    )


def test_history_shows_who_changed_what(leader_client, service):
    url = reverse("services:service_edit", args=[service.slug])
    leader_client.post(url, details(service, vision="Decided in 4 weeks"))
    response = leader_client.get(reverse("services:service_history", args=[service.slug]))
    [latest, *_] = response.context["entries"]
    assert (latest.who, latest.kind, latest.what) == ("Priya Shah", "Changed", "Service details")
    assert [(c.field, c.before, c.after) for c in latest.changes] == [
        ("Vision statement", "(none)", "Decided in 4 weeks")
    ]


def test_history_names_related_objects_not_ids(leader_client, service):
    apply = service.stages.get(position=1)
    team = TeamFactory(name="Casework")
    data = journey_data(
        service,
        [
            {"stage_id": apply.pk, "name": "Apply", "ORDER": 1, "team": team.pk},
            {"stage_id": service.stages.get(position=2).pk, "name": "Decide", "ORDER": 2},
        ],
        initial=2,
    )
    leader_client.post(reverse("services:service_journey", args=[service.slug]), data)
    entries = leader_client.get(reverse("services:service_history", args=[service.slug])).context[
        "entries"
    ]
    changes = [c for e in entries if e.what == "Stage 1 “Apply”" for c in e.changes]
    assert ("Team", "Casework") in [(c.field, c.after) for c in changes]


def test_history_names_a_restricted_service_only_to_those_who_may_see_it(
    leader_client, leader, service
):
    secret = ServiceFactory(name="Handle grant fraud referrals", restricted=True)
    ServiceDependencyFactory(service=service, depends_on=secret)
    url = reverse("services:service_history", args=[service.slug])
    page = leader_client.get(url).content.decode()
    assert "fraud" not in page.lower()
    assert "Relies on (not shown: restricted or removed)" in page
    ServiceLeaderFactory(service=secret, person=Person.objects.get(user=leader))
    service_access_sync()
    assert "Relies on Handle grant fraud referrals" in leader_client.get(url).content.decode()


def test_admin_changes_are_attributed_too(client):
    admin_user = UserFactory(username="morgan", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    service = ServiceFactory(name="Before")
    change_url = reverse("admin:services_service_change", args=[service.pk])
    data = {
        "name": "After",
        "slug": service.slug,
        "organisation": service.organisation.pk,
        "kind": service.kind,
        "phase": service.phase,
        "leadership_model": service.leadership_model,
    }
    for prefix in ["priorities", "leaders", "assessment", "stages", "participations"]:
        data |= management(prefix, 0, 0)
    data |= management("dependencies", 0, 0)
    assert client.post(change_url, data).status_code == 302
    record = service.history.latest()
    assert (record.name, record.history_user) == ("After", admin_user)


def test_bulk_seeding_is_recorded_in_the_history():
    from django.core.management import call_command

    call_command("seed_demo", scale=5, stdout=open("/dev/null", "w"))  # noqa: SIM115
    generated = Service.objects.filter(slug__startswith="generated-")
    assert generated.count() == 5
    assert Service.history.filter(slug__startswith="generated-").count() == 5
    assert Stage.history.filter(service_id__in=generated.values("pk")).count() == (
        Stage.objects.filter(service__in=generated).count()
    )
