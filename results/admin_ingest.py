"""The PA feed in the admin: the ingest log (read-only, with the night at a glance) and the
PA seat lookup (editable). Imported by results.admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from liveblog.admin_base import NewsroomAdmin
from results.models import Election, IngestLog, PASeat
from results.selectors import get_night_state


@admin.register(PASeat)
class PASeatAdmin(NewsroomAdmin):
    list_display = ("number", "name", "constituency", "ons_id")
    list_select_related = ("constituency",)
    search_fields = ("=number", "name", "constituency__name", "constituency__ons_id")
    autocomplete_fields = ("constituency",)

    @admin.display(description="ONS code", ordering="constituency__ons_id")
    def ons_id(self, obj: PASeat) -> str:
        return obj.constituency.ons_id


@admin.register(IngestLog)
class IngestLogAdmin(NewsroomAdmin):
    """Every file the watcher read; written only by results.ingest, so nothing is editable."""

    list_display = ("at", "file", "revision", "kind", "constituency", "state", "reason", "process")
    list_filter = ("election", "state", "kind")
    search_fields = ("file", "constituency__name", "constituency__ons_id")
    list_select_related = ("election", "constituency")
    fields = (
        "election",
        "file",
        "folder",
        "kind",
        "revision",
        "pa_number",
        "constituency",
        "state",
        "reason",
        "code",
        "line",
        "quarantined_as",
        "digest",
        "at",
        "process",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The night of the election filtered on, else of the latest election.
        chosen = request.GET.get("election__id__exact", "")
        election = None
        if chosen.isdigit() and len(chosen) < 19:
            election = Election.objects.filter(pk=int(chosen)).first()
        election = election or Election.objects.first()
        context = {"night": get_night_state(election) if election is not None else None}
        return super().changelist_view(request, extra_context={**context, **(extra_context or {})})
