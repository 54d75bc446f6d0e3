"""The JSON API, fuzzed from its own OpenAPI schema by schemathesis: no input makes it fail.

Every operation of /api/v1/openapi.json is called with a valid token and with bodies, paths and
queries generated from the schema (positive) and against it (negative), at generated services
and at a real one, so generated bodies and windows reach the code behind the 404. Each answer
is checked against the schema: never a 500, a documented status code, JSON of the documented
shape. Failures found here become ordinary tests.
"""

from datetime import date

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from performance.imports.actions import api_token_issue
from tests.factories import ServiceFactory, measure

pytestmark = pytest.mark.django_db

OPERATIONS = [
    "GET /api/v1/services/{slug}/summary",
    "GET /api/v1/portfolio",
    "POST /api/v1/services/{slug}/measurements",
]
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(settings):
    """The schema, read from the app called as a WSGI application, as schemathesis calls it.
    Like Django's test client, the app then keeps the test's database connection open at the
    end of each request (else the test's transaction would be closed under it)."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis's host
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_world():
    service = ServiceFactory(slug="grants")
    measure(service, "transactions", (date(2025, 4, 1), date(2026, 3, 31)), 120)
    ServiceFactory(slug="fraud", restricted=True)
    issued = api_token_issue(service=None, name="Warehouse", user=None)  # every service
    return {"slug": service.slug, "key": issued.key}


def test_every_operation_of_the_schema_is_fuzzed(api_schema):
    labels = [operation.ok().label for operation in api_schema.get_all_operations()]
    assert sorted(labels) == sorted(OPERATIONS)


@pytest.mark.parametrize(
    ("label", "at"),
    [(label, "generated") for label in OPERATIONS]
    + [(label, "real") for label in OPERATIONS if "{slug}" in label],
)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_api_call_fails_and_every_answer_matches_the_schema(
    api_schema, api_world, label, at, mode
):
    operation = api_schema.find_operation_by_label(label)
    strategy = operation.as_strategy(
        mode, path_parameters={"slug": api_world["slug"]} if at == "real" else None
    )

    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(case=strategy)
    def call(case):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {api_world['key']}"}, checks=CHECKS
        )

    call()
