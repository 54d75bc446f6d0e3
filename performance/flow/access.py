"""Who may log a team's week and change how teams work together on a service."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from performance.models import TeamInteraction
from services.models import Service, Team
from services.queries import User, is_org_admin


def may_log(user: User, team: Team) -> bool:
    """Whether the user fills in the team's weekly log: their own team (any, for org admins)."""
    return is_org_admin(user) or team.memberships.filter(person__user=user).exists()


def team_for_logging(user: User, pk: int) -> Team:
    """A team whose weekly log the user may fill in (404 for no team, 403 for another's)."""
    team = get_object_or_404(Team.objects.select_related("directorate__organisation"), pk=pk)
    if not may_log(user, team):
        raise PermissionDenied
    return team


def interaction_of(service: Service, pk: int) -> TeamInteraction:
    """One of the service's recorded team interactions (the service already checked as led
    by the user)."""
    return get_object_or_404(TeamInteraction, pk=pk, service=service)
