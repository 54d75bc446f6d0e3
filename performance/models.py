"""How work flows through services, what it costs, and how they perform."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.urls import reverse

from servicelead.history import ChangeHistory
from servicelead.text import single_line
from services.models import Service, Stage, Team

NOT_NEGATIVE = MinValueValidator(Decimal(0), "This cannot be negative.")


class Period(models.Model):
    """A record for a period of whole days: from ``period_start`` to ``period_end`` inclusive."""

    period_start = models.DateField()
    period_end = models.DateField()

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})


def period_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name=name)


# --- Flow ----------------------------------------------------------------------------------


class Handoff(models.Model):
    """The passing of work from one stage of a journey to the next.

    Hand-offs follow the journey: one for each pair of consecutive stages, created as the
    journey is first logged against (``performance.flow.actions.handoffs_make``); reading a journey
    (``performance.flow.queries.journey_handoffs``) writes nothing. A pair that stops being
    consecutive keeps its logs but no longer counts in the journey's figures.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="handoffs")
    from_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="handoffs_out")
    to_stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="handoffs_in")
    expected_turnaround_hours = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, validators=[NOT_NEGATIVE]
    )
    history = ChangeHistory()

    class Meta:
        verbose_name = "hand-off"
        constraints = [
            models.UniqueConstraint(fields=["from_stage", "to_stage"], name="handoff_once"),
            models.CheckConstraint(
                condition=~Q(from_stage=F("to_stage")), name="handoff_between_two_stages"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_stage.name} → {self.to_stage.name}"

    @property
    def rebuilt_with_the_journey(self) -> bool:
        """Whether removing it loses nothing: the journey makes it again from its stages.
        (Its logs are counted apart.)"""
        return self.expected_turnaround_hours is None


class HandoffLog(Period):
    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="logs")
    handed_over = models.PositiveIntegerField()
    returned = models.PositiveIntegerField(help_text="Items sent back as incomplete or inaccurate.")
    median_wait_hours = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[NOT_NEGATIVE]
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = ChangeHistory()

    class Meta:
        verbose_name = "weekly hand-off log"
        ordering = ["handoff", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["handoff", "period_start", "period_end"], name="handoff_log_once"
            ),
            models.CheckConstraint(
                condition=Q(returned__lte=F("handed_over")), name="returned_within_handed_over"
            ),
            period_constraint("handoff_log_period_in_order"),
        ]
        indexes = [models.Index(fields=["handoff", "period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.handoff} {self.period_start}–{self.period_end}"

    def clean(self) -> None:
        super().clean()
        if (
            self.returned is not None
            and self.handed_over is not None
            and self.returned > self.handed_over
        ):
            raise ValidationError(
                {"returned": "More items cannot come back than were handed over."}
            )


class StageLog(Period):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="logs")
    completed = models.PositiveIntegerField()
    median_process_hours = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[NOT_NEGATIVE]
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = ChangeHistory()

    class Meta:
        verbose_name = "weekly stage log"
        ordering = ["stage", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "period_start", "period_end"], name="stage_log_once"
            ),
            period_constraint("stage_log_period_in_order"),
        ]
        indexes = [models.Index(fields=["stage", "period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.stage.name} {self.period_start}–{self.period_end}"


# --- Teams as they work together -----------------------------------------------------------

SHARE = [MaxValueValidator(100, "A share cannot be more than 100 %.")]


class CapacityLog(Period):
    """How a team spent a week of its capacity, in whole per cent adding up to 100."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="capacity_logs")
    run = models.PositiveSmallIntegerField("running services (%)", validators=SHARE)
    change = models.PositiveSmallIntegerField("changing them (%)", validators=SHARE)
    failure_demand = models.PositiveSmallIntegerField("failure demand (%)", validators=SHARE)
    improvement = models.PositiveSmallIntegerField(
        "improving how the team works (%)", validators=SHARE
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = ChangeHistory()

    PARTS = ("run", "change", "failure_demand", "improvement")

    class Meta:
        verbose_name = "weekly capacity split"
        ordering = ["team", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["team", "period_start"], name="capacity_log_once"),
            period_constraint("capacity_log_period_in_order"),
            models.CheckConstraint(
                condition=Exact(
                    F("run") + F("change") + F("failure_demand") + F("improvement"), 100
                ),
                name="capacity_shares_add_up_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team.name} {self.period_start}"

    def clean(self) -> None:
        super().clean()
        total = sum(getattr(self, part) or 0 for part in self.PARTS)
        if total != 100:
            raise ValidationError(
                f"The four shares add up to {total} %: they must add up to 100 %."
            )


class TeamInteraction(models.Model):
    """How two teams on a service's journey work together (Team Topologies' modes)."""

    class Mode(models.TextChoices):
        COLLABORATION = "collaboration", "Collaboration"
        X_AS_A_SERVICE = "x_as_a_service", "X-as-a-service"
        FACILITATING = "facilitating", "Facilitating"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="interactions")
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        related_name="interactions",
        help_text="For X-as-a-service, the team providing it; for facilitating, the team "
        "that facilitates.",
    )
    with_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=20, choices=Mode.choices)
    started_on = models.DateField()
    expected_weeks = models.PositiveSmallIntegerField(
        "expected to last (weeks)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(520, "Ten years is the longest a team can plan for.")],
        help_text="Collaboration and facilitating are meant to end; leave empty for lasting "
        "X-as-a-service.",
    )
    note = models.TextField(blank=True)
    history = ChangeHistory()

    class Meta:
        ordering = ["service", "started_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(team=F("with_team")), name="interaction_between_two_teams"
            ),
            models.UniqueConstraint(
                fields=["service", "team", "with_team", "mode"], name="interaction_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} – {self.with_team}: {self.get_mode_display()}"

    def clean(self) -> None:
        if self.team_id and self.team_id == self.with_team_id:
            raise ValidationError({"with_team": "Choose two different teams."})

    @property
    def expected_end(self):
        if self.expected_weeks is None:
            return None
        return self.started_on + timedelta(weeks=self.expected_weeks)


# --- Friction and change -------------------------------------------------------------------


class FrictionPoint(models.Model):
    class Category(models.TextChoices):
        HANDOFF = "handoff", "Hand-off"
        POLICY = "policy", "Policy or rules"
        TECHNOLOGY = "technology", "Technology"
        PROCESS = "process", "Process"
        SUPPLIER = "supplier", "Supplier"
        DATA = "data", "Data"
        CAPACITY = "capacity", "Skills or capacity"

    class Severity(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MITIGATING = "mitigating", "Mitigating"
        RESOLVED = "resolved", "Resolved"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="friction")
    title = models.CharField(max_length=300, validators=[single_line])
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    stage = models.ForeignKey(
        Stage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="friction",
        verbose_name="affected stage",
    )
    handoff = models.ForeignKey(
        Handoff,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="friction",
        verbose_name="affected hand-off",
    )
    owner_team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="friction"
    )
    hours_lost_per_week = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal(0), validators=[NOT_NEGATIVE]
    )
    failure_demand_contacts = models.PositiveIntegerField(
        "failure-demand contacts per week",
        default=0,
        help_text="Contacts a week that happen only because of this friction.",
    )
    contact_channel = models.CharField(
        "channel those contacts come through",
        max_length=20,
        choices=Stage.Channel.choices,
        blank=True,
        help_text="They are priced at its organisation's cost of a contact on that channel, "
        "where it gives one.",
    )
    raised_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    what_worked = models.TextField(
        blank=True,
        help_text="Once resolved: what fixed it, so others with the same problem can find it.",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = ChangeHistory()

    class Meta:
        ordering = ["service", "-raised_on"]
        indexes = [models.Index(fields=["service", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("performance:friction_edit", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.stage_id and self.stage.service_id != self.service_id:
            errors["stage"] = "Choose a stage of this service."
        if self.handoff_id and self.handoff.service_id != self.service_id:
            errors["handoff"] = "Choose a hand-off of this service."
        if self.resolved_on and self.raised_on and self.resolved_on < self.raised_on:
            errors["resolved_on"] = "It cannot be resolved before it was raised."
        if errors:
            raise ValidationError(errors)


class ChangeInitiative(models.Model):
    class Kind(models.TextChoices):
        PROJECT = "project", "Project"
        PROGRAMME = "programme", "Programme"
        ENDURING = "enduring", "Enduring team work"
        IMPROVEMENT = "improvement", "Continuous improvement"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="changes")
    title = models.CharField(max_length=300, validators=[single_line])
    outcome_sought = models.TextField()
    why = models.TextField("why it is changing", blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    affected_stages = models.ManyToManyField(Stage, blank=True, related_name="changes")
    delivering_teams = models.ManyToManyField(Team, blank=True, related_name="changes")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = ChangeHistory()

    class Meta:
        ordering = ["status", "-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="change_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "It cannot end before it starts."})


class Scenario(models.Model):
    """A what-if of a service's journey: its changes, and what they were predicted to do over
    the window it was worked out for (kept as predicted then, to set beside what happened)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=200, validators=[single_line])
    changes = models.JSONField(default=list)
    window_start = models.DateField()
    window_end = models.DateField()
    predicted = models.JSONField(default=dict)
    initiative = models.ForeignKey(
        ChangeInitiative,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenarios",
        verbose_name="change initiative",
        help_text="The change that will make it happen: once it is done, the scenario sets "
        "what it predicted beside what happened in the weeks after.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = ChangeHistory()

    class Meta:
        ordering = ["service", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("performance:scenario", args=[self.pk])

    def clean(self) -> None:
        if self.initiative_id and self.initiative.service_id != self.service_id:
            raise ValidationError({"initiative": "That change belongs to another service."})


# --- Outcomes: metrics and measurements -----------------------------------------------------


# The channels a measure is split by are the channels a stage is offered in: one list.
Channel = Stage.Channel


class Metric(models.Model):
    """An outcome or performance measure of one service: a standard key or its own."""

    STANDARD = {
        # key: (name, unit, higher is better, lowest, highest)
        "transactions": ("Completed transactions", "transactions", True, 0, None),
        "started": ("Transactions started", "transactions", True, 0, None),
        "completion_rate": ("Completion rate", "ratio", True, 0, 1),
        "user_satisfaction": ("User satisfaction", "score", True, 0, 100),
        "contacts": ("Contacts", "contacts", False, 0, None),
        "failure_demand_contacts": ("Failure-demand contacts", "contacts", False, 0, None),
    }

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="metrics")
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=200, validators=[single_line])
    unit = models.CharField(max_length=40, blank=True)
    higher_is_better = models.BooleanField(default=True)
    target = models.DecimalField(max_digits=22, decimal_places=6, null=True, blank=True)
    history = ChangeHistory()

    class Meta:
        ordering = ["service", "key"]
        constraints = [
            models.UniqueConstraint(fields=["service", "key"], name="metric_key_unique_in_service")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_standard(self) -> bool:
        return self.key in self.STANDARD


class Measurement(Period):
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="measurements")
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True, default="")
    value = models.DecimalField(max_digits=22, decimal_places=6)
    import_run = models.ForeignKey(
        "ImportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "period_start", "period_end", "channel"],
                name="measurement_once",
            ),
            period_constraint("measurement_period_in_order"),
        ]
        indexes = [models.Index(fields=["metric", "period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.metric.key} {self.period_start}–{self.period_end}: {self.value}"


class ImportRun(models.Model):
    """One import, from any of the ways in: who, when, what, and what it changed."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected"
        DRY_RUN = "dry_run", "Checked, not applied"
        RUNNING = "running", "Running"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=40)
    source = models.CharField(max_length=20, help_text="command, upload or api")
    file_name = models.CharField(max_length=300, blank=True)
    services = models.ManyToManyField(Service, blank=True, related_name="import_runs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    progress_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} import {self.started_at:%Y-%m-%d %H:%M}"


# --- Cost ----------------------------------------------------------------------------------


class CostLine(Period):
    """Money spent on a service in a period, and who pays for it."""

    class Category(models.TextChoices):
        STAFF = "staff", "Staff"
        TECHNOLOGY = "technology", "Technology"
        SUPPLIER = "supplier", "Supplier or contract"
        ACCOMMODATION = "accommodation", "Accommodation"
        OTHER = "other", "Other"
        # Programme spending allocated to the service; it may include grants and transfers
        # paid out, so it counts in total cost but not in the cost to serve.
        PROGRAMME = "programme", "Programme spending"

    class Spend(models.TextChoices):
        RUN = "run", "Run"
        CHANGE = "change", "Change"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="costs")
    amount = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        help_text="Only programme spending may be negative (recoveries exceeding spending).",
    )
    currency = models.CharField(max_length=3)
    category = models.CharField(max_length=20, choices=Category.choices)
    spend = models.CharField(max_length=10, choices=Spend.choices)
    organisation = models.ForeignKey(
        "services.Organisation",
        on_delete=models.PROTECT,
        related_name="costs_paid",
        verbose_name="paying organisation",
    )
    directorate = models.ForeignKey(
        "services.Directorate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="costs_paid",
        verbose_name="paying directorate",
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="costs_paid",
        verbose_name="paying team",
    )
    allocated = models.BooleanField(
        default=False, help_text="An allocation of a shared cost rather than a direct cost."
    )
    allocation_driver = models.CharField(max_length=300, blank=True)
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = ChangeHistory()

    class Meta:
        constraints = [
            period_constraint("cost_period_in_order"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(category="programme"), name="cost_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(directorate__isnull=False),
                name="cost_team_within_a_directorate",
            ),
            # One line per service, period, category, spend, payer and currency.
            models.UniqueConstraint(
                fields=[
                    "service",
                    "period_start",
                    "period_end",
                    "category",
                    "spend",
                    "organisation",
                    "currency",
                ],
                condition=Q(directorate__isnull=True),
                name="cost_once_per_organisation",
            ),
            models.UniqueConstraint(
                fields=[
                    "service",
                    "period_start",
                    "period_end",
                    "category",
                    "spend",
                    "directorate",
                    "currency",
                ],
                condition=Q(directorate__isnull=False, team__isnull=True),
                name="cost_once_per_directorate",
            ),
            models.UniqueConstraint(
                fields=[
                    "service",
                    "period_start",
                    "period_end",
                    "category",
                    "spend",
                    "team",
                    "currency",
                ],
                condition=Q(team__isnull=False),
                name="cost_once_per_team",
            ),
        ]
        indexes = [models.Index(fields=["service", "period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} {self.category} {self.period_start}"

    def clean(self) -> None:
        super().clean()
        if self.amount is not None and self.amount < 0 and self.category != self.Category.PROGRAMME:
            raise ValidationError({"amount": "Only programme spending can be negative."})
        if self.directorate_id and self.directorate.organisation_id != self.organisation_id:
            raise ValidationError({"directorate": "That directorate is not in the organisation."})
        if self.team_id and self.team.directorate_id != self.directorate_id:
            raise ValidationError({"team": "That team is not in the directorate."})


class ApiToken(models.Model):
    """A bearer token for the JSON API, scoped to one service (or to all, for admins)."""

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text="Empty for an admin token that may write to every service.",
    )
    name = models.CharField(
        max_length=200, help_text="What uses it, e.g. the case system.", validators=[single_line]
    )
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    history = ChangeHistory(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ReviewNarrative(models.Model):
    """What changed and why: the leader's words for a window, printed in the review pack."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="narratives")
    window_start = models.DateField()
    window_end = models.DateField()
    text = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    history = ChangeHistory()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "window_start", "window_end"], name="narrative_once_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.window_start}–{self.window_end}"


class OutboxTask(models.Model):
    """Background work that could not be handed to the broker; sent when it is back."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return f"{self.task}({self.kwargs})"


class ReminderSent(models.Model):
    """A reminder that went out, so a task run twice never sends it twice."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "sent_on"], name="reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} {self.sent_on}"


class DataQualityFinding(models.Model):
    """Something questionable an import found in the data it was given, kept with the
    service and shown beside its figures. One per service, source, kind and subject: an
    import replaces the findings of what it imports again."""

    class Kind(models.TextChoices):
        PROGRAMME_OF_ANOTHER_ORGANISATION = (
            "programme_elsewhere",
            "Programme code belongs to another organisation",
        )
        PROGRAMME_WITHOUT_SPENDING = "programme_unfunded", "Programme with no spending published"
        NEGATIVE_SPENDING = "negative_spending", "Negative spending"
        PERFORMANCE_OVER_100 = "performance_over_100", "Performance over 100 %"
        TARGET_MET_CONTRADICTS = "target_met_contradicts", "Target met contradicts the figures"
        STANDARD_VOLUME_WITHOUT_SERVICE_VOLUME = (
            "standard_volume_only",
            "Standard volumes without service volumes",
        )
        VOLUMES_CONTRADICT = "volumes_contradict", "Volumes that contradict each other"
        PERIOD_NOT_ENDED = "period_not_ended", "Period not ended when the data was published"
        SERVICE_ID_REUSED = "service_id_reused", "Service id reused"
        TARGET_AS_PERCENTAGE = "target_as_percentage", "Target given as a percentage"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="findings")
    metric = models.ForeignKey(
        Metric,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
        help_text="The measure whose figures it questions, if one.",
    )
    source = models.CharField(max_length=40, help_text="The import that found it.")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    subject = models.CharField(max_length=200, help_text="What is questioned, e.g. a programme.")
    location = models.CharField(max_length=200, blank=True, help_text="File and line.")
    message = models.TextField()
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="findings"
    )
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service", "kind", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "source", "kind", "subject"], name="finding_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "service"])]

    def __str__(self) -> str:
        return f"{self.service}: {self.message}"


