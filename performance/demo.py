"""Demo flow: a year of weekly stage and hand-off logs, friction and change, telling a story.

In "Apply for a home improvement grant" the cross-organisation hand-off from checking
eligibility (the department) to assessing the work (the agency) is the bottleneck: work
waits days and often comes back incomplete, and the friction points cluster around it.
Idempotent: logs are found by hand-off or stage and week; friction and change by title.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from performance.change.actions import change_save, scenario_save
from performance.change.scenarios import Change, Kind, predict
from performance.figures import extents, rollups
from performance.flow.actions import capacity_record, handoffs_make, interaction_add
from performance.friction.actions import friction_save
from performance.imports import runs
from performance.imports.actions import MEASUREMENT_COLUMNS, rows_copy
from performance.leadership.actions import campaign_fix_apply, campaign_launch
from performance.leadership.campaigns import FIX, fix_preview
from performance.leadership.maturity import failed_text
from performance.models import (
    Campaign,
    CapacityLog,
    ChangeInitiative,
    CostLine,
    FrictionPoint,
    HandoffLog,
    ImportRun,
    MaturityRecord,
    Measurement,
    Metric,
    Scenario,
    StageLog,
    TeamInteraction,
)
from servicelead.calendar import last_week_before, week_of
from services.actions import records_add, records_change
from services.demo import SERVICES
from services.journey import Boundary, boundary_between
from services.models import Service, Stage, Team

WEEKS = 52
SCALE_WEEKS = 104  # the generated portfolio has two years of weekly logs
SCALE_BATCH = 250  # generated services seeded per transaction
SHOWCASE = "home-improvement-grant"
BOTTLENECK = ("Check eligibility", "Assess the work")

FRICTION = {
    SHOWCASE: [
        (
            "Assessors cannot see what is coming from checking",
            "handoff",
            "high",
            BOTTLENECK,
            "Grant assessment",
            30,
            40,
        ),
        (
            "Evidence checklist differs between department and agency",
            "policy",
            "high",
            BOTTLENECK,
            "Grants policy",
            22,
            90,
        ),
        (
            "Case notes re-keyed into the agency's system",
            "technology",
            "medium",
            BOTTLENECK,
            "Case management platform",
            18,
            0,
        ),
        (
            "Applicants chase progress by phone",
            "process",
            "medium",
            "Support and complaints",
            "Agency helpline",
            12,
            120,
        ),
        (
            "Inspection slots booked by email",
            "process",
            "low",
            "Inspect the home",
            "Inspections",
            4,
            10,
        ),
    ],
    "report-disrepair": [
        (
            "Reports routed to the wrong council",
            "handoff",
            "high",
            ("Triage", "Inspect"),
            "Contact centre",
            15,
            60,
        ),
    ],
    "emergency-housing-support": [
        (
            "No shared record of who has been placed",
            "data",
            "high",
            ("Assess need", "Find housing"),
            "Council housing options",
            25,
            35,
        ),
    ],
    "grant-case-management": [
        (
            "Fraud checks wait for a weekly batch",
            "process",
            "medium",
            ("Assess", "Check for fraud"),
            "Fraud and error",
            10,
            0,
        ),
        # With the showcase's re-keyed case notes: one problem with the case management
        # platform, felt in two services and in both organisations' directorates.
        (
            "Assessment notes re-keyed into the case system",
            "technology",
            "medium",
            "Assess",
            "Case management platform",
            9,
            0,
        ),
    ],
    "sign-in": [
        (
            "Identity checks fail for people with thin credit files",
            "technology",
            "high",
            "Prove identity",
            "Identity platform",
            8,
            200,
        ),
    ],
}

CHANGES = {
    SHOWCASE: [
        (
            "A shared queue between checking and assessment",
            "Cut the wait at the hand-off to under two days",
            "The hand-off to the agency is where applications wait longest.",
            ChangeInitiative.Kind.PROJECT,
            ChangeInitiative.Status.ACTIVE,
            ["Check eligibility", "Assess the work"],
            ["Applications processing", "Grant assessment"],
        ),
        (
            "One evidence checklist",
            "Halve applications returned as incomplete",
            "Two checklists send work back and forth.",
            ChangeInitiative.Kind.IMPROVEMENT,
            ChangeInitiative.Status.ACTIVE,
            ["Apply", "Check eligibility"],
            ["Grants policy", "Apply digital team"],
        ),
        (
            "Pay grants through the payments platform",
            "Pay within 5 days of a decision",
            "Manual payment runs are slow and error-prone.",
            ChangeInitiative.Kind.PROGRAMME,
            ChangeInitiative.Status.PROPOSED,
            ["Pay the grant"],
            ["Payments platform"],
        ),
    ],
    "sign-in": [
        (
            "Alternative identity evidence",
            "Raise pass rates to 90%",
            "Too many people fail the check for reasons unrelated to who they are.",
            ChangeInitiative.Kind.ENDURING,
            ChangeInitiative.Status.ACTIVE,
            ["Prove identity"],
            ["Identity platform"],
        ),
    ],
}


def seed(*, scale: int = 0) -> list[str]:
    with transaction.atomic():
        # A service in discovery is not yet running: it has no journey to log and no figures.
        services = list(
            Service.objects.filter(slug__in=SERVICES).exclude(phase=Service.Phase.DISCOVERY)
        )
        handoff_logs, stage_logs = _seed_logs(services, recorded=True)
        friction = _seed_friction()
        changes = _seed_changes()
        measurements, costs = _seed_outcomes(services)
        drift = _seed_drift_history()
        interactions, capacity = _seed_teamwork()
    campaign = _seed_campaign()
    scenarios = _seed_scenario()
    report = [
        f"Flow: {handoff_logs} hand-off logs and {stage_logs} stage logs added; "
        f"{friction} friction points and {changes} change initiatives added.",
        f"Outcomes: {measurements} measurements and {costs} cost lines added (24 months).",
        f"History: {drift} records dated back, so accountability drift shows.",
        f"Campaign: {campaign} services fixed by it so far, and its progress dated back.",
        f"Teams: {interactions} interactions and {capacity} weekly capacity splits added.",
        f"What if: {scenarios} scenario added to the shared queue.",
    ]
    if scale:
        report.append(_seed_generated())
    return report


# How the showcase's teams work together: checking and assessment began collaborating on the
# shared queue 30 weeks ago for what was meant to be 12 (overrunning); the grant's payments
# team consumes the case management platform as a service. (service, team, with team, mode,
# weeks ago, expected weeks, note)
INTERACTIONS = [
    (
        SHOWCASE,
        "Applications processing",
        "Grant assessment",
        TeamInteraction.Mode.COLLABORATION,
        30,
        12,
        "Designing the shared queue between checking and assessment together.",
    ),
    (
        SHOWCASE,
        "Service design",
        "Apply digital team",
        TeamInteraction.Mode.FACILITATING,
        6,
        10,
        "Coaching the team in research with applicants who apply on paper.",
    ),
]
# Each showcase team's usual split of a week (run, change, failure demand, improvement), logged
# for the last CAPACITY_WEEKS weeks; Applications processing has had no time for change.
CAPACITY = {
    "Applications processing": (70, 6, 20, 4),
    "Grant assessment": (60, 20, 12, 8),
    "Apply digital team": (30, 55, 5, 10),
    "Agency helpline": (55, 10, 30, 5),
}
CAPACITY_WEEKS = 16


def _seed_teamwork() -> tuple[int, int]:
    service = Service.objects.get(slug=SHOWCASE)
    teams = {t.name: t for t in Team.objects.filter(name__in=[*CAPACITY, "Service design"])}
    today = timezone.localdate()
    added = 0
    for slug, team, other, mode, weeks_ago, weeks, note in INTERACTIONS:
        found = TeamInteraction.objects.filter(
            service__slug=slug, team__name=team, with_team__name=other, mode=mode
        )
        if not found.exists():
            interaction = TeamInteraction(
                service=service,
                team=teams[team],
                with_team=teams[other],
                mode=mode,
                started_on=today - timedelta(weeks=weeks_ago),
                expected_weeks=weeks,
                note=note,
            )
            interaction_add(interaction=interaction, user=None)
            added += 1
    latest = last_week_before(today)
    have = set(CapacityLog.objects.values_list("team__name", "period_start"))
    logged = 0
    for name, (run, change, failure, improvement) in CAPACITY.items():
        rng = random.Random(f"capacity-{name}")
        for n in range(CAPACITY_WEEKS):
            week = latest - timedelta(weeks=n)
            shift = max(-change, rng.randint(-3, 3) if change > 10 else rng.randint(-2, 2))
            if (name, week) in have:
                continue
            shares = {
                "run": run - shift,
                "change": change + shift,  # Applications processing's stays under 10
                "failure_demand": failure,
                "improvement": improvement,
            }
            capacity_record(team=teams[name], user=None, week_start=week, shares=shares)
            logged += 1
    return added, logged


# The shared queue, as a what-if: it should halve the wait between checking and assessment and
# have work arrive complete and accurate 95 % of the time.
SCENARIO = "Shared queue: half the wait, 95 % complete and accurate"


def _seed_scenario() -> int:
    service = Service.objects.get(slug=SHOWCASE)
    if service.scenarios.filter(name=SCENARIO).exists():
        return 0
    checking = service.stages.filter(name=BOTTLENECK[0]).first()
    initiative = service.changes.filter(title=CHANGES[SHOWCASE][0][0]).first()
    if checking is None or initiative is None:  # the journey or the change since edited
        return 0
    changes = [
        Change(Kind.CUT_WAIT, checking.pk, value=Decimal("0.5")),
        Change(Kind.COMPLETE_ACCURATE, checking.pk, value=Decimal("0.95")),
    ]
    window = extents.window_for({}, [service])["window"]
    stages = {s.pk: s for s in service.stages.all()}
    scenario = Scenario(
        service=service,
        name=SCENARIO,
        changes=[c.to_json() | {"said": c.describe(stages, {})} for c in changes],
        window_start=window.start,
        window_end=window.end,
        predicted=predict(service, window, changes).to_json(),
        initiative=initiative,
    )
    scenario_save(scenario=scenario, user=None)
    return 1


# The history as the demo tells it: Register as a landlord's first stage moved to its team 40
# days ago, and no decision has been logged since. (Emergency housing support has been a
# council, with hands-on leadership recommended, since the demo organisation began.)
MOVED_DAYS_AGO = 40
MOVED_FROM = "Contact centre"


def _seed_drift_history() -> int:
    """Give that stage its earlier team in its history (only while its history is the seed's
    one record, so a second run, or a stage edited since, is left as it is). Returns the count
    of history records written."""
    today = timezone.localdate()

    def at(days_ago: int) -> datetime:
        return timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(9)))

    written = 0
    stage = Stage.objects.filter(service__slug="register-landlord").order_by("position").first()
    earlier = Team.objects.filter(name=MOVED_FROM).first()
    if stage is not None and earlier is not None and stage.team_id != earlier.pk:
        rows = Stage.history.filter(id=stage.pk)
        first = rows.first()
        if rows.count() == 1 and first.history_type == "+":
            values = {
                f.attname: getattr(first, f.attname)
                for f in type(first)._meta.concrete_fields
                if f.attname != "history_id"
            }
            type(first).objects.create(**{**values, "team_id": earlier.pk})
            rows.filter(history_id=first.history_id).update(
                history_type="~", history_date=at(MOVED_DAYS_AGO)
            )
            written += 2
    return written


# The campaign as the demo tells it: launched six weeks ago over the demo's services, to have
# somebody holding the Decide right for every kind of decision within twelve weeks. Its fix was
# applied to these services on these days (days ago): with the two that passed already, half
# the services pass.
CAMPAIGN = "Somebody to decide every kind of decision"
CAMPAIGN_LAUNCHED_DAYS_AGO, CAMPAIGN_WEEKS = 42, 12
CAMPAIGN_FIXED = {
    "housing-complaints": 33,
    "sign-in": 26,
    "take-a-payment": 12,
    "staff-onboarding": 5,
}


def _seed_campaign() -> int:
    """Launch the campaign, apply its fix to some services, and date their maturity records
    back to when the campaign tells it (once: a second run leaves it as it is). Returns how
    many services the fix was applied to."""
    if Campaign.objects.filter(name=CAMPAIGN).exists():
        return 0
    today = timezone.localdate()
    launched = today - timedelta(days=CAMPAIGN_LAUNCHED_DAYS_AGO)
    admin = get_user_model().objects.filter(username="admin").first()
    scope = Service.objects.filter(slug__in=SERVICES)
    campaign = campaign_launch(
        campaign=Campaign(
            name=CAMPAIGN,
            check_key=FIX,
            target_date=launched + timedelta(weeks=CAMPAIGN_WEEKS),
            scope="The demo's own services",
            launched_on=launched,
        ),
        service_ids=list(scope.values_list("pk", flat=True)),
        user=admin,
    )
    fixed = scope.filter(slug__in=CAMPAIGN_FIXED)
    campaign_fix_apply(campaign=campaign, fix=fix_preview(campaign, None, within=fixed), user=admin)
    rollups.refresh(list(scope.values_list("pk", flat=True)))  # today's records, worker or not
    for record in MaturityRecord.objects.filter(
        service__in=scope, recorded_on=today
    ).select_related("service"):
        days_ago = CAMPAIGN_FIXED.get(record.service.slug)
        if days_ago is not None:  # failing it from the launch until it was fixed
            MaturityRecord.objects.create(
                service=record.service,
                recorded_on=launched,
                level=min(record.level, 1),  # a Silver check failed
                failed_checks=failed_text([*record.failed, FIX]),
            )
        record.recorded_on = today - timedelta(days=days_ago or CAMPAIGN_LAUNCHED_DAYS_AGO)
        record.save()
    return fixed.count()


def _seed_generated() -> str:
    """Two years of weekly logs, monthly measurements and costs for the generated
    portfolio, a batch of services at a time (each batch whole or not at all), recorded
    as one import run rather than row by row in the audit history."""
    generated = list(Service.objects.filter(slug__startswith="generated-").order_by("pk"))
    run = runs.command_run("seed_demo --scale", ImportRun.Outcome.RUNNING)
    totals = [0, 0, 0, 0]
    try:
        for start in range(0, len(generated), SCALE_BATCH):
            batch = generated[start : start + SCALE_BATCH]
            with transaction.atomic():
                logs = _seed_logs(batch, recorded=False, weeks=SCALE_WEEKS)
                outcomes = _seed_outcomes(batch, run=run)
            totals = [a + b for a, b in zip(totals, (*logs, *outcomes), strict=True)]
    except BaseException:
        # The batches done so far stay (a second run adds the rest); the run says it stopped.
        runs.command_run_ended(run, outcome=ImportRun.Outcome.FAILED, rows=sum(totals))
        raise
    runs.command_run_ended(run, outcome=ImportRun.Outcome.APPLIED, rows=sum(totals))
    handoff_logs, stage_logs, measurements, costs = totals
    return (
        f"Generated portfolio: {handoff_logs:,} hand-off logs, {stage_logs:,} stage logs, "
        f"{measurements:,} measurements and {costs:,} cost lines added "
        f"({SCALE_WEEKS} weeks, {MONTHS} months)."
    )


def _weeks(today: date, count: int) -> list[date]:
    this_week = week_of(today)[0]
    return [this_week - timedelta(weeks=n) for n in range(count, 0, -1)]


def _seed_logs(services: list[Service], *, recorded: bool, weeks: int = WEEKS) -> tuple[int, int]:
    """``weeks`` of weekly logs for each service's journey. ``recorded``: with audit history
    (the demo), or without (the generated benchmark portfolio, recorded as one import run)."""
    weeks = _weeks(timezone.localdate(), weeks)
    stages_by_service: dict[int, list[Stage]] = {}
    for stage in (
        Stage.objects.filter(service__in=services)
        .select_related("team__directorate", "service")
        .order_by("service_id", "position")
    ):
        stages_by_service.setdefault(stage.service_id, []).append(stage)
    handoffs = handoffs_make(stages_by_service)
    have_handoff = set(
        HandoffLog.objects.filter(handoff__in=handoffs.values()).values_list(
            "handoff_id", "period_start"
        )
    )
    all_stages = [s for stages in stages_by_service.values() for s in stages]
    have_stage = set(
        StageLog.objects.filter(stage__in=all_stages).values_list("stage_id", "period_start")
    )
    now = timezone.now()
    new_handoff_logs, new_stage_logs = [], []
    for stages in stages_by_service.values():
        slug = stages[0].service.slug
        # The items flow stage to stage: each week's applications (about a quarter of the
        # month's transactions of _seed_outcomes) pass through every stage, a few dropping
        # out at each, and what a stage completes is what it hands on to the next.
        flow = random.Random(f"{slug}-flow")
        weekly = random.Random(f"{slug}-outcomes").randint(800, 12_000) / 4.35
        kept = flow.uniform(0.9, 0.98)
        arriving = [
            weekly * (1 + 0.2 * ((n % 13) - 6) / 6) * flow.uniform(0.9, 1.1)
            for n in range(len(weeks))
        ]
        completed = {
            (position, n): int(arriving[n] * kept**position)
            for position in range(len(stages))
            for n in range(len(weeks))
        }
        for position, stage in enumerate(stages):
            rng = random.Random(f"{slug}-stage-{position}")
            base = rng.uniform(2, 40)
            for n, week in enumerate(weeks):
                if (stage.pk, week) in have_stage:
                    continue
                new_stage_logs.append(
                    (
                        stage.pk,
                        week,
                        week_of(week)[1],
                        completed[(position, n)],
                        f"{base * rng.uniform(0.8, 1.2):.1f}",
                        now,
                    )
                )
        for index, (a, b) in enumerate(zip(stages, stages[1:], strict=False)):
            handoff = handoffs[(a.pk, b.pk)]
            rng = random.Random(f"{slug}-{a.position}-{b.position}")
            bottleneck = slug == SHOWCASE and (a.name, b.name) == BOTTLENECK
            crossing = boundary_between(a.team, b.team)
            wait = {
                Boundary.WITHIN_TEAM: 3,
                Boundary.WITHIN_DIRECTORATE: 8,
                Boundary.CROSS_DIRECTORATE: 20,
                Boundary.CROSS_ORGANISATION: 36,
            }.get(crossing, 12) * rng.uniform(0.7, 1.3)
            returns = (
                0.03 if crossing in (Boundary.WITHIN_TEAM, Boundary.WITHIN_DIRECTORATE) else 0.07
            )
            if bottleneck:
                wait, returns = 118.0, 0.18
            for n, week in enumerate(weeks):
                if (handoff.pk, week) in have_handoff:
                    continue
                handed = max(1, completed[(index, n)])  # what the giving stage completed
                # The shared queue (an active change) starts to help in the last quarter.
                easing = 0.75 if bottleneck and n > len(weeks) - 13 else 1
                new_handoff_logs.append(
                    (
                        handoff.pk,
                        week,
                        week_of(week)[1],
                        handed,
                        min(handed, int(handed * returns * rng.uniform(0.6, 1.4))),
                        f"{wait * easing * rng.uniform(0.8, 1.2):.1f}",
                        now,
                    )
                )
    create = _with_history if recorded else rows_copy
    create(HandoffLog, HANDOFF_LOG_FIELDS, new_handoff_logs)
    create(StageLog, STAGE_LOG_FIELDS, new_stage_logs)
    return len(new_handoff_logs), len(new_stage_logs)


HANDOFF_LOG_FIELDS = (
    "handoff_id",
    "period_start",
    "period_end",
    "handed_over",
    "returned",
    "median_wait_hours",
    "updated_at",
)
STAGE_LOG_FIELDS = (
    "stage_id",
    "period_start",
    "period_end",
    "completed",
    "median_process_hours",
    "updated_at",
)


def _with_history(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """The demo's rows, saved with their audit history."""
    records = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    records_add(records, user=None, reason="seed_demo")


