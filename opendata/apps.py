"""Open data: the published figures of public services (no models)."""

from django.apps import AppConfig


class OpenDataConfig(AppConfig):
    name = "opendata"
    verbose_name = "Open data"
