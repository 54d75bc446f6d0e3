import pytest
from django.contrib.auth.models import Group

from services.actions import service_access_sync
from services.queries import ORG_ADMINS_GROUP, visible_services
from tests.factories import (
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    ServiceTeamFactory,
    StageFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_service():
    return ServiceFactory(name="Open")


@pytest.fixture
def restricted():
    return ServiceFactory(name="Restricted", restricted=True)


def visible_names(user):
    service_access_sync()
    return set(visible_services(user).values_list("name", flat=True))


def test_colleague_sees_only_unrestricted(open_service, restricted):
    assert visible_names(UserFactory()) == {"Open"}


def test_leader_sees_restricted_service_they_lead(open_service, restricted):
    user = UserFactory()
    ServiceLeaderFactory(service=restricted, person=PersonFactory(user=user))
    assert visible_names(user) == {"Open", "Restricted"}


def test_member_of_a_stage_owning_team_sees_it(open_service, restricted):
    user = UserFactory()
    stage = StageFactory(service=restricted)
    TeamMembershipFactory(team=stage.team, person=PersonFactory(user=user))
    assert visible_names(user) == {"Open", "Restricted"}


def test_member_of_a_participating_team_sees_it(open_service, restricted):
    user = UserFactory()
    participation = ServiceTeamFactory(service=restricted)
    TeamMembershipFactory(team=participation.team, person=PersonFactory(user=user))
    assert visible_names(user) == {"Open", "Restricted"}


def test_member_of_an_unrelated_team_does_not(open_service, restricted):
    user = UserFactory()
    StageFactory(service=restricted)
    TeamMembershipFactory(person=PersonFactory(user=user))
    assert visible_names(user) == {"Open"}


def test_org_admin_sees_everything(open_service, restricted):
    user = UserFactory()
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    assert visible_names(user) == {"Open", "Restricted"}


def test_superuser_sees_everything(open_service, restricted):
    assert visible_names(UserFactory(is_superuser=True)) == {"Open", "Restricted"}


def test_visible_services_has_no_duplicates_for_many_memberships(restricted):
    user = UserFactory()
    person = PersonFactory(user=user)
    for position in (1, 2, 3):
        stage = StageFactory(service=restricted, position=position)
        TeamMembershipFactory(team=stage.team, person=person)
    ServiceLeaderFactory(service=restricted, person=person)
    service_access_sync()
    assert list(visible_services(user)) == [restricted]
