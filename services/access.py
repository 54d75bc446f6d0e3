"""Who may see and change a service: the one place that answers it.

Roles, from DESIGN.md:
- org admins (the "Org admins" group, or superusers) may do everything;
- a service's leaders may lead it: change its details, leadership, journey and rights;
- members of teams taking part in a service (owning a stage, or participating) contribute to
  it: they log hand-offs, stage logs, friction and decisions;
- every signed-in colleague reads every service that is not restricted.

Leaders and team members hold django-guardian object permissions on the service, derived from
the domain by ``services.actions.service_access_sync``. A user who may not see a service gets
404 for it, never 403; one who may see but not change it gets 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from services.models import Directorate, Organisation, Service, Team
from services.queries import (
    User,
    is_org_admin,
    visible_services,
)

VIEW = "services.view_service"
LEAD = "services.lead_service"
CONTRIBUTE = "services.contribute_to_service"

LEADER_PERMS = ("view_service", "lead_service", "contribute_to_service")
MEMBER_PERMS = ("view_service", "contribute_to_service")


def org_admins_only(user: User) -> None:
    """Pages for org admins only (the organisation's structure, campaigns): 403 for others."""
    if not is_org_admin(user):
        raise PermissionDenied


def user_can(user: User, perm: str, service: Service) -> bool:
    """Whether ``user`` holds ``perm`` on ``service`` (org admins hold every permission)."""
    if not user.is_authenticated:
        return False
    if is_org_admin(user):
        return True
    if perm == VIEW and not service.restricted:
        return True
    # One look-up per user and service per request, however many checks a page makes.
    look_up_perms(user, [service])
    return perm in user._servicelead_service_perms[service.pk]


def look_up_perms(user: User, services: list[Service]) -> None:
    """Read ``user``'s permissions on all of ``services`` at once (two queries), for a page
    that checks many: ``user_can`` then answers from what was read."""
    if not user.is_authenticated or is_org_admin(user):
        return  # nothing to look up: ``user_can`` knows
    known = user.__dict__.setdefault("_servicelead_service_perms", {})
    todo = list({s.pk: s for s in services if s.pk not in known}.values())
    if not todo:
        return
    checker = ObjectPermissionChecker(user)
    checker.prefetch_perms(todo)
    for service in todo:
        known[service.pk] = {f"services.{codename}" for codename in checker.get_perms(service)}


def service_for_user(user: User, slug: str, perm: str = VIEW) -> Service:
    """The service with ``slug`` if ``user`` may see it (else 404) and holds ``perm`` (else 403)."""
    service = get_object_or_404(visible_services(user).select_related("organisation"), slug=slug)
    if perm != VIEW and not user_can(user, perm, service):
        raise PermissionDenied
    return service


def my_services(user: User) -> QuerySet[Service]:
    """Services the user leads or whose teams they are in (by their service permissions)."""
    return get_objects_for_user(user, CONTRIBUTE, klass=Service, with_superuser=False)


def services_led_by(user: User) -> QuerySet[Service]:
    """Services the user leads (by their service permissions; org admins lead none as such)."""
    return get_objects_for_user(user, LEAD, klass=Service, with_superuser=False)


# --- The organisation's structure: every signed-in person reads it, org admins change it ---


def organisation_for_user(user: User, slug: str, *, change: bool = False) -> Organisation:
    """The organisation (404 when there is none); with ``change``, for org admins only (403)."""
    if change:
        org_admins_only(user)
    return get_object_or_404(Organisation, slug=slug)


def directorate_for_user(user: User, pk: int, *, change: bool = False) -> Directorate:
    """The directorate, with its organisation and parent; with ``change``, for org admins."""
    if change:
        org_admins_only(user)
    return get_object_or_404(Directorate.objects.select_related("organisation", "parent"), pk=pk)


def team_for_user(user: User, pk: int, *, change: bool = False) -> Team:
    """The team, with its directorate and organisation; with ``change``, for org admins."""
    if change:
        org_admins_only(user)
    return get_object_or_404(Team.objects.select_related("directorate__organisation"), pk=pk)
