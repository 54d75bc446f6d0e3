"""Who may see and change decision types, rights and decisions."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from decisions.models import Decision
from services.access import CONTRIBUTE, LEAD, user_can
from services.queries import User, visible_services


def can_change_decision(user: User, decision: Decision) -> bool:
    """Leaders (and org admins) change any decision of their service; others only their own."""
    if user_can(user, LEAD, decision.service):
        return True
    return decision.logged_by_id == user.pk and user_can(user, CONTRIBUTE, decision.service)


def decision_for_user(user: User, pk: int, *, change: bool = False) -> Decision:
    """The decision if the user may see its service (else 404) and, with ``change``, change it
    (else 403)."""
    decision = get_object_or_404(
        Decision.objects.filter(service__in=visible_services(user)).select_related("service"),
        pk=pk,
    )
    if change and not can_change_decision(user, decision):
        raise PermissionDenied
    return decision
