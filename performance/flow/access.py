"""Who may log a team's week."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from services.models import Team
from services.queries import User, is_org_admin


def team_for_logging(user: User, pk: int) -> Team:
    """A team whose weekly log the user may fill in: their own team (or any, for org admins)."""
    team = get_object_or_404(Team.objects.select_related("directorate__organisation"), pk=pk)
    if not (is_org_admin(user) or team.memberships.filter(person__user=user).exists()):
        raise PermissionDenied
    return team
