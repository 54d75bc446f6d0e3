"""The audit history records changes, not saves."""

from simple_history.models import HistoricalRecords


class ChangeHistory(HistoricalRecords):
    """django-simple-history's records, but a save that changes no recorded field (its
    ``auto_now`` time apart) writes no entry: running the seed or an import again, or saving a
    form unchanged, leaves the history as it was. Creations and removals are always recorded."""

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and not kwargs.get("raw", False) and self._unchanged(instance, using):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance, using) -> bool:
        latest = (
            getattr(instance, self.manager_name)
            .using(using)
            .order_by("-history_date", "-history_id")
            .first()
        )
        if latest is None or latest.history_type == "-":
            return False
        return all(
            getattr(latest, field.attname) == getattr(instance, field.attname)
            for field in self.fields_included(instance)
            if not getattr(field, "auto_now", False)
        )


def attribute(user, *instances) -> None:
    """Attribute the next history entry of each instance to ``user`` (None: nobody, as for
    the seed)."""
    for instance in instances:
        instance._history_user = user
