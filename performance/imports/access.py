"""Whether an API token may still be used."""

from performance.models import ApiToken
from services.access import LEAD, user_can
from services.queries import is_org_admin


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