# The channel some friction's contacts come through (priced at the department's cost of a
# phone call, where it gives one: see ``services.demo.CONTACT_COSTS``).
CONTACT_CHANNELS = {
    "Applicants chase progress by phone": Stage.Channel.PHONE,
    "Inspection slots booked by email": Stage.Channel.DIGITAL,
}


# Friction resolved before, and what worked: (service, title, category, stage, owner team,
# days since resolved, what worked).
RESOLVED = [
    (
        "housing-complaints",
        "Complaint files re-keyed from the helpline",
        FrictionPoint.Category.TECHNOLOGY,
        "Investigate",
        "Case management platform",
        75,
        "The platform team added an export from the helpline's system: complaints now arrive "
        "as cases, and nobody re-keys them. It took two sprints and no new contract.",
    ),
]


def _seed_resolved() -> int:
    created = 0
    today = timezone.localdate()
    for slug, title, category, where, owner, days, worked in RESOLVED:
        service = Service.objects.get(slug=slug)
        if FrictionPoint.objects.filter(service=service, title=title).exists():
            continue
        point = FrictionPoint(
            service=service,
            title=title,
            category=category,
            severity=FrictionPoint.Severity.MEDIUM,
            status=FrictionPoint.Status.RESOLVED,
            stage=service.stages.filter(name=where).first(),
            owner_team=Team.objects.filter(name=owner).first(),
            hours_lost_per_week=Decimal(6),
            raised_on=today - timedelta(days=days + 120),
            resolved_on=today - timedelta(days=days),
            what_worked=worked,
            description=f"Raised by the teams at the {service.name.lower()} review.",
        )
        friction_save(point=point, user=None)
        created += 1
    return created


