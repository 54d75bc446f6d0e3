"""The whole-service dashboard, its review pack, the portfolio and organisation views."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from decisions.queries import reviews_due, service_decision_summary
from performance.figures.actions import narrative_save
from performance.figures.charts import chart
from performance.figures.dashboard import (
    cost_per_transaction_trend,
    direction,
    headline,
    kpi_tiles,
)
from performance.figures.extents import window_for
from performance.figures.forms import DataQualityFilterForm, NarrativeForm, PortfolioFilterForm
from performance.figures.peers import peer_standing
from performance.figures.portfolio import (
    COLUMNS,
    DEFAULT_COLUMNS,
    PortfolioFilters,
    overview,
    portfolio,
    totals,
)
from performance.figures.queries import Part, dashboard_panels, findings_list, shares
from performance.figures.rollups import as_of_text
from performance.figures.summary_cache import summary_as_of
from performance.figures.trends import service_trends
from performance.friction.cost import service_friction
from performance.friction.queries import friction_summary
from performance.models import DataQualityFinding
from performance.windows import span_to
from servicelead.exports import Echo, SafeWriter
from servicelead.numbers import half_up, trimmed
from servicelead.views import page_of, page_or_part
from services.access import (
    LEAD,
    directorate_for_user,
    organisation_for_user,
    service_for_user,
    user_can,
)
from services.queries import (
    BY_NAME,
    directorate_and_descendants,
    filter_services,
    visible_services,
)

SHARE_PAGE_SIZE = 50
PORTFOLIO_PAGE_SIZE = 50


def _dashboard_context(request: HttpRequest, slug: str) -> dict:
    service = service_for_user(request.user, slug)
    context = window_for(request.GET, [service])
    window = context["window"]
    now, now_as_of = summary_as_of(service, window)
    before, before_as_of = summary_as_of(service, window.previous())
    as_of = min(filter(None, [now_as_of, before_as_of]), default=None)
    tiles = kpi_tiles(now, before)
    friction = friction_summary(service, window)
    return {
        **context,
        **dashboard_panels(service, window),
        "service": service,
        "summary": now,
        "before": before,
        "figures_as_of": as_of_text(as_of),
        "headline": headline(now, before, tiles),
        "tiles": tiles,
        "cost_trend": cost_per_transaction_trend(now, before),
        "cost_direction": direction(
            now.cost_per_transaction, before.cost_per_transaction, higher_is_better=False
        ),
        "friction": friction,
        "friction_cost": service_friction(
            service, friction, now.costs.run if now.costs.total is not None else None, window
        ),
        "decisions": service_decision_summary(service),
        "reviews": reviews_due(visible_services(request.user).filter(pk=service.pk))[:5],
        "can_lead": user_can(request.user, LEAD, service),
    }


@require_GET
def dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    context = _dashboard_context(request, slug)
    window = context["window"]
    span = span_to(window.end)
    charts = [chart(trend, span, window) for trend in service_trends(context["summary"])]
    peers = peer_standing(request.user, context["service"], window)
    return render(
        request, "performance/figures/dashboard.html", {**context, "charts": charts, "peers": peers}
    )


@require_http_methods(["GET", "POST"])
def review_pack(request: HttpRequest, slug: str) -> HttpResponse:
    """The dashboard laid out for A4, with the leader's narrative for the window."""
    context = _dashboard_context(request, slug)
    service, window = context["service"], context["window"]
    form = None
    if context["can_lead"]:
        form = NarrativeForm(
            request.POST or None,
            initial={"text": context["narrative"].text if context["narrative"] else ""},
        )
        if request.method == "POST" and form.is_valid():
            narrative_save(
                service=service,
                window_start=window.start,
                window_end=window.end,
                text=form.cleaned_data["text"],
                user=request.user,
            )
            messages.success(request, "Narrative saved for this window.")
            return redirect(f"{request.path}?{window.query}")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "performance/figures/review_pack.html", {**context, "form": form})


# --- Portfolio ------------------------------------------------------------------------------


