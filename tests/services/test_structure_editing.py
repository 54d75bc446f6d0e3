"""Org admins change the organisation's structure in the app: organisations, directorates,
teams and members, through the record actions, and a team's move shows its impact on the
journeys before it is saved."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from services import versions
from services.journey import Boundary
from services.models import Directorate, Organisation, Team, TeamMembership
from services.queries import ORG_ADMINS_GROUP
from services.structure import team_move_impact
from tests.factories import (
    DirectorateFactory,
    OrganisationFactory,
    PersonFactory,
    ServiceFactory,
    StageFactory,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    user = UserFactory(username="morgan")
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    client.force_login(user)
    return client


@pytest.fixture
def world():
    """The department (Operations, Digital) and a supplier (Hosting). Journeys, by owning
    team: Grants: casework → triage → hosting; Repairs: hosting → casework; Licences:
    triage → casework → triage; Parking: triage → web (no casework stage)."""
    department = OrganisationFactory(name="Department")
    supplier = OrganisationFactory(name="Supplier", kind="supplier")
    operations = DirectorateFactory(organisation=department, name="Operations")
    digital = DirectorateFactory(organisation=department, name="Digital")
    hosting_dir = DirectorateFactory(organisation=supplier, name="Hosting")
    casework = TeamFactory(directorate=operations, name="Casework")
    triage = TeamFactory(directorate=operations, name="Triage")
    web = TeamFactory(directorate=digital, name="Web")
    hosting = TeamFactory(directorate=hosting_dir, name="Platform")
    journeys = {
        "Grants": [casework, triage, hosting],
        "Repairs": [hosting, casework],
        "Licences": [triage, casework, triage],
        "Parking": [triage, web],
    }
    services = {}
    for name, teams in journeys.items():
        services[name] = service = ServiceFactory(name=name, organisation=department)
        for position, team in enumerate(teams, start=1):
            StageFactory(service=service, position=position, name=f"{name} {position}", team=team)
    return {"casework": casework, "hosting_dir": hosting_dir, "digital": digital, **services}


def test_a_moves_impact_is_each_hand_off_whose_boundary_changes(world):
    # Casework moves to the supplier's Hosting directorate:
    # Grants 1→2 (casework → triage): between teams of Operations → across organisations;
    # Grants 2→3 (triage → platform): casework is not in it, unchanged;
    # Repairs 1→2 (platform → casework): across organisations → between teams of one
    #   directorate (both in the supplier's Hosting now);
    # Licences 1→2 and 2→3: between teams of Operations → across organisations;
    # Parking: no casework stage.
    impact = team_move_impact(world["casework"], world["hosting_dir"])
    moved = sorted((m.service.name, m.from_stage.name, m.before, m.after) for m in impact.moved)
    assert moved == [
        ("Grants", "Grants 1", Boundary.WITHIN_DIRECTORATE, Boundary.CROSS_ORGANISATION),
        ("Licences", "Licences 1", Boundary.WITHIN_DIRECTORATE, Boundary.CROSS_ORGANISATION),
        ("Licences", "Licences 2", Boundary.WITHIN_DIRECTORATE, Boundary.CROSS_ORGANISATION),
        ("Repairs", "Repairs 1", Boundary.CROSS_ORGANISATION, Boundary.WITHIN_DIRECTORATE),
    ]
    assert impact.lines == [
        "Moves 3 hand-offs in 2 services across an organisation boundary "
        "(until now between teams of one directorate).",
        "Moves 1 hand-off in 1 service between teams of one directorate "
        "(until now across an organisation boundary).",
    ]


def test_a_move_within_the_organisation_and_a_stay_put(world):
    impact = team_move_impact(world["casework"], world["digital"])
    assert {(m.service.name, m.after) for m in impact.moved} == {
        ("Grants", Boundary.CROSS_DIRECTORATE),
        ("Licences", Boundary.CROSS_DIRECTORATE),
    }  # Repairs stays across organisations
    assert team_move_impact(world["casework"], world["casework"].directorate).moved == []


def test_moving_a_team_shows_the_impact_first_and_saves_only_once_confirmed(admin, world):
    casework, hosting_dir = world["casework"], world["hosting_dir"]
    url = reverse("services:team_edit", args=[casework.pk])
    before = versions.versions([world["Grants"].pk])[world["Grants"].pk]
    data = {"name": "Casework", "team_type": casework.team_type, "directorate": hosting_dir.pk}
    page = admin.post(url, data).content.decode()
    assert "Before you save" in page
    assert "Moves 3 hand-offs in 2 services across an organisation boundary" in page
    assert "Confirm and save the team" in page
    casework.refresh_from_db()
    assert casework.directorate_id != hosting_dir.pk  # nothing saved yet
    # The confirmation carries the directorate whose impact was shown.
    assert f'name="previewed" value="{hosting_dir.pk}"' in page
    response = admin.post(url, {**data, "previewed": hosting_dir.pk})
    assert response.status_code == 302
    casework.refresh_from_db()
    assert casework.directorate_id == hosting_dir.pk
    assert casework.history.latest().history_user.username == "morgan"
    assert versions.versions([world["Grants"].pk])[world["Grants"].pk] > before


def test_a_confirmation_for_another_directorate_shows_the_new_impact(admin, world):
    casework = world["casework"]
    url = reverse("services:team_edit", args=[casework.pk])
    data = {"name": "Casework", "team_type": casework.team_type}
    # Previewed the move to Digital, then chose Hosting: Hosting's impact is shown instead.
    page = admin.post(
        url, {**data, "directorate": world["hosting_dir"].pk, "previewed": world["digital"].pk}
    ).content.decode()
    assert "across an organisation boundary" in page
    casework.refresh_from_db()
    assert casework.directorate.name == "Operations"


def test_a_confirmation_that_is_not_a_directorate_is_no_confirmation(admin, world):
    casework = world["casework"]
    data = {"name": "Casework", "team_type": casework.team_type}
    page = admin.post(
        reverse("services:team_edit", args=[casework.pk]),
        {**data, "directorate": world["hosting_dir"].pk, "previewed": "abc"},
    ).content.decode()
    assert "Before you save" in page and "There is a problem" not in page
    casework.refresh_from_db()
    assert casework.directorate.name == "Operations"


def test_a_change_with_no_impact_saves_at_once(admin, world):
    casework = world["casework"]
    data = {
        "name": "Casework team",
        "team_type": "operations",
        "directorate": casework.directorate_id,
    }
    assert admin.post(reverse("services:team_edit", args=[casework.pk]), data).status_code == 302
    casework.refresh_from_db()
    assert (casework.name, casework.team_type) == ("Casework team", "operations")


def test_an_org_admin_adds_an_organisation_a_directorate_and_a_team(admin):
    response = admin.post(
        reverse("services:organisation_new"),
        {"name": "Housing & Communities", "kind": "department", "currency": "GBP"},
    )
    housing = Organisation.objects.get(name="Housing & Communities")
    assert response["Location"] == housing.get_absolute_url()
    assert housing.slug == "housing-communities"
    assert housing.history.latest().history_type == "+"
    admin.post(
        reverse("services:directorate_new", args=[housing.slug]),
        {"name": "Operations", "code": "OPS"},
    )
    operations = Directorate.objects.get(organisation=housing, name="Operations")
    admin.post(
        reverse("services:team_new", args=[operations.pk]),
        {"name": "Casework", "team_type": "operations", "directorate": operations.pk},
    )
    assert Team.objects.get(name="Casework").directorate == operations


def test_an_organisation_prices_its_staff_time_and_contacts(admin):
    department = OrganisationFactory(name="Department")
    url = reverse("services:organisation_edit", args=[department.slug])
    data = {"name": "Department", "kind": "department", "currency": "GBP"}
    page = admin.post(url, {**data, "hourly_rate": "-1"}).content.decode()
    assert "Ensure this value is greater than or equal to 0." in page
    admin.post(url, {**data, "hourly_rate": "52.50", "cost_per_contact": "7.25"})
    department.refresh_from_db()
    assert (department.hourly_rate, department.cost_per_contact) == (
        Decimal("52.50"),
        Decimal("7.25"),
    )


def test_an_organisation_whose_name_makes_a_taken_address_gets_another(admin):
    OrganisationFactory(name="Housing", slug="housing")
    admin.post(
        reverse("services:organisation_new"),
        {"name": "Housing!", "kind": "agency", "currency": "GBP"},
    )
    assert Organisation.objects.get(name="Housing!").slug == "housing-2"


def test_bad_input_is_refused_with_a_message_and_nothing_saved(admin, world):
    operations = world["casework"].directorate
    department = operations.organisation
    cases = [
        (
            reverse("services:organisation_new"),
            {"name": "Department", "kind": "department", "currency": "GBP"},
            "Organisation with this Name already exists.",
        ),
        (
            reverse("services:organisation_new"),
            {"name": "X", "kind": "department", "currency": "pounds"},
            "Currency",
        ),
        (
            reverse("services:directorate_new", args=[department.slug]),
            {"name": "Digital"},
            "Department already has a directorate called Digital.",
        ),
        (
            reverse("services:team_new", args=[operations.pk]),
            {"name": "Triage", "team_type": "operations", "directorate": operations.pk},
            "already exists",
        ),
        (
            reverse("services:team_new", args=[operations.pk]),
            {"name": "New", "team_type": "operations", "directorate": 999999},
            "Select a valid choice",
        ),
        (
            reverse("services:team_new", args=[operations.pk]),
            {"name": "Two\nlines", "team_type": "operations", "directorate": operations.pk},
            "Name",
        ),
    ]
    counts = (Organisation.objects.count(), Directorate.objects.count(), Team.objects.count())
    for url, data, message in cases:
        response = admin.post(url, data)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "There is a problem" in page and message in page, (data, page[:0])
    assert counts == (
        Organisation.objects.count(),
        Directorate.objects.count(),
        Team.objects.count(),
    )


def test_a_directorate_cannot_sit_within_its_own_sub_directorate(admin, world):
    operations = world["casework"].directorate
    child = DirectorateFactory(
        organisation=operations.organisation, name="Intake", parent=operations
    )
    response = admin.post(
        reverse("services:directorate_edit", args=[operations.pk]),
        {"name": "Operations", "parent": child.pk},
    )
    assert "A directorate cannot sit within itself." in response.content.decode()
    operations.refresh_from_db()
    assert operations.parent is None


def test_members_are_added_once_and_removed(admin, world):
    casework = world["casework"]
    person = PersonFactory(name="Hannah Lewis")
    url = reverse("services:team_members", args=[casework.pk])
    admin.post(url, {"person": person.pk, "role_title": "Lead"})
    membership = TeamMembership.objects.get(team=casework, person=person)
    assert membership.role_title == "Lead"
    page = admin.post(url, {"person": person.pk}).content.decode()
    assert "Hannah Lewis is already a member of this team." in page
    remove = reverse("services:team_member_remove", args=[casework.pk, membership.pk])
    assert admin.get(remove).status_code == 405
    admin.post(remove)
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()
    # A membership of another team is not found through this one.
    other = TeamMembershipFactory()
    assert (
        admin.post(reverse("services:team_member_remove", args=[casework.pk, other.pk])).status_code
        == 404
    )


def test_only_org_admins_change_the_structure(colleague_client, world):
    casework = world["casework"]
    department = casework.directorate.organisation
    urls = [
        reverse("services:organisation_new"),
        reverse("services:organisation_edit", args=[department.slug]),
        reverse("services:directorate_new", args=[department.slug]),
        reverse("services:directorate_edit", args=[casework.directorate_id]),
        reverse("services:team_new", args=[casework.directorate_id]),
        reverse("services:team_edit", args=[casework.pk]),
        reverse("services:team_members", args=[casework.pk]),
    ]
    user = UserFactory(username="morgan")
    user.groups.add(Group.objects.create(name=ORG_ADMINS_GROUP))
    admin = Client()
    admin.force_login(user)
    for url in urls:
        assert admin.get(url).status_code == 200, url
        assert colleague_client.get(url).status_code == 403, url
        assert colleague_client.post(url, {"name": "Taken over"}).status_code == 403, url
    page = colleague_client.get(reverse("services:team", args=[casework.pk])).content.decode()
    assert "Change or move the team" not in page
