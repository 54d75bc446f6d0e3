"""A version number per service, bumped by every write that changes its figures.

Cached roll-ups are keyed by it, so a write makes the next read fresh without deleting
anything. The cache may be Redis, which may be down: every call here falls back (a missing
version reads as 0, which only means a cache miss) and logs, rather than failing the request.
"""

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)


def _key(service_id: int | str) -> str:
    return f"service-version:{service_id}"


ALL = "all"


def bump_all() -> None:
    """For changes that touch every service's figures (e.g. a new decision type)."""
    bump([ALL])


def bump(service_ids: Iterable[int | str]) -> None:
    for service_id in set(service_ids):
        try:
            try:
                cache.incr(_key(service_id))
            except ValueError:  # not set yet
                cache.set(_key(service_id), 1, timeout=None)
        except Exception:  # the cache is unreachable: the version simply stays
            log.warning("Could not bump the cache version of service %s", service_id, exc_info=True)


def bump_on_commit(service_ids: Iterable[int | str]) -> None:
    """Bump once the current transaction commits, so no read in between caches the old
    figures under the new version."""
    ids = list(service_ids)
    transaction.on_commit(lambda: bump(ids))


def versions(service_ids: Iterable[int]) -> dict[int, str]:
    """Each service's version, as "<everything's version>.<the service's version>"."""
    ids = list(service_ids)
    try:
        found = cache.get_many([_key(ALL), *[_key(i) for i in ids]])
    except Exception:
        log.warning("Could not read service cache versions", exc_info=True)
        return dict.fromkeys(ids, "unavailable")  # the roll-up cache is down too: recompute
    everything = found.get(_key(ALL), 0)
    return {i: f"{everything}.{found.get(_key(i), 0)}" for i in ids}
