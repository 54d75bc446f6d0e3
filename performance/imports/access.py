"""Who may import, see an import run and use an API token."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from performance.models import ApiToken, ImportRun
from services.access import LEAD, services_led_by, user_can
from services.models import Service
from services.queries import User, is_org_admin


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


def may_import(user: User) -> bool:
    """Org admins import anything; service leaders import data about the services they lead."""
    return is_org_admin(user) or services_led_by(user).exists()


def require_may_import(user: User) -> None:
    if not may_import(user):
        raise PermissionDenied


def visible_runs(user: User):
    """Import runs the user may see: their own, and every run for an org admin."""
    found = ImportRun.objects.select_related("user").prefetch_related("services")
    return found if is_org_admin(user) else found.filter(user=user)


def run_for_user(user: User, pk: int) -> ImportRun:
    """An import run the user may see (404 for any other)."""
    return get_object_or_404(visible_runs(user), pk=pk)


def preview_for_user(user: User, pk: int) -> ImportRun:
    """The user's own checked file, not yet imported: only they may confirm it."""
    return get_object_or_404(ImportRun, pk=pk, user=user, outcome=ImportRun.Outcome.DRY_RUN)


def token_of(service: Service, pk: int) -> ApiToken:
    """One of the service's API tokens (the service already checked as led by the user)."""
    return get_object_or_404(ApiToken, pk=pk, service=service)
