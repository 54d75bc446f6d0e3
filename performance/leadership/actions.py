"""Writes of campaigns: launching one and applying its fix."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from decisions.models import DecisionRight, HolderKind, Role
from performance.models import (
    Campaign,
)
from services.actions import records_add


@transaction.atomic
def campaign_launch(*, campaign: Campaign, service_ids: list[int], user) -> Campaign:
    """Launch a campaign over these services (fixed from now on). No figures change."""
    campaign.launched_by = user if user and user.is_authenticated else None
    campaign.launched_on = campaign.launched_on or timezone.localdate()
    campaign.full_clean(exclude=["launched_by"])
    campaign.save()
    campaign.services.set(service_ids)
    return campaign


@transaction.atomic
def campaign_fix_apply(*, campaign: Campaign, fix, user: AbstractBaseUser) -> int:
    """Name each service's leadership team as Decide holder for the rights a campaign's fix
    (``campaigns.fix_preview``) found, each with its history entry. Returns how many."""
    rights = [
        DecisionRight(
            service=service,
            decision_type=row.decision_type,
            band=row.band,
            role=Role.DECIDE,
            holder_kind=HolderKind.LEADERSHIP,
            updated_by=user,
        )
        for service, rows in fix.gaps.items()
        for row in rows
    ]
    # The history keeps a reason of at most 100 characters: a long name is cut short.
    reason = Truncator(campaign.name).chars(100 - len("Campaign “”"))
    records_add(rights, user=user, reason=f"Campaign “{reason}”")
    return len(rights)