def _portfolio(request: HttpRequest):
    form = PortfolioFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    base = form.filters()
    data = form.cleaned_data if form.is_bound else {}
    filters = PortfolioFilters(
        **vars(base),
        hands_on_gap=bool(data.get("hands_on_gap")),
        stale=bool(data.get("stale")),
        evidence_disagrees=bool(data.get("evidence_disagrees")),
        maturity=data.get("maturity"),
        agents=data.get("agents") or "",
        exception=data.get("exception") or "",
    )
    # The services in view are the filtered ones: their data sets the default window.
    context = window_for(request.GET, filter_services(visible_services(request.user), base))
    sort = request.GET.get("sort", "service")
    return context, form, sort, portfolio(request.user, context["window"], filters, sort)


def _sort_links(
    request: HttpRequest, sort: str, shown: list[str]
) -> list[tuple[str, str, str, str]]:
    """(key, heading, link that sorts by it, aria-sort) for every column shown."""
    links = []
    for key, (heading, _) in COLUMNS.items():
        if key not in shown:
            continue
        query = request.GET.copy()
        query.pop("page", None)
        current = sort.lstrip("-") == key
        descending = sort.startswith("-")
        query["sort"] = f"-{key}" if current and not descending else key
        state = ("descending" if descending else "ascending") if current else "none"
        links.append((key, heading, query.urlencode(), state))
    return links


@require_GET
def portfolio_page(request: HttpRequest) -> HttpResponse:
    context, form, sort, found = _portfolio(request)
    query = request.GET.copy()
    query.pop("page", None)
    shown = form.shown()
    context |= {
        "form": form,
        "freshness": found.freshness,
        "query": query.urlencode(),
        "export_query": query.urlencode(),
        "shown": shown,
        "default_columns": ", ".join(COLUMNS[key][0].lower() for key in DEFAULT_COLUMNS),
    }
    if not found.freshness.missing:  # else the page shows the progress of working them out
        total = totals(found.rows)
        paginator = Paginator(found.rows.defer("figures"), PORTFOLIO_PAGE_SIZE)
        paginator.count = total.services  # counted with the totals: no second scan
        context |= {
            "page": paginator.get_page(request.GET.get("page")),
            "overview": overview(found.rows),
            "totals": total,
            "columns": _sort_links(request, sort, shown),
        }
    return page_or_part(
        request,
        "performance/figures/portfolio.html",
        "performance/figures/_portfolio_table.html",
        context,
    )


def _cell(value, places: int = 4) -> str:
    """A figure as a file writes it: a plain number (no thousands separators), a decimal to
    ``places`` places without the zeros it ends with."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return trimmed(str(half_up(value, places)))
    return str(value)


def _csv_lines(found):
    """The portfolio file's lines: a header, a line per service, then the totals."""
    writer = SafeWriter(Echo())
    yield writer.writerow([heading for heading, _ in COLUMNS.values()] + ["Currency"])
    for row in found.rows.defer("figures").iterator(chunk_size=1000):
        service = row.service
        yield writer.writerow(
            [
                service.name,
                service.organisation.name,
                service.get_phase_display(),
                service.get_leadership_model_display(),
                {True: "yes", False: "no", None: ""}[row.hands_on_recommended],
                _cell(row.transactions),
                _cell(row.total_cost),
                _cell(row.cost_per_transaction, 2),
                _cell(row.digital_take_up, 4),
                f"{row.kpis_on_target} of {row.kpis_with_target}" if row.kpis_with_target else "",
                row.cross_directorate,
                row.cross_organisation,
                _cell(row.bottleneck_wait_hours, 1),
                row.friction_open_high,
                row.decisions_outside_rights,
                _cell(row.last_period_end),
                row.currency,
            ]
        )
    total = totals(found.rows)
    blank = [""] * (len(COLUMNS) - 9)
    yield writer.writerow(
        [
            f"Totals: {total.services_reporting} of {total.services} services reporting",
            *[""] * 4,
            _cell(total.transactions),
            "",
            "",
            _cell(total.digital_take_up, 4),
            *blank,
            "",
        ]
    )
    for currency, amount in total.total_cost.items():
        per_transaction = total.cost_per_transaction.get(currency)
        yield writer.writerow(
            [
                f"Totals in {currency}",
                *[""] * 5,
                _cell(amount),
                _cell(per_transaction, 2),
                "",
                *blank,
                currency,
            ]
        )


