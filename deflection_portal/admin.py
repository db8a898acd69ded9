"""The staff admin site: Django's admin behind a password and a second factor."""

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import SINGLETON_PK, ProgramSettings


class PortalLoginForm(OTPAdminAuthenticationForm):
    """Username, password and one code, in one step.

    When no device is chosen, the code's shape picks it: six digits are an authenticator
    app's code, anything else one of the backup codes, provided the user has exactly one
    device of that kind.
    """

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is not None:
            return device
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            return None
        kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        candidates = list(kind.objects.devices_for_user(user, confirmed=True))
        return candidates[0] if len(candidates) == 1 else None


class PortalAdminSite(OTPAdminSite):
    """Only staff who have also passed a one-time password (an authenticator app or a
    backup code) may use the admin; the login page asks for both."""

    site_header = _("Deflection Portal staff")
    site_title = _("Deflection Portal staff")
    index_title = _("Staff administration")
    login_form = PortalLoginForm

    def __init__(self, name: str = "admin"):
        super().__init__(name)


# --- The program's settings: one row, edited in place ---------------------------------------


@admin.register(ProgramSettings)
class ProgramSettingsAdmin(admin.ModelAdmin):
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
