from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import Jurisdiction


@admin.register(Jurisdiction)
class JurisdictionAdmin(TranslationAdmin):
    list_display = ["name", "kind", "status", "lead_agency", "grant_cycle", "updated_at"]
    list_filter = ["kind", "status"]
    list_editable = ["status"]
    search_fields = ["name", "lead_agency", "contact_name"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug", "fips"]}),
        (_("Program"), {"fields": ["status", "lead_agency", "grant_cycle", "notes"]}),
        (_("Public contact"), {"fields": ["contact_name", "contact_email", "contact_phone"]}),
    ]
