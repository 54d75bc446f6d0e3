"""Proportionality from evidence: what the data suggests for each of the five criteria, with
the numbers behind it, beside what people assessed, and the leadership model it points to.

Computed with the window's summaries (``performance.figures.metrics``) and three grouped
queries more, whatever the number of services, so the roll-ups can keep whether the evidence
disagrees with the assessment and the portfolio can filter on it. The thresholds are settings
(``settings.EVIDENCE``, documented in docs/configuration.md). A criterion the data cannot
judge (no volumes, no cost, no journey) is suggested neither way, and never counted as
disagreeing.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum

from performance.figures.metrics import Summary
from performance.models import ChangeInitiative, CostLine, Measurement
from performance.windows import Window
from servicelead.numbers import money, number, percent
from services.models import Organisation, ProportionalityAssessment, Service, Team
from services.proportionality import hands_on_recommended

CRITERIA = dict(ProportionalityAssessment.CRITERIA)
# What each criterion is called when it does not hold: "Assessed: not large or complex."
NOT = {
    "important": "not important to the organisation's remit",
    "large_complex": "not large or complex",
    "in_house_control": "not enough in-house control",
    "major_change": "no major change",
    "critical_issues": "no valuable or critical problems",
}
HOLDS = {
    "important": "important to the organisation's remit",
    "large_complex": "large and complex",
    "in_house_control": "enough in-house control",
    "major_change": "major change",
    "critical_issues": "valuable or critical problems",
}


@dataclass
class Criterion:
    field: str
    suggested: bool | None  # None: the data cannot say
    facts: list[str]  # the numbers behind the suggestion
    assessed: bool | None = None  # None: not assessed

    @property
    def label(self) -> str:
        return CRITERIA[self.field]

    @property
    def disagrees(self) -> bool:
        return None not in (self.suggested, self.assessed) and self.suggested != self.assessed

    @property
    def suggestion(self) -> str:
        if self.suggested is None:
            return "The data cannot say"
        return "Holds" if self.suggested else "Does not hold"

    @property
    def sentence(self) -> str:
        """ "Assessed: not large or complex. Data: 412,000 transactions a year across 3
        organisations." """
        data = "; ".join(self.facts) if self.facts else "nothing recorded to judge by"
        if self.assessed is None:
            return f"Data: {data}."
        assessed = HOLDS[self.field] if self.assessed else NOT[self.field]
        return f"Assessed: {assessed}. Data: {data}."


@dataclass
class Evidence:
    window: Window
    criteria: list[Criterion]
    assessed: bool  # whether people have assessed the service
    model: str = ""  # the leadership model the evidence points to
    model_label: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def disagreements(self) -> list[Criterion]:
        return [c for c in self.criteria if c.disagrees]

    @property
    def disagrees(self) -> bool | None:
        """Whether the evidence disagrees with the assessment; None when not assessed."""
        return bool(self.disagreements) if self.assessed else None

    @property
    def hands_on_suggested(self) -> bool:
        held = {c.field for c in self.criteria if c.suggested}
        return hands_on_recommended(criteria_met=len(held), important="important" in held)