def _sum_field(**options) -> models.DecimalField:
    return models.DecimalField(max_digits=32, decimal_places=6, null=True, blank=True, **options)


def _rate_field() -> models.DecimalField:
    return models.DecimalField(max_digits=32, decimal_places=12, null=True, blank=True)


class Rollup(models.Model):
    """One service's whole-service figures for one window, as ``summary.py`` computes them:
    every portfolio column as a column (so the portfolio is filtered, sorted, paged and
    totalled in SQL) and the whole summary as the API gives it. ``version`` is the service's
    figures version it was computed from: behind the service's current one, it is out of date
    and shown with the time it was computed."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="rollups")
    window_start = models.DateField()
    window_end = models.DateField()
    version = models.PositiveBigIntegerField()
    computed_at = models.DateTimeField()

    currency = models.CharField(max_length=3)
    transactions = _sum_field()
    total_cost = _sum_field()  # in ``currency``; programme spending included
    cost_to_serve = _sum_field()  # the total less programme spending
    programme_spending = _sum_field()
    cost_per_transaction = _rate_field()
    digital = _sum_field()  # transactions on the digital channel, in periods that give it
    channelled = _sum_field()  # all channels' transactions in those periods
    digital_take_up = _rate_field()
    completion_rate = _rate_field()
    user_satisfaction = _rate_field()
    lead_time_hours = _rate_field()
    complete_accurate = _rate_field()  # rolled along the journey
    # Amounts in currencies other than ``currency``: {code: "amount"}, never added in.
    other_currencies = models.JSONField(default=dict, blank=True)
    kpis_on_target = models.PositiveIntegerField(null=True, blank=True)  # none without targets
    kpis_with_target = models.PositiveIntegerField(default=0)
    kpis_off_target = models.PositiveIntegerField(default=0)  # not within 5 % either
    kpis_within_5 = models.PositiveIntegerField(default=0)  # of the target, not on it
    cross_directorate = models.PositiveIntegerField(default=0)
    cross_organisation = models.PositiveIntegerField(default=0)
    bottleneck_wait_hours = _rate_field()
    friction_open_high = models.PositiveIntegerField(default=0)
    decisions_outside_rights = models.PositiveIntegerField(default=0)
    autonomous_stages = models.PositiveSmallIntegerField(default=0)  # an autonomous AI performs
    agent_gaps = models.PositiveSmallIntegerField(default=0)  # the gaps those agents open
    last_period_end = models.DateField(null=True, blank=True)
    hands_on_recommended = models.BooleanField(null=True, blank=True)
    # Whether the data disagrees with the proportionality assessment (none when not assessed).
    evidence_disagrees = models.BooleanField(null=True, blank=True)
    maturity = models.PositiveSmallIntegerField(default=0)  # 0 not yet Bronze … 3 Gold
    failed_checks = models.CharField(max_length=200, blank=True)  # ",targets,fresh," (maturity)
    stale = models.BooleanField(default=False)
    reporting = models.BooleanField(default=False)
    figures = models.JSONField(default=dict)  # the summary, as the API's summary gives it

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["window_start", "window_end", "service"], name="one_rollup_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.window_start} to {self.window_end}"


class DataExtent(models.Model):
    """Where one service's data (measurements and cost lines) lies, kept with the roll-ups:
    it sets a page's default window and the financial years it offers."""

    service = models.OneToOneField(
        Service, primary_key=True, on_delete=models.CASCADE, related_name="data_extent"
    )
    version = models.PositiveBigIntegerField()
    last_period_end = models.DateField(null=True, blank=True)
    # The start years of the financial years with data, as "2021,2022" (sets of services
    # share few distinct values, so a page reads the distinct ones).
    financial_years = models.CharField(max_length=400, blank=True)

    class Meta:
        indexes = [models.Index(fields=["last_period_end"])]

    def __str__(self) -> str:
        return f"{self.service_id}: to {self.last_period_end}"


