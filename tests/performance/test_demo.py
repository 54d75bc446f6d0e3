"""The demo's figures are ones a leader would believe: items flow stage to stage, a service in
discovery has no live figures, decisions are named as people name them."""

import re

import pytest
from django.core.management import call_command

from decisions.models import Decision
from performance.models import HandoffLog, Measurement, StageLog
from services.models import Service

pytestmark = pytest.mark.django_db


def test_the_demo_is_believable():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    # What a stage completes in a week is what it hands on to the next stage that week.
    completed = {(log.stage_id, log.period_start): log.completed for log in StageLog.objects.all()}
    handed = list(HandoffLog.objects.select_related("handoff"))
    assert handed
    for log in handed:
        assert log.handed_over == max(
            1, completed[(log.handoff.from_stage_id, log.period_start)]
        ), log
    # A stage never completes more than the stage before it did.
    for service in Service.objects.exclude(phase=Service.Phase.DISCOVERY):
        stages = list(service.stages.order_by("position"))
        for before, after in zip(stages, stages[1:], strict=False):
            for (stage_id, week), n in completed.items():
                if stage_id == after.pk:
                    assert n <= completed[(before.pk, week)], (service, after, week)

    discovery = Service.objects.filter(phase=Service.Phase.DISCOVERY)
    assert discovery.exists()
    assert not Measurement.objects.filter(metric__service__in=discovery).exists()
    assert not StageLog.objects.filter(stage__service__in=discovery).exists()

    titles = list(Decision.objects.values_list("title", flat=True))
    assert not [t for t in titles if re.search(r"\(\d+\)$", t)]
