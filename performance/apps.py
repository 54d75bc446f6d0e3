from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"
    verbose_name = "Performance, cost and flow"

    def ready(self) -> None:
        from performance import (
            panels,  # noqa: F401  (registers the service page panel)
            tasks,  # noqa: F401  (registers the tasks, for eager runs too)
        )
        from performance.figures import rollups
        from services import versions

        versions.figures_changed.connect(rollups.ask_for_refresh, dispatch_uid="refresh-roll-ups")
