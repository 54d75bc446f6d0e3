"""Writes of the dashboard's own records: the review narrative."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from performance.models import (
    ReviewNarrative,
)
from servicelead.history import attribute
from services.models import Service


@transaction.atomic
def narrative_save(
    *, service: Service, window_start: date, window_end: date, text: str, user: AbstractBaseUser
) -> ReviewNarrative:
    """The leader's account of the service for a window, as the review pack shows it."""
    narrative = ReviewNarrative.objects.filter(
        service=service, window_start=window_start, window_end=window_end
    ).first() or ReviewNarrative(service=service, window_start=window_start, window_end=window_end)
    narrative.text, narrative.updated_by = text, user
    narrative.full_clean()
    attribute(user, narrative)
    narrative.save()
    return narrative