def _seed_friction() -> int:
    created = _seed_resolved()
    today = timezone.localdate()
    for slug, points in FRICTION.items():
        service = Service.objects.get(slug=slug)
        stages = {s.name: s for s in service.stages.all()}
        handoffs = {
            (h.from_stage.name, h.to_stage.name): h
            for h in service.handoffs.select_related("from_stage", "to_stage")
        }
        for n, (title, category, severity, where, owner, hours, contacts) in enumerate(points):
            if FrictionPoint.objects.filter(service=service, title=title).exists():
                continue
            point = FrictionPoint(
                service=service,
                title=title,
                **{
                    "category": category,
                    "severity": severity,
                    "status": FrictionPoint.Status.MITIGATING
                    if n == 1
                    else FrictionPoint.Status.OPEN,
                    "stage": stages.get(where) if isinstance(where, str) else None,
                    "handoff": handoffs.get(where) if isinstance(where, tuple) else None,
                    "owner_team": Team.objects.filter(name=owner).first(),
                    "hours_lost_per_week": Decimal(hours),
                    "failure_demand_contacts": contacts,
                    "contact_channel": CONTACT_CHANNELS.get(title, ""),
                    "raised_on": today - timedelta(days=30 * (n + 1)),
                    "description": f"Raised by the teams at the {service.name.lower()} review.",
                },
            )
            friction_save(point=point, user=None)
            created += 1
    return created


