"""Roll-ups: whole-service figures stored as rows (``Rollup``), one per service and window,
computed by ``metrics.py``; where each service's data lies is kept by ``extents.py``.

Every write that changes a service's figures raises its version (``services.versions``) in
the same transaction, and asks, at most once a minute per service, for a task to recompute
its roll-ups for every preset window; every night they are all recomputed. A page reads the
rows. Rows behind a later write are shown with the time they were computed until the task
has run. Where a few of the rows a page needs are missing (a service just added, a window
of somebody's own dates), it computes those itself; where many are (a window nobody asked
for before), it asks the worker and shows its progress.

The whole summaries that the dashboard and the API's summary read are kept in the cache too
(``summary_cache.py``), with the version they were computed from. The API computes a summary
behind a write before answering; the dashboard shows it as of the time it was computed while
the worker's refresh is on its way, so a reader never pays for a writer.
"""

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Min,
    Q,
    QuerySet,
)
from django.utils import timezone

from performance.figures.extents import data_span, store_extents
from performance.figures.metrics import Summary, summaries, summary_json
from performance.figures.summary_cache import keep_in_cache
from performance.leadership.maturity import Scorecard, record, scorecards
from performance.leadership.proportionality import Evidence, evidence_for
from performance.models import (
    DataExtent,
    Rollup,
)
from performance.outbox import enqueue
from performance.windows import (
    DataSpan,
    Window,
    presets,
    window_from,
)
from services import versions
from services.models import FiguresVersion, Service

log = logging.getLogger(__name__)


CHUNK = 200  # services computed together by a task


def _services(services) -> QuerySet:
    """A queryset of services, from one, a list of them or of their ids, or a queryset."""
    if isinstance(services, QuerySet):
        return services
    return Service.objects.filter(pk__in=[getattr(s, "pk", s) for s in services])


def _current() -> Q:
    """Roll-ups (or extents) computed from their service's current version (a service that
    never changed has no version row: anything computed for it is current)."""
    return Q(service__figures_version__isnull=True) | Q(
        version__gte=F("service__figures_version__version")
    )


def _rate(value):
    return None if value is None else round(value, 12)


def _row(s: Summary, version: int, now: datetime, evidence: Evidence, card: Scorecard) -> Rollup:
    flow = s.flow
    return Rollup(
        service_id=s.service.pk,
        window_start=s.window.start,
        window_end=s.window.end,
        version=version,
        computed_at=now,
        currency=s.costs.currency,
        transactions=s.outcomes.transactions,
        total_cost=s.costs.total,
        cost_to_serve=s.costs.to_serve,
        programme_spending=s.costs.programme,
        cost_per_transaction=_rate(s.cost_per_transaction),
        digital=s.outcomes.digital,
        channelled=s.outcomes.channelled,
        digital_take_up=_rate(s.outcomes.digital_take_up),
        completion_rate=_rate(s.outcomes.completion_rate),
        user_satisfaction=_rate(s.outcomes.user_satisfaction),
        lead_time_hours=_rate(flow.lead_time_hours),
        complete_accurate=_rate(flow.rolled_complete_accurate),
        other_currencies={c: str(a) for c, a in sorted(s.costs.other_currencies.items())},
        kpis_on_target=s.kpis_on_target if s.kpis_with_target else None,
        kpis_with_target=s.kpis_with_target,
        kpis_off_target=s.kpis_off_target,
        kpis_within_5=s.kpis_within_5,
        cross_directorate=flow.handoff_counts["cross_directorate"],
        cross_organisation=flow.handoff_counts["cross_organisation"],
        bottleneck_wait_hours=_rate(flow.bottleneck.median_wait_hours if flow.bottleneck else None),
        friction_open_high=s.friction_open_high,
        decisions_outside_rights=s.decisions_outside_rights,
        autonomous_stages=s.autonomous_stages,
        agent_gaps=s.agent_gaps,
        last_period_end=s.outcomes.last_period_end,
        hands_on_recommended=s.hands_on_recommended,
        evidence_disagrees=evidence.disagrees,
        maturity=card.level,
        failed_checks=card.failed_checks,
        stale=s.stale,
        reporting=s.reporting,
        figures=summary_json(s),
    )


ROW_FIELDS = [
    f.name
    for f in Rollup._meta.concrete_fields
    if f.name not in {"id", "service", "window_start", "window_end"}
]


