"""Panels and links that other apps add to the pages of this one.

The services app is at the bottom of the dependency chain (services <- decisions <-
performance), so it cannot import what later apps know about a service, nor name their URLs
in its templates. Instead, each later app registers panels and links in its
AppConfig.ready(); the service page renders them in order, and the organisation, directorate
and team pages theirs.
"""

from collections import defaultdict
from collections.abc import Callable

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from services.models import Directorate, Organisation, Service

# A panel takes the request and the service (or, on the organisation and directorate pages,
# the organisation or directorate) and returns (template name, context), or None.
Panel = Callable[[HttpRequest, Service], tuple[str, dict] | None]
PartPanel = Callable[[HttpRequest, Organisation | Directorate], tuple[str, dict] | None]

# A link takes the request and the page's subject and returns (words, URL), or None where
# the reader has nothing to do there. Pages: "service" (first among the service's actions),
# "service_more" (after its own), "published" (where a published service's figures are
# open), "organisation", "directorate", "team".
Link = Callable[[HttpRequest, object], tuple[str, str] | None]

_panels: list[Panel] = []
_part_panels: list[PartPanel] = []
_links: dict[str, list[Link]] = defaultdict(list)


def register_link(page: str) -> Callable[[Link], Link]:
    def add(link: Link) -> Link:
        _links[page].append(link)
        return link

    return add


def links(request: HttpRequest, page: str, subject) -> list[tuple[str, str]]:
    """The links later apps add to ``page`` about ``subject``, in the order they registered."""
    return [found for link in _links[page] if (found := link(request, subject)) is not None]


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
