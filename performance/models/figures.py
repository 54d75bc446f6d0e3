"""Outcomes and cost: metrics and their measurements, cost lines, the review narrative, data-
quality findings, and the roll-ups and data extents kept from them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from performance.models.base import Period, period_constraint
from performance.models.imports import ImportRun
from servicelead.history import ChangeHistory
from servicelead.text import single_line
from services.models import Service, Stage, Team

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
    """One service's whole-service figures for one window, as ``figures.metrics`` computes them:
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
