"""What every page's template may ask of the signed-in person, answered by the same helpers
the views use."""

from decisions.queries import REVIEW_WINDOW_DAYS
from services.queries import is_org_admin


def roles(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "org_admin": bool(user) and is_org_admin(user),
        "review_window_days": REVIEW_WINDOW_DAYS,
    }
