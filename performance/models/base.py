"""What every period record shares: whole days from a start to an end, inclusive."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

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
