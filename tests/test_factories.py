"""Every model of the three apps has a factory, and each makes a valid record."""

import pytest
from django.apps import apps

from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = {
    f._meta.model: f
    for f in vars(factories).values()
    if isinstance(f, type) and issubclass(f, factories.DjangoModelFactory) and f._meta.model
}
MODELS = [
    model
    for label in ["services", "decisions", "performance"]
    for model in apps.get_app_config(label).get_models()
    if not model.__name__.startswith("Historical") and not model.__name__.endswith("Permission")
]


def test_every_model_has_a_factory():
    assert [m.__name__ for m in MODELS if m not in FACTORIES] == []


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_each_factory_makes_a_valid_record(model):
    record = FACTORIES[model]()
    record.full_clean()
    assert model.objects.filter(pk=record.pk).exists()
