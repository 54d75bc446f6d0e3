"""Reads of decision rights and the decision log, filtered to what the user may see."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone

from decisions.models import Decision, DecisionBand, DecisionRight, DecisionType, Role
from servicelead.queries import where_given
from services.models import Service
from services.queries import BY_NAME, HistoryEntry, User, history_entries, visible_services

REVIEW_WINDOW_DAYS = 30


def decision_types() -> QuerySet[DecisionType]:
    return DecisionType.objects.prefetch_related("bands").order_by("name")


@dataclass
class MatrixRow:
    decision_type: DecisionType
    band: DecisionBand | None
    cells: dict[str, list[DecisionRight]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.decision_type.pk}-{self.band.pk if self.band else 0}"

    @property
    def decider(self) -> DecisionRight | None:
        deciders = self.cells.get(Role.DECIDE, [])
        return deciders[0] if deciders else None

    @property
    def cell_list(self) -> list[tuple[str, str, list[DecisionRight]]]:
        return [(role, label, self.cells.get(role, [])) for role, label in Role.choices]


def matrix_rows(types: list[DecisionType]) -> list[MatrixRow]:
    """One row per decision type, or per band of a banded type, in order."""
    return [
        MatrixRow(decision_type, band)
        for decision_type in types
        for band in (list(decision_type.bands.all()) or [None])
    ]


def rights_matrix(service: Service) -> list[MatrixRow]:
    """The service's RAPID matrix: decision types (and bands) down, roles across."""
    rows = matrix_rows(list(decision_types()))
    by_key = {(row.decision_type.pk, row.band.pk if row.band else None): row for row in rows}
    rights = DecisionRight.objects.filter(service=service).select_related("person", "team", "stage")
    for right in rights.order_by("pk"):
        row = by_key.get((right.decision_type_id, right.band_id))
        if row is not None:
            row.cells.setdefault(right.role, []).append(right)
    return rows


def without_decider(rows: list[MatrixRow]) -> list[MatrixRow]:
    """The matrix's rows nobody decides: its gaps."""
    return [row for row in rows if row.decider is None]


def cell_rights(service: Service, decision_type: DecisionType, band, role: str):
    return DecisionRight.objects.filter(
        service=service, decision_type=decision_type, band=band, role=role
    ).select_related("person", "team", "stage", "updated_by")


@dataclass
class CoverageGap:
    service: Service
    missing: list[MatrixRow]


def lacking_a_decider(user: User, organisation=None) -> QuerySet[Service]:
    """Visible services where nobody holds the Decide right for some decision type or band,
    by name: found in SQL, so a page of them costs the same for any number of services."""
    services = visible_services(user).select_related("organisation").order_by(*BY_NAME)
    if organisation is not None:
        services = services.filter(organisation=organisation)
    rows = matrix_rows(list(decision_types()))
    if not rows:
        return services.none()
    deciders = DecisionRight.objects.filter(service=OuterRef("pk"), role=Role.DECIDE)
    return services.filter(
        Q(
            *[~Exists(deciders.filter(decision_type=r.decision_type, band=r.band)) for r in rows],
            _connector=Q.OR,
        )
    )


def missing_deciders(service_ids: list[int]) -> dict[int, list[MatrixRow]]:
    """The matrix rows nobody holds the Decide right for, per service (one query)."""
    rows = matrix_rows(list(decision_types()))
    held = set(
        DecisionRight.objects.filter(role=Role.DECIDE, service_id__in=service_ids).values_list(
            "service_id", "decision_type_id", "band_id"
        )
    )
    return {
        service_id: [
            row
            for row in rows
            if (service_id, row.decision_type.pk, row.band.pk if row.band else None) not in held
        ]
        for service_id in service_ids
    }


def coverage_gaps(services: list[Service]) -> list[CoverageGap]:
    """What each of ``services`` (a page of ``lacking_a_decider``) has nobody to decide."""
    missing = missing_deciders([service.pk for service in services])
    return [CoverageGap(service, missing[service.pk]) for service in services]


def rights_matrix_rows_missing(service_ids: list[int]) -> dict[int, list[str]]:
    """For each service, the decision types (and bands) nobody holds the Decide right for."""
    return {
        service_id: [
            f"{row.decision_type.name} ({row.band})" if row.band else row.decision_type.name
            for row in missing
        ]
        for service_id, missing in missing_deciders(service_ids).items()
        if missing
    }


def rights_gap_count(service: Service) -> int:
    return len(rights_matrix_rows_missing([service.pk]).get(service.pk, []))


def rights_gap_text(missing: list[str]) -> str:
    """The accountability gap of decisions nobody may take, as every page words it."""
    return (
        f"Nobody holds the Decide right for {len(missing)} kind"
        f"{'s' if len(missing) != 1 else ''} of decision: {', '.join(missing)}."
    )


def rights_gaps(service_ids: list[int]) -> dict[int, list[str]]:
    """The decision-rights gaps of each service, for ``services.gaps.more_gaps``."""
    return {
        service_id: [rights_gap_text(missing)]
        for service_id, missing in rights_matrix_rows_missing(service_ids).items()
    }


