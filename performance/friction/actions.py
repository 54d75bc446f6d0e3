"""Writes of the friction register."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from performance.flow.actions import handoffs_make
from performance.models import (
    FrictionPoint,
)
from servicelead.conflicts import lock_unchanged
from servicelead.history import attribute
from services import versions


@transaction.atomic
def friction_save(
    *, point: FrictionPoint, user: AbstractBaseUser | None, loaded_at: str | None = None
) -> FrictionPoint:
    """Raise or change a friction point, unless somebody saved it after ``loaded_at``; a
    hand-off of the journey that has no row yet is saved with it."""
    lock_unchanged(point, loaded_at)
    if point.handoff is not None and point.handoff.pk is None:
        a, b = point.handoff.from_stage, point.handoff.to_stage
        point.handoff = handoffs_make({point.service_id: [a, b]})[a.pk, b.pk]
    if point.pk is None:
        point.raised_by = user
    if point.status == FrictionPoint.Status.RESOLVED and point.resolved_on is None:
        point.resolved_on = timezone.localdate()
    if point.status != FrictionPoint.Status.RESOLVED:
        point.resolved_on = None
    point.full_clean()
    attribute(user, point)
    point.save()
    versions.changed([point.service_id])
    return point