def store(
    service_ids: list[int], windows: list[Window], own: dict[int, Window] | None = None
) -> int:
    """Compute these services' roll-ups for these windows and store them; where a window is a
    service's ``own`` (the one its page opens on), keep its maturity's history too. Returns
    the count."""
    services = list(Service.objects.filter(pk__in=service_ids).select_related("organisation"))
    current = versions.versions(service_ids)  # read first: a write meanwhile leaves it behind
    now = timezone.now()
    stored = 0
    for window in windows:
        computed = summaries(services, window)
        keep_in_cache(computed, current, window)  # the dashboards of these windows read them whole
        evidence = evidence_for(computed, window)
        cards = scorecards(computed, evidence)
        mine = {pk: card for pk, card in cards.items() if own and _same(own.get(pk), window)}
        if mine:
            record(mine)
        rows = [_row(s, current[pk], now, evidence[pk], cards[pk]) for pk, s in computed.items()]
        Rollup.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["window_start", "window_end", "service"],
            update_fields=ROW_FIELDS,
            batch_size=500,
        )
        stored += len(rows)
    return stored


def _same(a: Window | None, b: Window) -> bool:
    return a is not None and (a.start, a.end) == (b.start, b.end)


def preset_windows(today: date | None = None) -> list[Window]:
    """The windows every service's roll-ups are kept for: each preset, and each financial
    year with data anywhere."""
    span = data_span(Service.objects.all())
    offered = presets(today or timezone.localdate(), span).values()
    windows = {(w.start, w.end): w for _, w in offered}
    return list(windows.values())  # "latest data" is often one of the others


def own_windows(service_ids: list[int], today: date | None = None) -> dict[int, Window]:
    """The window each service's own pages open on (``window_for`` of it alone: its latest
    data), from the extents kept: one query."""
    today = today or timezone.localdate()
    lasts = dict(
        DataExtent.objects.filter(service_id__in=service_ids).values_list(
            "service_id", "last_period_end"
        )
    )
    return {pk: window_from({}, today, DataSpan(latest=lasts.get(pk)))[0] for pk in service_ids}


def refresh(service_ids: list[int]) -> int:
    """Recompute these services' extents and their roll-ups for every preset window (and
    each one's own window), and forget their roll-ups of other windows (somebody's own
    dates): a page that asks for one again computes it then."""
    store_extents(service_ids)
    windows = preset_windows()
    Rollup.objects.filter(service_id__in=service_ids).exclude(_any_of(windows)).delete()
    own = own_windows(service_ids)
    stored = store(service_ids, windows, own)
    # A service whose own window is no preset (its data ends in another month): its roll-up
    # of that window too, so its maturity's history is kept where its page reads it.
    elsewhere: dict[tuple[date, date], list[int]] = {}
    for pk, window in own.items():
        if not any(_same(window, w) for w in windows):
            elsewhere.setdefault((window.start, window.end), []).append(pk)
    for (start, end), ids in elsewhere.items():
        stored += store(ids, [Window(start, end)], own)
    return stored


def _any_of(windows: list[Window]) -> Q:
    return Q(*[Q(window_start=w.start, window_end=w.end) for w in windows], _connector=Q.OR)


def prune(today: date | None = None) -> int:
    """Forget roll-ups of windows that are no longer presets (last month's "last month", a
    window somebody once asked for) a day after they were computed."""
    old = Rollup.objects.filter(computed_at__lt=timezone.now() - timedelta(days=1))
    deleted, _ = old.exclude(_any_of(preset_windows(today))).delete()
    return deleted


@dataclass(frozen=True)
class Freshness:
    """How far the rows a page shows can be trusted to be current."""

    missing: int = 0  # services with no figures for the window yet (being computed)
    behind: int = 0  # services whose figures predate a change (being recomputed)
    as_of: datetime | None = None  # when the oldest of those was computed
    total: int = 0  # services in view

    @property
    def done(self) -> int:
        return self.total - self.missing

    @property
    def as_of_text(self) -> str:
        return as_of_text(self.as_of)

    def not_ready(self, window: Window) -> str:
        """Why a file or an API answer that needs every figure cannot be given yet."""
        return (
            f"The figures for {window.label} are still being worked out ({self.done} of "
            f"{self.total} services done); try again in a minute."
        )


def as_of_text(moment: datetime | None) -> str:
    """ "14:02", or "14:02 on 26 Nov 2026" before today."""
    if moment is None:
        return ""
    when = timezone.localtime(moment)
    if when.date() == timezone.localdate():
        return f"{when:%H:%M}"
    return f"{when:%H:%M} on {when.day} {when:%b %Y}"


