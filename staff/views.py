"""The invitation link's pages: choose (or confirm) a password, set up the authenticator
app from a QR code, confirm a first code, and see the backup codes once.

The link's token is the only key to these pages. Which step shows follows from the
invitation itself: no account yet, so choose a password; otherwise this browser must have
given the account's password (for this link) before it sees the authenticator's secret.
"""

from base64 import b32encode

from django.contrib import admin
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import services
from .forms import ChoosePasswordForm, ConfirmPasswordForm, FirstCodeForm
from .qr import qr_svg

# The invitation whose account password this browser has given (choose or confirm).
PASSWORD_GIVEN = "staff_invite_password_given"
WRONG_PASSWORD = "That password is not right."
LINK_PROBLEM_STATUS = {services.LINK_UNKNOWN: 404, services.LINK_USED: 410}


def _render(request, template: str, context: dict, status: int = 200) -> TemplateResponse:
    context = {**admin.site.each_context(request), **context}
    return TemplateResponse(request, template, context, status=status)


def _link_problem(request, error: services.LinkError) -> TemplateResponse:
    titles = {
        services.LINK_UNKNOWN: _("This link does not work"),
        services.LINK_USED: _("This link has been used"),
        services.LINK_EXPIRED: _("This link has expired"),
    }
    context = {"title": titles[error.code], "problem": error.code, "invite": error.invite}
    status = LINK_PROBLEM_STATUS.get(error.code, 410)
    return _render(request, "staff/link_problem.html", context, status=status)


@never_cache
@sensitive_post_parameters("password", "password1", "password2")
def welcome(request, token: str):
    try:
        invite = services.find_invite(token)
    except services.LinkError as error:
        return _link_problem(request, error)
    try:
        if invite.user is None:
            return _choose_password(request, invite)
        if request.session.get(PASSWORD_GIVEN) != invite.pk:
            return _confirm_password(request, invite)
        return _authenticator(request, invite)
    except services.LinkError as error:  # used or expired while the page was open
        return _link_problem(request, error)


def _step_context(invite, step: int, title: str, **extra) -> dict:
    return {"invite": invite, "title": title, "step": step, "steps": 3, **extra}


def _choose_password(request, invite):
    form = ChoosePasswordForm(request.POST or None, user=services.new_account_user(invite))
    if request.method == "POST" and form.is_valid():
        try:
            services.create_account(invite=invite, password=form.cleaned_data["password1"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.cycle_key()
            request.session[PASSWORD_GIVEN] = invite.pk
            return redirect(request.path)
    context = _step_context(
        invite, 1, _("Choose your password"), form=form, username=invite.email.lower()
    )
    return _render(request, "staff/choose_password.html", context)


def _confirm_password(request, invite):
    form = ConfirmPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Through the authentication backends, so that django-axes counts a wrong password
        # exactly like one typed on the login page.
        user = authenticate(
            request,
            username=invite.user.get_username(),
            password=form.cleaned_data["password"],
        )
        if user is not None and user.pk == invite.user_id:
            request.session.cycle_key()
            request.session[PASSWORD_GIVEN] = invite.pk
            return redirect(request.path)
        form.add_error("password", WRONG_PASSWORD)
    context = _step_context(
        invite, 1, _("Confirm it is you"), form=form, username=invite.user.get_username()
    )
    return _render(request, "staff/confirm_password.html", context)


def _authenticator(request, invite):
    device = services.enrolment_device(invite=invite)
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.confirm_enrolment(invite=invite, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            request.session.pop(PASSWORD_GIVEN, None)
            context = _step_context(
                invite,
                3,
                _("Your backup codes"),
                codes=codes,
                username=invite.user.get_username(),
            )
            return _render(request, "staff/backup_codes.html", context)
    uri = device.config_url
    secret = b32encode(device.bin_key).decode()
    context = _step_context(
        invite,
        2,
        _("Set up your authenticator app"),
        form=form,
        otpauth_uri=uri,
        secret_groups=[secret[i : i + 4] for i in range(0, len(secret), 4)],
        qr=qr_svg(uri, title=_("QR code for your authenticator app")),
    )
    return _render(request, "staff/authenticator.html", context)
