"""The decisions panel on the service page: recent decisions, checks and a quick log form."""

from django.http import HttpRequest
from django.utils import timezone

from decisions.forms import QuickDecisionForm
from decisions.models import Decision
from decisions.queries import service_decision_summary
from services import panels
from services.access import CONTRIBUTE, user_can
from services.models import Service


@panels.register
def decisions_panel(request: HttpRequest, service: Service) -> tuple[str, dict]:
    can_log = user_can(request.user, CONTRIBUTE, service)
    form = None
    if can_log:
        person = getattr(request.user, "person", None)
        form = QuickDecisionForm(
            service=service,
            initial={
                "decided_on": timezone.localdate(),
                "status": Decision.Status.DECIDED,
                "decided_by": person.pk if person else None,
            },
        )
    return "decisions/_service_panel.html", {
        "service": service,
        "summary": service_decision_summary(service),
        "form": form,
        "quick": True,
    }
