from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponseBadRequest, JsonResponse

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
