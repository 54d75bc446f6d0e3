"""Whole summaries of a window kept in the cache, with the figures version they were
computed from: the dashboard, the review pack and the API's summary read them; a cache that
is down or behind means computing them again, never a stale figure."""

import logging
from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from performance.figures.metrics import Summary, summaries
from performance.windows import (
    Window,
)
from services.models import FiguresVersion, Service

log = logging.getLogger(__name__)

TIMEOUT = 26 * 3600  # the nightly refresh comes round before anything expires


# Bumped whenever ``Summary`` changes shape, so no page reads a summary pickled before.
SHAPE = 4


def _key(service_id: int, window: Window) -> str:
    return f"summary:{SHAPE}:{service_id}:{window.start}:{window.end}"


def _read(
    services: list[Service], window: Window, *, behind_ok: bool
) -> dict[int, tuple[Summary, datetime | None]]:
    """Each service's summary and, when it is behind a write, when it was computed. A summary
    behind its service's version is used only where that is acceptable and the worker has
    been asked to refresh it; otherwise it is computed here (and kept)."""
    ids = [s.pk for s in services]
    state = {
        pk: (version, queued)
        for pk, version, queued in FiguresVersion.objects.filter(service_id__in=ids).values_list(
            "service_id", "version", "refresh_queued_at"
        )
    }
    try:
        found = cache.get_many([_key(pk, window) for pk in ids])
    except Exception:
        log.warning("The summary cache is unreachable; computing instead", exc_info=True)
        found = {}
    read, missing = {}, []
    for service in services:
        version, queued = state.get(service.pk, (0, None))
        kept = found.get(_key(service.pk, window))
        if kept is not None and kept[0] >= version:
            read[service.pk] = (kept[2], None)
        elif kept is not None and behind_ok and queued is not None:
            read[service.pk] = (kept[2], kept[1])
        else:
            missing.append(service)
    computed = summaries(missing, window) if missing else {}
    keep_in_cache(computed, {pk: state.get(pk, (0, None))[0] for pk in computed}, window)
    return read | {pk: (summary, None) for pk, summary in computed.items()}


def keep_in_cache(computed: dict[int, Summary], current: dict[int, int], window: Window) -> None:
    if not computed:
        return
    now = timezone.now()
    entries = {_key(pk, window): (current[pk], now, s) for pk, s in computed.items()}
    try:
        cache.set_many(entries, timeout=TIMEOUT)
    except Exception:
        log.warning("Could not store summaries in the cache", exc_info=True)


def cached_summaries(services: list[Service], window: Window) -> dict[int, Summary]:
    """Current summaries: from the cache where they are, computed (and kept) where not."""
    return {pk: summary for pk, (summary, _) in _read(services, window, behind_ok=False).items()}


def cached_summary(service: Service, window: Window) -> Summary:
    return cached_summaries([service], window)[service.pk]


def summary_as_of(service: Service, window: Window) -> tuple[Summary, datetime | None]:
    """For a service's own pages: its summary as last computed, with the time it was
    computed when a write since is waiting for the worker to bring it up to date (the page
    says so); computed here when there is none, or no refresh is on its way."""
    return _read([service], window, behind_ok=True)[service.pk]
