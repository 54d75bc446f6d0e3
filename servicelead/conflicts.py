"""Saving over somebody else's change: the check every edit form makes before it saves.

An edit form carries, hidden, the version of what it edits as the editor opened it; the saving
action locks what it saves and refuses if it was saved since, naming who saved it and when, so
nobody's change is silently undone. A record with ``updated_at`` is versioned by it
(``UnchangedSinceMixin`` and ``lock_unchanged``); a set of records edited on one page (a
journey's stages, a service's leaders) by the newest of their audit records (``VersionForm``,
``history_version`` and ``refuse_if_changed``).
"""

from datetime import datetime

from django import forms
from django.db.models import Max, QuerySet
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


def lock_unchanged(instance, loaded_at: str | None) -> None:
    """Inside the saving transaction: lock ``instance``'s row and raise ``EditConflict`` if it
    was saved after ``loaded_at`` (its ``updated_at`` as the editor's form was loaded). None:
    a write that comes from no page (an import, the seed), not checked; a page that sends no
    version at all (an old page, or a tampered one) is refused as out of date."""
    if instance.pk is None or loaded_at is None:
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


class VersionForm(forms.Form):
    """The hidden version of the records a page edits, as the editor opened it."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)


def history_version(*histories: QuerySet) -> str:
    """A version of the records behind ``histories`` (querysets of their audit records): the
    newest audit record of each, so any save or removal since changes it."""
    return ".".join(
        str(history.aggregate(newest=Max("history_id"))["newest"] or 0) for history in histories
    )


def refuse_if_changed(loaded: str | None, *histories: QuerySet) -> None:
    """Inside the saving transaction, after locking what it saves: raise ``EditConflict`` if
    the records behind ``histories`` were saved since the page read version ``loaded`` (None:
    not checked, as ``lock_unchanged``; a page that sent none is refused)."""
    if loaded is None or history_version(*histories) == loaded:
        return
    newest = [
        record
        for history in histories
        if (record := history.select_related("history_user").order_by("-history_id").first())
    ]
    latest = max(newest, key=lambda record: record.history_date, default=None)
    if latest is None:
        raise EditConflict("", None)
    raise EditConflict(who(latest.history_user), latest.history_date)
