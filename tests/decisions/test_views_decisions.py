import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision
from services.actions import service_access_sync
from tests.factories import (
    DecisionFactory,
    DecisionRightFactory,
    DecisionTypeFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    StageFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def service():
    return ServiceFactory(name="Grants", slug="grants")


@pytest.fixture
def leader(service):
    user = UserFactory(username="leader", first_name="Priya", last_name="Shah")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user, name="Priya Shah"))
    service_access_sync()
    return user


@pytest.fixture
def member(service):
    user = UserFactory(username="member", first_name="Tom", last_name="Okafor")
    stage = StageFactory(service=service)
    TeamMembershipFactory(team=stage.team, person=PersonFactory(user=user, name="Tom Okafor"))
    service_access_sync()
    return user


def as_user(client, user):
    client.force_login(user)
    return client


def form_data(decision_type, **fields) -> dict:
    return {
        "title": "Fund extra assessors",
        "decision_type": decision_type.pk,
        "decided_on": TODAY.isoformat(),
        "status": "decided",
        **fields,
    }


# --- Logging ------------------------------------------------------------------------------


def test_member_logs_a_decision_outside_rights_and_sees_it_flagged(client, service, member):
    right = DecisionRightFactory(service=service, person=PersonFactory(name="Priya Shah"))
    as_user(client, member)
    tom = member.person
    response = client.post(
        reverse("decisions:new", args=[service.slug]),
        form_data(right.decision_type, decided_by=tom.pk),
    )
    decision = Decision.objects.get()
    assert response["Location"] == decision.get_absolute_url()
    assert decision.logged_by == member
    page = client.get(decision.get_absolute_url()).content.decode()
    assert "Outside agreed rights" in page
    assert "was held by Priya Shah." in page
    log = client.get(reverse("decisions:log", args=[service.slug])).content.decode()
    assert "Outside agreed rights" in log
    service_page = client.get(service.get_absolute_url()).content.decode()
    assert "1</span> outside agreed rights" in service_page


def test_quick_form_on_the_service_page_logs_with_htmx(client, service, member):
    decision_type = DecisionTypeFactory()
    as_user(client, member)
    page = client.get(service.get_absolute_url()).content.decode()
    assert 'hx-post="/services/grants/decisions/new/"' in page
    response = client.post(
        reverse("decisions:new", args=[service.slug]),
        {"form": "quick", **form_data(decision_type, decided_by=member.person.pk)},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Logged <a" in body
    assert Decision.objects.get().title == "Fund extra assessors"


def test_quick_form_errors_come_back_in_place(client, service, member):
    as_user(client, member)
    response = client.post(
        reverse("decisions:new", args=[service.slug]),
        {"form": "quick", "title": "", "decided_on": "tomorrow-ish"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Title: This field is required." in body
    assert "Enter a valid date." in body
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"review_by": (TODAY - timedelta(days=1)).isoformat()},
            "Review by",
            "The review date cannot be before the decision date.",
        ),
        ({"amount": "-5"}, "Amount", "An amount cannot be negative."),
        ({"amount": "lots"}, "Amount", "Enter a number."),
    ],
)
def test_bad_input_is_refused_on_its_field(client, service, leader, fields, field, message):
    as_user(client, leader)
    response = client.post(
        reverse("decisions:new", args=[service.slug]), form_data(DecisionTypeFactory(), **fields)
    )
    assert f"{field}: {message}" in response.content.decode()
    assert not Decision.objects.exists()


@pytest.mark.parametrize("elsewhere", ["open", "restricted", "missing"])
def test_superseding_a_decision_of_another_service_gets_one_answer_whichever(
    client, service, leader, elsewhere
):
    other = DecisionFactory(service=ServiceFactory(restricted=elsewhere == "restricted"))
    pk = other.pk + 1000 if elsewhere == "missing" else other.pk
    as_user(client, leader)
    response = client.post(
        reverse("decisions:new", args=[service.slug]),
        form_data(DecisionTypeFactory(), supersedes=pk),
    )
    page = response.content.decode()
    assert "A decision can only supersede another decision of the same service." in page
    assert other.title not in page


