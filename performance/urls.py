"""The performance pages: each subject's own URLs, under one namespace so that every URL name
stays ``performance:<name>``."""

from django.urls import include, path

app_name = "performance"

urlpatterns = [
    path("", include("performance.flow.urls")),
    path("", include("performance.friction.urls")),
    path("", include("performance.change.urls")),
    path("", include("performance.figures.urls")),
    path("", include("performance.leadership.urls")),
    path("", include("performance.imports.urls")),
]
