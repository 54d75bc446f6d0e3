import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from services.actions import service_access_sync
from services.models import Service, Stage, Team
from services.queries import ORG_ADMINS_GROUP
from services.versions import versions
from tests.factories import (
    FiguresVersionFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SERVICES_MODELS = [m for m in admin.site._registry if m._meta.app_label == "services"]


@pytest.fixture
def org_admin_client(client):
    group = Group.objects.create(name=ORG_ADMINS_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="services"))
    user = UserFactory(username="org-admin", is_staff=True)
    user.groups.add(group)
    client.force_login(user)
    return client


def admin_url(model, action: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def test_every_services_model_is_in_the_admin():
    names = {m.__name__ for m in SERVICES_MODELS}
    assert {"Organisation", "Directorate", "Team", "Person", "Service", "Stage"} <= names


def test_org_admin_can_open_every_list_and_add_page(org_admin_client):
    StageFactory()
    for model in SERVICES_MODELS:
        assert org_admin_client.get(admin_url(model, "changelist")).status_code == 200, model
        assert org_admin_client.get(admin_url(model, "add")).status_code == 200, model


def test_admin_search_and_filters_work(org_admin_client):
    ServiceFactory(name="Apply for a grant", phase=Service.Phase.BETA)
    ServiceFactory(name="Register a landlord")
    response = org_admin_client.get(admin_url(Service, "changelist"), {"q": "grant"})
    assert response.context["cl"].result_count == 1
    response = org_admin_client.get(admin_url(Service, "changelist"), {"phase__exact": "beta"})
    assert response.context["cl"].result_count == 1


def test_service_change_page_has_stage_and_leader_inlines(org_admin_client):
    service = ServiceFactory()
    response = org_admin_client.get(admin_url(Service, "change", service.pk))
    inline_models = {
        formset.opts.model.__name__ for formset in response.context["inline_admin_formsets"]
    }
    assert {"Stage", "ServiceLeader", "Priority", "ProportionalityAssessment"} <= inline_models


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, int]:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def service_fields(service) -> dict:
    """The service change page's own fields, as they stand."""
    return {
        "name": service.name,
        "slug": service.slug,
        "organisation": service.organisation.pk,
        "kind": service.kind,
        "phase": service.phase,
        "leadership_model": service.leadership_model,
    }


def test_saving_a_leadership_team_of_one_warns(org_admin_client):
    service = ServiceFactory(leadership_model=Service.LeadershipModel.TEAM)
    leader = ServiceLeaderFactory(service=service)
    data = {
        **service_fields(service),
        "leaders-0-id": leader.pk,
        "leaders-0-service": service.pk,
        "leaders-0-person": leader.person.pk,
        "leaders-0-role": leader.role,
        **inline_management("leaders", total=1, initial=1),
    }
    for prefix in ["priorities", "assessment", "stages", "participations", "dependencies"]:
        data.update(inline_management(prefix))
    response = org_admin_client.post(admin_url(Service, "change", service.pk), data, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("has a leadership team of 1; a leadership team works" in m for m in messages), (
        messages
    )


def test_colleague_without_staff_status_cannot_use_the_admin(colleague_client):
    response = colleague_client.get(admin_url(Service, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_stage_given_to_another_team_in_the_admin_changes_figures_and_access(
    org_admin_client,
):
    """The admin writes through the actions: the service's figures are out of date and the
    new team's members may contribute, the old team's no longer."""
    stage = StageFactory()
    old_member = TeamMembershipFactory(team=stage.team, person__user=UserFactory()).person.user
    new_team = TeamFactory()
    new_member = TeamMembershipFactory(team=new_team, person__user=UserFactory()).person.user
    service_access_sync()
    before = versions([stage.service_id])[stage.service_id]
    data = {
        "service": stage.service_id,
        "position": stage.position,
        "name": stage.name,
        "team": new_team.pk,
        "channels": stage.channels,
        "online": "on",
        "description": "",
    }
    response = org_admin_client.post(admin_url(Stage, "change", stage.pk), data)
    assert response.status_code == 302
    assert versions([stage.service_id])[stage.service_id] > before
    assert new_member.has_perm("services.contribute_to_service", stage.service)
    assert not old_member.has_perm("services.contribute_to_service", stage.service)
    entry = stage.history.first()
    assert (entry.team_id, entry.history_user.username) == (new_team.pk, "org-admin")


def test_an_admin_save_that_changes_nothing_changes_no_figures(org_admin_client):
    stage = StageFactory()
    team = stage.team
    FiguresVersionFactory(service=stage.service)
    data = {
        "name": team.name,
        "team_type": team.team_type,
        "directorate": team.directorate_id,
        **inline_management("memberships"),
    }
    response = org_admin_client.post(admin_url(Team, "change", team.pk), data)
    assert response.status_code == 302
    assert versions([stage.service_id])[stage.service_id] == 0
    assert team.history.count() == 1  # its creation only


def test_swapping_two_stages_positions_in_one_admin_save_is_refused_not_a_500(org_admin_client):
    service = ServiceFactory()
    first = StageFactory(service=service, position=1, name="Apply")
    second = StageFactory(service=service, position=2, name="Check", team=first.team)
    data = {
        **service_fields(service),
        **inline_management("stages", total=2, initial=2),
    }
    for n, (stage, position) in enumerate([(first, 2), (second, 1)]):
        data |= {
            f"stages-{n}-id": stage.pk,
            f"stages-{n}-service": service.pk,
            f"stages-{n}-position": position,
            f"stages-{n}-name": stage.name,
            f"stages-{n}-team": stage.team_id,
            f"stages-{n}-channels": "digital",
            f"stages-{n}-online": "on",
        }
    for prefix in ["priorities", "leaders", "assessment", "participations", "dependencies"]:
        data.update(inline_management(prefix))
    response = org_admin_client.post(admin_url(Service, "change", service.pk), data, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("Nothing was saved: two stages cannot swap") for m in messages)
    assert not any("was changed successfully" in m for m in messages)
    assert list(service.stages.order_by("position").values_list("name", flat=True)) == [
        "Apply",
        "Check",
    ]
