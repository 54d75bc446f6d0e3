"""Reads of the organisation and its services, filtered to what the user may see."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Lower
from guardian.shortcuts import get_objects_for_user

from servicelead.queries import where_given
from services.gaps import accountability_gaps, more_gaps
from services.journey import Crossing, boundary_counts, crossings
from services.models import (
    Directorate,
    Organisation,
    Person,
    Priority,
    ProportionalityAssessment,
    Service,
    ServiceDependency,
    ServiceLeader,
    ServiceTeam,
    Stage,
    Team,
)

ORG_ADMINS_GROUP = "Org admins"
TEAM_PATH = "team__directorate__organisation"

User = AbstractBaseUser | AnonymousUser


def is_org_admin(user: User) -> bool:
    """Superusers and members of the org admins group. Remembered on the user object."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_servicelead_org_admin"):
        user._servicelead_org_admin = (
            user.is_superuser or user.groups.filter(name=ORG_ADMINS_GROUP).exists()
        )
    return user._servicelead_org_admin


def visible_services(user: User) -> QuerySet[Service]:
    """Services the user may see: every unrestricted one, and restricted ones they belong to.

    Belonging (leading the service, or being in a team that takes part) is held as
    django-guardian ``view_service`` permissions; org admins see everything.
    """
    services = Service.objects.all()
    if not user.is_authenticated:
        return services.none()
    if is_org_admin(user):
        return services
    granted = get_objects_for_user(
        user, "services.view_service", klass=Service, with_superuser=False
    )
    return services.filter(Q(restricted=False) | Q(pk__in=granted.values("pk")))


def _taking_part(teams: QuerySet[Team]) -> Q:
    """Services with a stage owned by, or a participation of, one of ``teams``."""
    team_ids = teams.values("pk")
    return Exists(Stage.objects.filter(service=OuterRef("pk"), team_id__in=team_ids)) | Exists(
        ServiceTeam.objects.filter(service=OuterRef("pk"), team_id__in=team_ids)
    )


def directorate_and_descendants(directorate: Directorate) -> list[int]:
    """Ids of a directorate and every directorate nested within it (one query)."""
    children: dict[int, list[int]] = {}
    for pk, parent_id in Directorate.objects.filter(
        organisation_id=directorate.organisation_id
    ).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [directorate.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


@dataclass
class CatalogueFilters:
    q: str = ""
    organisation: Organisation | None = None
    directorate: Directorate | None = None
    phase: str = ""
    kind: str = ""
    leadership_model: str = ""


def catalogue(user: User, filters: CatalogueFilters) -> QuerySet[Service]:
    return catalogue_filter(visible_services(user), filters)


# How lists of services are ordered: by name whatever its case, then id, so pages never overlap.
BY_NAME = [Lower("name"), "pk"]


def catalogue_filter(services: QuerySet[Service], filters: CatalogueFilters) -> QuerySet[Service]:
    """The filtered services as the catalogue lists them, with their number of stages."""
    stages = Stage.objects.filter(service=OuterRef("pk")).order_by().values("service")
    return (
        filter_services(services, filters)
        .select_related("organisation")
        .annotate(stage_count=Coalesce(Subquery(stages.annotate(n=Count("pk")).values("n")), 0))
        .order_by(*BY_NAME)
    )


def filter_services(services: QuerySet[Service], filters: CatalogueFilters) -> QuerySet[Service]:
    """``services`` narrowed by the catalogue's filters (nothing read, nothing joined)."""
    if filters.q:
        services = services.filter(
            Q(name__icontains=filters.q)
            | Q(purpose__icontains=filters.q)
            | Q(slug__icontains=filters.q)
        )
    if filters.organisation:
        services = services.filter(
            Q(organisation=filters.organisation)
            | _taking_part(Team.objects.filter(directorate__organisation=filters.organisation))
        )
    if filters.directorate:
        ids = directorate_and_descendants(filters.directorate)
        services = services.filter(_taking_part(Team.objects.filter(directorate_id__in=ids)))
    return where_given(
        services,
        phase=filters.phase,
        kind=filters.kind,
        leadership_model=filters.leadership_model,
    )


def directorate_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Directorates grouped by organisation, for a grouped select (one query)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for directorate in Directorate.objects.select_related("organisation").order_by(
        "organisation__name", "name"
    ):
        groups.setdefault(directorate.organisation.name, []).append(
            (directorate.pk, directorate.name)
        )
    return list(groups.items())


@dataclass
class TeamInvolved:
    team: Team
    stages: list[Stage] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)


