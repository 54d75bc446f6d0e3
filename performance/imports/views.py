"""The upload page (preview, then confirm), import history, CSV templates and API tokens."""

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.imports import KINDS, runs
from performance.imports.access import (
    may_import,
    preview_for_user,
    require_may_import,
    run_for_user,
    token_of,
    token_still_valid,
    visible_runs,
)
from performance.imports.actions import api_token_issue, api_token_revoke
from performance.imports.forms import GcUploadForm, TokenForm, UploadForm
from performance.imports.gc_inventory import FILES as GC_FILES
from performance.models import ApiToken, ImportRun
from servicelead.exports import SafeWriter
from servicelead.views import page_of
from services.access import LEAD, service_for_user
from services.models import Service
from services.queries import is_org_admin


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Step one: choose a kind and a file; see what would change and any errors."""
    require_may_import(request.user)
    admin = is_org_admin(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, admin=admin)
    if request.method == "POST" and form.is_valid():
        run = runs.check_later(form.cleaned_data["kind"], form.cleaned_data["file"], request.user)
        return redirect("performance:import_run", pk=run.pk)
    return render(
        request,
        "performance/imports/import_upload.html",
        {"form": form, "kinds": KINDS, "admin": admin},
    )


@require_GET
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_user(request.user, pk)
    percent, note = runs.progress_of(run)
    return render(
        request,
        "performance/imports/import_run.html",
        {
            "run": run,
            "percent": percent,
            "note": note,
            "can_confirm": run.outcome == ImportRun.Outcome.DRY_RUN
            and run.user_id == request.user.pk
            and bool(run.summary.get("upload")),
        },
    )


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Step two: apply the previewed file in the background, all or nothing, checking it
    again as it goes; the run's page shows its progress."""
    preview = preview_for_user(request.user, pk)
    name = preview.summary.get("upload", "")
    stored = runs.UPLOADS / Path(name).name
    if not name or not stored.exists():
        messages.error(request, "That preview has expired or was already imported; upload again.")
        return redirect("performance:import_upload")
    folder = runs.store({preview.file_name or "upload.csv": stored.read_bytes()})
    stored.unlink(missing_ok=True)
    run = runs.start_previewed(preview, folder)
    return redirect("performance:import_run", pk=run.pk)


@require_GET
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar of a running import (htmx polls it; without JavaScript, reload)."""
    run = run_for_user(request.user, pk)
    if run.outcome != ImportRun.Outcome.RUNNING and request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("performance:import_run", args=[run.pk])
        return response
    percent, note = runs.progress_of(run)
    return render(
        request,
        "performance/imports/_import_progress.html",
        {"run": run, "percent": percent, "note": note},
    )


@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for_user(request.user, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    writer = SafeWriter(response)
    writer.writerow(["problem"])
    for error in run.errors:
        writer.writerow([error])
    return response


@require_GET
def import_history(request: HttpRequest) -> HttpResponse:
    return _history(request, visible_runs(request.user).order_by("-started_at"), None)


@require_GET
def service_import_history(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    found = (
        ImportRun.objects.filter(services=service)
        .exclude(outcome=ImportRun.Outcome.DRY_RUN)
        .select_related("user")
        .prefetch_related("services")
        .order_by("-started_at")
    )
    return _history(request, found, service)


def _history(
    request: HttpRequest, found: QuerySet[ImportRun], service: Service | None
) -> HttpResponse:
    page, _ = page_of(request, found, 50)
    return render(
        request,
        "performance/imports/import_history.html",
        {"page": page, "service": service, "can_import": may_import(request.user)},
    )


@require_GET
def csv_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404("No such kind of import.")
    spec = KINDS[kind]
    columns = spec.columns + spec.optional
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    writer = SafeWriter(response)
    writer.writerow(columns)
    writer.writerow([spec.example.get(column, "") for column in columns])
    return response


# --- API tokens -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def service_tokens(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug, LEAD)
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = api_token_issue(service=service, name=form.cleaned_data["name"], user=request.user)
        form = TokenForm()
    tokens = list(ApiToken.objects.filter(service=service).select_related("created_by", "service"))
    for token in tokens:  # a handful a service: each checked as the API checks it
        token.holds = token.revoked_at is None and token_still_valid(token)
    return render(
        request,
        "performance/imports/tokens.html",
        {"service": service, "form": form, "issued": issued, "tokens": tokens},
    )


@require_POST
def token_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    service = service_for_user(request.user, slug, LEAD)
    token = token_of(service, pk)
    api_token_revoke(token=token, user=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("performance:tokens", slug=service.slug)


# --- The GC Service Inventory ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def gc_upload(request: HttpRequest) -> HttpResponse:
    """Org admins load a GC Service Inventory snapshot (runs in the request for now)."""
    if not is_org_admin(request.user):
        raise PermissionDenied
    form = GcUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        folder = runs.store(
            {GC_FILES[name]: upload.read() for name, upload in form.cleaned_data.items() if upload}
        )
        run = runs.start(
            ImportRun(
                kind="gc_inventory",
                source="upload",
                file_name="GC Service Inventory",
                user=request.user,
            ),
            folder,
        )
        return redirect("performance:import_run", pk=run.pk)
    return render(request, "performance/imports/gc_upload.html", {"form": form})
