"""A version number per service, in the database, raised by every write that changes its
figures, inside that write's transaction.

Roll-ups (``performance.figures.rollups``) record the version they were computed from, so a roll-up
behind its service's version is known to be out of date, whatever happened to the cache or
the broker in between. ``figures_changed`` is sent after each raise, still inside the
transaction, for whoever keeps roll-ups current (``performance`` connects to it); services
depend on nothing above them.
"""

from collections.abc import Iterable

from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from services.models import FiguresVersion, Service

# Sent with ``service_ids``: the services whose figures changed (None: every service).
figures_changed = Signal()


def changed(service_ids: Iterable[int]) -> None:
    """The figures of these services changed (call inside the writing transaction)."""
    ids = sorted({int(pk) for pk in service_ids})
    if not ids:
        return
    _ensure(ids)
    FiguresVersion.objects.filter(service_id__in=ids).update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    figures_changed.send(sender=FiguresVersion, service_ids=ids)


def changed_all() -> None:
    """For changes that touch every service's figures (e.g. a new decision type)."""
    _ensure(list(Service.objects.values_list("pk", flat=True)))
    FiguresVersion.objects.update(version=F("version") + 1, changed_at=timezone.now())
    figures_changed.send(sender=FiguresVersion, service_ids=None)


def _ensure(ids: list[int]) -> None:
    """Give services that have none a version row (new services start at 0)."""
    FiguresVersion.objects.bulk_create(
        [FiguresVersion(service_id=pk) for pk in ids], ignore_conflicts=True, batch_size=2000
    )


def versions(service_ids: Iterable[int]) -> dict[int, int]:
    """Each service's current version (0 for one never changed)."""
    ids = list(service_ids)
    found = dict(
        FiguresVersion.objects.filter(service_id__in=ids).values_list("service_id", "version")
    )
    return {pk: found.get(pk, 0) for pk in ids}
