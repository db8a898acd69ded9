"""The email log: what was sent to whom and when, read-only; staff who may change emails may
send one again."""

import re
from collections import Counter

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import mail
from .models import EmailStatus, OutgoingEmail

# Private links in stored emails: an applicant's status page, a staff invitation. Whoever
# holds one can act through it.
PRIVATE_LINK_RE = re.compile(r"(/echo/requests/|/staff/welcome/)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]+/")


def mask_status_links(text: str) -> str:
    """Keep the first characters of each private link's token, hide the rest."""
    return PRIVATE_LINK_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}…(hidden)/", text or "")


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """What was sent to whom and when. Read-only; staff who may change emails may resend."""

    list_display = [
        "created_at",
        "recipients_display",
        "subject",
        "kind",
        "status",
        "attempts",
        "sent_at",
        "error_summary",
    ]
    list_filter = ["status", "kind", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["request"]
    search_fields = ["to", "subject", "request__full_name"]
    search_help_text = _("Search by address, subject or applicant name.")
    date_hierarchy = "created_at"
    actions = ["resend_selected"]
    fields = [
        ("status", "attempts"),
        ("created_at", "next_attempt", "sent_at"),
        "last_error",
        "kind",
        "request",
        "to",
        "subject",
        "body_text",
        "attachment_name",
    ]
    readonly_fields = [
        "status",
        "attempts",
        "created_at",
        "next_attempt",
        "sent_at",
        "last_error",
        "kind",
        "request",
        "to",
        "subject",
        "body_text",
        "attachment_name",
    ]

    @admin.display(description=_("to"), ordering="to")
    def recipients_display(self, obj: OutgoingEmail) -> str:
        return ", ".join(obj.recipients)

    def get_fields(self, request, obj=None):
        # Status and invitation links let anyone act through them: only administrators
        # read them.
        fields = list(super().get_fields(request, obj))
        if not request.user.is_superuser:
            fields = ["masked_body" if name == "body_text" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "masked_body"]

    @admin.display(description=_("text"))
    def masked_body(self, obj: OutgoingEmail) -> str:
        return mask_status_links(obj.body_text)

    @admin.display(description=_("next attempt"))
    def next_attempt(self, obj: OutgoingEmail) -> str:
        if obj.status != EmailStatus.QUEUED:
            return "–"  # sent, or given up: no attempt is coming
        return date_format(timezone.localtime(obj.next_attempt_at), "DATETIME_FORMAT")

    @admin.display(description=_("last error"))
    def error_summary(self, obj: OutgoingEmail) -> str:
        return obj.last_error[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The content is a record of what was sent: nobody edits it.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request) -> bool:
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description=_("Resend selected emails"), permissions=["resend"])
    def resend_selected(self, request, queryset):
        counts = Counter()
        for email in queryset.order_by("pk"):
            counts[email.status] += 1
            mail.requeue(email)
            self.log_change(request, email, gettext("Queued to be sent again."))
        total = sum(counts.values())
        detail = ", ".join(
            f"{counts[status]} {EmailStatus(status).label.lower()}"
            for status in EmailStatus.values
            if counts[status]
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d email queued to be sent again (it was: %(detail)s).",
                "%(count)d emails queued to be sent again (they were: %(detail)s).",
                total,
            )
            % {"count": total, "detail": detail},
            messages.SUCCESS,
        )
