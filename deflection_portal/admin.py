"""The staff admin site: Django's admin behind a password and a second factor, with the
site-wide pages staff need (the staff guide)."""

import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, user_login_failed
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

# One message for a wrong password and a wrong code alike, so that the login never tells
# whether the password alone was right.
INVALID_LOGIN = _(
    "Please enter the correct username, password and one-time code of a staff account. "
    "The username and password are case-sensitive."
)


class OneTimeCodeInput(forms.TextInput):
    """Never filled in again: a code is used once, and a new one is needed after a failure."""

    def format_value(self, value):
        return None


class PortalLoginForm(OTPAdminAuthenticationForm):
    """Username, password and one code, in one step.

    When no device is chosen, the code's shape picks it: six digits are an authenticator
    app's code, anything else one of the backup codes, provided the user has exactly one
    device of that kind. A wrong code is a failed login like a wrong password: the same
    message, and django-axes counts it towards the lockout.
    """

    error_messages = {**OTPAdminAuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}

    otp_token = forms.CharField(
        label=_("One-time code"),
        help_text=_(
            "The 6-digit code your authenticator app shows for Deflection Portal. "
            "No phone at hand? One of your backup codes works too (each once)."
        ),
        error_messages={
            "required": _("Enter the code from your authenticator app, or a backup code.")
        },
        widget=OneTimeCodeInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not (username and password and token):
            return self.cleaned_data  # the missing field says so; nothing is checked yet
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            raise self.get_invalid_login_error()
        try:
            self.confirm_login_allowed(self.user_cache)
            self.clean_otp(self.user_cache)
        except forms.ValidationError:
            self.user_cache = None
            user_login_failed.send(
                sender=__name__, credentials={"username": username}, request=self.request
            )
            raise self.get_invalid_login_error() from None
        return self.cleaned_data

    def _update_form(self, user):
        """django-otp would list the user's devices and keep the password filled in after a
        wrong code, which tells that the password was right: do neither."""

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
    login_template = "admin/portal_login.html"

    def __init__(self, name: str = "admin"):
        super().__init__(name)

    def get_urls(self):
        return [
            path("guide/", self.admin_view(self.guide_view), name="staff_guide"),
            path(
                "guide/images/<str:name>",
                self.admin_view(self.guide_image_view),
                name="staff_guide_image",
            ),
            *super().get_urls(),
        ]

    def guide_view(self, request):
        """docs/staff-guide.md, rendered like all staff-written text."""
        from deflection_portal.markup import render_markdown

        text = (GUIDE_DIR / "staff-guide.md").read_text(encoding="utf-8")
        context = {
            **self.each_context(request),
            "title": gettext("Staff guide"),
            "guide": render_markdown(text, whole_page=True),
        }
        return TemplateResponse(request, "admin/staff_guide.html", context)

    def guide_image_view(self, request, name: str):
        image = GUIDE_DIR / "images" / name
        if not GUIDE_IMAGE_NAME.fullmatch(name) or not image.is_file():
            raise Http404(gettext("No such image."))
        return FileResponse(image.open("rb"), content_type="image/png")


GUIDE_DIR = Path(settings.BASE_DIR) / "docs"
GUIDE_IMAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.png")
