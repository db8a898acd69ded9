"""The forms of the staff invitation pages and of the admin's invitation form."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from . import services
from .models import StaffInvite, StaffRole


class InviteForm(forms.ModelForm):
    """Email and role; the link and its expiry are made when the invitation is sent."""

    class Meta:
        model = StaffInvite
        fields = ["email", "role"]

    # Set by the admin: only a superuser may invite an administrator.
    may_invite_administrators = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "role" in self.fields:  # not on the read-only page of a sent invitation
            self.fields["role"].required = True
            self.fields["role"].choices = [
                (role.value, role.label)
                for role in services.available_roles()
                if self.may_invite_administrators or role != StaffRole.ADMINISTRATOR
            ]

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if services.account_exists(email):
            raise forms.ValidationError(
                _(
                    "There is already an account with this email address. If its owner lost "
                    "their phone, reset their second factor from the list of users instead."
                ),
                code="account_exists",
            )
        return email


class ChoosePasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            try:
                password_validation.validate_password(first, self.user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class FirstCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code the app shows"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
        error_messages={
            "required": _("Type the 6-digit code the app shows."),
            "max_length": _("The code has 6 digits."),
        },
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())  # "123 456" as some apps show it
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code has 6 digits, and nothing else."))
        return code
