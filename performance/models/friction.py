"""The friction register: where a journey wastes people's time, effort or money."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from performance.models.base import NOT_NEGATIVE
from performance.models.flow import Handoff
from servicelead.history import ChangeHistory
from servicelead.text import single_line
from services.models import Service, Stage, Team


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
