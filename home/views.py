"""Each person's home page: what needs them this week."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from home.queries import home_for
from servicelead.calendar import last_complete_week


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each person's start: what needs them, on their services and in their teams."""
    return render(request, "home/home.html", {"home": home_for(request.user, last_complete_week())})
