from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from servicelead.conflicts import EditConflict


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; point them at the real icon."""
    return redirect(static("images/favicon.svg"))


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
