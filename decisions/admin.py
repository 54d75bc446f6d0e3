from django.contrib import admin

from decisions.actions import decision_admin_save, decision_delete, deletable
from decisions.models import Decision, DecisionBand, DecisionRight, DecisionType
from services.actions import admin_save
from services.admin import ThroughActions


class BandInline(admin.TabularInline):
    model = DecisionBand
    extra = 0


@admin.register(DecisionType)
class DecisionTypeAdmin(ThroughActions):
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name", "description"]
    inlines = [BandInline]


@admin.register(DecisionRight)
class DecisionRightAdmin(ThroughActions):
    list_display = ["service", "decision_type", "band", "role", "holder_kind", "holder_label"]
    list_filter = ["role", "holder_kind", "decision_type"]
    list_select_related = ["service", "decision_type", "band", "person", "team", "stage"]
    search_fields = ["service__name", "person__name", "team__name", "external_body"]
    autocomplete_fields = ["service", "person", "team", "stage"]

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        admin_save(obj, user=request.user)


@admin.register(Decision)
class DecisionAdmin(ThroughActions):
    list_display = ["title", "service", "decision_type", "decided_on", "status", "within_rights"]
    list_filter = ["status", "within_rights", "decision_type"]
    list_select_related = ["service", "decision_type"]
    search_fields = ["title", "service__name", "decided_by__name"]
    autocomplete_fields = ["service", "decided_by", "supersedes"]
    readonly_fields = ["within_rights", "rights_reason", "logged_by", "updated_by"]
    date_hierarchy = "decided_on"

    def save_model(self, request, obj, form, change) -> None:
        """Through the log's own write: the rights check, the figures, supersession."""
        decision_admin_save(decision=obj, user=request.user, adding=not change)

    def has_delete_permission(self, request, obj=None) -> bool:
        """Not a decision in a chain of supersession: the log says to revoke it instead."""
        if obj is not None and not deletable(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, each checked as above
        return actions

    def delete_model(self, request, obj) -> None:
        decision_delete(decision=obj, user=request.user)