class MaturityRecord(models.Model):
    """A service's leadership maturity from a day on: its level and the checks it failed, as
    the nightly and after-write refreshes found them in the window its page opens on.
    Written only when either changes, so the rows are the level's history."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="maturity_records")
    recorded_on = models.DateField()
    level = models.PositiveSmallIntegerField()  # 0 not yet Bronze … 3 Gold
    failed_checks = models.CharField(max_length=200, blank=True)  # as ``Rollup.failed_checks``

    class Meta:
        ordering = ["service", "recorded_on"]
        constraints = [
            models.UniqueConstraint(fields=["service", "recorded_on"], name="one_record_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} from {self.recorded_on}: level {self.level}"

    @property
    def failed(self) -> list[str]:
        return [key for key in self.failed_checks.split(",") if key]


class Campaign(models.Model):
    """Org admins' drive to have one maturity check pass on a set of services by a date.
    The services in scope are fixed when it is launched, so its progress is over one set."""

    name = models.CharField(max_length=200, validators=[single_line])
    check_key = models.CharField(max_length=40)  # a key of ``maturity.checks()``
    target_date = models.DateField()
    services = models.ManyToManyField(Service, related_name="campaigns")
    scope = models.CharField(max_length=500, help_text="The services in scope, in words.")
    launched_on = models.DateField()
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-launched_on", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("performance:campaign", args=[self.pk])