def test_a_decision_cannot_supersede_itself(client, service, leader):
    decision = DecisionFactory(service=service, logged_by=leader)
    as_user(client, leader)
    response = client.post(
        reverse("decisions:edit", args=[decision.pk]),
        form_data(decision.decision_type, supersedes=decision.pk, version=decision.version),
    )
    assert (
        "A decision can only supersede another decision of the same service."
        in response.content.decode()
    )


def test_superseding_marks_the_old_decision_and_shows_the_chain(client, service, leader):
    first = DecisionFactory(service=service, title="First", decided_on=date(2026, 1, 1))
    as_user(client, leader)
    client.post(
        reverse("decisions:new", args=[service.slug]),
        form_data(first.decision_type, title="Second", supersedes=first.pk),
    )
    first.refresh_from_db()
    second = Decision.objects.get(title="Second")
    assert first.status == Decision.Status.SUPERSEDED
    chain = client.get(second.get_absolute_url()).context["chain"]
    assert [d.title for d in chain] == ["First", "Second"]


def test_superseding_needs_the_right_to_change_the_decision_superseded(
    client, service, leader, member
):
    theirs = DecisionFactory(service=service, title="The leader's", logged_by=leader)
    as_user(client, member)
    url = reverse("decisions:new", args=[service.slug])
    response = client.post(url, form_data(theirs.decision_type, title="Mine", supersedes=theirs.pk))
    assert "You may not change “The leader&#x27;s”, so you cannot supersede it" in (
        response.content.decode()
    )
    theirs.refresh_from_db()
    assert theirs.status == Decision.Status.DECIDED
    assert not Decision.objects.filter(title="Mine").exists()
    own = DecisionFactory(service=service, title="My first", logged_by=member)
    response = client.post(url, form_data(own.decision_type, title="Mine", supersedes=own.pk))
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == Decision.Status.SUPERSEDED


def test_a_superseding_decision_is_revoked_not_deleted_and_revoking_restores_the_first(
    client, service, leader
):
    first = DecisionFactory(service=service, title="First", logged_by=leader)
    as_user(client, leader)
    client.post(
        reverse("decisions:new", args=[service.slug]),
        form_data(first.decision_type, title="Second", supersedes=first.pk),
    )
    second = Decision.objects.get(title="Second")
    response = client.post(reverse("decisions:delete", args=[second.pk]))
    assert "Revoke it instead: “First” is then decided again." in response.content.decode()
    assert Decision.objects.filter(pk=second.pk).exists()
    response = client.post(
        reverse("decisions:edit", args=[second.pk]),
        form_data(
            first.decision_type,
            title="Second",
            supersedes=first.pk,
            status="revoked",
            version=second.version,
        ),
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Decision.Status.DECIDED
    assert client.post(reverse("decisions:delete", args=[second.pk])).status_code == 302


# --- Editing and conflicts ----------------------------------------------------------------


def test_second_of_two_concurrent_edits_is_refused(client, service, leader):
    decision = DecisionFactory(service=service, logged_by=leader, title="Original")
    version = decision.version
    other = UserFactory(username="grace", first_name="Grace", last_name="Adeyemi")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=other))
    service_access_sync()
    url = reverse("decisions:edit", args=[decision.pk])

    as_user(client, other)
    data = form_data(decision.decision_type, title="Grace's title", version=version)
    assert client.post(url, data).status_code == 302
    as_user(client, leader)
    response = client.post(url, form_data(decision.decision_type, title="Mine", version=version))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Changed by Grace Adeyemi at" in body
    assert "reload to see it" in body
    decision.refresh_from_db()
    assert decision.title == "Grace's title"


