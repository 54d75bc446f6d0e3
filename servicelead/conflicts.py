"""Saving over somebody else's change: the check every edit form makes before it saves.

An edit form carries, hidden, when the record had last been saved as the editor opened it
(``UnchangedSinceMixin``); the saving action locks the row and refuses if it was saved since
(``lock_unchanged``), naming who saved it and when, so nobody's change is silently undone.
"""

from datetime import datetime

from django import forms
from django.utils import timezone


class EditConflict(Exception):
    """Someone else saved the same thing after this editor opened it."""

    def __init__(self, who: str, when: datetime | None) -> None:
        self.who, self.when = who, when
        # None: the page's version matches nothing saved (an old page, or one tampered with).
        by = f"by {who} at {timezone.localtime(when):%H:%M on %d %b %Y} " if when else ""
        super().__init__(
            f"Changed {by}since you opened this page; "
            "reload to see it, then make your change again."
        )


def who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "someone"


class UnchangedSinceMixin:
    """For a ModelForm of a model with ``updated_at``: a hidden ``loaded_at``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["loaded_at"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.instance.pk is not None:
            self.initial["loaded_at"] = self.instance.updated_at.isoformat()


def lock_unchanged(instance, loaded_at: str) -> None:
    """Inside the saving transaction: lock ``instance``'s row and raise ``EditConflict`` if it
    was saved after ``loaded_at`` (its ``updated_at`` as the editor's form was loaded)."""
    if instance.pk is None or not loaded_at:
        return
    model = type(instance)
    saved = (
        model.objects.select_for_update()
        .filter(pk=instance.pk)
        .values_list("updated_at", flat=True)
        .first()
    )
    if saved is None or saved.isoformat() == loaded_at:
        return
    latest = instance.history.select_related("history_user").order_by("-history_date").first()
    raise EditConflict(who(latest.history_user if latest else None), saved)
