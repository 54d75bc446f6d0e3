"""Accountability drift: dated events read from the history the product already keeps.

- Leaders changed more than twice in 12 months (a day on which the leaders changed is one
  change, so a swap is one).
- A stage's owning team changed with no decision logged within 14 days.
- Decision rights for a kind of decision edited within 30 days after a decision of that kind
  was flagged as taken outside them: rights fitted to the decision?
- A vision untouched for 12 months while change is at least ``EVIDENCE["change_share"]`` of
  the last 12 months' spending.
- Hands-on leadership recommended, but a leadership model of none or a council, for 6 months.
- Data gone stale (``STALE_AFTER_DAYS`` without a measurement) for a quarter (three calendar
  months, ``DRIFT_STALE_FOR_MONTHS``).

Each number is a setting (``settings.DRIFT``); these are the defaults.

A fixed number of grouped queries for any number of services; the history rows are then read
in order, service by service.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import dateformat, timezone

from decisions.models import Decision, DecisionRight, DecisionType
from performance.figures.metrics import STALE_AFTER_DAYS
from performance.models import CostLine, Measurement
from servicelead.calendar import months_after, months_before
from servicelead.numbers import percent
from services.models import ProportionalityAssessment, Service, ServiceLeader, Stage, Team

NOT_HANDS_ON = {Service.LeadershipModel.NONE, Service.LeadershipModel.COUNCIL}


@dataclass(frozen=True)
class Event:
    on: date
    kind: str  # one of KINDS
    text: str
    service: Service

    @property
    def label(self) -> str:
        return KINDS[self.kind]


KINDS = {
    "leaders": "Leaders keep changing",
    "stage_moved": "Stage moved without a decision",
    "rights_fitted": "Rights edited after a decision outside them",
    "vision": "Vision untouched while changing",
    "hands_on": "Hands-on leadership not in place",
    "stale": "Data gone stale",
}


def _day(moment) -> date:
    return timezone.localdate(moment) if hasattr(moment, "tzinfo") else moment


def _when(day: date) -> str:
    return dateformat.format(day, "j M Y")


def drift_events(services: list[Service], today: date | None = None) -> list[Event]:
    """Every drift event of ``services`` up to ``today``, latest first."""
    today = today or timezone.localdate()
    by_id = {s.pk: s for s in services}
    ids = list(by_id)
    events: list[Event] = []
    for reader in (_leaders, _stage_moves, _rights_fitted, _vision, _hands_on, _stale):
        events += [e for e in reader(ids, by_id, today) if e.on <= today]
    return sorted(events, key=lambda e: (e.on, e.service.name, e.kind), reverse=True)


def _limit(name: str) -> timedelta:
    return timedelta(days=settings.DRIFT[name])


def _leaders(ids, by_id, today):
    most = settings.DRIFT["leader_changes"]
    days: dict[int, set[date]] = defaultdict(set)
    for service_id, moment in ServiceLeader.history.filter(
        service_id__in=ids, history_type__in=["+", "-"]
    ).values_list("service_id", "history_date"):
        days[service_id].add(_day(moment))
    for service_id, changes in days.items():
        changes = sorted(changes)
        drifting = False
        for i, day in enumerate(changes):
            recent = [d for d in changes[: i + 1] if d > months_before(day, 12)]
            if len(recent) > most and not drifting:
                listed = ", ".join(_when(d) for d in recent)
                yield Event(
                    day,
                    "leaders",
                    f"The leaders changed {len(recent)} times in 12 months ({listed}).",
                    by_id[service_id],
                )
            drifting = len(recent) > most


def _stage_moves(ids, by_id, today):
    rows = Stage.history.filter(service_id__in=ids).order_by("id", "history_date", "history_id")
    decided: dict[int, list[date]] = defaultdict(list)
    for service_id, day in Decision.objects.filter(service_id__in=ids).values_list(
        "service_id", "decided_on"
    ):
        decided[service_id].append(day)
    moves = []
    previous = None
    for row in rows.values("id", "service_id", "team_id", "name", "history_date", "history_type"):
        same = previous is not None and previous["id"] == row["id"]
        if same and row["history_type"] == "~" and row["team_id"] != previous["team_id"]:
            moves.append((row, previous["team_id"]))
        previous = row
    teams = dict(
        Team.objects.filter(
            pk__in={r["team_id"] for r, _ in moves} | {t for _, t in moves}
        ).values_list("pk", "name")
    )
    for row, was in moves:
        day = _day(row["history_date"])
        within = _limit("decision_after_move_days")
        deadline = day + within
        if any(day <= d <= deadline for d in decided[row["service_id"]]):
            continue
        yield Event(
            deadline,
            "stage_moved",
            f"The stage “{row['name']}” moved from {teams.get(was, 'no team')} to "
            f"{teams.get(row['team_id'], 'no team')} on {_when(day)}, and no decision was "
            f"logged within {within.days} days.",
            by_id[row["service_id"]],
        )


def _rights_fitted(ids, by_id, today):
    edits: dict[tuple[int, int], list[date]] = defaultdict(list)
    for service_id, type_id, moment in DecisionRight.history.filter(service_id__in=ids).values_list(
        "service_id", "decision_type_id", "history_date"
    ):
        edits[(service_id, type_id)].append(_day(moment))
    outside = Decision.objects.filter(service_id__in=ids, within_rights=False).values(
        "service_id", "decision_type_id", "title", "logged_at"
    )
    names = dict(DecisionType.objects.values_list("pk", "name"))
    for decision in outside:
        flagged = _day(decision["logged_at"])
        key = (decision["service_id"], decision["decision_type_id"])
        soon = flagged + _limit("rights_after_flag_days")
        after = sorted(d for d in edits[key] if flagged < d <= soon)
        if after:
            yield Event(
                after[0],
                "rights_fitted",
                f"The decision rights for {names[key[1]]} were edited {(after[0] - flagged).days} "
                f"days after “{decision['title']}” was flagged as taken outside them: were "
                "the rights fitted to the decision?",
                by_id[decision["service_id"]],
            )


def _vision(ids, by_id, today):
    since: dict[int, date] = {}
    last_vision: dict[int, str] = {}
    for row in (
        Service.history.filter(id__in=ids)
        .order_by("id", "history_date", "history_id")
        .values("id", "vision", "history_date")
    ):
        if row["id"] not in last_vision or row["vision"] != last_vision[row["id"]]:
            since[row["id"]] = _day(row["history_date"])
        last_vision[row["id"]] = row["vision"]
    spend = defaultdict(dict)
    for service_id, kind, total in (
        CostLine.objects.filter(
            service_id__in=ids, period_start__gt=months_before(today, 12), period_end__lte=today
        )
        .values_list("service_id", "spend")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        spend[service_id][kind] = total
    limit = settings.EVIDENCE["change_share"]
    for service_id, day in since.items():
        change, run = spend[service_id].get("change", 0), spend[service_id].get("run", 0)
        total = change + run
        untouched = _limit("vision_days")
        if total <= 0 or change / total < limit or today - day < untouched:
            continue
        yield Event(
            day + untouched,
            "vision",
            f"The vision has not changed since {_when(day)} while {percent(change / total)} "
            "of the last 12 months' spending went on change.",
            by_id[service_id],
        )


def _hands_on(ids, by_id, today):
    # The days on which the recommendation or the model changed, and what they became.
    timeline: dict[int, list[tuple[date, str, object]]] = defaultdict(list)
    criteria = [field for field, _ in ProportionalityAssessment.CRITERIA]
    for row in ProportionalityAssessment.history.filter(service_id__in=ids).values(
        "service_id", "history_date", "history_type", *criteria
    ):
        assessed = ProportionalityAssessment(**{field: row[field] for field in criteria})
        recommended = row["history_type"] != "-" and assessed.hands_on_recommended
        timeline[row["service_id"]].append((row["history_date"], "recommended", recommended))
    for row in Service.history.filter(id__in=ids).values("id", "history_date", "leadership_model"):
        timeline[row["id"]].append((row["history_date"], "model", row["leadership_model"]))
    for service_id, changes in timeline.items():
        state = {"recommended": False, "model": None}
        start = None
        for moment, what, value in sorted(changes, key=lambda c: c[0]):
            state[what] = value
            gap = state["recommended"] and state["model"] in NOT_HANDS_ON
            if gap and start is None:
                start = (_day(moment), state["model"])
            elif not gap and start is not None:
                yield from _gap(start, _day(moment), by_id[service_id])
                start = None
        if start is not None:
            yield from _gap(start, today, by_id[service_id])


def _gap(start: tuple[date, str], end: date, service: Service):
    began, model = start
    gap = _limit("hands_on_gap_days")
    if end - began >= gap:
        label = Service.LeadershipModel(model).label.lower()
        yield Event(
            began + gap,
            "hands_on",
            f"Hands-on leadership has been recommended since {_when(began)}, but the "
            f"leadership model has been “{label}” for 6 months.",
            service,
        )


def _stale(ids, by_id, today):
    last = (
        Measurement.objects.filter(metric__service_id__in=ids)
        .values_list("metric__service_id")
        .annotate(last=Max("period_end"))
        .order_by()
    )
    for service_id, day in last:
        stale_from = day + timedelta(days=STALE_AFTER_DAYS)
        months = settings.DRIFT["stale_for_months"]
        stale_until = months_after(stale_from, months)
        if today >= stale_until:
            for_how_long = "a quarter" if months == 3 else f"{months} months"
            yield Event(
                stale_until,
                "stale",
                f"Nothing has been measured since {_when(day)}: the data has been stale for "
                f"{for_how_long}.",
                by_id[service_id],
            )
