from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import LinkCheck


@admin.register(LinkCheck)
class LinkCheckAdmin(admin.ModelAdmin):
    """Read-only: the checks are written by `manage.py check_links`; fix a link on its
    resource."""

    list_display = ["url", "resource", "ok", "status_code", "error", "final_url", "checked_at"]
    list_filter = ["ok", "checked_at"]
    list_select_related = ["resource"]
    search_fields = ["url", "resource__title"]
    search_help_text = _("Search by address or resource title.")
    readonly_fields = list_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
