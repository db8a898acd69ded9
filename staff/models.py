"""Invitations to the staff admin: a single-use link that sets up an account, or a new
second factor for an existing one."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LINK_LIFETIME = timedelta(hours=72)


def hash_token(token: str) -> str:
    """Only this hash is stored: the link's token itself exists in the email alone."""
    return hashlib.sha256(token.encode()).hexdigest()


class StaffRole(models.TextChoices):
    REVIEWER = "reviewer", _("Reviewer")
    FACULTY = "faculty", _("Faculty")
    ADMINISTRATOR = "administrator", _("Administrator")


class InvitePurpose(models.TextChoices):
    NEW_ACCOUNT = "new_account", _("New staff account")
    SECOND_FACTOR = "second_factor", _("New second factor (after a reset)")


class StaffInviteQuerySet(models.QuerySet):
    def usable(self, at=None):
        """Links not used yet and not expired."""
        return self.filter(used_at__isnull=True, expires_at__gt=at or timezone.now())


class StaffInvite(models.Model):
    """One emailed link: it works once, for 72 hours."""

    email = models.EmailField(
        _("email address"),
        max_length=150,
        help_text=_("Where the link goes. For a new account it is also the username."),
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=StaffRole.choices,
        blank=True,
        help_text=_(
            "Reviewer: sees and decides registration requests and the email log. "
            "Administrator: everything, including users, series and the library."
        ),
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=InvitePurpose.choices,
        default=InvitePurpose.NEW_ACCOUNT,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff_invites",
        verbose_name=_("account"),
        help_text=_("Empty until the person has chosen a password."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    objects = StaffInviteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="second_factor") | Q(user__isnull=False),
                name="staff_invite_reset_has_user",
            ),
            models.CheckConstraint(
                condition=~Q(purpose="new_account") | ~Q(role=""),
                name="staff_invite_account_has_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.email}"

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    def is_expired(self, at=None) -> bool:
        return self.expires_at <= (at or timezone.now())
