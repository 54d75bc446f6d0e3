from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from decisions.access import can_change_decision, decision_for_user
from decisions.actions import (
    Holder,
    decision_delete,
    decision_log,
    decision_type_save,
    decision_type_version,
    decision_update,
    rights_cell_token,
    rights_cell_update,
)
from decisions.forms import (
    DecisionForm,
    DecisionTypeForm,
    LogFilterForm,
    QuickDecisionForm,
    RightsCellForm,
)
from decisions.models import Decision, DecisionBand, DecisionRight, DecisionType, Role
from decisions.queries import (
    LogFilters,
    MatrixRow,
    cell_rights,
    coverage_gaps,
    decision_detail,
    decision_history,
    decision_types,
    decisions_logged,
    lacking_a_decider,
    reviews_due,
    rights_matrix,
    supersession_chain,
    without_decider,
)
from servicelead.conflicts import EditConflict, VersionForm
from servicelead.exports import SafeWriter
from servicelead.views import page_of, page_or_part, saved
from services.access import (
    CONTRIBUTE,
    LEAD,
    my_services,
    org_admins_only,
    service_for_user,
    user_can,
)
from services.forms import CatalogueFilterForm
from services.queries import is_org_admin, visible_services

LOG_PAGE_SIZE = 50


# --- Decision types -------------------------------------------------------------------------


@require_GET
def decision_types_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "decisions/decision_types.html",
        {"types": decision_types(), "can_manage": is_org_admin(request.user)},
    )


def _limits(decision_type: DecisionType) -> str:
    """The type's bands as the form writes them: one upper limit a line, "any" for the last."""
    return "\n".join(
        "any" if band.up_to is None else f"{band.up_to:f}" for band in decision_type.bands.all()
    )


@require_http_methods(["GET", "POST"])
def decision_type_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org_admins_only(request.user)  # decision types are organisation-wide
    decision_type = get_object_or_404(DecisionType, pk=pk) if pk else DecisionType()
    limits = _limits(decision_type) if pk else ""
    form = DecisionTypeForm(request.POST or None, instance=decision_type, initial={"bands": limits})
    version_form = VersionForm(
        request.POST or None, initial={"version": decision_type_version(decision_type)}
    )
    if request.method == "POST" and version_form.is_valid() and form.is_valid():
        write = partial(
            decision_type_save,
            decision_type=form.instance,
            user=request.user,
            limits=form.cleaned_data["bands"],
            version=version_form.cleaned_data["version"],
        )
        if saved(
            request,
            form,
            write,
            message=f"Decision type “{form.instance.name}” saved.",
            problems_on="bands",
        ):
            return redirect("decisions:types")
    return render(
        request,
        "decisions/decision_type_form.html",
        {"form": form, "decision_type": decision_type, "version_form": version_form},
    )


# --- Rights matrix --------------------------------------------------------------------------


@require_GET
def rights_matrix_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    rows = rights_matrix(service)
    return render(
        request,
        "decisions/rights_matrix.html",
        {
            "service": service,
            "rows": rows,
            "roles": Role.choices,
            "gaps": without_decider(rows),
            "can_lead": user_can(request.user, LEAD, service),
            "leaders": service.leaders.select_related("person").order_by("person__name"),
        },
    )


def _cell(service, type_pk: int, band_pk: int, role: str):
    decision_type = get_object_or_404(DecisionType, pk=type_pk)
    band = (
        get_object_or_404(DecisionBand, pk=band_pk, decision_type=decision_type)
        if band_pk
        else None
    )
    if band is None and decision_type.bands.exists():
        raise Http404("That decision type is banded: choose a band.")
    if role not in Role.values:
        raise Http404("No such role.")
    return decision_type, band


def _cell_saved(request: HttpRequest, service, cell: dict, form) -> bool:
    """Save the cell's rights as posted; False, saying why on the form, when they could not
    be (somebody changed the cell meanwhile, or the change breaks a rule)."""
    data = form.cleaned_data
    add = (
        Holder(
            kind=data["kind"],
            person=data.get("person"),
            team=data.get("team"),
            external_body=data.get("external_body", "").strip(),
            stage=data.get("stage"),
        )
        if data["kind"]
        else None
    )
    try:
        rights_cell_update(
            service=service,
            user=request.user,
            **cell,
            remove=[int(pk) for pk in data["remove"]],
            add=add,
            token=data["token"],
        )
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
    except ValidationError as problem:
        form.add_error(None, problem.messages)
    else:
        return True
    return False


