"""Each person's home page, from the other apps' queries (no models)."""

from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Home"