def _seed_changes() -> int:
    created = 0
    today = timezone.localdate()
    for slug, initiatives in CHANGES.items():
        service = Service.objects.get(slug=slug)
        for n, (title, outcome, why, kind, status, stages, teams) in enumerate(initiatives):
            if ChangeInitiative.objects.filter(service=service, title=title).exists():
                continue
            initiative = ChangeInitiative(
                service=service,
                title=title,
                **{
                    "outcome_sought": outcome,
                    "why": why,
                    "kind": kind,
                    "status": status,
                    "starts_on": today - timedelta(days=90 - 30 * n),
                    "ends_on": today + timedelta(days=120 + 60 * n),
                },
            )
            change_save(
                initiative=initiative,
                user=None,
                stages=list(service.stages.filter(name__in=stages)),
                teams=list(Team.objects.filter(name__in=teams)),
            )
            created += 1
    return created


# --- Outcomes and cost ---------------------------------------------------------------------

MONTHS = 24
CUSTOM_METRICS = {
    "home-improvement-grant": (
        "days_to_decide",
        "Days from application to decision",
        "days",
        False,
        Decimal(28),
    ),
    "report-disrepair": (
        "days_to_inspect",
        "Days from report to inspection",
        "days",
        False,
        Decimal(10),
    ),
    "sign-in": ("identity_pass_rate", "Identity checks passed", "%", True, Decimal(90)),
}


