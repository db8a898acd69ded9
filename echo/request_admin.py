"""Staff review of registration requests, the email log and the staff guide.

Every decision here calls a service in `echo.services` (one transaction per request); the
admin only chooses which one, reports what happened and records it in the admin's history.
The request's state is never a form field.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import markdown
import nh3
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import mail, services
from .exports import requests_csv_response
from .models import Actor, EmailStatus, OutgoingEmail, RegistrationRequest, RequestState
from .transitions import TRANSITIONS, ErrorCode, ReasonUse, Transition

# --- Decisions ---------------------------------------------------------------------------
# The buttons and bulk actions are the staff's transitions of `echo.transitions`; the
# services record each change (request history and admin log) in the same words.


def decisions_for(state: str) -> list[Transition]:
    """The decisions staff may make from this state, in the table's order."""
    return services.allowed_transitions(state, Actor.STAFF)


@dataclass
class BulkReport:
    """What a bulk decision did, in words: "3 approved; 2 not approved: series full"."""

    action: str
    done: int = 0
    problems: Counter = field(default_factory=Counter)

    def refused(self, error: services.RegistrationError, registration_request) -> None:
        if error.code == ErrorCode.NOT_ALLOWED:
            text = gettext("skipped: already %(state)s") % {"state": error.params["state"]}
        elif error.code == ErrorCode.SERIES_FULL:
            text = gettext("not %(action)s: series full (%(series)s)") % {
                "action": self.action,
                "series": registration_request.series.title,
            }
        else:
            text = gettext("not %(action)s: %(reason)s") % {
                "action": self.action,
                "reason": " ".join(error.messages),
            }
        self.problems[text] += 1

    @property
    def level(self) -> int:
        if not self.problems:
            return messages.SUCCESS
        return messages.WARNING if self.done else messages.ERROR

    def __str__(self) -> str:
        parts = [f"{self.done} {self.action}"]
        parts += [f"{count} {text}" for text, count in self.problems.items()]
        return "; ".join(parts)


def _bulk_action(declared: Transition):
    """A request-list action for one transition; one asking for a reason shows a
    confirmation page first."""

    def action(modeladmin, request, queryset):
        return modeladmin.decide_selected(request, queryset, declared)

    action.__name__ = f"{declared.action}_selected"
    return admin.action(description=declared.bulk_label, permissions=["change"])(action)


def decision_warnings(obj: RegistrationRequest) -> list[str]:
    """What staff should know before they approve: said beside the buttons."""
    series = obj.series
    warnings = []
    if obj.state not in (RequestState.PENDING, RequestState.WAITLISTED):
        return warnings
    if series.next_start() is None:
        warnings.append(
            gettext(
                "No session of this series is ahead: an approval now gives a seat in a run "
                "with nothing left to attend."
            )
        )
    if not series.join_url:
        warnings.append(
            gettext(
                "The series has no join link yet: the approval email will say that the link "
                "follows. Add it to the series before the next session."
            )
        )
    if series.is_full:
        warnings.append(
            gettext(
                "The series is full: approving will be refused. Waitlist the request (a seat "
                "is then offered to it automatically when one frees), or raise the capacity."
            )
        )
    return warnings


# --- Request list filters ----------------------------------------------------------------


class WaitingFilter(admin.SimpleListFilter):
    title = _("pending for more than")
    parameter_name = "waiting"
    DAYS = (7, 14, 30)

    def lookups(self, request, model_admin):
        return [(str(days), _("%(days)d days") % {"days": days}) for days in self.DAYS]

    def queryset(self, request, queryset):
        if self.value() not in {str(days) for days in self.DAYS}:
            return queryset
        cutoff = timezone.now() - timedelta(days=int(self.value()))
        return queryset.filter(state=RequestState.PENDING, submitted_at__lt=cutoff)


