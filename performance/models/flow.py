"""How work flows: hand-offs between stages, the weekly logs of hand-offs and stages, teams'
capacity and how teams work together."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact

from performance.models.base import NOT_NEGATIVE, Period, period_constraint
from servicelead.history import ChangeHistory
from services.models import Service, Stage, Team


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
