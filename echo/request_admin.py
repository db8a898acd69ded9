"""Admin for registration requests and the email log."""

from django.contrib import admin

from .models import OutgoingEmail, RegistrationRequest


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(admin.ModelAdmin):
    list_display = ["full_name", "organization", "series", "state", "submitted_at"]
    list_filter = ["state", "series"]
    list_select_related = ["series"]
    search_fields = ["full_name", "email", "organization"]
    readonly_fields = ["state", "submitted_at", "reviewed_by", "reviewed_at", "decision_reason"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
