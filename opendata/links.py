"""The link open data adds to a published service's page."""

from django.http import HttpRequest
from django.urls import reverse

from services import panels
from services.models import Service


@panels.register_link("published")
def open_data_link(request: HttpRequest, service: Service) -> tuple[str, str] | None:
    if not service.published or service.restricted:
        return None
    return "its open data page", reverse("opendata:service", args=[service.slug])