@dataclass
class ServiceDetail:
    service: Service
    stages: list[Stage]
    handoffs: list[Crossing]
    leaders: list[ServiceLeader]
    assessment: ProportionalityAssessment | None
    teams: list[TeamInvolved]
    relies_on: list[ServiceDependency]
    relied_on_by: list[ServiceDependency]
    gaps: list[str]

    @property
    def steps(self) -> list[tuple[Stage, Crossing | None]]:
        """Each stage with the hand-off out of it (none after the last stage)."""
        return list(zip(self.stages, [*self.handoffs, None], strict=True))

    @property
    def boundary_counts(self) -> dict[str, int]:
        """How many of the journey's hand-offs cross each kind of boundary."""
        return boundary_counts([h.boundary for h in self.handoffs])


def service_detail(user: User, service: Service) -> ServiceDetail:
    """Everything the service page shows, in a fixed number of queries."""
    visible = visible_services(user)
    service = (
        Service.objects.filter(pk=service.pk)
        .select_related("organisation", "assessment")
        .prefetch_related(
            "priorities",
            Prefetch("leaders", queryset=ServiceLeader.objects.select_related("person")),
            Prefetch("stages", queryset=Stage.objects.select_related(TEAM_PATH, "agent_team")),
            Prefetch("participations", queryset=ServiceTeam.objects.select_related(TEAM_PATH)),
            Prefetch(
                "dependencies",
                queryset=ServiceDependency.objects.filter(depends_on__in=visible).select_related(
                    "depends_on__organisation"
                ),
            ),
            Prefetch(
                "dependents",
                queryset=ServiceDependency.objects.filter(service__in=visible).select_related(
                    "service__organisation"
                ),
            ),
        )
        .get()
    )
    stages = list(service.stages.all())
    leaders = list(service.leaders.all())

    teams: dict[int, TeamInvolved] = {}
    for stage in stages:
        if stage.team is not None:
            teams.setdefault(stage.team.pk, TeamInvolved(stage.team)).stages.append(stage)
    for participation in service.participations.all():
        involved = teams.setdefault(participation.team.pk, TeamInvolved(participation.team))
        if participation.role:
            involved.roles.append(participation.role)

    assessment = getattr(service, "assessment", None)
    return ServiceDetail(
        service=service,
        stages=stages,
        handoffs=crossings(stages),
        leaders=leaders,
        assessment=assessment,
        teams=sorted(teams.values(), key=lambda t: (str(t.team.directorate), t.team.name)),
        relies_on=list(service.dependencies.all()),
        relied_on_by=list(service.dependents.all()),
        gaps=[
            *accountability_gaps(service, stages=stages, leaders=leaders, assessment=assessment),
            *more_gaps([service.pk])[service.pk],
        ],
    )


def stages_owned(user: User, teams: QuerySet[Team]) -> QuerySet[Stage]:
    """Stages of visible services owned by any of ``teams``, grouped by service."""
    return (
        Stage.objects.filter(team__in=teams, service__in=visible_services(user))
        .select_related("service", "team")
        .order_by("service__name", "position")
    )


def services_taking_part(user: User, teams: QuerySet[Team]) -> QuerySet[Service]:
    return (
        visible_services(user)
        .filter(_taking_part(teams))
        .select_related("organisation")
        .order_by("name")
    )


def organisation_services(user: User, organisation: Organisation) -> QuerySet[Service]:
    """Services the organisation is accountable for or takes part in."""
    return (
        visible_services(user)
        .filter(
            Q(organisation=organisation)
            | _taking_part(Team.objects.filter(directorate__organisation=organisation))
        )
        .select_related("organisation")
        .order_by("name")
    )


