"""Writes to the organisation and its services that span models.

Each action runs in one transaction, validates with ``full_clean`` before saving, records who
made the change in the audit history, and keeps service permissions in step.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import CharField, F, Model, Value
from django.db.models.functions import Cast, Concat
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from servicelead.conflicts import history_version, lock_unchanged, refuse_if_changed
from servicelead.history import attribute
from services import versions
from services.access import LEADER_PERMS, MEMBER_PERMS
from services.models import (
    Directorate,
    Organisation,
    Person,
    Priority,
    ProportionalityAssessment,
    Service,
    ServiceLeader,
    ServiceTeam,
    ServiceUserObjectPermission,
    Stage,
    Team,
    TeamMembership,
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
    member = "memberships__person__user_id"
    # Teams owning a stage, answering for the agent performing one, or taking part.
    for model, team in ((Stage, "team"), (Stage, "agent_team"), (ServiceTeam, "team")):
        found = f"{team}__{member}"
        rows = scoped(model.objects.filter(**{f"{found}__isnull": False}))
        for service_id, user_id in rows.values_list("service_id", found).distinct():
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
    attribute(user, service)
    service.save()

    existing = {p.position: p for p in service.priorities.all()}
    for position, text in enumerate(priorities, start=1):
        priority = existing.pop(position, None) or Priority(service=service, position=position)
        if priority.text != text:
            priority.text = text
            priority.full_clean()
            attribute(user, priority)
            priority.save()
    for stale in existing.values():
        attribute(user, stale)
        stale.delete()
    return service


def _written(record: Model, fields: dict, user: AbstractBaseUser | None) -> Model:
    """``record`` with ``fields`` set, validated and saved, attributed to ``user``."""
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    attribute(user, record)
    record.save()
    return record


@transaction.atomic
def person_settings_update(*, person: Person, user: AbstractBaseUser, fields: dict) -> Person:
    """A person's own settings (whether the weekly digest comes): no figures or access
    depend on them."""
    return _written(person, fields, user)


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
        attribute(user, service)
        service.save()
    current = {leader.person_id: leader for leader in service.leaders.all()}
    for change in leaders:
        leader = current.pop(change.person.pk, None) or ServiceLeader(
            service=service, person=change.person
        )
        if leader.pk is None or (leader.role, leader.leads_on) != (change.role, change.leads_on):
            leader.role, leader.leads_on = change.role, change.leads_on
            leader.full_clean()
            attribute(user, leader)
            leader.save()
    for removed in current.values():
        attribute(user, removed)
        removed.delete()
    service_access_sync(service_ids=[service.pk])


@dataclass(frozen=True)
class StageChange:
    stage_id: int | None
    name: str
    team: Team | None
    channels: list[str]
    online: bool
    performer: str = Stage.Performer.PEOPLE
    agent_team: Team | None = None


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
    journey = []
    for position, change in enumerate(stages, start=1):
        stage = current.get(change.stage_id) or Stage(service=service)
        stage.position, stage.name, stage.team = position, change.name, change.team
        stage.channels, stage.online = change.channels, change.online
        stage.performer, stage.agent_team = change.performer, change.agent_team
        journey.append(stage)
    _refuse_agents_left_behind(journey)
    removed = [stage for stage_id, stage in current.items() if stage_id not in keep]
    journeys_replace({service.pk: (journey, removed)}, user=user)


def _refuse_agents_left_behind(journey: list[Stage]) -> None:
    """A stage people now perform cannot keep the decision rights its agent held."""
    people = [s.pk for s in journey if s.pk and s.performer == Stage.Performer.PEOPLE]
    held = Stage.objects.filter(pk__in=people, agent_rights__isnull=False).distinct()
    names = [f"“{stage.name}”" for stage in held.order_by("position")]
    if names:
        raise ValidationError(
            f"The agent at {', '.join(names)} still holds decision rights: remove them from "
            "the decision rights before saying people perform "
            f"{'it' if len(names) == 1 else 'them'}."
        )


STAGE_FIELDS = ["position", "name", "team", "channels", "online", "performer", "agent_team"]
ASIDE = 1000  # positions beyond any journey's, to move stages out of each other's way


@transaction.atomic
def journeys_replace(
    journeys: dict[int, tuple[list[Stage], list[Stage]]], *, user
) -> dict[str, list[Stage]]:
    """Make each service's journey (keyed by service id) the stages given, each at the
    position set on it, removing the stages listed as removed; every stage the service has
    must be one or the other. Stages are saved ones with their new values set, or new unsaved
    ones. The one write of journeys, for the journey page, the stages CSV and the GC import:
    only stages that change are written and recorded in the history. Returns the stages
    created, updated, unchanged and removed."""
    removed = [stage for _, gone in journeys.values() for stage in gone]
    records_remove(removed, user=user)
    kept = [stage for stages, _ in journeys.values() for stage in stages if stage.pk]
    before = {
        pk: values
        for pk, *values in Stage.objects.filter(pk__in=[s.pk for s in kept]).values_list(
            "pk", *[f.attname for f in _fields(STAGE_FIELDS)]
        )
    }
    created, changed, unchanged = [], [], []
    for service_id, (stages, _) in journeys.items():
        for stage in stages:
            stage.service_id = service_id
            stage.clean()
            if stage.pk is None:
                created.append(stage)
            elif before[stage.pk] == [getattr(stage, f.attname) for f in _fields(STAGE_FIELDS)]:
                unchanged.append(stage)
            else:
                changed.append(stage)
    moved = {stage.service_id for stage in changed}
    if moved:  # positions and names may swap: move the journeys' stages aside first
        Stage.objects.filter(service_id__in=moved).update(
            position=F("position") + ASIDE, name=Concat(Value("\x1f"), Cast("pk", CharField()))
        )
        Stage.objects.bulk_update(
            [s for s in unchanged if s.service_id in moved], ["position", "name"], batch_size=1000
        )
    records_change(changed, STAGE_FIELDS, user=user)
    records_add(created, user=user)
    return {"created": created, "updated": changed, "unchanged": unchanged, "removed": removed}


def _fields(names: list[str]):
    return [Stage._meta.get_field(name) for name in names]


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
    return _written(assessment or ProportionalityAssessment(service=service), fields, user)


# --- Records no particular action covers ----------------------------------------------------
# The seed, the Django admin and the imports write through these. Each validates, attributes
# the history, raises the versions of the services whose figures the write changes and brings
# access in step; a record already as wanted is not written again.

# Who takes part in a service: its leaders, its stages' teams and its participating teams...
ACCESS_OF_A_SERVICE = (ServiceLeader, Stage, ServiceTeam)
# ...and who is in those teams, which can change access to any service.
ACCESS_ANYWHERE = (Person, Team, TeamMembership)
# Records no service's figures depend on (decisions are judged when logged).
NO_FIGURES = (Person, TeamMembership)
# The organisation's structure: a new one is part of no journey yet.
STRUCTURE = (Organisation, Directorate, Team)


def services_of(model: type[Model], records: Iterable[Model]) -> set[int] | None:
    """The services whose figures a write of ``records`` changes: each record's own service,
    or that of the record it belongs to (a stage's log, a metric's measurement); None when it
    may be any (the organisation's structure, its people, decision types)."""
    if model is Service:
        return {record.pk for record in records}
    if model in NO_FIGURES:
        return set()
    fields = model._meta.concrete_fields
    for field in fields:
        if field.name == "service":
            return {getattr(record, field.attname) for record in records}
    for field in fields:
        owner = field.related_model if field.many_to_one else None
        if owner is not None and any(f.name == "service" for f in owner._meta.concrete_fields):
            ids = {getattr(record, field.attname) for record in records}
            return set(owner.objects.filter(pk__in=ids).values_list("service_id", flat=True))
    return None


def _followed_up(model: type[Model], service_ids: set[int] | None) -> None:
    if service_ids is None:
        versions.changed_all()
    else:
        versions.changed(service_ids)
    if model in ACCESS_ANYWHERE:
        service_access_sync()
    elif model in ACCESS_OF_A_SERVICE:
        service_access_sync(service_ids=service_ids)


def _held(record: Model, name: str):
    """What ``record`` holds in field ``name``: the id, for a relation (without fetching it)."""
    field = record._meta.get_field(name)
    return getattr(record, field.attname if field.is_relation else name)


def _wanted(value):
    return value.pk if isinstance(value, Model) else value


@transaction.atomic
def records_put(
    model: type[Model], rows: Iterable[tuple[dict, dict]], *, user: AbstractBaseUser | None
) -> list[tuple[Model, str]]:
    """For each (lookup, values): create the record ``lookup`` finds none of, with
    ``values``, or bring the one it finds to ``values``. Returns each record with what
    happened: "created", "updated" or "unchanged" (not written)."""
    done, written = [], []
    for lookup, values in rows:
        record = model.objects.filter(**lookup).first()
        if record is not None and all(
            _held(record, name) == _wanted(value) for name, value in values.items()
        ):
            done.append((record, "unchanged"))
            continue
        outcome = "created" if record is None else "updated"
        record = record or model(**lookup)
        for name, value in values.items():
            setattr(record, name, value)
        record.full_clean()
        attribute(user, record)
        record.save()
        done.append((record, outcome))
        written.append(record)
    if written:
        _followed_up(model, services_of(model, written))
    return done


def record_put(model: type[Model], *, user, values: dict | None = None, **lookup):
    """``records_put`` of one record; returns it and what happened."""
    return records_put(model, [(lookup, values or {})], user=user)[0]


def _fields_checked(records: list[Model]) -> None:
    """Each field's own validation, for writes in bulk (their relations, uniqueness and
    constraints are the database's to enforce, without a query per record)."""
    for record in records:
        relations = [f.name for f in record._meta.concrete_fields if f.is_relation]
        record.clean_fields(exclude=relations)


@transaction.atomic
def records_add(records: list[Model], *, user, reason: str | None = None) -> list[Model]:
    """Create records of one model in bulk, each with its history entry; returns them
    saved."""
    if not records:
        return records
    model = type(records[0])
    _fields_checked(records)
    saved = bulk_create_with_history(
        records, model, batch_size=1000, default_user=user, default_change_reason=reason
    )
    _followed_up(model, set() if model in STRUCTURE else services_of(model, saved))
    return saved


@transaction.atomic
def records_change(records: list[Model], fields: list[str], *, user) -> None:
    """Save ``fields`` of changed records of one model in bulk, each with its history
    entry (give only records that changed: each gets one)."""
    if not records:
        return
    model = type(records[0])
    _fields_checked(records)
    bulk_update_with_history(records, model, fields, batch_size=1000, default_user=user)
    _followed_up(model, services_of(model, records))


@transaction.atomic
def records_remove(records: Iterable[Model], *, user) -> None:
    """Delete records of one model, and what cascades from them, each with its history."""
    records = list(records)
    if not records:
        return
    model = type(records[0])
    # A removed service's figures go with it; any other record's service is changed.
    service_ids = set() if model is Service else services_of(model, records)
    for record in records:
        attribute(user, record)
        record.delete()
    _followed_up(model, service_ids)


@transaction.atomic
def record_save(record: Model, *, user) -> Model:
    """Save a record someone has already validated (a Django admin form), unless it is as
    saved."""
    model = type(record)
    before = model.objects.filter(pk=record.pk).first() if record.pk else None
    fields = model._meta.concrete_fields
    if before is not None and all(
        getattr(before, f.attname) == getattr(record, f.attname) for f in fields
    ):
        return record  # saved as it was: nothing to write, nothing changes
    attribute(user, record)
    record.save()
    service_ids = services_of(model, [record])
    if before is not None and service_ids is not None:
        was = services_of(model, [before])  # moved from another service: its figures change
        service_ids = None if was is None else service_ids | was
    _followed_up(model, service_ids)
    return record


# --- Named writes of the organisation's structure and of the Django admin -----------------


def structure_save(record: Organisation | Directorate | Team, *, user) -> Model:
    """Add a new organisation, directorate or team, or save a changed one (its form has
    validated it)."""
    if record.pk is None:
        return records_add([record], user=user)[0]
    return record_save(record, user=user)


def membership_remove(membership: TeamMembership, *, user) -> None:
    """Take a person out of a team (their permissions on its services follow)."""
    records_remove([membership], user=user)


def admin_save(record: Model, *, user) -> Model:
    """A record the Django admin's form has validated, saved with its history."""
    return record_save(record, user=user)


def admin_remove(records: Iterable[Model], *, user) -> None:
    """Records removed in the Django admin, with what cascades from them."""
    records_remove(records, user=user)
