from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decision rights and decisions"

    def ready(self) -> None:
        from decisions import panels  # noqa: F401  (registers the service page panel)
        from decisions.agents import agent_gaps
        from decisions.queries import rights_gaps
        from services import gaps

        gaps.register(rights_gaps)
        gaps.register(agent_gaps)
