"""The guard every test runs under (``tests.write_guard``) notices a write that bypasses the
actions, and lets through the actions and each bookkeeping record's own keeper."""

import types

import pytest

from services.models import FiguresVersion, Organisation
from tests.factories import ServiceFactory
from tests.write_guard import guarding


def _call(write) -> None:
    write()


def _written_from(module: str, write) -> list[str]:
    """What the guard reports when ``write`` is called from code of ``module``."""
    as_module = types.FunctionType(_call.__code__, {"__name__": module})
    with guarding([]) as found:
        as_module(write)
    return found


def _save():
    Organisation.objects.create(name="Ministry of Tests", slug="ministry-of-tests")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "module",
    ["services.views", "performance.imports.org", "decisions.demo", "performance.figures.rollups"],
)
def test_a_save_by_the_application_outside_an_action_is_reported(module):
    assert _written_from(module, _save) == [f"Organisation saved in {module}"]


@pytest.mark.django_db
def test_updates_bulk_writes_and_deletes_are_reported_too():
    def writes():
        _save()
        Organisation.objects.filter(slug="ministry-of-tests").update(name="Renamed")
        Organisation.objects.bulk_create([Organisation(name="Second", slug="second")])
        Organisation.objects.filter(slug="second").delete()

    assert _written_from("performance.views", writes) == [
        "Organisation saved in performance.views",
        "Organisation updated in performance.views",
        "Organisation bulk created in performance.views",
        "Organisation deleted in performance.views",
    ]


@pytest.mark.django_db
def test_writes_through_an_action_module_and_by_the_tests_pass():
    assert _written_from("services.actions", _save) == []
    Organisation.objects.create(name="Arranged by a test", slug="arranged")  # no report


@pytest.mark.django_db
def test_a_keeper_writes_only_its_own_records():
    service = ServiceFactory()

    def bump():
        FiguresVersion.objects.create(service=service)

    assert _written_from("services.versions", bump) == []
    FiguresVersion.objects.all().delete()
    assert _written_from("performance.outbox", bump) == [
        "FiguresVersion saved in performance.outbox"
    ]
