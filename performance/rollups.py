"""Roll-ups: whole-service summaries kept in the cache (Redis in production), per service and
window, under the service's version number, so any write to a service makes its next read
fresh. Tasks refresh them after writes and every night; a miss, or a cache that is down,
means computing them on the spot, never an error page. Where the services' data lies (which
sets a page's default window) is kept the same way.
"""

import hashlib
import logging

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from performance.queries import data_span
from performance.summary import Summary, summaries
from performance.windows import DataSpan, Window, presets, window_from
from services import versions
from services.models import Service

log = logging.getLogger(__name__)
TIMEOUT = 26 * 3600  # the nightly refresh comes round before anything expires


# Bumped whenever ``Summary`` changes shape, so no page reads a roll-up pickled before.
SHAPE = 2


def _key(service_id: int, version: int, window: Window) -> str:
    return f"summary:{SHAPE}:{service_id}:{version}:{window.start}:{window.end}"


def cached_summaries(services: list[Service], window: Window) -> dict[int, Summary]:
    """Summaries from the cache where fresh, computed (and stored) where not."""
    current = versions.versions(s.pk for s in services)
    keys = {s.pk: _key(s.pk, current[s.pk], window) for s in services}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:
        log.warning("The roll-up cache is unreachable; computing instead", exc_info=True)
        found = {}
    missing = [s for s in services if keys[s.pk] not in found]
    computed = summaries(missing, window) if missing else {}
    if computed:
        _store({keys[pk]: summary for pk, summary in computed.items()})
    return {s.pk: found.get(keys[s.pk]) or computed[s.pk] for s in services}


def cached_summary(service: Service, window: Window) -> Summary:
    return cached_summaries([service], window)[service.pk]


def refresh(service_ids: list[int]) -> int:
    """Recompute the preset windows' summaries of these services and store them."""
    services = list(Service.objects.filter(pk__in=service_ids).select_related("organisation"))
    current = versions.versions(s.pk for s in services)
    stored = 0
    # Every preset, the latest data and each financial year with data among them included.
    for _, window in presets(timezone.localdate(), data_span(services)).values():
        computed = summaries(services, window)
        _store({_key(pk, current[pk], window): s for pk, s in computed.items()})
        stored += len(computed)
    return stored


def _store(entries: dict) -> None:
    try:
        cache.set_many(entries, timeout=TIMEOUT)
    except Exception:
        log.warning("Could not store roll-ups in the cache", exc_info=True)


def cached_data_span(services) -> DataSpan:
    """``queries.data_span`` of these services, from the cache while none of them changed."""
    if isinstance(services, QuerySet):
        services = services.values_list("pk", flat=True)
    ids = sorted(getattr(s, "pk", s) for s in services)  # services or their ids
    current = versions.versions(ids)
    if "unavailable" in current.values():
        return data_span(ids)
    key = (
        "span:" + hashlib.sha256(",".join(f"{pk}:{current[pk]}" for pk in ids).encode()).hexdigest()
    )
    try:
        found = cache.get(key)
    except Exception:
        log.warning("The roll-up cache is unreachable; computing instead", exc_info=True)
        found = None
    if found is None:
        found = data_span(ids)
        _store({key: found})
    return found


def window_for(params, services) -> dict:
    """The window a page's query string asks for (by default the latest data of
    ``services``, the ones in view), its problems, and the presets to offer."""
    today = timezone.localdate()
    span = cached_data_span(services)
    window, problems = window_from(params, today, span)
    return {"window": window, "window_problems": problems, "presets": presets(today, span)}