def test_member_edits_only_what_they_logged(client, service, member, leader):
    mine = DecisionFactory(service=service, logged_by=member)
    theirs = DecisionFactory(service=service, logged_by=leader)
    as_user(client, member)
    assert client.get(reverse("decisions:edit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("decisions:edit", args=[theirs.pk])).status_code == 403
    assert client.post(reverse("decisions:delete", args=[theirs.pk])).status_code == 403
    assert Decision.objects.filter(pk=theirs.pk).exists()


def test_leader_may_delete_any_decision_and_history_keeps_who(client, service, member, leader):
    decision = DecisionFactory(service=service, logged_by=member)
    as_user(client, leader)
    response = client.post(reverse("decisions:delete", args=[decision.pk]))
    assert response["Location"] == reverse("decisions:log", args=[service.slug])
    record = Decision.history.filter(id=decision.pk).latest()
    assert (record.history_type, record.history_user) == ("-", leader)


def test_history_page_shows_field_changes(client, service, leader):
    decision = DecisionFactory(service=service, logged_by=leader, title="Before")
    as_user(client, leader)
    client.post(
        reverse("decisions:edit", args=[decision.pk]),
        form_data(decision.decision_type, title="After", version=decision.version),
    )
    body = client.get(reverse("decisions:history", args=[decision.pk])).content.decode()
    assert "<strong>Title</strong>: Before" in body
    assert "After" in body
    assert "Priya Shah" in body


def test_history_page_names_what_a_change_points_to(client, service, leader):
    """Changed links read as names, as on the service's history; a superseded decision of a
    service the reader may not see is not named."""
    decision = DecisionFactory(
        service=service,
        decision_type=DecisionTypeFactory(name="Spend"),
        decided_by=PersonFactory(name="Sam Lee"),
    )
    decision.decision_type = DecisionTypeFactory(name="Policy")
    decision.decided_by = PersonFactory(name="Ana Cruz")
    decision.save()
    hidden = DecisionFactory(service=ServiceFactory(restricted=True), title="Secret plan")
    decision.supersedes = hidden
    decision.save()
    body = as_user(client, leader).get(reverse("decisions:history", args=[decision.pk]))
    text = body.content.decode()
    assert "<strong>Decision type</strong>: Spend" in text and "Policy" in text
    assert "Sam Lee" in text and "Ana Cruz" in text
    assert "Secret plan" not in text and "(not shown: restricted or removed)" in text


# --- Log views ----------------------------------------------------------------------------


@pytest.fixture
def log_data(service):
    spend = DecisionTypeFactory(name="Spend")
    policy = DecisionTypeFactory(name="Policy")
    DecisionFactory(
        service=service,
        title="Old spend",
        decision_type=spend,
        decided_on=date(2025, 1, 10),
        within_rights=True,
    )
    DecisionFactory(
        service=service,
        title="New policy",
        decision_type=policy,
        decided_on=date(2026, 6, 1),
        within_rights=False,
        rights_reason="Decided by Tom, but…",
    )
    DecisionFactory(
        service=service,
        title="Proposal",
        decision_type=policy,
        decided_on=date(2026, 7, 1),
        status="proposed",
        within_rights=None,
    )
    DecisionFactory(
        service=service,
        title="Review soon",
        decision_type=spend,
        decided_on=date(2026, 2, 1),
        review_by=TODAY + timedelta(days=10),
        within_rights=True,
    )
    DecisionFactory(service=ServiceFactory(), title="Another service's")
    return {"spend": spend, "policy": policy}


def titles(response) -> list[str]:
    return [d.title for d in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["Proposal", "New policy", "Review soon", "Old spend"]),
        ({"status": "proposed"}, ["Proposal"]),
        ({"rights": "outside"}, ["New policy"]),
        ({"rights": "within"}, ["Review soon", "Old spend"]),
        ({"rights": "unchecked"}, ["Proposal"]),
        ({"decided_from": "2026-01-01", "decided_to": "2026-06-30"}, ["New policy", "Review soon"]),
        ({"review_due": "on"}, ["Review soon"]),
    ],
)
def test_log_filters(client, service, leader, log_data, query, expected):
    as_user(client, leader)
    assert titles(client.get(reverse("decisions:log", args=[service.slug]), query)) == expected


