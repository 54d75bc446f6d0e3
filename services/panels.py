"""Panels that other apps add to the service page.

The services app is at the bottom of the dependency chain (services <- decisions <-
performance), so it cannot import what later apps know about a service. Instead, each later
app registers a panel in its AppConfig.ready(); the service page renders them in order.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from services.models import Service

# A panel takes the request and the service and returns (template name, context), or None.
Panel = Callable[[HttpRequest, Service], tuple[str, dict] | None]

_panels: list[Panel] = []


def register(panel: Panel) -> Panel:
    _panels.append(panel)
    return panel


def render_panels(request: HttpRequest, service: Service) -> list[SafeString]:
    rendered = []
    for panel in _panels:
        result = panel(request, service)
        if result is not None:
            template, context = result
            rendered.append(render_to_string(template, context, request=request))
    return rendered
