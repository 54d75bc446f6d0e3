"""Who may see and change a friction point."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from performance.access import can_change_record
from performance.models import FrictionPoint
from services.queries import User, visible_services


def friction_for_user(user: User, pk: int, *, change: bool = False) -> FrictionPoint:
    point = get_object_or_404(
        FrictionPoint.objects.filter(service__in=visible_services(user)).select_related("service"),
        pk=pk,
    )
    if change and not can_change_record(user, point.service, point.raised_by_id):
        raise PermissionDenied
    return point
