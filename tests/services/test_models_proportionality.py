import pytest

from services.models import ProportionalityAssessment

FIELDS = [field for field, _ in ProportionalityAssessment.CRITERIA]


def assessment(*holding: str) -> ProportionalityAssessment:
    return ProportionalityAssessment(**{field: field in holding for field in FIELDS})


@pytest.mark.parametrize(
    ("holding", "hands_on"),
    [
        ((), False),
        (("important",), False),
        (("large_complex",), False),
        (("large_complex", "major_change"), False),
        (("in_house_control", "critical_issues"), False),
        (("important", "large_complex"), True),
        (("important", "critical_issues"), True),
        (("important", "in_house_control"), True),
        (("large_complex", "major_change", "critical_issues"), True),
        (("in_house_control", "major_change", "critical_issues"), True),
        (tuple(FIELDS), True),
    ],
)
def test_hands_on_when_three_hold_or_importance_with_another(holding, hands_on):
    assert assessment(*holding).hands_on_recommended is hands_on


def test_criteria_lists_each_criterion_with_its_note():
    a = assessment("important")
    a.important_note = "Statutory duty"
    assert a.criteria[0] == ("Important to the organisation's remit", True, "Statutory duty")
    assert [holds for _, holds, _ in a.criteria] == [True, False, False, False, False]
    assert a.criteria_met == 1