@dataclass
class LogFilters:
    status: str = ""
    decision_type: DecisionType | None = None
    decided_from: date | None = None
    decided_to: date | None = None
    rights: str = ""  # "within", "outside", "unchecked"
    review_due: bool = False


def review_due_q(today: date | None = None) -> Q:
    """Decisions in force whose review date has passed or falls within the review window."""
    today = today or timezone.localdate()
    return Q(
        review_by__isnull=False,
        review_by__lte=today + timedelta(days=REVIEW_WINDOW_DAYS),
        status=Decision.Status.DECIDED,
    )


def review_overdue_q(today: date | None = None) -> Q:
    """Decisions in force whose review date has passed."""
    today = today or timezone.localdate()
    return Q(review_by__lt=today, status=Decision.Status.DECIDED)


def with_overdue(decisions: QuerySet[Decision]) -> QuerySet[Decision]:
    """Each decision with ``review_overdue``, for the lists that mark it."""
    return decisions.annotate(
        review_overdue=ExpressionWrapper(review_overdue_q(), output_field=BooleanField())
    )


def decisions_logged(services: QuerySet[Service], filters: LogFilters) -> QuerySet[Decision]:
    decisions = where_given(
        Decision.objects.filter(service__in=services),
        status=filters.status,
        decision_type=filters.decision_type,
        decided_on__gte=filters.decided_from,
        decided_on__lte=filters.decided_to,
    )
    if filters.rights == "within":
        decisions = decisions.filter(within_rights=True)
    elif filters.rights == "outside":
        decisions = decisions.filter(within_rights=False)
    elif filters.rights == "unchecked":
        decisions = decisions.filter(within_rights__isnull=True)
    if filters.review_due:
        decisions = decisions.filter(review_due_q())
    return with_overdue(
        decisions.select_related(
            "service", "decision_type", "decided_by", "supersedes", "logged_by"
        ).order_by("-decided_on", "-pk")
    )


def reviews_due(services: QuerySet[Service], today: date | None = None) -> QuerySet[Decision]:
    """Reviews overdue or due within the review window, the most overdue first."""
    return with_overdue(
        Decision.objects.filter(service__in=services)
        .filter(review_due_q(today))
        .select_related("service", "decision_type", "decided_by")
        .order_by("review_by", "pk")
    )


def supersession_chain(decision: Decision) -> list[Decision]:
    """The decision's line, oldest first: what it superseded, it, and what superseded it.

    Walks the service's decisions in memory (one query), not one query per link.
    """
    decisions = {
        d.pk: d
        for d in Decision.objects.filter(service_id=decision.service_id).select_related(
            "decided_by", "decision_type"
        )
    }
    successors: dict[int, list[int]] = {}
    for d in decisions.values():
        if d.supersedes_id:
            successors.setdefault(d.supersedes_id, []).append(d.pk)
    root = decisions[decision.pk]
    seen = {root.pk}
    while root.supersedes_id and root.supersedes_id in decisions and root.supersedes_id not in seen:
        root = decisions[root.supersedes_id]
        seen.add(root.pk)
    chain, todo, visited = [], [root.pk], set()
    while todo:
        pk = todo.pop(0)
        if pk in visited:
            continue
        visited.add(pk)
        chain.append(decisions[pk])
        todo.extend(sorted(successors.get(pk, []), key=lambda p: decisions[p].decided_on))
    return chain


def decision_detail(decision_pk: int) -> Decision:
    return (
        Decision.objects.select_related(
            "service__organisation", "decision_type", "decided_by", "supersedes", "logged_by"
        )
        .prefetch_related("affected_stages", "affected_teams")
        .get(pk=decision_pk)
    )


@dataclass
class ServiceDecisionSummary:
    recent: list[Decision]
    logged: int
    outside_rights: int
    reviews_due: int  # overdue, or due within the review window
    reviews_overdue: int
    rights_gaps: int

    @property
    def reviews_upcoming(self) -> int:
        """Due within the review window, not yet overdue."""
        return self.reviews_due - self.reviews_overdue


def service_decision_summary(service: Service, recent: int = 5) -> ServiceDecisionSummary:
    decisions = Decision.objects.filter(service=service)
    counts = decisions.aggregate(
        logged=Count("pk"),
        outside=Count("pk", filter=Q(within_rights=False)),
        due=Count("pk", filter=review_due_q()),
        overdue=Count("pk", filter=review_overdue_q()),
    )
    latest = decisions.select_related("decision_type", "decided_by").order_by("-decided_on", "-pk")
    return ServiceDecisionSummary(
        recent=list(with_overdue(latest)[:recent]),
        logged=counts["logged"],
        outside_rights=counts["outside"],
        reviews_due=counts["due"],
        reviews_overdue=counts["overdue"],
        rights_gaps=rights_gap_count(service),
    )


def decision_history(user: User, decision: Decision) -> list[HistoryEntry]:
    """Who changed what about a decision, newest first, field by field; the decision it
    supersedes is named only if ``user`` may see it."""
    return history_entries(
        user,
        [(Decision, {"id": decision.pk})],
        describe=lambda model, record, names: "Decision",
        named={
            DecisionType: (DecisionType.objects, "name"),
            Decision: (Decision.objects.filter(service__in=visible_services(user)), "title"),
        },
        not_diffed=["updated_at", "updated_by"],
    )
