from django.contrib.auth.middleware import LoginRequiredMiddleware


class LoginRequiredOutsideApiMiddleware(LoginRequiredMiddleware):
    """Every page needs sign-in; the JSON API answers for itself (bearer token or session),
    with a JSON 401 rather than a redirect to the sign-in page."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