def test_log_filter_by_type(client, service, leader, log_data):
    as_user(client, leader)
    response = client.get(
        reverse("decisions:log", args=[service.slug]), {"decision_type": log_data["spend"].pk}
    )
    assert titles(response) == ["Review soon", "Old spend"]


def test_date_range_backwards_is_reported(client, service, leader, log_data):
    as_user(client, leader)
    response = client.get(
        reverse("decisions:log", args=[service.slug]),
        {"decided_from": "2026-06-30", "decided_to": "2026-01-01"},
    )
    assert "The end date cannot be before the start date." in response.content.decode()


def test_csv_export_has_the_filtered_log(client, service, leader, log_data):
    as_user(client, leader)
    response = client.get(
        reverse("decisions:log_csv", args=[service.slug]), {"decision_type": log_data["spend"].pk}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["title"], r["type"], r["decided_on"], r["rights_check"]) for r in rows] == [
        ("Review soon", "Spend", "2026-02-01", "within"),
        ("Old spend", "Spend", "2025-01-10", "within"),
    ]


def test_csv_export_defuses_spreadsheet_formulas_in_every_text_cell(client, service, leader):
    spender = UserFactory(username="+1-call-me")  # usernames may start with + - @
    DecisionFactory(
        service=service,
        title='=HYPERLINK("http://evil")',
        decision_type=DecisionTypeFactory(name="@SUM(A1)"),
        decided_by=None,
        decided_by_body="-2+3",
        logged_by=spender,
        amount=Decimal("1250.50"),
    )
    as_user(client, leader)
    response = client.get(reverse("decisions:log_csv", args=[service.slug]))
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["title"].startswith("'=")
    assert row["type"] == "'@SUM(A1)"
    assert row["decided_by"] == "'-2+3"
    assert row["logged_by"] == "'+1-call-me"
    assert row["amount"] == "1250.50"  # a number stays a number


def test_reviews_due_lists_my_services_only(client, service, leader, log_data):
    other = ServiceFactory()
    DecisionFactory(service=other, title="Not mine", review_by=TODAY)
    as_user(client, leader)
    response = client.get(reverse("decisions:reviews"))
    assert [d.title for d in response.context["decisions"]] == ["Review soon"]


@pytest.mark.parametrize("count", [5, 120])
def test_log_runs_a_fixed_number_of_queries(
    client, service, leader, django_assert_num_queries, count
):
    decision_type = DecisionTypeFactory()
    for n in range(count):
        DecisionFactory(service=service, decision_type=decision_type, title=f"Decision {n}")
    as_user(client, leader)
    url = reverse("decisions:log", args=[service.slug])
    client.get(url)
    # session, user, org-admin check, access, decision types, count, page, permissions x2
    with django_assert_num_queries(9):
        client.get(url)


def test_a_review_whose_date_has_passed_is_marked_overdue_everywhere(client, service, leader):
    DecisionFactory(service=service, title="Past", review_by=TODAY - timedelta(days=1))
    DecisionFactory(service=service, title="Today", review_by=TODAY)
    DecisionFactory(service=service, title="Soon", review_by=TODAY + timedelta(days=30))
    DecisionFactory(service=service, title="Later", review_by=TODAY + timedelta(days=31))
    DecisionFactory(
        service=service, title="Withdrawn", review_by=TODAY - timedelta(days=9), status="superseded"
    )
    as_user(client, leader)

    reviews = client.get(reverse("decisions:reviews"))
    overdue = {d.title: d.review_overdue for d in reviews.context["decisions"]}
    assert overdue == {"Past": True, "Today": False, "Soon": False}
    assert reviews.content.decode().count("Overdue</strong>") == 1

    page = client.get(service.get_absolute_url()).content.decode()
    # One overdue, two more due within the window: never "3 due" with the overdue unmarked.
    assert '<span class="sl-figure sl-figure--bad">1</span> review overdue' in page
    assert '<span class="sl-figure">2</span> more due within 30 days' in page
