"""Open performance data: pages and downloads anyone may read, without signing in, of the
services their leaders publish (``opendata.published`` says what is and is not in them)."""

from collections import defaultdict

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from opendata.published import (
    Year,
    data_up_to,
    figures_csv,
    figures_json,
    fiscal_year_of,
    gc_files,
    published_services,
    standards_of,
    years_of,
)
from performance.figures.metrics import summaries
from performance.models import Measurement
from performance.windows import Window
from services.models import Service

PAGE_SIZE = 50
GC_FILES = ("si_2024.csv", "ss_2024.csv", "rbpo.csv", "org_var.csv")


def _latest_years(services: list[Service]) -> dict[int, Year]:
    """Each service's latest fiscal year with measurements, and its figures: one batch of
    summaries per distinct year."""
    last = dict(
        Measurement.objects.filter(metric__service__in=services)
        .values_list("metric__service_id")
        .annotate(last=Max("period_end"))
        .order_by()
    )
    by_year: dict[tuple, list[Service]] = defaultdict(list)
    for service in services:
        if service.pk in last:
            by_year[fiscal_year_of(last[service.pk])].append(service)
    found = {}
    for (start, end), group in by_year.items():
        window = Window(start, end)
        for pk, summary in summaries(group, window).items():
            found[pk] = Year(window, summary, standards_of(summary))
    return found


@login_not_required
@require_GET
def open_portfolio(request: HttpRequest) -> HttpResponse:
    """Every published service with its latest year's figures, and the downloads."""
    services = published_services().order_by("name", "pk")
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    latest = _latest_years(list(page.object_list))
    return render(
        request,
        "opendata/portfolio.html",
        {
            "page": page,
            "rows": [(service, latest.get(service.pk)) for service in page.object_list],
            "gc_files": GC_FILES,
        },
    )


def _published(slug: str) -> Service:
    return get_object_or_404(published_services(), slug=slug)


@login_not_required
@require_GET
def open_service(request: HttpRequest, slug: str) -> HttpResponse:
    service = _published(slug)
    years = years_of(service)
    return render(
        request,
        "opendata/service.html",
        {"service": service, "years": years, "last": data_up_to(years)},
    )


@login_not_required
@require_GET
def open_service_csv(request: HttpRequest, slug: str) -> HttpResponse:
    service = _published(slug)
    response = HttpResponse(
        figures_csv(service, years_of(service)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{service.slug}-figures.csv"'
    return response


@login_not_required
@require_GET
def open_service_json(request: HttpRequest, slug: str) -> JsonResponse:
    service = _published(slug)
    return JsonResponse(figures_json(service, years_of(service)))


@login_not_required
@require_GET
def open_gc_file(request: HttpRequest, name: str) -> HttpResponse:
    """One of the GC Service Inventory's files, of every published service."""
    if name not in GC_FILES:
        raise Http404("The inventory has no such file.")
    response = HttpResponse(
        gc_files(published_services())[name], content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