# --- Registration requests ---------------------------------------------------------------


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(admin.ModelAdmin):
    list_display = [
        "full_name",
        "reference",
        "organization",
        "sector",
        "county",
        "series",
        "state",
        "submitted_at",
        "age",
    ]
    list_filter = [
        "series",
        "state",
        WaitingFilter,
        "sector",
        "county",
        ("submitted_at", admin.DateFieldListFilter),
        "is_demo",
    ]
    list_select_related = ["series"]
    search_fields = ["reference", "full_name", "email", "organization"]
    search_help_text = _("Search by reference (ECHO-…), name, email or organization.")
    date_hierarchy = None
    actions = [
        *(_bulk_action(declared) for declared in TRANSITIONS if declared.bulk_label),
        "export_csv",
        "export_personal_data",
        "erase_personal_data",
    ]
    readonly_fields = [
        "reference",
        "answers_edited_at",
        "series",
        "state",
        "submitted_at",
        "full_name",
        "email",
        "phone",
        "organization",
        "role_title",
        "sector",
        "county",
        "consent",
        "reviewed_by",
        "reviewed_at",
        "decision_reason",
    ]
    fieldsets = [
        (None, {"fields": ["reference", "series", "state", "submitted_at", "answers_edited_at"]}),
        (_("About you"), {"fields": ["full_name", "email", "phone"]}),
        (_("Your work"), {"fields": ["organization", "role_title", "sector", "county"]}),
        # The series' own questions are shown here, section by section (change_form.html).
        (
            _("Review"),
            {
                "fields": [
                    "consent",
                    "reviewed_by",
                    "reviewed_at",
                    "decision_reason",
                    "staff_note",
                ]
            },
        ),
    ]
    change_form_template = "admin/echo/registrationrequest/change_form.html"

    def get_ordering(self, request):
        # Oldest pending first: the queue a reviewer works through, then everything else.
        pending_first = Case(
            When(state=RequestState.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "submitted_at", "pk"]

    @admin.display(description=_("age (days)"), ordering="-submitted_at")
    def age(self, obj: RegistrationRequest) -> int:
        return (timezone.now() - obj.submitted_at).days

    # Requests come from the public form and leave by a decision, never by add or delete.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- Change page ---

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "guide/",
                self.admin_site.admin_view(self.guide_view),
                name="echo_staff_guide",
            ),
            path(
                "guide/images/<str:name>",
                self.admin_site.admin_view(self.guide_image_view),
                name="echo_staff_guide_image",
            ),
            path(
                "<path:object_id>/decision/<slug:action>/",
                self.admin_site.admin_view(require_POST(self.decision_view)),
                name="{}_{}_decision".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = extra_context or {}
        if obj is not None:
            extra_context.update(self.review_context(request, obj))
        return super().change_view(request, object_id, form_url, extra_context)

    def review_context(self, request, obj: RegistrationRequest) -> dict:
        answers = {answer.question_id: answer.value for answer in obj.answers.all()}
        sections: dict[str, list] = {}
        for question in obj.series.questions.order_by("order", "pk"):
            sections.setdefault(question.section, []).append(
                (question, answers.get(question.pk, ""))
            )
        can_decide = self.has_change_permission(request, obj)
        decisions = decisions_for(obj.state) if can_decide else []
        full = obj.series.is_full
        return {
            "answer_sections": list(sections.items()),
            "events": obj.events.select_related("actor"),
            "decisions": decisions,
            # On a full series the approve button is not the default: it would be refused.
            "primary_action": next(
                (d.action for d in decisions if d.primary and not (full and d.takes_seat)), ""
            ),
            "decision_warnings": decision_warnings(obj) if decisions else [],
            "can_decide": can_decide,
            "waitlist_position": obj.waitlist_position(),
            "offer_deadline": services.offer_deadline_text(obj) if obj.offer_expires_at else "",
        }

    def decision_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        try:
            declared = services.transition(action)
        except ValueError:
            declared = None
        if declared is None or obj is None or Actor.STAFF not in declared.actors:
            raise Http404(gettext("No such request or decision."))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        reason = request.POST.get("reason", "")[:2000]
        try:
            services.change_state(
                obj, declared.action, actor=Actor.STAFF, user=request.user, reason=reason
            )
        except services.RegistrationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("%(name)s: %(action)s.") % {"name": obj.full_name, "action": declared.done},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:echo_registrationrequest_change", args=[obj.pk]))

    # --- Bulk actions ---

    def decide_selected(self, request, queryset, declared: Transition):
        """Apply one decision to each selected request, first come first decided (with two
        seats left, the two earliest requests get them), and report every outcome. A decision
        whose reason is sent to the applicant asks for it on a confirmation page first."""
        if declared.reason == ReasonUse.SENT and request.POST.get("confirm") != "yes":
            selected = list(queryset.select_related("series").order_by("submitted_at", "pk"))
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("%(label)s requests") % {"label": declared.label},
                "opts": self.opts,
                "selected": selected,
                "decision": declared,
                "applicable": sum(1 for r in selected if r.state in declared.sources),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/echo/registrationrequest/decide_selected.html", context
            )
        reason = request.POST.get("reason", "")[:2000] if declared.reason == ReasonUse.SENT else ""
        report = BulkReport(action=str(declared.done))
        for obj in queryset.select_related("series").order_by("submitted_at", "pk"):
            try:
                services.change_state(
                    obj, declared.action, actor=Actor.STAFF, user=request.user, reason=reason
                )
            except services.RegistrationError as error:
                report.refused(error, obj)
                continue
            report.done += 1
        self.message_user(request, str(report), report.level)
        return None

    @admin.action(description=_("Export selected requests as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return requests_csv_response(queryset)

    # --- Applicants' rights: a copy of their data, or its erasure -------------------------

    def has_erase_permission(self, request) -> bool:
        # Erasure cannot be undone: administrators only, never the Reviewers group.
        return request.user.is_superuser

    @admin.action(
        description=_("Export the applicants' personal data (JSON)"), permissions=["erase"]
    )
    def export_personal_data(self, request, queryset):
        data = [
            services.export_request_data(registration_request=registration_request)
            for registration_request in queryset.select_related("series").order_by("pk")
        ]
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        stamp = timezone.now().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Erase the applicants' personal data…"), permissions=["erase"])
    def erase_personal_data(self, request, queryset):
        """After a confirmation page, anonymise each selected request (cannot be undone)."""
        selected = list(queryset.select_related("series").order_by("pk"))
        if request.POST.get("confirm") == "yes":
            for registration_request in selected:
                services.anonymise_request(registration_request=registration_request)
                self.log_change(request, registration_request, "Personal data erased")
            self.message_user(
                request,
                ngettext(
                    "Personal data erased from %(count)d request.",
                    "Personal data erased from %(count)d requests.",
                    len(selected),
                )
                % {"count": len(selected)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Erase personal data"),
            "opts": self.opts,
            "selected": selected,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/echo/registrationrequest/erase_personal_data.html", context
        )

    # --- Staff guide ---

    def guide_view(self, request: HttpRequest) -> HttpResponse:
        text = (GUIDE_DIR / "staff-guide.md").read_text(encoding="utf-8")
        html = nh3.clean(markdown.markdown(text, extensions=["tables", "sane_lists"]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Staff guide"),
            "guide": html,
        }
        return TemplateResponse(request, "admin/echo/staff_guide.html", context)

    def guide_image_view(self, request: HttpRequest, name: str) -> FileResponse:
        image = GUIDE_DIR / "images" / name
        if not GUIDE_IMAGE_NAME.fullmatch(name) or not image.is_file():
            raise Http404(gettext("No such image."))
        return FileResponse(image.open("rb"), content_type="image/png")


GUIDE_DIR = Path(settings.BASE_DIR) / "docs"
GUIDE_IMAGE_NAME = re.compile(r"[a-z0-9][a-z0-9-]*\.png")


# --- Email log ---------------------------------------------------------------------------


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
