"""Who may see campaigns: org admins, who run them."""

from django.shortcuts import get_object_or_404

from performance.models import Campaign
from services.access import org_admins_only
from services.queries import User


def campaign_for_user(user: User, pk: int) -> Campaign:
    """The campaign, for an org admin (403 for anyone else; 404 when there is none)."""
    org_admins_only(user)
    return get_object_or_404(Campaign.objects.select_related("launched_by"), pk=pk)
