"""Access helpers: the one place that decides whether a user may see a given object."""

from django.shortcuts import get_object_or_404

from services.models import Service
from services.queries import User, visible_services


def service_for_user(user: User, slug: str) -> Service:
    """The service with ``slug``, or 404 when it does not exist or the user may not see it."""
    return get_object_or_404(visible_services(user).select_related("organisation"), slug=slug)