def _months(today: date) -> list[tuple[date, date]]:
    first = today.replace(day=1)
    months = []
    for n in range(MONTHS, 0, -1):
        year, month = divmod(first.month - 1 - n, 12)
        start = date(first.year + year, month + 1, 1)
        nyear, nmonth = divmod(start.month, 12)
        months.append((start, date(start.year + nyear, nmonth + 1, 1) - timedelta(days=1)))
    return months


def _seed_outcomes(services: list[Service], *, run: ImportRun | None = None) -> tuple[int, int]:
    """Two years of monthly KPIs (transactions by channel, started, satisfaction, contacts,
    failure demand and one measure of each showcase service's own) and costs by payer.
    With ``run`` (the generated portfolio) the rows belong to that import run, and cost
    lines go in without a history row each."""
    months = _months(timezone.localdate())
    wanted: list[tuple] = []
    for service in services:
        rng = random.Random(f"{service.slug}-outcomes")
        volume = rng.randint(800, 12_000)
        digital_share = rng.uniform(0.45, 0.85)
        satisfaction = rng.uniform(68, 88)
        for n, (start, end) in enumerate(months):
            trend = 1 + n * 0.008
            seasonal = 1 + 0.12 * ((start.month % 12) - 6) / 6
            total = int(volume * trend * seasonal * rng.uniform(0.93, 1.07))
            digital = int(total * min(0.97, digital_share + n * 0.004))
            phone = int((total - digital) * 0.7)
            paper = total - digital - phone
            completion = min(0.97, rng.uniform(0.78, 0.9) + n * 0.002)
            contacts = int(total * rng.uniform(0.25, 0.4))
            for key, value, channel in [
                ("transactions", digital, "digital"),
                ("transactions", phone, "phone"),
                ("transactions", paper, "paper"),
                ("started", int(total / completion), ""),
                ("user_satisfaction", round(satisfaction + rng.uniform(-3, 3) + n * 0.1, 1), ""),
                ("contacts", contacts, ""),
                ("failure_demand_contacts", int(contacts * rng.uniform(0.3, 0.45)), ""),
            ]:
                wanted.append((service, key, start, end, channel, Decimal(str(value))))
            if service.slug in CUSTOM_METRICS:
                key, *_, target = CUSTOM_METRICS[service.slug]
                drift = -0.15 if key.startswith("days") else 0.1
                wanted.append(
                    (
                        service,
                        key,
                        start,
                        end,
                        "",
                        Decimal(f"{float(target) * rng.uniform(0.9, 1.3) + n * drift:.1f}"),
                    )
                )
    metrics = _ensure_metrics(services)
    have = set(
        Measurement.objects.filter(metric__service__in=services).values_list(
            "metric_id", "period_start", "channel"
        )
    )
    now = timezone.now()
    recorded = run is None
    if recorded:
        run = runs.command_run("seed_demo outcomes", ImportRun.Outcome.APPLIED)
    new = [
        (metrics[(s.pk, key)].pk, start, end, channel, value, run.pk, None, now)
        for s, key, start, end, channel, value in wanted
        if (metrics[(s.pk, key)].pk, start, channel) not in have
    ]
    costs = [(*line, run.pk, now) for line in _cost_lines(services, months)]
    if recorded:
        runs.command_run_ended(run, outcome=ImportRun.Outcome.APPLIED, rows=len(new) + len(costs))
    if not (new or costs):
        return 0, 0
    run.services.add(*services)
    rows_copy(Measurement, MEASUREMENT_COLUMNS, new)
    (_with_history if recorded else rows_copy)(CostLine, COST_FIELDS, costs)
    return len(new), len(costs)