def bring_up_to_date(services, window: Window) -> Freshness:
    """Make sure ``services`` have roll-ups for ``window``: a few missing are computed here,
    many by the worker. Rows behind a later write are shown as they are, with the time they
    were computed: the write asked for their refresh, and computing them here would make
    every reader wait for every writer. One query when nothing is missing."""
    services = _services(services)
    found = _freshness(services, window)
    if 0 < found.missing <= settings.ROLLUP_INLINE_LIMIT:
        done = Rollup.objects.filter(window_start=window.start, window_end=window.end)
        missing = services.exclude(pk__in=done.values("service_id"))
        store(list(missing.values_list("pk", flat=True)), [window])
        return replace(found, missing=0)
    if found.missing:
        compute_in_background(window)
        return _freshness(services, window)  # what the worker has done (all, without a broker)
    return found


def _freshness(services: QuerySet, window: Window) -> Freshness:
    """How many of ``services`` have no roll-up of ``window``, and how many are behind since
    when: one query."""
    in_window = Q(rollups__window_start=window.start, rollups__window_end=window.end)
    behind = Q(figures_version__isnull=False) & Q(
        window_row__version__lt=F("figures_version__version")
    )
    found = (
        services.order_by()
        .annotate(window_row=FilteredRelation("rollups", condition=in_window))
        .aggregate(
            total=Count("pk"),
            missing=Count("pk", filter=Q(window_row__isnull=True)),
            behind=Count("pk", filter=behind),
            as_of=Min("window_row__computed_at", filter=behind),
        )
    )
    return Freshness(**found)


def compute_in_background(window: Window) -> None:
    """Ask the worker (once while it is at it) for every service's roll-up of ``window``."""
    try:
        first = cache.add(f"computing:{window.start}:{window.end}", 1, timeout=600)
    except Exception:
        first = True  # no cache to coalesce with: ask again, the task skips what is current
    if first:
        enqueue(
            "performance.tasks.compute_window",
            start=window.start.isoformat(),
            end=window.end.isoformat(),
        )


def compute_window(start: date, end: date) -> int:
    """Every service's roll-up of one window that is missing or behind, in chunks."""
    window = Window(start, end)
    current = Rollup.objects.filter(_current(), window_start=start, window_end=end)
    ids = list(
        Service.objects.exclude(pk__in=current.values("service_id")).values_list("pk", flat=True)
    )
    for first in range(0, len(ids), CHUNK):
        store(ids[first : first + CHUNK], [window])
    try:
        cache.delete(f"computing:{start}:{end}")
    except Exception:  # it expires by itself; a page meanwhile just does not ask again
        log.warning("Could not clear the mark of a window being computed", exc_info=True)
    return len(ids)


def ask_for_refresh(sender, service_ids: list[int] | None, **kwargs) -> None:
    """Connected to ``versions.figures_changed``: once the write commits, have the worker
    recompute the services' roll-ups, unless it was asked to within the last minute and has
    not begun (the refresh will see this write too)."""
    now = timezone.now()
    waiting = FiguresVersion.objects.filter(
        Q(refresh_queued_at__isnull=True)
        | Q(refresh_queued_at__lt=now - timedelta(seconds=settings.ROLLUP_COALESCE_SECONDS))
    )
    if service_ids is None:
        if waiting.update(refresh_queued_at=now):
            enqueue("performance.tasks.refresh_all_summaries", behind_only=True)
        return
    waiting = waiting.filter(service_id__in=service_ids)
    ids = list(waiting.values_list("service_id", flat=True))
    if ids:
        FiguresVersion.objects.filter(service_id__in=ids).update(refresh_queued_at=now)
        enqueue("performance.tasks.refresh_service_summaries", service_ids=ids)


def begin_refresh(service_ids: list[int] | None = None) -> None:
    """A refresh is beginning: writes from now on ask for another."""
    queued = FiguresVersion.objects.filter(refresh_queued_at__isnull=False)
    if service_ids is not None:
        queued = queued.filter(service_id__in=service_ids)
    queued.update(refresh_queued_at=None)


def behind_ids() -> list[int]:
    """Services with a roll-up of a preset window missing or behind their version."""
    windows = preset_windows()
    preset = _any_of(windows)
    late = set(
        Rollup.objects.filter(preset).exclude(_current()).values_list("service_id", flat=True)
    )
    complete = (
        Rollup.objects.filter(preset)
        .values("service_id")
        .annotate(n=Count("pk"))
        .filter(n=len(windows))
        .values("service_id")
    )
    missing = set(Service.objects.exclude(pk__in=complete).values_list("pk", flat=True))
    return sorted(late | missing)
