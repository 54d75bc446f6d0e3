"""Who may log and change flow records, friction and change initiatives."""

from services.access import CONTRIBUTE, LEAD, user_can
from services.models import Service
from services.queries import User


def can_change_record(user: User, service: Service, author_id: int | None) -> bool:
    """Team members change what they logged; leaders and org admins change anything."""
    if user_can(user, LEAD, service):
        return True
    return user_can(user, CONTRIBUTE, service) and (author_id is None or author_id == user.pk)