def organisation_directorates(organisation: Organisation) -> list[tuple[Directorate, int]]:
    """The organisation's directorates as a depth-first tree: (directorate, depth)."""
    directorates = list(
        organisation.directorates.annotate(team_count=Count("teams")).order_by("name")
    )
    children: dict[int | None, list[Directorate]] = {}
    for directorate in directorates:
        children.setdefault(directorate.parent_id, []).append(directorate)
    tree: list[tuple[Directorate, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for directorate in children.get(parent_id, []):
            tree.append((directorate, depth))
            walk(directorate.pk, depth + 1)

    walk(None, 0)
    return tree


def organisations_overview() -> QuerySet[Organisation]:
    return Organisation.objects.annotate(
        directorate_count=Count("directorates", distinct=True),
        team_count=Count("directorates__teams", distinct=True),
    ).order_by("name")


# --- Audit history ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    kind: str  # "Created", "Changed" or "Deleted"
    changes: list[FieldChange]


HISTORY_KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}
# What a record the reader may not see, or one since removed, reads as: neither its name nor
# whether it exists is given away.
NOT_SHOWN = "(not shown: restricted or removed)"
NOT_DIFFED = ["created_at", "updated_at"]


def _describe(model: type, record, names: dict[tuple[type, int], str]) -> str:
    if model is Service:
        return "Service details"
    if model is Priority:
        return f"Priority {record.position}"
    if model is ServiceLeader:
        return f"Leader {names.get((Person, record.person_id), '(removed person)')}"
    if model is ProportionalityAssessment:
        return "Proportionality assessment"
    if model is Stage:
        return f"Stage {record.position} “{record.name}”"
    if model is ServiceTeam:
        return f"Participating team {names.get((Team, record.team_id), '(removed team)')}"
    return f"Relies on {names.get((Service, record.depends_on_id), NOT_SHOWN)}"


def _display(field, value, names: dict[tuple[type, int], str]) -> str:
    if value is None or value == "":
        return "(none)"
    if field.is_relation:
        return names.get((field.related_model, value), NOT_SHOWN)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(none)"
    return str(value)


def service_history(user: User, service: Service, limit: int = 300) -> list[HistoryEntry]:
    """Who changed what about a service, newest first: its details and every related row.
    Another service is named only if ``user`` may see it.

    One query per kind of record plus one per kind of related name, whatever the length.
    """
    sources = [
        (Service, {"id": service.pk}),
        (Priority, {"service_id": service.pk}),
        (ServiceLeader, {"service_id": service.pk}),
        (ProportionalityAssessment, {"service_id": service.pk}),
        (Stage, {"service_id": service.pk}),
        (ServiceTeam, {"service_id": service.pk}),
        (ServiceDependency, {"service_id": service.pk}),
    ]
    return history_entries(user, sources, describe=_describe, limit=limit)


def history_entries(
    user: User,
    sources: list[tuple[type, dict]],
    *,
    describe: Callable[[type, object, dict], str],
    named: dict[type, tuple[QuerySet, str]] | None = None,
    not_diffed: list[str] = NOT_DIFFED,
    limit: int = 300,
) -> list[HistoryEntry]:
    """The audit history of the records ``sources`` select ((model, filter) pairs), newest
    first, each change field by field; ``describe`` names the record an entry is about. A
    related record is named from ``named`` (model: (the records the reader may see, their
    name field)), people, teams, organisations and the services ``user`` may see; any other is
    not shown."""
    histories = [
        (
            model,
            list(
                model.history.filter(**where)
                .select_related("history_user")
                .order_by("id", "history_date", "history_id")
            ),
        )
        for model, where in sources
    ]

    wanted: dict[type, set[int]] = {}
    for model, records in histories:
        relations = [f for f in model._meta.concrete_fields if f.is_relation]
        for record in records:
            for relation in relations:
                value = getattr(record, relation.attname)
                if value is not None:
                    wanted.setdefault(relation.related_model, set()).add(value)
    readable = {
        Person: (Person.objects, "name"),
        Team: (Team.objects, "name"),
        Organisation: (Organisation.objects, "name"),
        Service: (visible_services(user), "name"),
        **(named or {}),
    }
    names = {
        (related, pk): str(label)
        for related, ids in wanted.items()
        if related in readable
        for pk, label in readable[related][0]
        .filter(pk__in=ids)
        .values_list("pk", readable[related][1])
    }

    entries: list[HistoryEntry] = []
    for model, records in histories:
        previous: dict[int, object] = {}
        for record in records:
            changes: list[FieldChange] = []
            before = previous.get(record.id)
            previous[record.id] = record
            if record.history_type == "~" and before is not None:
                delta = record.diff_against(before, excluded_fields=not_diffed)
                for change in delta.changes:
                    changed = model._meta.get_field(change.field)
                    changes.append(
                        FieldChange(
                            field=str(changed.verbose_name).capitalize(),
                            before=_display(changed, change.old, names),
                            after=_display(changed, change.new, names),
                        )
                    )
                if not changes:
                    continue
            user = record.history_user
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=(user.get_full_name() or user.get_username()) if user else "System",
                    what=describe(model, record, names),
                    kind=HISTORY_KINDS[record.history_type],
                    changes=changes,
                )
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]
