"""Panels that other apps add to the service page.

The services app is at the bottom of the dependency chain (services <- decisions <-
performance), so it cannot import what later apps know about a service. Instead, each later
app registers a panel in its AppConfig.ready(); the service page renders them in order, and
the organisation and directorate pages theirs.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from services.models import Directorate, Organisation, Service

# A panel takes the request and the service (or, on the organisation and directorate pages,
# the organisation or directorate) and returns (template name, context), or None.
Panel = Callable[[HttpRequest, Service], tuple[str, dict] | None]
PartPanel = Callable[[HttpRequest, Organisation | Directorate], tuple[str, dict] | None]

_panels: list[Panel] = []
_part_panels: list[PartPanel] = []


def register(panel: Panel) -> Panel:
    _panels.append(panel)
    return panel


def register_part(panel: PartPanel) -> PartPanel:
    _part_panels.append(panel)
    return panel


def render_panels(request: HttpRequest, service: Service) -> list[SafeString]:
    return _render(_panels, request, service)


def render_part_panels(request: HttpRequest, part: Organisation | Directorate) -> list[SafeString]:
    return _render(_part_panels, request, part)


def _render(panels: list, request: HttpRequest, subject) -> list[SafeString]:
    rendered = []
    for panel in panels:
        result = panel(request, subject)
        if result is not None:
            template, context = result
            rendered.append(render_to_string(template, context, request=request))
    return rendered
