from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from decisions.actions import decision_type_version
from decisions.models import DecisionBand, DecisionRight, DecisionType, HolderKind, Role
from services.actions import service_access_sync
from services.queries import ORG_ADMINS_GROUP
from tests.factories import (
    DecisionBandFactory,
    DecisionRightFactory,
    DecisionTypeFactory,
    PersonFactory,
    ServiceFactory,
    ServiceLeaderFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def service():
    return ServiceFactory(name="Grants", slug="grants")


@pytest.fixture
def leader_client(client, service):
    user = UserFactory(username="leader", first_name="Priya", last_name="Shah")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=user))
    service_access_sync()
    client.force_login(user)
    return client


def cell_url(service, decision_type, band=None, role="decide", edit=True) -> str:
    name = "decisions:rights_cell" if edit else "decisions:rights_cell_view"
    return reverse(name, args=[service.slug, decision_type.pk, band.pk if band else 0, role])


def test_matrix_shows_holders_and_highlights_gaps(leader_client, service):
    vision = DecisionTypeFactory(name="Vision")
    DecisionTypeFactory(name="Risk")
    DecisionRightFactory(service=service, decision_type=vision, person__name="Priya Shah")
    DecisionRightFactory(
        service=service,
        decision_type=vision,
        role=Role.INPUT,
        holder_kind=HolderKind.EXTERNAL,
        person=None,
        external_body="Users' panel",
    )
    response = leader_client.get(reverse("decisions:rights", args=[service.slug]))
    body = response.content.decode()
    assert [r.decision_type.name for r in response.context["gaps"]] == ["Risk"]
    assert "Nobody decides 1 kind of decision:" in body
    assert "Priya Shah" in body
    assert "Users&#x27; panel" in body


def test_banded_types_have_a_row_per_band(leader_client, service):
    small = DecisionBandFactory(up_to=Decimal(25_000))
    DecisionBandFactory(decision_type=small.decision_type, up_to=None)
    rows = leader_client.get(reverse("decisions:rights", args=[service.slug])).context["rows"]
    assert [str(row.band) for row in rows] == ["up to 25,000", "any amount"]


