import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from services.actions import journeys_replace
from services.models import Directorate, Stage
from tests.factories import (
    DirectorateFactory,
    OrganisationFactory,
    ServiceDependencyFactory,
    ServiceFactory,
    StageFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def test_stage_positions_are_unique_within_a_service():
    stage = StageFactory(position=1)
    with pytest.raises(IntegrityError):
        StageFactory(service=stage.service, position=1)


def test_same_stage_position_is_fine_in_another_service():
    StageFactory(position=1)
    StageFactory(position=1)
    assert Stage.objects.filter(position=1).count() == 2


def test_stage_names_are_unique_within_a_service():
    stage = StageFactory(name="Apply")
    with pytest.raises(IntegrityError):
        StageFactory(service=stage.service, name="Apply")


def test_stage_position_starts_at_one():
    with pytest.raises(IntegrityError):
        StageFactory(position=0)


def test_directorate_names_are_unique_within_an_organisation():
    directorate = DirectorateFactory(name="Digital")
    DirectorateFactory(name="Digital")  # another organisation
    with pytest.raises(IntegrityError):
        DirectorateFactory(organisation=directorate.organisation, name="Digital")


def test_team_names_are_unique_within_a_directorate():
    team = TeamFactory(name="Casework")
    TeamFactory(name="Casework")  # another directorate
    with pytest.raises(IntegrityError):
        TeamFactory(directorate=team.directorate, name="Casework")


def test_a_service_cannot_depend_on_itself():
    service = ServiceFactory()
    with pytest.raises(IntegrityError):
        ServiceDependencyFactory(service=service, depends_on=service)


def test_a_dependency_is_recorded_once():
    dependency = ServiceDependencyFactory()
    with pytest.raises(IntegrityError):
        ServiceDependencyFactory(service=dependency.service, depends_on=dependency.depends_on)


def test_stage_rejects_unknown_channels():
    stage = StageFactory.build(service=ServiceFactory(), team=None, channels=["digital", "pigeon"])
    with pytest.raises(ValidationError) as excinfo:
        stage.full_clean()
    assert excinfo.value.message_dict["channels"] == ["Unknown channel: pigeon."]


def test_directorate_parent_must_be_in_the_same_organisation():
    parent = DirectorateFactory()
    child = Directorate(organisation=OrganisationFactory(), parent=parent, name="Child")
    with pytest.raises(ValidationError) as excinfo:
        child.full_clean()
    assert "parent" in excinfo.value.message_dict


def test_directorate_cannot_sit_within_its_own_descendant():
    top = DirectorateFactory()
    middle = DirectorateFactory(organisation=top.organisation, parent=top)
    top.parent = middle
    with pytest.raises(ValidationError) as excinfo:
        top.full_clean()
    assert excinfo.value.message_dict["parent"] == ["A directorate cannot sit within itself."]


def test_a_stages_channels_keep_one_order_so_the_same_ones_are_no_change():
    stage = StageFactory(channels=["phone", "digital"])
    stage.clean()
    assert stage.channels == ["digital", "phone"]
    journeys_replace({stage.service_id: ([stage], [])}, user=None)  # as saved, reordered
    stage.refresh_from_db()
    entries = stage.history.count()
    stage.channels = ["phone", "digital", "phone"]
    done = journeys_replace({stage.service_id: ([stage], [])}, user=None)
    assert done["unchanged"] == [stage] and stage.history.count() == entries
