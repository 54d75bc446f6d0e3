import pytest
from django import forms
from django.test.html import parse_html

from servicelead.forms import GovukFormMixin, QuickSelect

CHOICES = [
    ("", "All"),
    ("Department <A>", [(1, "Benefits & grants"), (2, 'Quote "marks"')]),
    ("Department B", [(3, "Operations")]),
]


def _form(widget):
    class Form(GovukFormMixin, forms.Form):
        pick = forms.TypedChoiceField(
            choices=CHOICES, coerce=int, required=True, empty_value=None, widget=widget
        )

    return Form


@pytest.mark.parametrize("data", [None, {"pick": "2"}, {"pick": "nonsense"}])
def test_a_quick_select_writes_what_djangos_select_writes(data):
    quick = _form(QuickSelect)(data)
    django = _form(forms.Select)(data)
    if data:
        quick.is_valid(), django.is_valid()
    assert parse_html(str(quick["pick"])) == parse_html(str(django["pick"]))
    assert 'label="Department &lt;A&gt;"' in str(quick["pick"])
