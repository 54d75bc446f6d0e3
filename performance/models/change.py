"""Change initiatives and what-if scenarios of a journey."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from servicelead.history import ChangeHistory
from servicelead.text import single_line
from services.models import Service, Stage, Team


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
