"""Writes to the organisation and its services that span models.

Each action runs in one transaction, validates with ``full_clean`` before saving, records who
made the change in the audit history, and keeps service permissions in step.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db import router, transaction
from django.db.models import Model

from servicelead.conflicts import history_version, lock_unchanged, refuse_if_changed
from services import versions
from services.access import LEADER_PERMS, MEMBER_PERMS
from services.models import (
    Person,
    Priority,
    ProportionalityAssessment,
    Service,
    ServiceLeader,
    ServiceTeam,
    ServiceUserObjectPermission,
    Stage,
    Team,
)


def _lock(service: Service) -> None:
    """Hold the service's row until the transaction ends, so two saves of the same page
    run one after the other and the second sees what the first saved."""
    Service.objects.select_for_update().filter(pk=service.pk).first()


def _leadership(service: Service):
    return Service.history.filter(id=service.pk), ServiceLeader.history.filter(service=service)


def _journey(service: Service):
    return (Stage.history.filter(service=service),)


def _assessment(service: Service):
    return (ProportionalityAssessment.history.filter(service=service),)


def leadership_version(service: Service) -> str:
    """The version of a service's leadership model and leaders, for ``VersionForm``."""
    return history_version(*_leadership(service))


def journey_version(service: Service) -> str:
    return history_version(*_journey(service))


def assessment_version(service: Service) -> str:
    return history_version(*_assessment(service))


def _by(user: AbstractBaseUser | None, *instances: Model) -> None:
    """Attribute the next history record of each instance to ``user``."""
    for instance in instances:
        instance._history_user = user


@transaction.atomic
def service_access_sync(*, service_ids: Collection[int] | None = None) -> tuple[int, int]:
    """Make service permissions match who leads each service and which teams take part.

    Leaders get view, lead and contribute; members of a team that owns one of the service's
    stages or participates in it get view and contribute. Only these three permissions are
    managed here. With ``service_ids``, only those services are brought in step; without, all.
    Returns (granted, revoked). Safe to run any number of times.
    """
    perms = {
        p.codename: p.pk
        for p in Permission.objects.filter(
            content_type__app_label="services",
            content_type__model="service",
            codename__in=LEADER_PERMS,
        )
    }

    def scoped(queryset):
        return queryset if service_ids is None else queryset.filter(service_id__in=service_ids)

    wanted: set[tuple[int, int, int]] = set()
    leaders = scoped(ServiceLeader.objects.filter(person__user__isnull=False))
    for service_id, user_id in leaders.values_list("service_id", "person__user_id"):
        wanted.update((service_id, user_id, perms[codename]) for codename in LEADER_PERMS)
    member = "team__memberships__person__user_id"
    for model in (Stage, ServiceTeam):
        rows = scoped(model.objects.filter(**{f"{member}__isnull": False}))
        for service_id, user_id in rows.values_list("service_id", member).distinct():
            wanted.update((service_id, user_id, perms[codename]) for codename in MEMBER_PERMS)

    existing = ServiceUserObjectPermission.objects.filter(permission_id__in=perms.values())
    if service_ids is not None:
        existing = existing.filter(content_object_id__in=service_ids)
    have = {
        (service_id, user_id, perm_id): pk
        for pk, service_id, user_id, perm_id in existing.values_list(
            "pk", "content_object_id", "user_id", "permission_id"
        )
    }
    revoke = [pk for key, pk in have.items() if key not in wanted]
    ServiceUserObjectPermission.objects.filter(pk__in=revoke).delete()
    grant = [
        ServiceUserObjectPermission(content_object_id=s, user_id=u, permission_id=p)
        for s, u, p in wanted - have.keys()
    ]
    ServiceUserObjectPermission.objects.bulk_create(grant, batch_size=2000)
    return len(grant), len(revoke)


@transaction.atomic
def service_update(
    *,
    service: Service,
    user: AbstractBaseUser,
    fields: dict,
    priorities: list[str],
    loaded_at: str | None = None,
) -> Service:
    """Change a service's details and replace its ordered priorities, unless somebody saved
    them after ``loaded_at``."""
    lock_unchanged(service, loaded_at)
    versions.changed([service.pk])  # its figures change: cached roll-ups go stale
    for name, value in fields.items():
        setattr(service, name, value)
    service.full_clean()
    _by(user, service)
    service.save()

    existing = {p.position: p for p in service.priorities.all()}
    for position, text in enumerate(priorities, start=1):
        priority = existing.pop(position, None) or Priority(service=service, position=position)
        if priority.text != text:
            priority.text = text
            priority.full_clean()
            _by(user, priority)
            priority.save()
    for stale in existing.values():
        _by(user, stale)
        stale.delete()
    return service


@dataclass(frozen=True)
class LeaderChange:
    person: Person
    role: str
    leads_on: str