@require_http_methods(["GET", "POST"])
def rights_cell(
    request: HttpRequest, slug: str, type_pk: int, band_pk: int, role: str
) -> HttpResponse:
    """Edit one cell of the matrix: in place with htmx, or as a page of its own."""
    service = service_for_user(request.user, slug, LEAD)
    decision_type, band = _cell(service, type_pk, band_pk, role)
    current = list(cell_rights(service, decision_type, band, role))
    form = RightsCellForm(
        request.POST or None,
        service=service,
        role=role,
        current=current,
        initial={"token": rights_cell_token(service, decision_type, band, role)},
    )
    row = MatrixRow(decision_type, band, {role: current})
    context = {"service": service, "row": row, "role": role, "role_label": Role(role).label}
    context |= {"form": form, "current": current, "can_lead": True}
    if request.method == "POST" and form.is_valid():
        cell = {"decision_type": decision_type, "band": band, "role": role}
        if _cell_saved(request, service, cell, form):
            if request.htmx:  # the cell, and the banner of gaps out of band
                context["cell"] = list(cell_rights(service, decision_type, band, role))
                context["gaps"] = without_decider(rights_matrix(service))
                return render(request, "decisions/_rights_cell_saved.html", context)
            messages.success(request, "Decision rights saved.")
            return redirect("decisions:rights", slug=service.slug)
    return page_or_part(
        request, "decisions/rights_cell.html", "decisions/_rights_cell_form.html", context
    )


@require_GET
def rights_cell_view(
    request: HttpRequest, slug: str, type_pk: int, band_pk: int, role: str
) -> HttpResponse:
    """The cell as shown in the matrix (htmx "cancel" swaps the form back for it)."""
    service = service_for_user(request.user, slug)
    decision_type, band = _cell(service, type_pk, band_pk, role)
    cell = list(cell_rights(service, decision_type, band, role))
    return render(
        request,
        "decisions/_rights_cell.html",
        {
            "service": service,
            "row": MatrixRow(decision_type, band, {role: cell}),
            "role": role,
            "role_label": Role(role).label,
            "cell": cell,
            "can_lead": user_can(request.user, LEAD, service),
        },
    )


