"""Staff accounts without a shell: invitations, second-factor enrolment and resets.

Every link is single-use and lasts 72 hours; only a hash of its token is stored. The email
carrying it is stored with the change that causes it and delivered by the mail worker.
"""

import math
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from echo.mail import deliver_due
from echo.models import OutgoingEmail

from .models import LINK_LIFETIME, InvitePurpose, StaffInvite, StaffRole, hash_token

EMAIL_KIND = "staff_invite"  # how the email log lists these emails
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
# The groups that make a role; a role whose group does not exist cannot be given.
ROLE_GROUPS = {StaffRole.REVIEWER: "Reviewers", StaffRole.FACULTY: "Faculty"}

ACCOUNT_EXISTS = "There is already an account with this email address."
PASSWORD_ALREADY_CHOSEN = (
    "A password has already been chosen through this link. Open the link again and type it."
)
ROLE_UNAVAILABLE = "This role cannot be given: its group does not exist."
ADMINISTRATORS_ONLY = "Only an administrator can invite an administrator."
NO_EMAIL = "This account has no email address to send the link to."
LINK_UNKNOWN = "unknown"
LINK_USED = "used"
LINK_EXPIRED = "expired"
WRONG_CODE = (
    "That code is not right. Check that the app shows Deflection Portal, and type its newest code."
)
WAIT_FOR_CODE = (
    "Too many wrong codes in a row. Wait %(seconds)d second, then type the newest code.",
    "Too many wrong codes in a row. Wait %(seconds)d seconds, then type the newest code.",
)


class LinkError(Exception):
    """A link that cannot be used: `code` is LINK_UNKNOWN, LINK_USED or LINK_EXPIRED."""

    def __init__(self, code: str, invite: StaffInvite | None = None):
        super().__init__(code)
        self.code = code
        self.invite = invite


def available_roles() -> list[StaffRole]:
    """The roles an administrator may give now: those whose group exists, and Administrator."""
    groups = set(Group.objects.filter(name__in=ROLE_GROUPS.values()).values_list("name", flat=True))
    return [
        role
        for role in StaffRole
        if role == StaffRole.ADMINISTRATOR or ROLE_GROUPS.get(role) in groups
    ]


def account_exists(email: str) -> bool:
    users = get_user_model().objects
    return users.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists()


def link_url(token: str) -> str:
    return settings.PORTAL_BASE_URL + reverse("staff:welcome", args=[token])


def _new_token(invite: StaffInvite) -> str:
    token = secrets.token_urlsafe(32)
    invite.token_hash = hash_token(token)
    invite.created_at = timezone.now()
    invite.expires_at = invite.created_at + LINK_LIFETIME
    return token


def _retire_earlier_links(invite: StaffInvite) -> None:
    earlier = StaffInvite.objects.usable().exclude(pk=invite.pk)
    if invite.user_id:
        earlier = earlier.filter(Q(user=invite.user_id) | Q(email__iexact=invite.email))
    else:
        earlier = earlier.filter(email__iexact=invite.email)
    earlier.update(expires_at=timezone.now())


def _queue_link_email(*, invite: StaffInvite, token: str, sent_by) -> OutgoingEmail:
    context = {
        "invite": invite,
        "link": link_url(token),
        "sent_by": (sent_by.get_full_name() or sent_by.get_username()) if sent_by else "",
        "expires_at": timezone.localtime(invite.expires_at),
        "login_url": settings.PORTAL_BASE_URL + reverse("admin:login"),
    }
    template = "staff/email/" + invite.purpose
    email = OutgoingEmail.objects.create(
        kind=EMAIL_KIND,
        to=invite.email,
        subject=" ".join(render_to_string(f"{template}_subject.txt", context).split())[:300],
        body_text=render_to_string(f"{template}.txt", context),
    )
    if settings.PORTAL_EMAIL_IMMEDIATE:
        transaction.on_commit(lambda: deliver_due(only=[email.pk]))
    return email


def invite_staff(*, email: str, role: str, invited_by, invite: StaffInvite | None = None) -> str:
    """Store an invitation and its email in one transaction and return the link; refuses an
    address that already has an account, a role whose group is missing, and an administrator
    invited by anyone but an administrator. Earlier unused invitations to the same address
    stop working."""
    email = email.strip()
    if account_exists(email):
        raise ValidationError(ACCOUNT_EXISTS, code="account_exists")
    if role not in available_roles():
        raise ValidationError(ROLE_UNAVAILABLE, code="role_unavailable")
    if role == StaffRole.ADMINISTRATOR and not getattr(invited_by, "is_superuser", False):
        raise ValidationError(ADMINISTRATORS_ONLY, code="administrators_only")
    invite = invite or StaffInvite()
    invite.email, invite.role, invite.purpose = email, role, InvitePurpose.NEW_ACCOUNT
    invite.user, invite.invited_by = None, invited_by
    with transaction.atomic():
        token = _new_token(invite)
        invite.save()
        _retire_earlier_links(invite)
        _queue_link_email(invite=invite, token=token, sent_by=invited_by)
    return link_url(token)


