from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import patch_vary_headers
from django.views import defaults
from django.views.decorators.http import require_GET

from servicelead.conflicts import EditConflict


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; point them at the real icon."""
    return redirect(static("images/favicon.svg"))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The site's own page, with its navigation; an address under the API that names no
    endpoint answers in JSON, as the API's own errors do."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": f"There is no API endpoint at {request.path}."}, status=404)
    return defaults.page_not_found(request, exception)


def saved(
    request: HttpRequest,
    form: Form,
    write: Callable[[], object],
    *,
    message: str,
    problems_on: str | None = None,
) -> bool:
    """Run an edit page's write (its action): True once it saved, with ``message`` shown;
    False when it was refused, with the reason on ``form``: somebody changed it since the
    page was opened, or the action's own check failed (shown on the field ``problems_on``,
    else above the form)."""
    try:
        write()
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
    except ValidationError as problem:
        form.add_error(problems_on, problem if problems_on else problem.messages)
    else:
        messages.success(request, message)
        return True
    return False


def page_of(request: HttpRequest, rows: QuerySet, per_page: int) -> tuple[Page, str]:
    """The page of ``rows`` asked for, and the query string of the list's filters without
    the page, for the links to other pages."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def page_or_part(request: HttpRequest, page: str, part: str, context: dict) -> HttpResponse:
    """The whole page, or only the ``part`` htmx asked for; caches keep the two apart."""
    response = render(request, part if request.htmx else page, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
