"""Who may log and change flow records, friction and change initiatives."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from performance.models import ApiToken, ChangeInitiative, FrictionPoint
from services.access import CONTRIBUTE, LEAD, user_can
from services.models import Service, Team
from services.queries import User, is_org_admin, visible_services


def can_change_record(user: User, service: Service, author_id: int | None) -> bool:
    """Team members change what they logged; leaders and org admins change anything."""
    if user_can(user, LEAD, service):
        return True
    return user_can(user, CONTRIBUTE, service) and (author_id is None or author_id == user.pk)


def team_for_logging(user: User, pk: int) -> Team:
    """A team whose weekly log the user may fill in: their own team (or any, for org admins)."""
    team = get_object_or_404(Team.objects.select_related("directorate__organisation"), pk=pk)
    if not (is_org_admin(user) or team.memberships.filter(person__user=user).exists()):
        raise PermissionDenied
    return team


def friction_for_user(user: User, pk: int, *, change: bool = False) -> FrictionPoint:
    point = get_object_or_404(
        FrictionPoint.objects.filter(service__in=visible_services(user)).select_related("service"),
        pk=pk,
    )
    if change and not can_change_record(user, point.service, point.raised_by_id):
        raise PermissionDenied
    return point


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


def token_still_valid(token: ApiToken) -> bool:
    """A token holds only while its reason does: whoever issued it is still active and may
    still lead its service (or, for a token of every service, is still an org admin). One
    issued by the system (no owner) holds until revoked."""
    owner = token.created_by
    if owner is None:
        return True
    if not owner.is_active:
        return False
    if token.service is None:
        return is_org_admin(owner)
    return user_can(owner, LEAD, token.service)
