"""Decision rights (who may decide what, within which limits) and the decision log."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from servicelead.history import ChangeHistory
from servicelead.numbers import number
from servicelead.text import single_line
from services.models import Person, Service, Stage, Team


class DecisionType(models.Model):
    """An organisation-wide kind of decision."""

    class Category(models.TextChoices):
        VISION = "vision", "Vision and strategy"
        POLICY = "policy", "Policy or rules"
        SPEND = "spend", "Spend"
        PRIORITISATION = "prioritisation", "Prioritisation"
        OPERATIONAL = "operational", "Operational change"
        TECHNOLOGY = "technology", "Technology"
        TEAM_DESIGN = "team_design", "Team design"
        RISK = "risk", "Risk acceptance"

    name = models.CharField(max_length=200, unique=True, validators=[single_line])
    category = models.CharField(max_length=30, choices=Category.choices)
    description = models.TextField(blank=True)
    history = ChangeHistory()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DecisionBand(models.Model):
    """A limit within a decision type, e.g. spend up to 250,000. No limit when ``up_to`` is empty.

    An amount falls in the band with the smallest ``up_to`` at or above it.
    """

    decision_type = models.ForeignKey(DecisionType, on_delete=models.CASCADE, related_name="bands")
    up_to = models.DecimalField(
        "up to",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), "A band's limit cannot be negative.")],
        help_text="The largest amount in this band; leave empty for no upper limit.",
    )
    history = ChangeHistory()

    class Meta:
        ordering = ["decision_type", models.F("up_to").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["decision_type", "up_to"], name="band_limit_unique_in_type"
            ),
            models.UniqueConstraint(
                fields=["decision_type"],
                condition=Q(up_to__isnull=True),
                name="one_unlimited_band_per_type",
            ),
            models.CheckConstraint(
                condition=Q(up_to__isnull=True) | Q(up_to__gte=0), name="band_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"up to {number(self.up_to)}" if self.up_to is not None else "any amount"


class Role(models.TextChoices):
    """RAPID: who Recommends, Agrees, Performs, gives Input and Decides."""

    DECIDE = "decide", "Decide"
    AGREE = "agree", "Agree"
    INPUT = "input", "Input"
    RECOMMEND = "recommend", "Recommend"
    PERFORM = "perform", "Perform"


class HolderKind(models.TextChoices):
    PERSON = "person", "A person"
    TEAM = "team", "A team"
    LEADERSHIP = "leadership", "The service's leadership team"
    EXTERNAL = "external", "A named external body"
    AGENT = "agent", "The automation or AI agent performing a stage"


# An agent may do the work and inform it; people answer for the decision.
AGENT_ROLES = (Role.PERFORM, Role.INPUT)


class DecisionRight(models.Model):
    """For one service, decision type and band: one holder of one RAPID role."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="rights")
    decision_type = models.ForeignKey(DecisionType, on_delete=models.PROTECT, related_name="rights")
    band = models.ForeignKey(
        DecisionBand, on_delete=models.PROTECT, null=True, blank=True, related_name="rights"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    holder_kind = models.CharField(max_length=20, choices=HolderKind.choices)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="rights"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="rights"
    )
    external_body = models.CharField(max_length=200, blank=True, validators=[single_line])
    stage = models.ForeignKey(
        Stage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="agent_rights",
        help_text="For an agent: the stage whose automation or AI agent holds the role.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = ChangeHistory()

    class Meta:
        ordering = ["service", "decision_type__name", "role"]
        constraints = [
            # Exactly one Decide holder per service, type and band (a band may be empty).
            models.UniqueConstraint(
                fields=["service", "decision_type", "band"],
                condition=Q(role="decide", band__isnull=False),
                name="one_decider_per_type_and_band",
            ),
            models.UniqueConstraint(
                fields=["service", "decision_type"],
                condition=Q(role="decide", band__isnull=True),
                name="one_decider_per_unbanded_type",
            ),
            models.CheckConstraint(
                condition=(
                    Q(holder_kind="person", person__isnull=False, team__isnull=True)
                    | Q(holder_kind="team", team__isnull=False, person__isnull=True)
                    | Q(holder_kind="leadership", person__isnull=True, team__isnull=True)
                    | Q(holder_kind="external", person__isnull=True, team__isnull=True)
                    & ~Q(external_body="")
                    | Q(holder_kind="agent", person__isnull=True, team__isnull=True)
                    & Q(stage__isnull=False, role__in=AGENT_ROLES)
                )
                & (Q(holder_kind="agent") | Q(stage__isnull=True)),
                name="right_holder_matches_its_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.holder_label}"

    @property
    def holder_label(self) -> str:
        if self.holder_kind == HolderKind.PERSON:
            return self.person.name
        if self.holder_kind == HolderKind.TEAM:
            return self.team.name
        if self.holder_kind == HolderKind.LEADERSHIP:
            return "Leadership team"
        if self.holder_kind == HolderKind.AGENT:
            return agent_label(self.stage)
        return self.external_body

    def clean(self) -> None:
        if self.band_id and self.band.decision_type_id != self.decision_type_id:
            raise ValidationError({"band": "That band belongs to another decision type."})
        if self.holder_kind == HolderKind.AGENT:
            agent_right_errors(self.role, self.stage, self.service_id)


def agent_label(stage: Stage) -> str:
    return f"{stage.agent_name} at “{stage.name}”"


def agent_right_errors(role: str, stage: Stage | None, service_id: int) -> None:
    """An agent holds a role only at a stage of the same service that an agent performs, and
    only to Perform or give Input."""
    if role not in AGENT_ROLES:
        raise ValidationError(
            {
                "role": "An agent may Perform or give Input, never Decide, Agree or Recommend: "
                "people answer for the decision."
            }
        )
    if stage is None:
        raise ValidationError({"stage": "Choose the stage whose agent holds this role."})
    if stage.service_id != service_id:
        raise ValidationError({"stage": "That stage belongs to another service."})
    if not stage.by_agent:
        raise ValidationError(
            {
                "stage": f"Stage {stage.position} “{stage.name}” is performed by people: say on "
                "the journey that automation or an AI agent performs it first."
            }
        )


class Decision(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        DECIDED = "decided", "Decided"
        SUPERSEDED = "superseded", "Superseded"
        REVOKED = "revoked", "Revoked"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="decisions")
    title = models.CharField(max_length=300)
    decision_type = models.ForeignKey(
        DecisionType, on_delete=models.PROTECT, related_name="decisions"
    )
    amount = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), "An amount cannot be negative.")],
        help_text="For banded decision types, e.g. the spend this decision commits.",
    )
    context = models.TextField(blank=True)
    options_considered = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    decided_by_body = models.CharField(
        "decided by an external body",
        max_length=200,
        blank=True,
        help_text="When an external body took the decision, e.g. Investment committee.",
        validators=[single_line],
    )
    decided_on = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DECIDED)
    supersedes = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    review_by = models.DateField(null=True, blank=True)
    affected_stages = models.ManyToManyField(Stage, blank=True, related_name="decisions")
    affected_teams = models.ManyToManyField(Team, blank=True, related_name="decisions")

    # The rights check, made when the decision is logged or changed and then kept as it was.
    within_rights = models.BooleanField(null=True, editable=False)
    rights_reason = models.TextField(blank=True, editable=False)

    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    history = ChangeHistory(excluded_fields=["version"])

    class Meta:
        ordering = ["-decided_on", "-pk"]
        indexes = [
            models.Index(fields=["service", "-decided_on"]),
            models.Index(fields=["service", "review_by"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(review_by__isnull=True) | Q(review_by__gte=models.F("decided_on")),
                name="review_not_before_decision",
            ),
            models.CheckConstraint(
                condition=~Q(supersedes=models.F("id")), name="decision_not_superseding_itself"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("decisions:decision", args=[self.pk])

    def clean(self) -> None:
        errors = {}
        if self.review_by and self.decided_on and self.review_by < self.decided_on:
            errors["review_by"] = "The review date cannot be before the decision date."
        if self.supersedes_id:
            if self.pk and self.supersedes_id == self.pk:
                errors["supersedes"] = "A decision cannot supersede itself."
            elif self.supersedes.service_id != self.service_id:
                errors["supersedes"] = "A decision can only supersede one of the same service."
        if self.decided_by_id and self.decided_by_body:
            errors["decided_by_body"] = "Name either the person or the external body, not both."
        if errors:
            raise ValidationError(errors)