@transaction.atomic
def service_leadership_update(
    *,
    service: Service,
    user: AbstractBaseUser,
    model: str,
    leaders: list[LeaderChange],
    version: str | None = None,
) -> None:
    """Set the leadership model and replace the leaders, then bring permissions in step,
    unless somebody changed them after ``version`` (``leadership_version``)."""
    _lock(service)
    refuse_if_changed(version, *_leadership(service))
    versions.changed([service.pk])  # its figures change: cached roll-ups go stale
    if service.leadership_model != model:
        service.leadership_model = model
        service.full_clean()
        _by(user, service)
        service.save()
    current = {leader.person_id: leader for leader in service.leaders.all()}
    for change in leaders:
        leader = current.pop(change.person.pk, None) or ServiceLeader(
            service=service, person=change.person
        )
        if leader.pk is None or (leader.role, leader.leads_on) != (change.role, change.leads_on):
            leader.role, leader.leads_on = change.role, change.leads_on
            leader.full_clean()
            _by(user, leader)
            leader.save()
    for removed in current.values():
        _by(user, removed)
        removed.delete()
    service_access_sync(service_ids=[service.pk])


@dataclass(frozen=True)
class StageChange:
    stage_id: int | None
    name: str
    team: Team | None
    channels: list[str]
    online: bool


class WouldDestroy(Exception):
    """Saving would delete records logged against what it removes, and was not confirmed."""

    def __init__(self, losses: list[tuple[Stage, dict[str, int]]]) -> None:
        self.losses = losses
        super().__init__(f"Removing {len(losses)} stages would delete what was logged against them")


def _called(model, count: int) -> str:
    return str(model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural)


def removal_losses(stages: Iterable[Stage]) -> list[tuple[Stage, dict[str, int]]]:
    """What deleting each stage would delete or unlink with it (its weekly logs, its
    hand-offs and theirs; friction linked to it, decisions and changes naming it), counted by
    kind: the Django admin's own reckoning of a cascade. Records the journey rebuilds by
    itself (``rebuilt_with_the_journey``: a hand-off nobody has set anything on) are no loss."""
    losses = []
    for stage in stages:
        collector = NestedObjects(using=router.db_for_write(Stage))
        collector.collect([stage])
        counts = {}
        for model, found in collector.model_objs.items():
            lost = [obj for obj in found if not getattr(obj, "rebuilt_with_the_journey", False)]
            if model is Stage or not lost:
                continue
            owner = model._meta.auto_created  # the model of a many-to-many link
            if owner:
                counts[f"{_called(owner, len(lost))} no longer naming it"] = len(lost)
            else:
                counts[_called(model, len(lost))] = len(lost)
        for (field, _), batches in collector.field_updates.items():
            unlinked = sum(len(batch) for batch in batches)
            if unlinked:
                counts[f"{_called(field.model, unlinked)} losing the link to it"] = unlinked
        if counts:
            losses.append((stage, counts))
    return losses


@transaction.atomic
def service_journey_update(
    *,
    service: Service,
    user: AbstractBaseUser,
    stages: list[StageChange],
    version: str | None = None,
    losses_confirmed: bool = False,
) -> None:
    """Replace the journey with ``stages`` in order; positions are 1..n as given. Unless
    ``losses_confirmed``, refuses (``WouldDestroy``) to remove a stage that has anything
    logged against it; refuses (``EditConflict``) if somebody changed the journey after
    ``version`` (``journey_version``)."""
    _lock(service)
    refuse_if_changed(version, *_journey(service))
    current = {stage.pk: stage for stage in service.stages.all()}
    keep = {change.stage_id for change in stages if change.stage_id in current}
    losses = removal_losses(stage for stage_id, stage in current.items() if stage_id not in keep)
    if losses and not losses_confirmed:
        raise WouldDestroy(losses)
    versions.changed([service.pk])  # its figures change: cached roll-ups go stale
    for stage_id, stage in list(current.items()):
        if stage_id not in keep:
            _by(user, stage)
            stage.delete()
            del current[stage_id]
    # Move every kept stage out of the way first, so positions and names can swap freely.
    offset = 1000
    for stage in current.values():
        Stage.objects.filter(pk=stage.pk).update(
            position=stage.position + offset, name=f"\x1f{stage.pk}"
        )
    for position, change in enumerate(stages, start=1):
        stage = current.get(change.stage_id) or Stage(service=service)
        stage.position = position
        stage.name = change.name
        stage.team = change.team
        stage.channels = change.channels
        stage.online = change.online
        stage.full_clean(validate_unique=False, validate_constraints=False)
        _by(user, stage)
        stage.save()
    service_access_sync(service_ids=[service.pk])


@transaction.atomic
def service_assessment_update(
    *, service: Service, user: AbstractBaseUser, fields: dict, version: str | None = None
) -> ProportionalityAssessment:
    """Record the service's proportionality assessment, unless somebody changed it after
    ``version`` (``assessment_version``)."""
    _lock(service)
    refuse_if_changed(version, *_assessment(service))
    versions.changed([service.pk])  # its figures change: cached roll-ups go stale
    assessment = ProportionalityAssessment.objects.filter(service=service).first()
    assessment = assessment or ProportionalityAssessment(service=service)
    for name, value in fields.items():
        setattr(assessment, name, value)
    assessment.full_clean()
    _by(user, assessment)
    assessment.save()
    return assessment