@require_GET
def rights_history(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    records = (
        DecisionRight.history.filter(service_id=service.pk)
        .select_related("history_user", "decision_type", "band", "person", "team", "stage")
        .order_by("-history_date", "-history_id")[:500]
    )
    return render(
        request, "decisions/rights_history.html", {"service": service, "records": records}
    )


@require_GET
def rights_coverage_page(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    organisation = form.filters().organisation
    page, _ = page_of(request, lacking_a_decider(request.user, organisation), 50)
    return render(
        request,
        "decisions/coverage.html",
        {
            "page": page,
            "gaps": coverage_gaps(list(page.object_list)),
            "form": form,
            "organisation": organisation,
            "query": f"organisation={organisation.slug}" if organisation else "",
        },
    )


# --- Decision log ---------------------------------------------------------------------------


def _log_filters(request: HttpRequest) -> tuple[LogFilterForm, LogFilters]:
    form = LogFilterForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
    else:
        data = form.cleaned_data
    return form, LogFilters(
        status=data.get("status", ""),
        decision_type=data.get("decision_type"),
        decided_from=data.get("decided_from"),
        decided_to=data.get("decided_to"),
        rights=data.get("rights", ""),
        review_due=bool(data.get("review_due")),
    )


@require_GET
def decision_log_page(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    form, filters = _log_filters(request)
    services = visible_services(request.user).filter(pk=service.pk)
    page, query = page_of(request, decisions_logged(services, filters), LOG_PAGE_SIZE)
    context = {
        "service": service,
        "form": form,
        "page": page,
        "query": query,
        "can_log": user_can(request.user, CONTRIBUTE, service),
    }
    return page_or_part(request, "decisions/log.html", "decisions/_log_results.html", context)


CSV_COLUMNS = [
    "id",
    "service",
    "title",
    "type",
    "amount",
    "status",
    "decided_on",
    "decided_by",
    "rights_check",
    "rights_reason",
    "review_by",
    "supersedes",
    "logged_by",
]


@require_GET
def decision_log_csv(request: HttpRequest, slug: str) -> HttpResponse:
    service = service_for_user(request.user, slug)
    _, filters = _log_filters(request)
    services = visible_services(request.user).filter(pk=service.pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{service.slug}-decisions-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = SafeWriter(response)
    writer.writerow(CSV_COLUMNS)
    for d in decisions_logged(services, filters):
        writer.writerow(
            [
                d.pk,
                d.service.slug,
                d.title,
                d.decision_type.name,
                "" if d.amount is None else f"{d.amount:f}",
                d.status,
                d.decided_on.isoformat(),
                d.decided_by.name if d.decided_by else d.decided_by_body,
                {True: "within", False: "outside", None: "not checked"}[d.within_rights],
                d.rights_reason,
                d.review_by.isoformat() if d.review_by else "",
                d.supersedes_id or "",
                d.logged_by.get_username() if d.logged_by else "",
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def decision_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Log a decision: the full form, or the quick form on the service page (htmx)."""
    service = service_for_user(request.user, slug, CONTRIBUTE)
    quick = request.POST.get("form") == "quick" or request.GET.get("form") == "quick"
    form_class = QuickDecisionForm if quick else DecisionForm
    initial = {"decided_on": timezone.localdate(), "status": Decision.Status.DECIDED}
    person = getattr(request.user, "person", None)
    if person is not None:
        initial["decided_by"] = person.pk
    form = form_class(request.POST or None, service=service, initial=initial)
    logged = None
    if request.method == "POST" and form.is_valid():
        try:
            logged = decision_log(service=service, user=request.user, **_answers(form))
        except ValidationError as problem:
            form.add_error(None, problem.messages)
    if logged is not None:
        if not request.htmx:
            messages.success(request, f"Decision “{logged.title}” logged.")
            return redirect(logged)
        form = QuickDecisionForm(service=service, initial=initial)
    context = {"service": service, "form": form, "logged": logged, "quick": quick}
    if request.htmx:
        return render(request, "decisions/_quick_form.html", context)
    return render(request, "decisions/decision_form.html", context)


def _answers(form: DecisionForm | QuickDecisionForm) -> dict:
    """A decision form's answers as the decision actions take them."""
    answers = form.cleaned_data
    return {
        "fields": {
            name: value
            for name, value in answers.items()
            if name not in {"version", "affected_stages", "affected_teams"}
        },
        # The quick form asks for neither.
        "stages": list(answers.get("affected_stages") or []),
        "teams": list(answers.get("affected_teams") or []),
    }


@require_GET
def decision_page(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_for_user(request.user, pk)
    return render(
        request,
        "decisions/decision.html",
        {
            "decision": decision_detail(decision.pk),
            "chain": supersession_chain(decision),
            "can_change": can_change_decision(request.user, decision),
        },
    )


@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_for_user(request.user, pk, change=True)
    form = DecisionForm(
        request.POST or None,
        instance=decision,
        service=decision.service,
        initial={"version": decision.version},
    )
    if request.method == "POST" and form.is_valid():
        write = partial(
            decision_update,
            decision=decision,
            user=request.user,
            version=form.cleaned_data.get("version") or 0,
            **_answers(form),
        )
        if saved(request, form, write, message="Decision saved."):
            return redirect(decision)
    return render(
        request,
        "decisions/decision_form.html",
        {"service": decision.service, "form": form, "decision": decision},
    )


@require_http_methods(["GET", "POST"])
def decision_delete_page(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_for_user(request.user, pk, change=True)
    error = None
    if request.method == "POST":
        try:
            decision_delete(decision=decision, user=request.user)
        except ValidationError as problem:
            error = problem.messages[0]
        else:
            messages.success(request, f"Decision “{decision.title}” deleted.")
            return redirect("decisions:log", slug=decision.service.slug)
    return render(request, "decisions/decision_delete.html", {"decision": decision, "error": error})


@require_GET
def decision_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    decision = decision_for_user(request.user, pk)
    entries = decision_history(request.user, decision)
    return render(
        request, "decisions/decision_history.html", {"decision": decision, "entries": entries}
    )


@require_GET
def reviews_due_page(request: HttpRequest) -> HttpResponse:
    mine = my_services(request.user)
    return render(
        request,
        "decisions/reviews_due.html",
        {"decisions": reviews_due(mine), "today": timezone.localdate()},
    )