@require_GET
def portfolio_csv(request: HttpRequest) -> HttpResponse:
    """The table with every column, whichever the page shows: the same filters and order,
    every page, and the totals, streamed. Money stays a plain number with its currency in the
    last column; the totals give one row of money per currency, never added across them."""
    context, _, _, found = _portfolio(request)
    window = context["window"]
    if context["window_problems"]:  # a file cannot show the page's message: refuse instead
        return HttpResponse(
            "This window cannot be exported: " + " ".join(context["window_problems"]),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    if found.freshness.missing:
        return HttpResponse(
            found.freshness.not_ready(window),
            status=503,
            headers={"Retry-After": "30"},
            content_type="text/plain; charset=utf-8",
        )

    response = StreamingHttpResponse(_csv_lines(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="portfolio-{window.start}-{window.end}.csv"'
    )
    return response


# --- Organisation and directorate views -----------------------------------------------------


def _share_page(request: HttpRequest, *, title: str, part: Part, subject) -> HttpResponse:
    """The services a part of the organisation takes part in, its share of what each costs,
    and the hand-offs that cross its boundary, a page at a time: what a page reads is that
    page's services, whatever the size of the organisation."""
    services = (
        part.services(visible_services(request.user))
        .distinct()
        .select_related("organisation")
        .order_by(*BY_NAME)
    )
    context = window_for(request.GET, services)
    page, query = page_of(request, services, SHARE_PAGE_SIZE)
    return render(
        request,
        "performance/figures/share.html",
        {
            **context,
            "title": title,
            "subject": subject,
            "rows": shares(list(page.object_list), context["window"], part),
            "page": page,
            "query": query,
        },
    )


@require_GET
def organisation_share(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = organisation_for_user(request.user, slug)
    return _share_page(
        request,
        title=organisation.name,
        part=Part(
            pays={"organisation": organisation},
            teams={"directorate__organisation": organisation},
        ),
        subject=organisation,
    )


@require_GET
def directorate_share(request: HttpRequest, pk: int) -> HttpResponse:
    directorate = directorate_for_user(request.user, pk)
    ids = directorate_and_descendants(directorate)
    return _share_page(
        request,
        title=f"{directorate.organisation.name} / {directorate.name}",
        part=Part(pays={"directorate_id__in": ids}, teams={"directorate_id__in": ids}),
        subject=directorate,
    )


# --- Data quality ---------------------------------------------------------------------------


def _findings(request: HttpRequest):
    form = DataQualityFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # invalid filters are reported on the form and ignored
    data = form.cleaned_data if form.is_bound else {}
    found, counts = findings_list(
        visible_services(request.user),
        kind=data.get("kind") or "",
        organisation=data.get("organisation"),
        service=data.get("service") or "",
    )
    return form, found, counts


@require_GET
def data_quality(request: HttpRequest) -> HttpResponse:
    """What the imports found questionable in the data, across every service one may see."""
    form, found, counts = _findings(request)
    page, query = page_of(request, found, 50)
    other_filters = request.GET.copy()
    other_filters.pop("page", None)
    other_filters.pop("kind", None)
    service = form.cleaned_data.get("service") if form.is_bound else ""
    context = {
        "form": form,
        "page": page,
        "counts": counts,
        "total": sum(n for _, _, n in counts),
        "query": query,
        "other_filters": other_filters.urlencode(),
        "kind": form.cleaned_data.get("kind") if form.is_bound else "",
        "service": visible_services(request.user).filter(slug=service).first() if service else None,
    }
    return page_or_part(
        request,
        "performance/figures/data_quality.html",
        "performance/figures/_data_quality_results.html",
        context,
    )


@require_GET
def data_quality_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The findings the page shows (every page), as CSV."""
    _, found, _ = _findings(request)
    labels = dict(DataQualityFinding.Kind.choices)

    def lines():
        buffer = Echo()
        writer = SafeWriter(buffer)
        yield writer.writerow(
            ["service", "service name", "organisation", "kind", "finding", "where", "found"]
        )
        for f in found.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    f.service.slug,
                    f.service.name,
                    f.service.organisation.name,
                    labels.get(f.kind, f.kind),
                    f.message,
                    f.location,
                    f.found_at.date().isoformat(),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="data-quality.csv"'
    return response