COST_FIELDS = (
    "service_id",
    "period_start",
    "period_end",
    "currency",
    "amount",
    "category",
    "spend",
    "organisation_id",
    "directorate_id",
    "team_id",
    "allocated",
    "allocation_driver",
    "import_run_id",
    "updated_at",
)


def _ensure_metrics(services: list[Service]) -> dict[tuple[int, str], Metric]:
    have = set(Metric.objects.filter(service__in=services).values_list("service_id", "key"))
    wanted = []
    for service in services:
        for key, (name, unit, higher, _, _) in Metric.STANDARD.items():
            wanted.append(
                Metric(service=service, key=key, name=name, unit=unit, higher_is_better=higher)
            )
        if service.slug in CUSTOM_METRICS:
            key, name, unit, higher, target = CUSTOM_METRICS[service.slug]
            wanted.append(
                Metric(
                    service=service,
                    key=key,
                    name=name,
                    unit=unit,
                    higher_is_better=higher,
                    target=target,
                )
            )
    missing = [m for m in wanted if (m.service.pk, m.key) not in have]
    records_add(missing, user=None, reason="seed_demo")
    targets = {"user_satisfaction": Decimal(80), "completion_rate": Decimal("0.85")}
    untargeted = list(
        Metric.objects.filter(service__in=services, key__in=targets, target__isnull=True)
    )
    for metric in untargeted:
        metric.target = targets[metric.key]
    records_change(untargeted, ["target"], user=None)
    return {(m.service_id, m.key): m for m in Metric.objects.filter(service__in=services)}


