import pytest

from services.gaps import accountability_gaps
from services.models import ProportionalityAssessment, Service, ServiceLeader, Stage
from tests.factories import ServiceFactory, TeamFactory

pytestmark = pytest.mark.django_db

Model = Service.LeadershipModel
FIELDS = [field for field, _ in ProportionalityAssessment.CRITERIA]


def gaps(*, model=Model.SINGLE, leaders=1, stages=None, hands_on=False, assessed=True):
    service = ServiceFactory(leadership_model=model)
    if stages is None:
        stages = [Stage(service=service, position=1, name="Apply", team=TeamFactory())]
    assessment = (
        ProportionalityAssessment(service=service, **dict.fromkeys(FIELDS, hands_on))
        if assessed
        else None
    )
    return accountability_gaps(
        service,
        stages=stages,
        leaders=[ServiceLeader(service=service) for _ in range(leaders)],
        assessment=assessment,
    )


def test_a_well_led_service_has_no_gaps():
    assert gaps() == []


def test_stage_without_owning_team_is_a_gap():
    service = ServiceFactory()
    stages = [
        Stage(service=service, position=1, name="Apply", team=TeamFactory()),
        Stage(service=service, position=2, name="Decide", team=None),
    ]
    assert gaps(stages=stages) == ["Stage 2 “Decide” has no owning team."]


def test_no_stages_is_a_gap():
    assert gaps(stages=[]) == ["No end-to-end journey: the service has no stages."]


def test_no_leader_is_a_gap():
    assert gaps(model=Model.NONE, leaders=0) == [
        "No leader: nobody is named as leading this service."
    ]


def test_council_model_is_flagged_as_transitional():
    [gap] = gaps(model=Model.COUNCIL, leaders=3)
    assert gap == (
        "Led by a council or working group: a transitional model at risk of becoming a "
        "talking shop; plan the move to a single leader or a leadership team."
    )


@pytest.mark.parametrize("model", [Model.NONE, Model.COUNCIL])
def test_hands_on_recommended_but_no_real_leadership_model(model):
    result = gaps(model=model, leaders=1, hands_on=True)
    assert (
        "Hands-on leadership is recommended (5 of 5 criteria hold) but the leadership model "
        f"is “{Service.LeadershipModel(model).label}”."
    ) in result


@pytest.mark.parametrize(("model", "leaders"), [(Model.SINGLE, 1), (Model.TEAM, 2)])
def test_hands_on_recommended_with_a_real_model_is_fine(model, leaders):
    assert gaps(model=model, leaders=leaders, hands_on=True) == []


@pytest.mark.parametrize(
    ("leaders", "gap"),
    [
        (1, "The leadership team has 1 person; it works as one with 2 to 4."),
        (5, "The leadership team has 5 people; it works as one with 2 to 4."),
    ],
)
def test_leadership_team_outside_two_to_four(leaders, gap):
    assert gaps(model=Model.TEAM, leaders=leaders) == [gap]


@pytest.mark.parametrize("leaders", [2, 3, 4])
def test_leadership_team_of_two_to_four_is_fine(leaders):
    assert gaps(model=Model.TEAM, leaders=leaders) == []


def test_single_model_with_several_leaders_asks_who_is_accountable():
    assert gaps(model=Model.SINGLE, leaders=2) == [
        "The model is a single leader but 2 leaders are named: say who is accountable."
    ]


def test_missing_proportionality_assessment_is_a_gap():
    assert gaps(assessed=False) == [
        "No proportionality assessment: is hands-on leadership needed here?"
    ]
