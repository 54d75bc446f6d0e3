from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from decisions.models import Decision, DecisionBand, DecisionRight, DecisionType
from decisions.rights import rights_check


class BandInline(admin.TabularInline):
    model = DecisionBand
    extra = 0


@admin.register(DecisionType)
class DecisionTypeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "category"]
    list_filter = ["category"]
    search_fields = ["name", "description"]
    inlines = [BandInline]


@admin.register(DecisionRight)
class DecisionRightAdmin(SimpleHistoryAdmin):
    list_display = ["service", "decision_type", "band", "role", "holder_kind", "holder_label"]
    list_filter = ["role", "holder_kind", "decision_type"]
    list_select_related = ["service", "decision_type", "band", "person", "team"]
    search_fields = ["service__name", "person__name", "team__name", "external_body"]
    autocomplete_fields = ["service", "person", "team"]

    def save_model(self, request, obj, form, change) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Decision)
class DecisionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "service", "decision_type", "decided_on", "status", "within_rights"]
    list_filter = ["status", "within_rights", "decision_type"]
    list_select_related = ["service", "decision_type"]
    search_fields = ["title", "service__name", "decided_by__name"]
    autocomplete_fields = ["service", "decided_by", "supersedes"]
    readonly_fields = ["within_rights", "rights_reason", "logged_by", "updated_by"]
    date_hierarchy = "decided_on"

    def save_model(self, request, obj, form, change) -> None:
        """Keep the rights check true to the saved decision, as the log's screens do."""
        check = rights_check(obj)
        obj.within_rights, obj.rights_reason = check.within, check.reason
        obj.updated_by = request.user
        if not change:
            obj.logged_by = request.user
        else:
            obj.version += 1
        super().save_model(request, obj, form, change)