def _cost_lines(services: list[Service], months: list[tuple[date, date]]) -> list[tuple]:
    """Who pays for which part: each stage's owner pays its staff; the accountable
    organisation pays technology; supplier stages are supplier costs; change is paid by
    the accountable organisation while a change initiative is active. Rows in
    ``COST_FIELDS`` order, without the import run and time."""
    have = set(
        CostLine.objects.filter(service__in=services).values_list("service_id", "period_start")
    )
    payers_of: dict[int, dict[int, Team]] = {}
    for stage in (
        Stage.objects.filter(service__in=services, team__isnull=False)
        .select_related("team__directorate__organisation")
        .order_by("service_id", "position")
    ):
        payers_of.setdefault(stage.service_id, {}).setdefault(stage.team.directorate_id, stage.team)
    lines = []
    for service in services:
        rng = random.Random(f"{service.slug}-costs")
        payers = payers_of.get(service.pk, {})
        for n, (start, end) in enumerate(months):
            if (service.pk, start) in have:
                continue
            for team in payers.values():
                organisation = team.directorate.organisation
                category = (
                    CostLine.Category.SUPPLIER
                    if organisation.kind == "supplier"
                    else CostLine.Category.STAFF
                )
                amount = f"{rng.uniform(8_000, 60_000) * (1 + n * 0.005):.2f}"
                lines.append(
                    (service.pk, start, end, "GBP", amount, category, CostLine.Spend.RUN)
                    + (organisation.pk, team.directorate_id, team.pk, False, "")
                )
            amount = f"{rng.uniform(5_000, 25_000):.2f}"
            lines.append(
                (service.pk, start, end, "GBP", amount, CostLine.Category.TECHNOLOGY)
                + (CostLine.Spend.RUN, service.organisation_id, None, None, False, "")
            )
            amount = f"{rng.uniform(1_000, 4_000):.2f}"
            lines.append(
                (service.pk, start, end, "GBP", amount, CostLine.Category.ACCOMMODATION)
                + (CostLine.Spend.RUN, service.organisation_id, None, None, True, BUILDING)
            )
            if n >= MONTHS - 9 and service.slug in CHANGES:
                amount = f"{rng.uniform(20_000, 70_000):.2f}"
                lines.append(
                    (service.pk, start, end, "GBP", amount, CostLine.Category.STAFF)
                    + (CostLine.Spend.CHANGE, service.organisation_id, None, None, False, "")
                )
    return lines


BUILDING = "Share of the building by headcount"
