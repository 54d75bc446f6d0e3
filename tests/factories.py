"""factory-boy factories for every model of the three apps (and users)."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import User
from django.utils import timezone
from factory.django import DjangoModelFactory

from decisions import models as decision_models
from performance import models as performance_models
from performance.models import Metric
from performance.windows import Window
from services import models


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("password")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    kind = models.Organisation.Kind.DEPARTMENT


class DirectorateFactory(DjangoModelFactory):
    class Meta:
        model = models.Directorate

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Directorate {n}")


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = models.Team

    directorate = factory.SubFactory(DirectorateFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    team_type = models.Team.TeamType.STREAM_ALIGNED


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = models.Person

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    job_title = factory.Faker("job")


class TeamMembershipFactory(DjangoModelFactory):
    class Meta:
        model = models.TeamMembership

    person = factory.SubFactory(PersonFactory)
    team = factory.SubFactory(TeamFactory)
    role_title = "Team member"


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = models.Service

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"service-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    kind = models.Service.Kind.TRANSACTIONAL
    phase = models.Service.Phase.LIVE
    purpose = factory.LazyAttribute(lambda o: f"Deliver {o.name.lower()} well.")
    leadership_model = models.Service.LeadershipModel.SINGLE


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = models.Priority

    service = factory.SubFactory(ServiceFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("sentence")


class ServiceLeaderFactory(DjangoModelFactory):
    class Meta:
        model = models.ServiceLeader

    service = factory.SubFactory(ServiceFactory)
    person = factory.SubFactory(PersonFactory)
    role = "Service owner"


class ProportionalityAssessmentFactory(DjangoModelFactory):
    class Meta:
        model = models.ProportionalityAssessment

    service = factory.SubFactory(ServiceFactory)


class StageFactory(DjangoModelFactory):
    class Meta:
        model = models.Stage

    service = factory.SubFactory(ServiceFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Stage {n}")
    team = factory.SubFactory(TeamFactory)
    channels = factory.LazyFunction(lambda: ["digital"])
    online = True


class ServiceTeamFactory(DjangoModelFactory):
    class Meta:
        model = models.ServiceTeam

    service = factory.SubFactory(ServiceFactory)
    team = factory.SubFactory(TeamFactory)
    role = "Supports the service"


class ServiceDependencyFactory(DjangoModelFactory):
    class Meta:
        model = models.ServiceDependency

    service = factory.SubFactory(ServiceFactory)
    depends_on = factory.SubFactory(ServiceFactory, kind=models.Service.Kind.PLATFORM)
    note = "Shares a release cycle."


class DecisionTypeFactory(DjangoModelFactory):
    class Meta:
        model = decision_models.DecisionType
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Decision type {n}")
    category = decision_models.DecisionType.Category.OPERATIONAL


class DecisionBandFactory(DjangoModelFactory):
    class Meta:
        model = decision_models.DecisionBand

    decision_type = factory.SubFactory(
        DecisionTypeFactory, category=decision_models.DecisionType.Category.SPEND
    )
    up_to = Decimal(25_000)


class DecisionRightFactory(DjangoModelFactory):
    class Meta:
        model = decision_models.DecisionRight

    service = factory.SubFactory(ServiceFactory)
    decision_type = factory.SubFactory(DecisionTypeFactory)
    role = decision_models.Role.DECIDE
    holder_kind = decision_models.HolderKind.PERSON
    person = factory.SubFactory(PersonFactory)


class DecisionFactory(DjangoModelFactory):
    class Meta:
        model = decision_models.Decision

    service = factory.SubFactory(ServiceFactory)
    title = factory.Faker("sentence", nb_words=5)
    decision_type = factory.SubFactory(DecisionTypeFactory)
    decided_by = factory.SubFactory(PersonFactory)
    decided_on = factory.LazyFunction(lambda: date(2026, 3, 2))
    status = decision_models.Decision.Status.DECIDED


# --- Performance ----------------------------------------------------------------------------

WEEK = date(2026, 3, 2)  # a Monday


class HandoffFactory(DjangoModelFactory):
    """The hand-off between two consecutive stages of one service's journey."""

    class Meta:
        model = performance_models.Handoff

    service = factory.SubFactory(ServiceFactory)
    from_stage = factory.SubFactory(StageFactory, service=factory.SelfAttribute("..service"))
    to_stage = factory.SubFactory(
        StageFactory,
        service=factory.SelfAttribute("..service"),
        position=factory.LazyAttribute(lambda stage: stage.factory_parent.from_stage.position + 1),
    )


class HandoffLogFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.HandoffLog

    handoff = factory.SubFactory(HandoffFactory)
    period_start = WEEK
    period_end = factory.LazyAttribute(lambda log: log.period_start + timedelta(days=6))
    handed_over = 100
    returned = 10
    median_wait_hours = Decimal("24.00")


class StageLogFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.StageLog

    stage = factory.SubFactory(StageFactory)
    period_start = WEEK
    period_end = factory.LazyAttribute(lambda log: log.period_start + timedelta(days=6))
    completed = 100
    median_process_hours = Decimal("4.00")


class FrictionPointFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.FrictionPoint

    service = factory.SubFactory(ServiceFactory)
    title = factory.Sequence(lambda n: f"Friction point {n}")
    category = performance_models.FrictionPoint.Category.HANDOFF
    severity = performance_models.FrictionPoint.Severity.HIGH
    raised_on = WEEK


class ChangeInitiativeFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.ChangeInitiative

    service = factory.SubFactory(ServiceFactory)
    title = factory.Sequence(lambda n: f"Change {n}")
    outcome_sought = "Fewer hand-offs sent back."
    kind = performance_models.ChangeInitiative.Kind.PROJECT


class MetricFactory(DjangoModelFactory):
    """One of a service's standard KPIs (``key``), named and oriented as the standard says."""

    class Meta:
        model = performance_models.Metric
        django_get_or_create = ["service", "key"]

    service = factory.SubFactory(ServiceFactory)
    key = "transactions"
    name = factory.LazyAttribute(lambda m: _standard(m.key)[0])
    unit = factory.LazyAttribute(lambda m: _standard(m.key)[1])
    higher_is_better = factory.LazyAttribute(lambda m: _standard(m.key)[2])


def _standard(key: str) -> tuple:
    """A standard KPI's name, unit and direction (a service's own measure: its key, none,
    higher is better)."""
    return performance_models.Metric.STANDARD.get(key, (key, "", True))


class MeasurementFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.Measurement

    metric = factory.SubFactory(MetricFactory)
    period_start = date(2026, 1, 1)
    period_end = date(2026, 1, 31)
    value = Decimal(100)


class ImportRunFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.ImportRun

    kind = "measurements"
    source = "upload"
    file_name = "data.csv"


class CostLineFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.CostLine

    service = factory.SubFactory(ServiceFactory)
    period_start = date(2026, 1, 1)
    period_end = date(2026, 1, 31)
    amount = Decimal("1000.00")
    currency = "GBP"
    category = performance_models.CostLine.Category.STAFF
    spend = performance_models.CostLine.Spend.RUN
    organisation = factory.SelfAttribute("service.organisation")


class ApiTokenFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.ApiToken

    name = factory.Sequence(lambda n: f"Token {n}")
    prefix = factory.Sequence(lambda n: f"sl_{n:07d}")
    key_hash = factory.Sequence(lambda n: f"{n:064x}")


class ReviewNarrativeFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.ReviewNarrative

    service = factory.SubFactory(ServiceFactory)
    window_start = date(2026, 1, 1)
    window_end = date(2026, 3, 31)
    text = "Hand-offs back on track."


class DataQualityFindingFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.DataQualityFinding

    service = factory.SubFactory(ServiceFactory)
    source = "measurements"
    kind = performance_models.DataQualityFinding.Kind.VOLUMES_CONTRADICT
    subject = "volumes 2026-01-01 to 2026-01-31"
    message = "2026-01-01 to 2026-01-31: 120 transactions but only 100 started."


class OutboxTaskFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.OutboxTask

    task = "performance.tasks.refresh_all_summaries"
    kwargs = factory.LazyFunction(lambda: {"behind_only": True})


class ReminderSentFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.ReminderSent

    kind = "review_due"
    key = factory.Sequence(lambda n: f"decision-{n}")
    sent_on = WEEK


class FiguresVersionFactory(DjangoModelFactory):
    class Meta:
        model = models.FiguresVersion

    service = factory.SubFactory(ServiceFactory)


class RollupFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.Rollup

    service = factory.SubFactory(ServiceFactory)
    window_start = date(2026, 1, 1)
    window_end = date(2026, 3, 31)
    version = 0
    computed_at = factory.LazyFunction(timezone.now)
    currency = "GBP"
    figures = factory.LazyFunction(lambda: {"transactions": None})


class DataExtentFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.DataExtent

    service = factory.SubFactory(ServiceFactory)
    version = 0


class MaturityRecordFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.MaturityRecord

    service = factory.SubFactory(ServiceFactory)
    recorded_on = date(2026, 3, 2)
    level = 1
    failed_checks = ",decide_holders,"


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.Campaign

    name = factory.Sequence(lambda n: f"Campaign {n}")
    check_key = "decide_holders"
    target_date = date(2026, 6, 30)
    scope = "Every service"
    launched_on = date(2026, 3, 2)
    launched_by = factory.SubFactory(UserFactory)


class CapacityLogFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.CapacityLog

    team = factory.SubFactory(TeamFactory)
    period_start = WEEK
    period_end = factory.LazyAttribute(lambda log: log.period_start + timedelta(days=6))
    run = 60
    change = 25
    failure_demand = 10
    improvement = 5


class TeamInteractionFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.TeamInteraction

    service = factory.SubFactory(ServiceFactory)
    team = factory.SubFactory(TeamFactory)
    with_team = factory.SubFactory(TeamFactory)
    mode = performance_models.TeamInteraction.Mode.COLLABORATION
    started_on = date(2026, 3, 2)
    expected_weeks = 12


class ScenarioFactory(DjangoModelFactory):
    class Meta:
        model = performance_models.Scenario

    service = factory.SubFactory(ServiceFactory)
    name = factory.Sequence(lambda n: f"Scenario {n}")
    changes = factory.LazyFunction(lambda: [{"kind": "cut_wait", "stage": 1, "value": "0.5"}])
    window_start = date(2025, 3, 3)
    window_end = date(2026, 3, 1)
    predicted = factory.LazyFunction(lambda: {"weeks": 0, "figures": {}})


D = Decimal


JAN = (date(2026, 1, 1), date(2026, 1, 31))


FEB = (date(2026, 2, 1), date(2026, 2, 28))


MAR = (date(2026, 3, 1), date(2026, 3, 31))


Q1 = Window(date(2026, 1, 1), date(2026, 3, 31))


def measure(service, key, period, value, channel=""):
    name, unit, higher, _, _ = Metric.STANDARD.get(key, (key, "", True, 0, None))
    metric, _ = Metric.objects.get_or_create(
        service=service, key=key, defaults={"name": name, "unit": unit, "higher_is_better": higher}
    )
    MeasurementFactory(
        metric=metric,
        period_start=period[0],
        period_end=period[1],
        value=D(value),
        channel=channel,
    )


def cost(
    service,
    period,
    amount,
    *,
    spend="run",
    currency="GBP",
    organisation=None,
    directorate=None,
    allocated=False,
    category="staff",
):
    CostLineFactory(
        service=service,
        period_start=period[0],
        period_end=period[1],
        amount=D(amount),
        currency=currency,
        category=category,
        spend=spend,
        organisation=organisation or service.organisation,
        directorate=directorate,
        allocated=allocated,
        allocation_driver="headcount" if allocated else "",
    )
