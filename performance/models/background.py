"""The machinery's bookkeeping: the outbox of background work and the reminders sent."""

from django.db import models


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
