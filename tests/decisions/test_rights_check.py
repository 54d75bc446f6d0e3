from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.utils import timezone

from decisions.actions import decision_log
from decisions.models import Decision, DecisionRight, HolderKind, Role
from decisions.rights import band_for
from tests.factories import (
    DecisionBandFactory,
    DecisionRightFactory,
    DecisionTypeFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def log(service, decision_type, decided_by=None, **fields) -> Decision:
    fields = {"title": "A decision", "decided_on": TODAY} | fields
    return decision_log(
        service=service,
        user=UserFactory(),
        fields={"decision_type": decision_type, "decided_by": decided_by, **fields},
    )


@pytest.fixture
def service():
    return ServiceFactory(name="Grants")


def test_one_decider_per_type_and_band(service):
    right = DecisionRightFactory(service=service)
    with pytest.raises(IntegrityError):
        DecisionRightFactory(service=service, decision_type=right.decision_type)


def test_one_decider_per_band_but_each_band_has_its_own(service):
    small = DecisionBandFactory(up_to=Decimal(25_000))
    large = DecisionBandFactory(decision_type=small.decision_type, up_to=None)
    DecisionRightFactory(service=service, decision_type=small.decision_type, band=small)
    DecisionRightFactory(service=service, decision_type=small.decision_type, band=large)
    with pytest.raises(IntegrityError):
        DecisionRightFactory(service=service, decision_type=small.decision_type, band=small)


def test_many_holders_may_give_input(service):
    right = DecisionRightFactory(service=service, role=Role.INPUT)
    DecisionRightFactory(service=service, decision_type=right.decision_type, role=Role.INPUT)
    assert DecisionRight.objects.filter(role=Role.INPUT).count() == 2


def test_a_right_must_name_the_holder_its_kind_needs(service):
    with pytest.raises(IntegrityError):
        DecisionRightFactory(service=service, holder_kind=HolderKind.TEAM, person=None)


def test_person_holder_deciding_is_within_rights(service):
    right = DecisionRightFactory(service=service)
    decision = log(service, right.decision_type, right.person)
    assert decision.within_rights is True
    assert decision.rights_reason.startswith(f"Decided by {right.person.name}, within")


def test_someone_else_deciding_is_outside_rights(service):
    right = DecisionRightFactory(service=service, person=PersonFactory(name="Priya Shah"))
    decision = log(service, right.decision_type, PersonFactory(name="Tom Okafor"))
    assert decision.within_rights is False
    assert "Decided by Tom Okafor, but on" in decision.rights_reason
    assert "was held by Priya Shah." in decision.rights_reason


def test_member_of_the_holding_team_is_within_rights(service):
    team = TeamFactory(name="Casework")
    member = TeamMembershipFactory(team=team).person
    right = DecisionRightFactory(
        service=service, holder_kind=HolderKind.TEAM, person=None, team=team
    )
    assert log(service, right.decision_type, member).within_rights is True
    outsider = log(service, right.decision_type, PersonFactory(), title="Another")
    assert outsider.within_rights is False
    assert "was held by the team Casework" in outsider.rights_reason


def test_member_of_the_leadership_team_is_within_rights(service):
    leader = ServiceLeaderFactory(service=service).person
    right = DecisionRightFactory(service=service, holder_kind=HolderKind.LEADERSHIP, person=None)
    assert log(service, right.decision_type, leader).within_rights is True
    assert log(service, right.decision_type, PersonFactory(), title="B").within_rights is False


def test_external_body_holder_matches_by_name(service):
    right = DecisionRightFactory(
        service=service,
        holder_kind=HolderKind.EXTERNAL,
        person=None,
        external_body="Investment committee",
    )
    decision = log(service, right.decision_type, decided_by_body="investment committee ")
    assert decision.within_rights is True


def test_bands_send_each_amount_to_its_own_decider(service):
    small = DecisionBandFactory(up_to=Decimal(25_000))
    spend = small.decision_type
    large = DecisionBandFactory(decision_type=spend, up_to=Decimal(250_000))
    owner, director = PersonFactory(name="Owner"), PersonFactory(name="Director")
    DecisionRightFactory(service=service, decision_type=spend, band=small, person=owner)
    DecisionRightFactory(service=service, decision_type=spend, band=large, person=director)

    assert log(service, spend, owner, amount=Decimal(25_000)).within_rights is True
    too_big = log(service, spend, owner, amount=Decimal("25000.01"), title="Too big")
    assert too_big.within_rights is False
    assert "(up to 250,000) was held by Director" in too_big.rights_reason
    above = log(service, spend, director, amount=Decimal(300_000), title="Above")
    assert above.within_rights is False
    assert above.rights_reason == f"300,000.00 is above every band of “{spend.name}”."


def test_banded_type_without_an_amount_is_outside_rights(service):
    band = DecisionBandFactory()
    decision = log(service, band.decision_type, PersonFactory())
    assert decision.within_rights is False
    assert "is limited by amount, but no amount is given" in decision.rights_reason


def test_band_for_picks_the_smallest_limit_at_or_above():
    small = DecisionBandFactory(up_to=Decimal(10))
    bands = [
        small,
        DecisionBandFactory(decision_type=small.decision_type, up_to=Decimal(100)),
        DecisionBandFactory(decision_type=small.decision_type, up_to=None),
    ]
    assert [str(band_for(bands, Decimal(n))) for n in (0, 10, 11, 100, 101)] == [
        "up to 10",
        "up to 10",
        "up to 100",
        "up to 100",
        "any amount",
    ]


def test_no_decider_at_the_time_is_outside_rights(service):
    decision_type = DecisionTypeFactory(name="Risk acceptance")
    decision = log(service, decision_type, PersonFactory())
    assert decision.within_rights is False
    assert decision.rights_reason.startswith("Nobody held the Decide right for “Risk acceptance”")


def test_proposals_are_not_checked(service):
    right = DecisionRightFactory(service=service)
    decision = log(service, right.decision_type, PersonFactory(), status="proposed")
    assert decision.within_rights is None
    assert decision.rights_reason == "Proposed: not decided yet."


def test_checked_against_the_rights_of_the_day_it_was_taken(service):
    old_holder, new_holder = PersonFactory(name="Old holder"), PersonFactory(name="New holder")
    right = DecisionRightFactory(service=service, person=old_holder)
    right.history.update(history_date=timezone.now() - timedelta(days=30))
    right.person = new_holder
    right.save()  # the right changes hands today

    earlier = log(service, right.decision_type, old_holder, decided_on=TODAY - timedelta(days=10))
    assert earlier.within_rights is True
    today = log(service, right.decision_type, old_holder, title="Today")
    assert today.within_rights is False
    assert "was held by New holder" in today.rights_reason


def test_changing_rights_later_does_not_rewrite_past_checks(service):
    right = DecisionRightFactory(service=service)
    decision = log(service, right.decision_type, right.person)
    right.person = PersonFactory()
    right.save()
    decision.refresh_from_db()
    assert decision.within_rights is True
    assert decision.rights_reason.startswith(f"Decided by {decision.decided_by.name}, within")


def test_team_membership_is_judged_as_it_stood_on_the_days_decided(service):
    """A member who has since left decided within rights; one who joined only later did not."""
    team = TeamFactory(name="Casework")
    right = DecisionRightFactory(
        service=service, holder_kind=HolderKind.TEAM, person=None, team=team
    )
    right.history.update(history_date=timezone.now() - timedelta(days=30))
    leaver = TeamMembershipFactory(team=team, person=PersonFactory(name="Leaver"))
    leaver.history.update(history_date=timezone.now() - timedelta(days=20))
    leaver.delete()  # left today
    joiner = TeamMembershipFactory(team=team, person=PersonFactory(name="Joiner"))  # today

    ten_days_ago = TODAY - timedelta(days=10)
    by_leaver = log(service, right.decision_type, leaver.person, decided_on=ten_days_ago)
    assert by_leaver.within_rights is True
    by_joiner = log(service, right.decision_type, joiner.person, decided_on=ten_days_ago, title="B")
    assert by_joiner.within_rights is False
    assert "was held by the team Casework" in by_joiner.rights_reason


def test_a_leadership_right_is_held_by_the_leaders_of_this_service_only(service):
    elsewhere = ServiceLeaderFactory(service=ServiceFactory(name="Licences")).person
    right = DecisionRightFactory(service=service, holder_kind=HolderKind.LEADERSHIP, person=None)
    decision = log(service, right.decision_type, elsewhere)
    assert decision.within_rights is False
    assert "was held by the service's leadership team" in decision.rights_reason


def test_a_decision_nobody_is_recorded_as_taking_is_outside_rights(service):
    right = DecisionRightFactory(service=service)
    decision = log(service, right.decision_type)
    assert decision.within_rights is False
    assert decision.rights_reason == "Nobody is recorded as having taken this decision."


def test_the_reason_names_the_type_the_day_and_the_holder_exactly(service):
    """Without a band the kind is the type's name alone; the day is written out in full."""
    holder = PersonFactory(name="Priya Shah")
    right = DecisionRightFactory(
        service=service, decision_type=DecisionTypeFactory(name="Hiring"), person=holder
    )
    right.history.update(history_date=timezone.now() - timedelta(days=30))
    day = TODAY - timedelta(days=3)
    decision = log(service, right.decision_type, PersonFactory(name="Tom Okafor"), decided_on=day)
    assert decision.rights_reason == (
        f"Decided by Tom Okafor, but on {day.day} {day:%B %Y} the Decide right for “Hiring” "
        "was held by Priya Shah."
    )


def test_only_this_services_decide_right_for_this_type_counts(service):
    """The holder of the same type's right in another service, of another type's right in
    this one, or of an Input right here, did not hold this Decide right."""
    person = PersonFactory(name="Priya Shah")
    hiring = DecisionTypeFactory(name="Hiring")
    DecisionRightFactory(service=ServiceFactory(), decision_type=hiring, person=person)
    DecisionRightFactory(service=service, person=person)  # another type
    DecisionRightFactory(service=service, decision_type=hiring, person=person, role=Role.INPUT)
    decision = log(service, hiring, person)
    assert decision.within_rights is False
    assert decision.rights_reason.startswith("Nobody held the Decide right for “Hiring”")


def test_a_right_given_the_day_after_the_decision_did_not_cover_it(service):
    holder = PersonFactory()
    right = DecisionRightFactory(service=service, person=holder)
    right.history.update(history_date=timezone.now() + timedelta(days=1, hours=1))
    decision = log(service, right.decision_type, holder)  # taken today
    assert decision.within_rights is False
    assert decision.rights_reason.startswith("Nobody held the Decide right")


def test_a_band_nobody_holds_is_named_in_the_reason(service):
    band = DecisionBandFactory(decision_type=DecisionTypeFactory(name="Spend"), up_to=25_000)
    decision = log(service, band.decision_type, PersonFactory(), amount=Decimal(100))
    assert decision.within_rights is False
    assert decision.rights_reason.startswith(
        "Nobody held the Decide right for “Spend” (up to 25,000) on "
    )


def test_a_member_of_another_team_does_not_hold_a_teams_right(service):
    holding, other = TeamFactory(name="Casework"), TeamFactory(name="Finance")
    right = DecisionRightFactory(
        service=service, holder_kind=HolderKind.TEAM, person=None, team=holding
    )
    outsider = TeamMembershipFactory(team=other).person
    decision = log(service, right.decision_type, outsider)
    assert decision.within_rights is False
    assert decision.rights_reason.endswith("was held by the team Casework.")


def test_another_body_deciding_is_outside_an_external_bodys_right(service):
    right = DecisionRightFactory(
        service=service,
        holder_kind=HolderKind.EXTERNAL,
        person=None,
        external_body="Investment committee",
    )
    decision = log(service, right.decision_type, decided_by_body="Finance board")
    assert decision.within_rights is False
    assert decision.rights_reason.endswith("was held by Investment committee.")
