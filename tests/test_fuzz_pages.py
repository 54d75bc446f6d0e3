"""Every page and form, asked with hostile input, answers without a server error.

The routes are the permission matrix's (every URL pattern of the project). Query strings mix
every parameter name the pages read, path arguments take every value their converter lets
through, and forms are posted with the fields their own page renders, each kept or replaced,
all with values chosen to break parsers: dates at the calendar's ends or impossible, huge and
malformed numbers, markup, quotes and text of any script. Failures found here become ordinary
tests.
"""

from contextlib import contextmanager

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from services.queries import ORG_ADMINS_GROUP
from tests.pages import form_fields
from tests.routes import ROUTES, expected_status, kwargs_for, url_for

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
PATH_VALUES = [
    "0", "2147483648", "9223372036854775808", "99999999999999999999999", "x" * 300, "-",
    "_", "0x10", "restricted", "open", "%00", "..", "decide", "s0", "d-1", "s99999999999999999999",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
)


HYPOTHESIS = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def rolled_back():
    """Each example starts from the same world: what one posts is undone before the next."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.raise_request_exception = True  # an exception fails the example, not just a 500
    return client


@pytest.fixture
def admin_client(world):  # noqa: F811
    assert world["users"]["org_admin"].groups.filter(name=ORG_ADMINS_GROUP).exists()
    return signed_in(world["users"]["org_admin"])


@HYPOTHESIS
@given(
    page=st.sampled_from(PAGES),
    query=st.dictionaries(st.sampled_from(PARAMETERS), VALUES, max_size=4),
)
def test_no_page_fails_on_a_hostile_query_string(admin_client, world, page, query):  # noqa: F811
    response = admin_client.get(url_for(page, ROUTES[page], world, "open"), query)
    assert response.status_code < 500


def allowed_role(route, method: str) -> str:
    """Someone who may make the request (so the fuzzing reaches the view's own code)."""
    for role in ["org_admin", "leader", "member"]:
        if expected_status(route, role, "open", method) in {200, 302}:
            return role
    return "org_admin"


@HYPOTHESIS
@given(name=st.sampled_from(sorted(ROUTES)), data=st.data())
def test_no_address_fails_whatever_its_path_holds(world, name, data):  # noqa: F811
    """Every path argument replaced, one at a time, by a value its converter lets through."""
    route = ROUTES[name]
    kwargs = kwargs_for(name, route, world, "open")
    assume(kwargs)
    key = data.draw(st.sampled_from(sorted(kwargs)), label="argument")
    value = data.draw(st.one_of(st.sampled_from(PATH_VALUES), VALUES), label="value")
    try:
        url = reverse(name, kwargs={**kwargs, key: value})
    except NoReverseMatch:  # the converter refuses it: the URL cannot be asked for
        assume(False)
    client = signed_in(world["users"][allowed_role(route, route.methods[0])])
    with rolled_back():
        response = client.generic(route.methods[0], url)
    assert response.status_code < 500


FORMS = sorted(
    name
    for name, route in ROUTES.items()
    if {"GET", "POST"} <= set(route.methods) and not route.access.startswith("api")
)


@HYPOTHESIS
@given(name=st.sampled_from(FORMS), data=st.data())
def test_no_form_fails_whatever_its_fields_hold(world, name, data):  # noqa: F811
    """Each form posted with the fields its page renders, some replaced by hostile values."""
    route = ROUTES[name]
    client = signed_in(world["users"][allowed_role(route, "POST")])
    url = url_for(name, route, world, "open")
    page = client.get(url)
    assert page.status_code == 200
    fields = form_fields(page.content.decode())
    assume(fields)
    hostile = data.draw(
        st.dictionaries(st.sampled_from(sorted(fields)), VALUES, min_size=1, max_size=4),
        label="hostile fields",
    )
    with rolled_back():
        response = client.post(url, {**fields, **hostile})
    assert response.status_code < 500