def test_leader_sets_a_decider_in_place_with_htmx(leader_client, service):
    decision_type = DecisionTypeFactory(name="Risk")
    url = cell_url(service, decision_type)
    form = leader_client.get(url, headers={"HX-Request": "true"})
    assert form.content.decode().lstrip().startswith("<td")
    token = form.context["form"].initial["token"]
    person = PersonFactory(name="Grace Adeyemi")
    response = leader_client.post(
        url, {"token": token, "kind": "person", "person": person.pk}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith("<td")
    assert "Grace Adeyemi" in body
    # The banner of gaps comes with it, out of band: now empty, as nothing lacks a decider.
    assert '<div id="rights-gaps" hx-swap-oob="true">' in body
    assert "Nobody decides" not in body.split('id="rights-gaps"')[1]
    right = DecisionRight.objects.get()
    assert (right.role, right.person, right.updated_by.username) == ("decide", person, "leader")
    assert right.history.latest().history_user.username == "leader"


def test_a_new_decider_replaces_the_old(leader_client, service):
    right = DecisionRightFactory(service=service, person__name="Old")
    url = cell_url(service, right.decision_type)
    token = leader_client.get(url).context["form"].initial["token"]
    team = TeamFactory(name="Casework")
    response = leader_client.post(url, {"token": token, "kind": "team", "team": team.pk})
    assert response["Location"] == reverse("decisions:rights", args=[service.slug])
    [right] = DecisionRight.objects.all()
    assert (right.holder_kind, right.team) == ("team", team)


def test_a_holder_given_with_nobody_new_chosen_is_refused_not_dropped(leader_client, service):
    decision_type = DecisionTypeFactory(name="Risk")
    url = cell_url(service, decision_type)
    token = leader_client.get(url).context["form"].initial["token"]
    person = PersonFactory(name="Grace Adeyemi")
    response = leader_client.post(url, {"token": token, "kind": "", "person": person.pk})
    assert response.status_code == 200
    assert "You gave a person but chose “Nobody new”" in response.content.decode()
    assert not DecisionRight.objects.exists()


def test_only_the_chosen_kind_of_holder_is_kept(leader_client, service):
    decision_type = DecisionTypeFactory(name="Risk")
    url = cell_url(service, decision_type)
    token = leader_client.get(url).context["form"].initial["token"]
    person = PersonFactory(name="Grace Adeyemi")
    team = TeamFactory(name="Casework")
    leader_client.post(url, {"token": token, "kind": "team", "team": team.pk, "person": person.pk})
    [right] = DecisionRight.objects.all()
    assert (right.holder_kind, right.team, right.person) == ("team", team, None)


def test_holders_can_be_removed(leader_client, service):
    right = DecisionRightFactory(service=service, role=Role.INPUT)
    url = cell_url(service, right.decision_type, role="input")
    token = leader_client.get(url).context["form"].initial["token"]
    leader_client.post(url, {"token": token, "remove": [right.pk], "kind": ""})
    assert not DecisionRight.objects.exists()


def test_a_stale_cell_is_refused_with_who_changed_it(client, leader_client, service):
    decision_type = DecisionTypeFactory()
    url = cell_url(service, decision_type)
    stale = leader_client.get(url).context["form"].initial["token"]

    other = UserFactory(username="grace", first_name="Grace", last_name="Adeyemi")
    ServiceLeaderFactory(service=service, person=PersonFactory(user=other))
    service_access_sync()
    client.force_login(other)
    token = client.get(url).context["form"].initial["token"]
    client.post(url, {"token": token, "kind": "leadership"})

    leader_client.force_login(User.objects.get(username="leader"))  # the same test client
    response = leader_client.post(
        url, {"token": stale, "kind": "person", "person": PersonFactory().pk}
    )
    body = response.content.decode()
    assert "Changed by Grace Adeyemi at" in body
    assert DecisionRight.objects.get().holder_kind == "leadership"


def test_a_cell_version_that_matches_nothing_saved_is_refused_as_changed(leader_client, service):
    url = cell_url(service, DecisionTypeFactory())  # a cell nobody has ever set
    response = leader_client.post(url, {"token": "0001-01-01", "kind": "leadership"})
    assert response.status_code == 200
    assert "Changed since you opened this page; reload to see it" in response.content.decode()
    assert not DecisionRight.objects.exists()


def test_choosing_a_person_without_naming_one_is_refused(leader_client, service):
    decision_type = DecisionTypeFactory()
    url = cell_url(service, decision_type)
    token = leader_client.get(url).context["form"].initial["token"]
    response = leader_client.post(url, {"token": token, "kind": "person"})
    assert "Person: Choose who holds this role." in response.content.decode()
    assert not DecisionRight.objects.exists()


def test_cell_for_a_banded_type_needs_a_band(leader_client, service):
    band = DecisionBandFactory()
    assert leader_client.get(cell_url(service, band.decision_type)).status_code == 404
    assert leader_client.get(cell_url(service, band.decision_type, band)).status_code == 200
    assert leader_client.get(cell_url(service, band.decision_type, band, "rule")).status_code == 404


def test_coverage_lists_services_lacking_a_decider(colleague_client, service):
    vision, risk = DecisionTypeFactory(name="Vision"), DecisionTypeFactory(name="Risk")
    DecisionRightFactory(service=service, decision_type=vision)
    covered = ServiceFactory(name="Covered")
    DecisionRightFactory(service=covered, decision_type=vision)
    DecisionRightFactory(service=covered, decision_type=risk)
    ServiceFactory(name="Secret", restricted=True)
    gaps = colleague_client.get(reverse("decisions:coverage")).context["gaps"]
    assert [(g.service.name, [r.decision_type.name for r in g.missing]) for g in gaps] == [
        ("Grants", ["Risk"])
    ]


def test_coverage_counts_a_band_nobody_decides_as_a_gap(colleague_client, service):
    spend = DecisionTypeFactory(name="Spend")
    small = DecisionBandFactory(decision_type=spend, up_to=Decimal(1000))
    DecisionBandFactory(decision_type=spend, up_to=Decimal(100000))
    DecisionRightFactory(service=service, decision_type=spend, band=small)
    covered = ServiceFactory(name="Covered")
    for band in spend.bands.all():
        DecisionRightFactory(service=covered, decision_type=spend, band=band)
    gaps = colleague_client.get(reverse("decisions:coverage")).context["gaps"]
    assert [(g.service.name, [str(r.band.up_to) for r in g.missing]) for g in gaps] == [
        ("Grants", ["100000.00"])
    ]


@pytest.mark.parametrize("count", [3, 120])
def test_coverage_pages_the_services_in_sql(colleague_client, django_assert_num_queries, count):
    vision = DecisionTypeFactory(name="Vision")
    for n in range(count):
        covered = ServiceFactory(name=f"Covered {n:03}")
        DecisionRightFactory(service=covered, decision_type=vision)
        ServiceFactory(name=f"Lacking {n:03}")
    url = reverse("decisions:coverage")
    colleague_client.get(url)
    # session, user, org-admin check, organisations, directorates, permissions, count,
    # page, types and bands (twice), the page's rights
    with django_assert_num_queries(12):
        response = colleague_client.get(url, {"page": 2 if count > 50 else 1})
    names = [gap.service.name for gap in response.context["gaps"]]
    lacking = [f"Lacking {n:03}" for n in range(count)]
    assert response.context["page"].paginator.count == count
    assert names == (lacking[50:100] if count > 50 else lacking)


@pytest.mark.parametrize("types", [3, 30])
def test_matrix_runs_a_fixed_number_of_queries(
    leader_client, service, django_assert_num_queries, types
):
    for n in range(types):
        right = DecisionRightFactory(service=service, decision_type__name=f"Type {n}")
        DecisionBandFactory(decision_type=right.decision_type, up_to=Decimal(n + 1) * 1000)
        DecisionRightFactory(
            service=service,
            decision_type=right.decision_type,
            role=Role.INPUT,
            holder_kind=HolderKind.TEAM,
            person=None,
            team=TeamFactory(),
        )
    url = reverse("decisions:rights", args=[service.slug])
    leader_client.get(url)
    # session, user, org-admin check, access, types, bands, rights, leaders, permissions x2
    with django_assert_num_queries(10):
        leader_client.get(url)


# --- Decision types -------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="morgan")
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    client.force_login(user)
    return client


def test_org_admin_adds_a_type_with_bands(admin_client):
    response = admin_client.post(
        reverse("decisions:type_new"),
        {"name": "Spend", "category": "spend", "bands": "25,000\n£250000\nany"},
    )
    assert response["Location"] == reverse("decisions:types")
    spend = DecisionType.objects.get(name="Spend")
    assert [str(b) for b in spend.bands.all()] == ["up to 25,000", "up to 250,000", "any amount"]


def test_negative_or_garbled_band_is_refused(admin_client):
    response = admin_client.post(
        reverse("decisions:type_new"), {"name": "Spend", "category": "spend", "bands": "-5"}
    )
    assert "Bands: Line 1: a band&#x27;s limit cannot be negative." in response.content.decode()
    response = admin_client.post(
        reverse("decisions:type_new"), {"name": "Spend", "category": "spend", "bands": "lots"}
    )
    assert "Line 1: “lots” is not an amount." in response.content.decode()
    assert not DecisionType.objects.exists()


@pytest.mark.parametrize(
    ("bands", "says"),
    [
        ("1000\n1e20", "Line 2: “1e20” cannot be a band&#x27;s limit. Ensure that there are no"),
        ("1e-400", "Line 1: “1e-400” cannot be a band&#x27;s limit. Ensure that there are no"),
        ("0.005", "Line 1: “0.005” cannot be a band&#x27;s limit. Ensure that there are no"),
        ("NaN", "Line 1: “NaN” is not an amount."),
        ("Infinity", "Line 1: “Infinity” is not an amount."),
    ],
)
def test_a_band_the_column_cannot_hold_is_refused_by_line(admin_client, bands, says):
    response = admin_client.post(
        reverse("decisions:type_new"), {"name": "Spend", "category": "spend", "bands": bands}
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not DecisionType.objects.exists()


def test_a_band_in_use_cannot_be_removed(admin_client, service):
    band = DecisionBandFactory(up_to=Decimal(1000))
    DecisionRightFactory(service=service, decision_type=band.decision_type, band=band)
    response = admin_client.post(
        reverse("decisions:type_edit", args=[band.decision_type.pk]),
        {
            "name": band.decision_type.name,
            "category": "spend",
            "bands": "any",
            "version": decision_type_version(band.decision_type),
        },
    )
    assert "is still used by decision rights" in response.content.decode()
    assert DecisionBand.objects.filter(pk=band.pk).exists()
