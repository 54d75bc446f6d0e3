"""Each service's maturity as the roll-ups found it, and the campaigns that raise it."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from servicelead.text import single_line
from services.models import Service


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
