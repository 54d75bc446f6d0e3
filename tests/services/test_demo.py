import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from performance.models import CostLine, HandoffLog, ImportRun, Measurement, StageLog
from services.access import CONTRIBUTE, LEAD
from services.actions import journeys_replace
from services.demo import DEMO_PASSWORD
from services.journey import Boundary, crossings
from services.models import (
    Directorate,
    FiguresVersion,
    Organisation,
    Service,
    ServiceDependency,
    ServiceLeader,
    Stage,
    Team,
)
from services.queries import is_org_admin

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in [
            Organisation,
            Directorate,
            Team,
            Service,
            Stage,
            ServiceLeader,
            StageLog,
            HandoffLog,
            Measurement,
            CostLine,
            ImportRun,
        ]
    }


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_is_a_believable_organisation(seeded):
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"department", "agency", "supplier"} <= kinds
    assert Directorate.objects.count() >= 10
    assert Team.objects.count() >= 30
    assert Service.objects.count() >= 12
    assert set(Service.objects.values_list("kind", flat=True)) == set(Service.Kind.values)
    assert len(set(Service.objects.values_list("phase", flat=True))) == len(Service.Phase.values)
    assert set(Service.objects.values_list("leadership_model", flat=True)) == set(
        Service.LeadershipModel.values
    )


def test_demo_journeys_cross_directorates_and_organisations(seeded):
    boundaries = set()
    for service in Service.objects.all():
        stages = list(service.stages.select_related("team__directorate").order_by("position"))
        boundaries |= {handoff.boundary for handoff in crossings(stages)}
    assert {Boundary.CROSS_DIRECTORATE, Boundary.CROSS_ORGANISATION} <= boundaries


def test_demo_has_a_platform_that_several_services_rely_on(seeded):
    platform = Service.objects.get(slug="sign-in")
    assert platform.kind == Service.Kind.PLATFORM
    assert ServiceDependency.objects.filter(depends_on=platform).count() >= 3


def sign_in(username: str):
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, username=username, password=DEMO_PASSWORD)


def test_demo_accounts_sign_in_with_the_documented_password(seeded):
    for username in ["admin", "leader", "member", "colleague"]:
        assert sign_in(username) is not None, username
    assert is_org_admin(sign_in("admin"))
    leader = sign_in("leader")
    assert ServiceLeader.objects.filter(person__user=leader).exists()


def test_demo_leader_and_member_hold_their_service_permissions(seeded):
    grant = Service.objects.get(slug="home-improvement-grant")
    assert sign_in("leader").has_perm(LEAD, grant)
    member = sign_in("member")
    assert member.has_perm(CONTRIBUTE, grant)
    assert not member.has_perm(LEAD, grant)


def history_counts() -> dict[str, int]:
    """How many audit entries every recorded model has."""
    from django.apps import apps

    return {
        model.__name__: model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    }


def test_seeding_twice_changes_nothing_not_even_the_history(seeded):
    before, history = counts(), history_counts()
    assert history["HistoricalService"] and history["HistoricalOrganisation"]
    versions = dict(FiguresVersion.objects.values_list("service_id", "version"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before
    assert history_counts() == history  # a save that changes nothing records nothing
    # Nothing was written, so no service's figures are out of date.
    assert dict(FiguresVersion.objects.values_list("service_id", "version")) == versions


def test_a_save_that_changes_a_field_is_recorded_and_one_that_does_not_is_not(seeded):
    service = Service.objects.first()
    entries = service.history.count()
    service.save()
    assert service.history.count() == entries
    service.purpose = f"{service.purpose} Now online."
    service.save()
    assert service.history.count() == entries + 1
    assert service.history.first().purpose.endswith("Now online.")


def test_scale_adds_proportionate_services_once(seeded):
    before = counts()
    call_command("seed_demo", scale=40, stdout=open("/dev/null", "w"))  # noqa: SIM115
    after = counts()
    assert after["Service"] == before["Service"] + 40
    assert after["Stage"] >= before["Stage"] + 40 * 3
    assert after["Team"] == before["Team"] + 6
    # Two years of weekly logs, monthly measurements and costs, as one import run.
    stage = Stage.objects.filter(service__slug="generated-00001").first()
    assert StageLog.objects.filter(stage=stage).count() == 104
    transactions = Measurement.objects.filter(
        metric__service=stage.service, metric__key="transactions", channel="digital"
    )
    assert transactions.count() == 24
    months = CostLine.objects.filter(service=stage.service).values("period_start").distinct()
    assert months.count() == 24
    run = ImportRun.objects.get(kind="seed_demo --scale")
    assert run.outcome == ImportRun.Outcome.APPLIED
    assert run.rows == sum(
        model.objects.filter(import_run=run).count() for model in (Measurement, CostLine)
    ) + sum(
        model.objects.filter(**{f"{key}__service__slug__startswith": "generated-"}).count()
        for model, key in ((HandoffLog, "handoff"), (StageLog, "stage"))
    )
    call_command("seed_demo", scale=40, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == after
    assert ImportRun.objects.filter(kind="seed_demo --scale").count() == 1


def test_negative_scale_is_refused():
    with pytest.raises(CommandError, match="--scale must be zero or more"):
        call_command("seed_demo", scale=-1)


def test_seeding_again_keeps_a_journey_someone_has_reordered(seeded):
    service = Service.objects.get(slug="report-disrepair")
    first, second, *rest = service.stages.order_by("position")
    for position, stage in enumerate([second, first, *rest], start=1):
        stage.position = position
    journeys_replace({service.pk: ([second, first, *rest], [])}, user=None)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(service.stages.order_by("position").values_list("name", flat=True)) == [
        second.name,
        first.name,
        *[stage.name for stage in rest],
    ]
