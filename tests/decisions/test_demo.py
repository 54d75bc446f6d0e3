import pytest
from django.core.management import call_command

from decisions.models import Decision, DecisionRight, DecisionType
from decisions.queries import lacking_a_decider
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def seed() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_has_types_rights_with_gaps_and_a_realistic_log():
    seed()
    assert DecisionType.objects.count() == 8
    assert DecisionType.objects.get(name="Spend").bands.count() == 3
    assert DecisionRight.objects.values("service").distinct().count() >= 10
    assert lacking_a_decider(UserFactory(is_superuser=True)).exists()  # a few realistic gaps
    decisions = Decision.objects.all()
    assert 90 <= decisions.count() <= 130
    assert decisions.filter(within_rights=False).exists()
    assert (
        decisions.filter(within_rights=True).count() > decisions.filter(within_rights=False).count()
    )
    assert decisions.filter(status=Decision.Status.SUPERSEDED).exists()
    assert decisions.filter(status=Decision.Status.PROPOSED).exists()


def test_seeding_decisions_twice_changes_nothing():
    seed()
    before = (Decision.objects.count(), DecisionRight.objects.count())
    seed()
    assert (Decision.objects.count(), DecisionRight.objects.count()) == before
