"""The admin page of the program's settings: one row, edited in place.

Registered from PortalConfig.ready(): deflection_portal.admin is imported while Django sets up
the admin site itself, too early to register on it.
"""

from django.contrib import admin
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.models import FlatPage
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from .models import SINGLETON_PK, ProgramSettings


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(TranslationAdmin):
    fieldsets = [
        (_("Name"), {"fields": ["program_name", "official_line"]}),
        (
            _("Contact"),
            {
                "fields": [
                    "agency_name",
                    "contact_email",
                    "contact_phone",
                    "contact_address",
                    "contact_hours",
                ],
                "description": _(
                    "Shown in the footer, on the contact page and in the privacy notice. The "
                    "email address is the Reply-To of every email the portal sends."
                ),
            },
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        settings_row, _created = ProgramSettings.objects.get_or_create(pk=SINGLETON_PK)
        return redirect(
            reverse("admin:deflection_portal_programsettings_change", args=[settings_row.pk])
        )


# The site's own pages ("What is deflection?", the home page's introduction): Django's admin
# for them, with each page's title and content in both languages.
admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class TranslatedFlatPageAdmin(TranslationAdmin, FlatPageAdmin):
    pass
