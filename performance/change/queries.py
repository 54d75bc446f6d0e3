"""Reads of a service's change initiatives."""

from django.db.models import (
    QuerySet,
)

from performance.models import (
    ChangeInitiative,
)
from services.models import Service


def change_list(service: Service) -> QuerySet[ChangeInitiative]:
    return (
        ChangeInitiative.objects.filter(service=service)
        .prefetch_related("affected_stages", "delivering_teams")
        .order_by("status", "-starts_on", "title")
    )
