"""Every page, asked with hostile query strings, answers without a server error.

The pages are the permission matrix's GET routes (as an org admin, who may open them all); the
query strings mix every parameter name the pages read with values chosen to break parsers:
dates at the calendar's ends or impossible, huge and malformed numbers, markup, quotes and
text of any script. Failures found here become ordinary tests.
"""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.queries import ORG_ADMINS_GROUP
from tests.test_permission_matrix import ROUTES, url_for, world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

PAGES = sorted(
    name
    for name, route in ROUTES.items()
    if "GET" in route.methods
    and route.scope not in {"run", "token", "template", "team_row"}
    and not route.access.startswith(("api", "public", "redirect"))
)
PARAMETERS = [
    "from", "to", "window", "week", "page", "sort", "q", "organisation", "directorate",
    "phase", "kind", "leadership_model", "status", "decision_type", "decided_from",
    "decided_to", "rights", "review_due", "severity", "category", "service", "hands_on_gap",
    "stale", "form", "role",
]  # fmt: skip
HOSTILE = [
    "0001-01-01", "9999-12-31", "2026-02-30", "1899-12-31", "-1", "0", "1e400", "NaN",
    "99999999999999999999999", "-total_cost", "--", "' OR 1=1 --", "<script>alert(1)</script>",
    "x" * 5000, "2026-W05", "0x10", "１２", "Ⅻ", "", " ", "\t", "../../etc/passwd", "%", "[]",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
)


@pytest.fixture
def admin_client(world):  # noqa: F811
    assert world["users"]["org_admin"].groups.filter(name=ORG_ADMINS_GROUP).exists()
    client = Client()
    client.force_login(world["users"]["org_admin"])
    client.raise_request_exception = True  # an exception fails the example, not just a 500
    return client


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    page=st.sampled_from(PAGES),
    query=st.dictionaries(st.sampled_from(PARAMETERS), VALUES, max_size=4),
)
def test_no_page_fails_on_a_hostile_query_string(admin_client, world, page, query):  # noqa: F811
    response = admin_client.get(url_for(page, ROUTES[page], world, "open"), query)
    assert response.status_code < 500