def _share(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """``part`` of a positive ``whole``; none from negative amounts (recoveries), which have
    no meaningful share."""
    if part is None or whole is None or part < 0 or whole <= 0:
        return None
    return part / whole


def _pct(value: Decimal) -> str:
    return percent(value)


def _n(value, word: str, plural: str = "") -> str:
    return f"{number(value)} {word if value == 1 else plural or word + 's'}"


@dataclass
class _Context:
    """What the summaries do not hold: organisations' totals and active changes."""

    org_transactions: dict[int, Decimal]
    org_cost: dict[int, Decimal]
    active_changes: dict[int, int]


def _context(summaries: dict[int, Summary], window: Window) -> _Context:
    services = [s.service for s in summaries.values()]
    organisations = {s.organisation_id for s in services}
    org_transactions = dict(
        Measurement.objects.filter(
            metric__key="transactions",
            metric__service__organisation_id__in=organisations,
            period_start__gte=window.start,
            period_end__lte=window.end,
        )
        .values_list("metric__service__organisation_id")
        .annotate(total=Sum("value"))
        .order_by()
    )
    currencies = dict(
        Organisation.objects.filter(pk__in=organisations).values_list("pk", "currency")
    )
    org_cost: dict[int, Decimal] = defaultdict(Decimal)
    for organisation, currency, total in (
        CostLine.objects.filter(
            service__organisation_id__in=organisations,
            period_start__gte=window.start,
            period_end__lte=window.end,
        )
        .exclude(category=CostLine.Category.PROGRAMME)
        .values_list("service__organisation_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        if currency == currencies[organisation]:  # other currencies are never added in
            org_cost[organisation] += total
    active_changes = dict(
        ChangeInitiative.objects.filter(
            service__in=services,
            status=ChangeInitiative.Status.ACTIVE,
            kind__in=[ChangeInitiative.Kind.PROJECT, ChangeInitiative.Kind.PROGRAMME],
        )
        .values_list("service_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _Context(org_transactions, dict(org_cost), active_changes)


def evidence_for(summaries: dict[int, Summary], window: Window) -> dict[int, Evidence]:
    """The evidence for each summarised service over ``window``."""
    if not summaries:
        return {}
    context = _context(summaries, window)
    return {pk: _evidence(s, window, context) for pk, s in summaries.items()}


def _important(s: Summary, context: _Context, cost) -> Criterion:
    """Important to the organisation: its share of the organisation's volume or cost."""
    service = s.service
    facts, suggested = [], None
    shares = [
        (
            _share(s.outcomes.transactions, context.org_transactions.get(service.organisation_id)),
            "transactions",
        ),
        (_share(cost, context.org_cost.get(service.organisation_id)), "cost to serve"),
    ]
    for share, what in shares:
        if share is not None:
            facts.append(f"{_pct(share)} of {service.organisation.name}'s {what}")
            suggested = bool(suggested) or share >= settings.EVIDENCE["important_share"]
    return Criterion("important", suggested, facts)


def _large(s: Summary, window: Window, cost, teams: list, directorates, organisations):
    """Large and complex: volumes, money, or a journey across many teams or boundaries."""
    limits = settings.EVIDENCE
    transactions = s.outcomes.transactions
    facts, holds = [], []
    if transactions is not None:
        yearly = transactions * window.per_year
        facts.append(f"{_n(yearly, 'transaction')} a year")
        holds.append(yearly >= limits["large_transactions"])
    if cost is not None:
        yearly = cost * window.per_year
        facts.append(f"{money(yearly, s.costs.currency, 0)} a year to serve")
        holds.append(yearly >= limits["large_cost"])
    if s.flow.stages:
        facts.append(
            f"a journey of {_n(len(set(teams)), 'team')} in {_n(len(directorates), 'directorate')} "
            f"of {_n(len(organisations), 'organisation')}"
        )
        holds += [
            len(set(teams)) >= limits["large_teams"],
            len(directorates) >= limits["large_directorates"],
            len(organisations) >= limits["large_organisations"],
        ]
    return Criterion("large_complex", any(holds) if holds else None, facts)


def _control(teams: list, stages: int) -> Criterion:
    """In-house control: the share of its stages owned by teams that are not suppliers'."""
    if not stages:
        return Criterion("in_house_control", None, ["no journey"])
    in_house = [
        t
        for t in teams
        if t.team_type != Team.TeamType.SUPPLIER
        and t.directorate.organisation.kind != Organisation.Kind.SUPPLIER
    ]
    share = Decimal(len(in_house)) / stages
    return Criterion(
        "in_house_control",
        share >= settings.EVIDENCE["in_house_share"],
        [f"{len(in_house)} of {_n(stages, 'stage')} owned in-house ({_pct(share)})"],
    )


def _change(s: Summary, context: _Context) -> Criterion:
    """Major change: spending on change, or a project or programme under way."""
    facts, holds = [], []
    active = context.active_changes.get(s.service.pk, 0)
    if active:
        facts.append(
            f"{_n(active, 'active project or programme', 'active projects or programmes')}"
        )
        holds.append(True)
    change_share = _share(s.costs.change, s.costs.total)
    if s.costs.total:
        facts.append(f"{_pct(change_share or Decimal(0))} of its spending on change")
        holds.append(bool(change_share) and change_share >= settings.EVIDENCE["change_share"])
    return Criterion("major_change", any(holds) if holds else None, facts)


def _problems(s: Summary) -> Criterion:
    """Valuable or critical problems, from the figures."""
    limits = settings.EVIDENCE
    facts, holds = [], []
    # KPIs with a target and a value: one with no value in the window tells nothing.
    off = s.kpis_off_target
    with_target = sum(1 for k in s.kpis if k.status in {"on_target", "within_5", "off_target"})
    if with_target:
        facts.append(f"{off} of {_n(with_target, 'KPI')} with a target off it")
        holds.append(off > 0)
    if s.friction_open_high:
        facts.append(_n(s.friction_open_high, "high-severity friction point") + " open")
        holds.append(True)
    if s.decisions_outside_rights:
        facts.append(_n(s.decisions_outside_rights, "decision") + " outside agreed rights")
        holds.append(True)
    failure = s.outcomes.failure_demand_share
    if failure is not None:
        facts.append(f"failure demand {_pct(failure)} of contacts")
        holds.append(failure >= limits["failure_demand_share"])
    efficiency = s.flow.flow_efficiency
    if efficiency is not None:
        facts.append(f"flow efficiency {_pct(efficiency)}")
        holds.append(efficiency < limits["low_flow_efficiency"])
    if not holds and (s.reporting or s.flow.has_data):
        holds.append(False)  # measured, and nothing wrong
        facts.append("measured, and no problem found")
    return Criterion("critical_issues", any(holds) if holds else None, facts)


def _evidence(s: Summary, window: Window, context: _Context) -> Evidence:
    # Cost to serve: none when every line is programme spending (as the GC inventory's are).
    cost = s.costs.to_serve or None
    teams = [f.stage.team for f in s.flow.stages if f.stage.team is not None]
    directorates = {t.directorate_id for t in teams}
    organisations = {t.directorate.organisation_id for t in teams}
    criteria = [
        _important(s, context, cost),
        _large(s, window, cost, teams, directorates, organisations),
        _control(teams, len(s.flow.stages)),
        _change(s, context),
        _problems(s),
    ]
    assessment = s.assessment
    for criterion in criteria:
        criterion.assessed = getattr(assessment, criterion.field) if assessment else None
    evidence = Evidence(window, criteria, assessed=assessment is not None)
    _recommend(evidence, s.service, organisations, directorates)
    return evidence


def _recommend(evidence: Evidence, service: Service, organisations: set, directorates: set):
    """The leadership model the evidence points to, with its reasons."""
    Model = Service.LeadershipModel
    held = [c.label.lower() for c in evidence.criteria if c.suggested]
    if evidence.hands_on_suggested:
        why = (
            f"Hands-on leadership: the data shows {len(held)} of 5 criteria hold "
            f"({'; '.join(held)})."
        )
        if len(organisations) > 1 or len(directorates) > 2:
            evidence.model = Model.TEAM
            evidence.reasons = [
                why,
                f"The journey spans {_n(len(organisations), 'organisation')} and "
                f"{_n(len(directorates), 'directorate')}: a multidisciplinary leadership team "
                "can hold what no single line manager does.",
            ]
        else:
            evidence.model = Model.SINGLE
            evidence.reasons = [
                why,
                "The journey stays within one organisation and few directorates.",
            ]
    else:
        evidence.model = Model.NONE
        evidence.reasons = [
            f"Proportionate light-touch oversight: the data shows {len(held)} of 5 criteria hold"
            + (f" ({'; '.join(held)})." if held else ".")
        ]
    evidence.model_label = (
        "Light-touch oversight, with no hands-on leadership model"
        if evidence.model == Model.NONE
        else Model(evidence.model).label
    )
    if service.leadership_model == Model.COUNCIL:
        evidence.reasons.append(
            "Its council or working group is a transitional model: plan the move to the one above."
        )
