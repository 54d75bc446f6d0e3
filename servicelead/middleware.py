from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse

from servicelead.text import UNUSABLE_SAYS, unusable


class LoginRequiredOutsideApiMiddleware(LoginRequiredMiddleware):
    """Every page needs sign-in; the JSON API answers for itself (bearer token or session),
    with a JSON 401 rather than a redirect to the sign-in page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RefuseUnusableCharactersMiddleware:
    """A 400 naming the problem for a path or query string with a NUL or a lone surrogate
    (JSON for the API), instead of a database error deep inside a view: neither has a meaning
    in an address, so the request is refused before any view sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = [piece for key, values in request.GET.lists() for piece in (key, *values)]
        if any(unusable(text) for text in (request.path_info, *query)):
            detail = f"The address holds a character no page accepts ({UNUSABLE_SAYS})."
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": detail}, status=400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


class RefuseOversizedBodiesMiddleware:
    """A 413 naming the limit for a body larger than the API (``API_MAX_BYTES``) or a page
    (``REQUEST_MAX_BYTES``: the GC inventory's four files) takes, before any of it is read
    into memory or onto disk. A body sent without its length is held to the same limits as
    it is read (``DATA_UPLOAD_MAX_MEMORY_SIZE``, and the API's handler of that refusal)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        api = request.path_info.startswith("/api/")
        limit = settings.API_MAX_BYTES if api else settings.REQUEST_MAX_BYTES
        if size <= limit:
            return self.get_response(request)
        if api:
            return JsonResponse({"detail": too_large_for_the_api(size)}, status=413)
        return HttpResponse(
            f"The request is {_megabytes(size)}; the most this site takes is "
            f"{_megabytes(limit)}. Split the file into smaller ones.",
            status=413,
            content_type="text/plain; charset=utf-8",
        )


def too_large_for_the_api(size: int | None = None) -> str:
    sent = f"The body is {_megabytes(size)}" if size else "The body is too large"
    return (
        f"{sent}; the most the API takes is {_megabytes(settings.API_MAX_BYTES)}. "
        "Send the measurements in several requests."
    )
