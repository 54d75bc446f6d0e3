import pytest

from services.journey import Boundary, boundary_between, crossings
from tests.factories import DirectorateFactory, StageFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_same_team_is_within_team():
    team = TeamFactory()
    assert boundary_between(team, team) is Boundary.WITHIN_TEAM


def test_two_teams_in_one_directorate_are_within_directorate():
    team = TeamFactory()
    assert boundary_between(team, TeamFactory(directorate=team.directorate)) is (
        Boundary.WITHIN_DIRECTORATE
    )


def test_directorates_of_one_organisation_are_cross_directorate():
    team = TeamFactory()
    sibling = DirectorateFactory(organisation=team.directorate.organisation)
    assert boundary_between(team, TeamFactory(directorate=sibling)) is Boundary.CROSS_DIRECTORATE


def test_nested_directorates_still_count_as_different_directorates():
    team = TeamFactory()
    child = DirectorateFactory(organisation=team.directorate.organisation, parent=team.directorate)
    assert boundary_between(team, TeamFactory(directorate=child)) is Boundary.CROSS_DIRECTORATE


def test_teams_of_different_organisations_are_cross_organisation():
    assert boundary_between(TeamFactory(), TeamFactory()) is Boundary.CROSS_ORGANISATION


def test_a_stage_without_a_team_makes_the_boundary_unknown():
    assert boundary_between(None, TeamFactory()) is Boundary.UNKNOWN
    assert boundary_between(TeamFactory(), None) is Boundary.UNKNOWN


def test_handoffs_join_consecutive_stages():
    first = StageFactory(position=1)
    second = StageFactory(service=first.service, position=2, team=first.team)
    third = StageFactory(service=first.service, position=3)
    result = crossings([first, second, third])
    assert [(h.from_stage, h.to_stage, h.boundary) for h in result] == [
        (first, second, Boundary.WITHIN_TEAM),
        (second, third, Boundary.CROSS_ORGANISATION),
    ]


def test_a_single_stage_has_no_handoffs():
    assert crossings([StageFactory()]) == []
