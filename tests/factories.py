"""factory-boy factories for every model."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth.models import User
from factory.django import DjangoModelFactory

from decisions import models as decision_models
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
