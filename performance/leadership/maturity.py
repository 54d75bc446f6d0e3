"""Leadership maturity: a scorecard of named checks in three levels, for every service.

- Bronze: a leader or leadership team; every stage owned; KPIs with targets.
- Silver: proportionality assessed and matching the evidence; a Decide holder for every kind
  of decision; data fresh.
- Gold: no high-severity friction open longer than ``MATURITY["friction_days"]``; a review
  pack narrative for a window that ended within the last quarter.

A service is at the highest level whose checks, and every lower level's, pass; the one thing
that would raise it is the first check it fails. Worked out with the window's summaries and
evidence and two grouped queries more, so the roll-ups keep each service's level.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from performance.figures.metrics import Summary
from performance.leadership.proportionality import Evidence
from performance.models import FrictionPoint, MaturityRecord, ReviewNarrative
from servicelead.calendar import months_before

LEVELS = ["Not yet Bronze", "Bronze", "Silver", "Gold"]


@dataclass(frozen=True)
class Check:
    key: str
    level: int  # 1 Bronze, 2 Silver, 3 Gold
    name: str
    passed: bool
    why: str  # what the data shows

    @property
    def level_label(self) -> str:
        return LEVELS[self.level]


@dataclass
class Scorecard:
    checks: list[Check]

    @property
    def level(self) -> int:
        reached = 0
        for level in (1, 2, 3):
            if all(c.passed for c in self.checks if c.level <= level):
                reached = level
        return reached

    @property
    def label(self) -> str:
        return LEVELS[self.level]

    @property
    def next_label(self) -> str:
        return LEVELS[min(self.level + 1, 3)]

    @property
    def next_step(self) -> Check | None:
        """The one thing that would raise it: the first check it fails."""
        return next((c for c in self.checks if not c.passed), None)

    def at(self, level: int) -> list[Check]:
        return [c for c in self.checks if c.level == level]

    @property
    def failed_checks(self) -> str:
        """The keys of the checks it fails, as the roll-ups and records keep them: ",a,b,"."""
        return failed_text(c.key for c in self.checks if not c.passed)


def failed_text(keys) -> str:
    """Checks' keys as the roll-ups and records keep them, in the order they are tried."""
    order = list(checks())
    failed = sorted(set(keys), key=order.index)
    return f",{','.join(failed)}," if failed else ""


def checks() -> dict[str, tuple[int, str]]:
    """Each check's key, level and name, in the order they are tried."""
    return {
        "leader": (1, "A leader or leadership team"),
        "stages_owned": (1, "Every stage owned by a team"),
        "targets": (1, "KPIs with targets"),
        "proportionality": (2, "Proportionality assessed, and the evidence agrees"),
        "decide_holders": (2, "A Decide holder for every kind of decision"),
        "fresh": (2, "Data fresh"),
        "friction": (
            3,
            f"No high-severity friction open longer than {settings.MATURITY['friction_days']} days",
        ),
        "narrative": (3, "A review pack narrative for the last quarter"),
    }


def check_name(key: str) -> str:
    return checks()[key][1]


def scorecards(
    summaries: dict[int, Summary], evidence: dict[int, Evidence], today: date | None = None
) -> dict[int, Scorecard]:
    """The scorecard of each summarised service."""
    today = today or timezone.localdate()
    ids = list(summaries)
    limit = settings.MATURITY["friction_days"]
    old_friction = dict(
        FrictionPoint.objects.filter(
            service_id__in=ids,
            severity=FrictionPoint.Severity.HIGH,
            raised_on__lt=today - timedelta(days=limit),
        )
        .exclude(status=FrictionPoint.Status.RESOLVED)
        .values_list("service_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    narrated = set(
        ReviewNarrative.objects.filter(service_id__in=ids, window_end__gte=months_before(today, 3))
        .exclude(text="")
        .values_list("service_id", flat=True)
    )
    return {
        pk: _scorecard(s, evidence[pk], old_friction.get(pk, 0), pk in narrated)
        for pk, s in summaries.items()
    }


def _check(key: str, passed: bool, why: str) -> Check:
    level, name = checks()[key]
    return Check(key, level, name, passed, why)


def _scorecard(s: Summary, evidence: Evidence, old_friction: int, narrated: bool):
    stages = [f.stage for f in s.flow.stages]
    unowned = sum(1 for stage in stages if stage.team_id is None)
    leaders = len(s.leaders)
    return Scorecard(
        [
            _check(
                "leader",
                leaders > 0,
                f"{leaders} leader{'s' if leaders != 1 else ''} named",
            ),
            _check(
                "stages_owned",
                bool(stages) and not unowned,
                "no journey" if not stages else f"{unowned} of {len(stages)} stages unowned",
            ),
            _check(
                "targets",
                s.kpis_with_target > 0,
                f"{s.kpis_with_target} KPI{'s' if s.kpis_with_target != 1 else ''} with a target",
            ),
            _check(
                "proportionality",
                evidence.assessed and not evidence.disagreements,
                "not assessed"
                if not evidence.assessed
                else f"the data disagrees on {len(evidence.disagreements)} of 5 criteria"
                if evidence.disagreements
                else "the data agrees wherever it can judge",
            ),
            _check(
                "decide_holders",
                s.rights_gaps == 0,
                f"{s.rights_gaps} kind{'s' if s.rights_gaps != 1 else ''} of decision nobody "
                "may take",
            ),
            _check(
                "fresh",
                not s.stale,
                "nothing measured in the two months before the window's end"
                if s.stale
                else "measured within two months of the window's end",
            ),
            _check(
                "friction",
                old_friction == 0,
                f"{old_friction} open longer",
            ),
            _check(
                "narrative",
                narrated,
                "written" if narrated else "none for a window ending in the last quarter",
            ),
        ]
    )


def latest_records(service_ids, on: date | None = None) -> dict[int, MaturityRecord]:
    """Each service's record in force on ``on`` (by default, its latest): one query."""
    earlier = MaturityRecord.objects.filter(service=OuterRef("service"))
    if on is not None:
        earlier = earlier.filter(recorded_on__lte=on)
    last = earlier.order_by("-recorded_on").values("recorded_on")[:1]
    return {
        r.service_id: r
        for r in MaturityRecord.objects.filter(
            service_id__in=service_ids, recorded_on=Subquery(last)
        )
    }


def _state(r: "MaturityRecord | Scorecard") -> tuple[int, str]:
    return r.level, r.failed_checks


def record(cards: dict[int, Scorecard], today: date | None = None) -> int:
    """Keep each service's level and failed checks from today where they changed (two
    queries; two more where a change today is undone the same day: today's row goes, so the
    rows stay changes). Returns how many changed."""
    today = today or timezone.localdate()
    before = latest_records(list(cards))
    moved = [
        pk for pk, card in cards.items() if pk not in before or _state(before[pk]) != _state(card)
    ]
    again = [pk for pk in moved if before.get(pk) and before[pk].recorded_on == today]
    if again:
        earlier = latest_records(again, on=today - timedelta(days=1))
        undone = [pk for pk in again if pk in earlier and _state(earlier[pk]) == _state(cards[pk])]
        MaturityRecord.objects.filter(service_id__in=undone, recorded_on=today).delete()
        moved = [pk for pk in moved if pk not in undone]
    changed = [
        MaturityRecord(
            service_id=pk,
            recorded_on=today,
            level=cards[pk].level,
            failed_checks=cards[pk].failed_checks,
        )
        for pk in moved
    ]
    MaturityRecord.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["service", "recorded_on"],
        update_fields=["level", "failed_checks"],
    )
    return len(changed)
