"""The JSON API (CONTRACTS.md section 3), with its OpenAPI schema at /api/v1/openapi.json."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth
from pydantic import field_validator

from performance.figures.extents import data_span
from performance.figures.metrics import money, number, summary_json
from performance.figures.portfolio import PortfolioFilters, portfolio, totals
from performance.figures.summary_cache import cached_summary
from performance.imports import ImportRejected
from performance.imports.access import token_still_valid
from performance.imports.actions import token_hash
from performance.imports.base import run_rows
from performance.imports.measurements import MeasurementsKind
from performance.models import ApiToken, ImportRun
from performance.windows import window_from
from servicelead.middleware import too_large_for_the_api
from servicelead.text import UNUSABLE_SAYS, unusable
from services.models import Organisation, Service
from services.queries import visible_services

log = logging.getLogger("django.request")

api = NinjaAPI(
    title="Servicelead API",
    version="1",
    description="Whole-service figures, and measurements pushed in by other systems.",
    urls_namespace="api",
    docs_url=None,  # the interactive docs load scripts from a CDN, which the CSP forbids
    openapi_url="/openapi.json",
)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer sl_…``: a token an admin or leader issued, not revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = (
            ApiToken.objects.select_related("service", "created_by")
            .filter(key_hash=token_hash(token), revoked_at__isnull=True)
            .first()
        )
        if found is None:
            return None
        if not token_still_valid(found):
            raise HttpError(
                401,
                "This token no longer holds: whoever issued it may no longer lead the service "
                "(or has left). Ask a leader of the service for a new one.",
            )
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found


class Detail(Schema):
    detail: str | list


class MeasurementIn(Schema):
    metric: str
    period_start: str
    period_end: str
    value: float | int | str
    channel: str | None = None

    @field_validator("metric", "period_start", "period_end", "value", "channel")
    @classmethod
    def storable(cls, value):
        if isinstance(value, str) and unusable(value):
            raise ValueError(f"holds {UNUSABLE_SAYS}, which no field may hold")
        return value


class CountsOut(Schema):
    created: int
    updated: int
    unchanged: int


def _where(loc) -> str:
    """Where a problem is, in the words the measurements' own messages use: items of the body
    counted from 1 ("item 2: metric"), query parameters by name."""
    path = list(loc[1:])  # loc[0] is "body", "query" or "path"
    if path[:1] == ["payload"]:
        path = path[1:]
    if path and isinstance(path[0], int):
        field = ".".join(str(part) for part in path[1:])
        return f"item {path[0] + 1}" + (f": {field}" if field else "")
    return ".".join(str(part) for part in path) or "body"


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, exc: ValidationError):
    problems = [f"{_where(error.get('loc', []))}: {error.get('msg')}" for error in exc.errors]
    return api.create_response(request, {"detail": problems}, status=400)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied):
    return api.create_response(request, {"detail": "You may not do that."}, status=403)


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig):
    return api.create_response(request, {"detail": too_large_for_the_api()}, status=413)


@api.exception_handler(Exception)
def failed(request: HttpRequest, exc: Exception):
    """A fault of ours still answers in JSON (never the HTML error page), and is logged as
    Django logs a failed request, so it is seen and mailed to the admins."""
    log.error("API request failed: %s", request.path, exc_info=exc)
    return api.create_response(
        request,
        {"detail": "Something went wrong on our side and has been logged. Try again later."},
        status=500,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"detail": "Send a valid API token: Authorization: Bearer <token>."}, status=401
    )


@api.post(
    "/services/{slug}/measurements",
    auth=TokenAuth(),
    response={200: CountsOut, 400: Detail, 401: Detail, 403: Detail, 404: Detail, 413: Detail},
    summary="Add or replace measurements of a service",
)
def post_measurements(request: HttpRequest, slug: str, payload: list[MeasurementIn]):
    """Same rules as the measurements CSV: every item is checked, and all are applied or none.
    Items for the same metric, period and channel as earlier ones replace them."""
    token: ApiToken = request.auth
    service = Service.objects.filter(slug=slug).first()
    if service is None or (
        service.restricted and token.service_id != service.pk and token.service_id
    ):
        raise HttpError(404, f"There is no service “{slug}”.")
    if token.service_id is not None and token.service_id != service.pk:
        raise HttpError(403, "This token is for another service.")
    if not payload:
        raise HttpError(400, "Send a list of at least one measurement.")
    rows = [
        (
            number,
            {
                "service": slug,
                "metric": item.metric.strip(),
                "period_start": item.period_start.strip(),
                "period_end": item.period_end.strip(),
                "value": str(item.value).strip(),
                "channel": (item.channel or "").strip(),
            },
        )
        for number, item in enumerate(payload, start=1)
    ]
    run = ImportRun(
        kind="measurements",
        source="api",
        file_name=f"API token {token.prefix}… ({token.name})",
        user=token.created_by,
    )
    try:
        outcome = run_rows(MeasurementsKind(), rows, run=run, user=None, unit="item")
    except ImportRejected as rejected:
        return Status(400, {"detail": [str(error) for error in rejected.errors]})
    counts = outcome.counts
    return Status(
        200,
        {"created": counts.created, "updated": counts.updated, "unchanged": counts.unchanged},
    )


# --- Reads: whole-service figures ------------------------------------------------------------


def _reader_services(request: HttpRequest):
    """What the caller may read: a signed-in person's services, or a token's."""
    token = request.auth if isinstance(request.auth, ApiToken) else None
    if token is None:
        return visible_services(request.user)
    services = Service.objects.all()
    if token.service_id is None:
        return services
    return services.filter(restricted=False) | services.filter(pk=token.service_id)


# The window of a read: ?from=YYYY-MM-DD&to=YYYY-MM-DD, or one of the pages' named windows.
FROM = Query(None, alias="from", description="First day of the window, YYYY-MM-DD")
TO = Query(None, alias="to", description="Last day of the window, YYYY-MM-DD")
WINDOW = Query(
    None,
    description="A named window instead of from and to: latest, month, quarter, fy (this "
    "financial year), 12m, or fy2024 (the financial year starting in 2024)",
)


def _window(services, start: str | None, end: str | None, named: str | None):
    """The window asked for; by default the latest data of ``services``."""
    asked = {"from": start or "", "to": end or "", "window": named or ""}
    window, problems = window_from(asked, timezone.localdate(), data_span(services))
    if problems:
        raise HttpError(400, " ".join(problems))
    return window


@api.get(
    "/services/{slug}/summary",
    auth=[TokenAuth(), django_auth],
    response={200: dict, 400: Detail, 401: Detail, 404: Detail},
    summary="Whole-service figures for a window",
)
def get_summary(
    request: HttpRequest,
    slug: str,
    start: str | None = FROM,
    end: str | None = TO,
    window: str | None = WINDOW,
):
    """Figures as DESIGN.md "Metrics" defines them, for ?from=YYYY-MM-DD&to=YYYY-MM-DD
    (default: the latest data, the twelve months to the latest month of data)."""
    service = _reader_services(request).filter(slug=slug).select_related("organisation").first()
    if service is None:
        raise HttpError(404, f"There is no service “{slug}”.")
    return summary_json(cached_summary(service, _window([service], start, end, window)))


@api.get(
    "/portfolio",
    auth=[TokenAuth(), django_auth],
    response={200: dict, 400: Detail, 401: Detail, 503: Detail},
    summary="Every service's figures, with honest totals",
)
def get_portfolio(
    request: HttpRequest,
    response: HttpResponse,
    organisation: str | None = None,
    start: str | None = FROM,
    end: str | None = TO,
    window: str | None = WINDOW,
):
    filters = PortfolioFilters()
    if organisation:
        filters.organisation = Organisation.objects.filter(slug=organisation).first()
        if filters.organisation is None:
            raise HttpError(400, f"There is no organisation “{organisation}”.")
    allowed = _reader_services(request)
    window = _window(allowed, start, end, window)
    found = portfolio(request.user, window, filters, "service", within=allowed)
    freshness = found.freshness
    if freshness.missing:
        response["Retry-After"] = "30"
        return Status(
            503,
            {"detail": freshness.not_ready(window)},
        )
    total = totals(found.rows)
    return {
        "from": window.start.isoformat(),
        "to": window.end.isoformat(),
        # Services whose figures predate a write the worker has yet to add, and since when.
        "behind": freshness.behind,
        "as_of": freshness.as_of.isoformat() if freshness.as_of else None,
        "services": [
            {
                "service": row.service.slug,
                "name": row.service.name,
                "organisation": row.service.organisation.name,
                "phase": row.service.phase,
                **{k: v for k, v in row.figures.items() if k not in {"service", "from", "to"}},
            }
            for row in found.rows.iterator(chunk_size=1000)
        ],
        "totals": {
            "services": total.services,
            "services_reporting": total.services_reporting,
            "transactions": number(total.transactions),
            # Money per currency: never added across currencies.
            "total_cost": {c: money(v) for c, v in total.total_cost.items()},
            "cost_per_transaction": {c: money(v) for c, v in total.cost_per_transaction.items()},
            "digital_take_up": number(total.digital_take_up),
        },
    }
