"""Open data: the published figures of public services (no models)."""

from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "opendata"
    verbose_name = "Open data"

    def ready(self) -> None:
        from opendata import links  # noqa: F401  (registers the service page's link)
