"""Who may see and change a service's change initiatives and what-if scenarios."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from performance.models import ChangeInitiative, Scenario
from services.access import LEAD, user_can
from services.queries import User, visible_services


def change_for_user(user: User, pk: int) -> ChangeInitiative:
    """Change initiatives are the leaders' to change."""
    initiative = get_object_or_404(
        ChangeInitiative.objects.filter(service__in=visible_services(user)).select_related(
            "service"
        ),
        pk=pk,
    )
    if not user_can(user, LEAD, initiative.service):
        raise PermissionDenied
    return initiative


def scenario_for_user(user: User, pk: int, *, change: bool = False) -> Scenario:
    """A scenario of a service the user may see (404 otherwise); with ``change``, one of a
    service they lead (403 otherwise)."""
    scenario = get_object_or_404(
        Scenario.objects.filter(service__in=visible_services(user)).select_related(
            "service", "initiative", "created_by"
        ),
        pk=pk,
    )
    if change and not user_can(user, LEAD, scenario.service):
        raise PermissionDenied
    return scenario