def reset_second_factor(*, user, reset_by) -> tuple[int, StaffInvite]:
    """Remove every second-factor device of the user (the account cannot log in until it
    enrols again) and email a single-use enrolment link; refuses an account with no email
    address. Returns the number of devices removed and the new link's invitation."""
    if not user.email:
        raise ValidationError(NO_EMAIL, code="no_email")
    with transaction.atomic():
        removed = 0
        for device in list(devices_for_user(user, confirmed=None)):
            device.delete()
            removed += 1
        invite = StaffInvite(
            email=user.email, user=user, purpose=InvitePurpose.SECOND_FACTOR, invited_by=reset_by
        )
        token = _new_token(invite)
        invite.save()
        _retire_earlier_links(invite)
        _queue_link_email(invite=invite, token=token, sent_by=reset_by)
    invite.link = link_url(token)
    return removed, invite


def find_invite(token: str) -> StaffInvite:
    """The invitation a link's token belongs to; LinkError if it is unknown, used or expired."""
    invite = StaffInvite.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if invite is None:
        raise LinkError(LINK_UNKNOWN)
    if invite.is_used:
        raise LinkError(LINK_USED, invite)
    if invite.is_expired():
        raise LinkError(LINK_EXPIRED, invite)
    return invite


def _locked(invite: StaffInvite) -> StaffInvite:
    """The invitation again, locked for this transaction, if its link still works."""
    locked = (
        StaffInvite.objects.select_for_update(of=("self",)).select_related("user").get(pk=invite.pk)
    )
    if locked.is_used:
        raise LinkError(LINK_USED, locked)
    if locked.is_expired():
        raise LinkError(LINK_EXPIRED, locked)
    return locked


def new_account_user(invite: StaffInvite):
    """An unsaved user as the invitation would create it (for the password validators)."""
    return get_user_model()(username=invite.email.lower(), email=invite.email)


def create_account(*, invite: StaffInvite, password: str):
    """Create the invited person's staff account with the chosen password and the role's
    rights; the link stays valid for the second factor, which the account still needs
    before it can log in."""
    with transaction.atomic():
        invite = _locked(invite)
        if invite.user_id is not None:  # another browser got there first
            raise ValidationError(PASSWORD_ALREADY_CHOSEN, code="password_chosen")
        user = new_account_user(invite)
        if account_exists(invite.email):
            raise ValidationError(ACCOUNT_EXISTS, code="account_exists")
        user.set_password(password)
        user.is_staff = True
        user.is_superuser = invite.role == StaffRole.ADMINISTRATOR
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise ValidationError(ACCOUNT_EXISTS, code="account_exists") from None
        group_name = ROLE_GROUPS.get(invite.role)
        if group_name:
            group = Group.objects.filter(name=group_name).first()
            if group is None:
                raise ValidationError(ROLE_UNAVAILABLE, code="role_unavailable")
            user.groups.add(group)
        invite.user = user
        invite.save(update_fields=["user"])
    return user


def enrolment_device(*, invite: StaffInvite) -> TOTPDevice:
    """The authenticator device being set up through this link (unconfirmed until the
    first code is right); the same one each time the page is shown."""
    device = (
        TOTPDevice.objects.filter(user=invite.user, confirmed=False, name=AUTHENTICATOR_NAME)
        .order_by("-pk")
        .first()
    )
    return device or TOTPDevice.objects.create(
        user=invite.user, name=AUTHENTICATOR_NAME, confirmed=False
    )


def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with a fresh set; each code works once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_enrolment(*, invite: StaffInvite, code: str) -> list[str]:
    """Confirm the authenticator with its first code, give fresh backup codes and use up
    the link, all at once; a wrong code changes nothing but the device's throttle. Returns
    the backup codes (shown once, never stored in clear)."""
    error = None
    with transaction.atomic():
        invite = _locked(invite)
        device = enrolment_device(invite=invite)
        allowed, extra = device.verify_is_allowed()
        if not allowed:
            until = (extra or {}).get("locked_until") or timezone.now()
            wait = max(math.ceil((until - timezone.now()).total_seconds()), 1)
            message = ngettext(*WAIT_FOR_CODE, wait) % {"seconds": wait}
            error = ValidationError(message, code="throttled")
        elif not device.verify_token(code.strip()):
            error = ValidationError(WRONG_CODE, code="wrong_code")
        else:
            TOTPDevice.objects.filter(user=invite.user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = new_backup_codes(invite.user)
            invite.used_at = timezone.now()
            invite.save(update_fields=["used_at"])
            _retire_earlier_links(invite)
    if error is not None:
        raise error
    return codes
