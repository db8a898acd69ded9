"""Staff review of registration requests: the list, the decision buttons and bulk decisions.

Applicants' rights (a copy of their data, or its erasure) are in `echo.personal_data_admin`,
the email log in `echo.email_admin`; the staff guide is a page of the admin site itself.

Every decision here calls a service in `echo.services` (one transaction per request); the
admin only chooses which one, reports what happened and records it in the admin's history.
The request's state is never a form field.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from . import services
from .exports import requests_csv_response
from .message_admin import MessageActions
from .models import Actor, RegistrationRequest, RequestState
from .personal_data_admin import PersonalDataActions
from .scoring import ScoreForm, has_scored, needs_second_review_q, save_review, with_review_summary
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


class SecondReviewFilter(admin.SimpleListFilter):
    title = _("second review")
    parameter_name = "second_review"

    def lookups(self, request, model_admin):
        return [("needed", _("Needed (one score, or scores far apart)")),
                ("unscored", _("Not scored yet"))]  # fmt: skip

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.filter(needs_second_review_q())
        if self.value() == "unscored":
            return queryset.filter(review_count=0)
        return queryset


# --- Registration requests ---------------------------------------------------------------


@admin.register(RegistrationRequest)
class RegistrationRequestAdmin(PersonalDataActions, MessageActions, admin.ModelAdmin):
    # Sector and county are filters, not columns: with both sidebars open at 1280 px every
    # column still fits (tests/browser/test_admin_layout.py).
    list_display = [
        "applicant",
        "series",
        "state",
        "submitted",
        "age",
        "scores",
    ]
    list_filter = [
        "series",
        "state",
        WaitingFilter,
        SecondReviewFilter,
        "sector",
        "county",
        "language",
        ("submitted_at", admin.DateFieldListFilter),
        "is_demo",
    ]
    list_select_related = ["series"]
    search_fields = ["reference", "full_name", "email", "organization"]
    search_help_text = _("Search by reference (ECHO-…), name, email or organization.")
    date_hierarchy = None
    actions = [
        *(_bulk_action(declared) for declared in TRANSITIONS if declared.bulk_label),
        "message_selected",
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
        "language",
        "reviewed_by",
        "reviewed_at",
        "decision_reason",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "series",
                    "state",
                    "submitted_at",
                    "answers_edited_at",
                    "language",
                ]
            },
        ),
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

    class Media:
        css = {"all": ["echo/admin.css"]}

    def get_queryset(self, request):
        return with_review_summary(super().get_queryset(request), viewer=request.user)

    @admin.display(description=_("scores"), ordering="review_mean")
    def scores(self, obj: RegistrationRequest) -> str:
        """Reviews, mean and spread, e.g. "2 · 3.8 ± 0.5", flagged when a second look is due.
        On a request the viewer has not scored, only the number of reviews: the mean would
        show them a colleague's scores before their own (independent review)."""
        if not obj.review_count:
            return "–"
        if not obj.viewer_has_scored:
            text = ngettext("%(count)d review", "%(count)d reviews", obj.review_count) % {
                "count": obj.review_count
            }
        else:
            text = f"{obj.review_count} · {obj.review_mean:.1f}"
            if obj.review_count > 1:
                text += f" ± {obj.review_spread:.1f}"
        flagged = obj.review_count == 1 or obj.review_spread > obj.series.second_review_spread
        return format_html(
            '{}{}', text, format_html(' <strong>{}</strong>', gettext("(second review)"))
            if flagged else ""
        )  # fmt: skip

    def get_ordering(self, request):
        # Oldest pending first: the queue a reviewer works through, then everything else.
        pending_first = Case(
            When(state=RequestState.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [pending_first.asc(), "submitted_at", "pk"]

    @admin.display(description=_("applicant"), ordering="full_name")
    def applicant(self, obj: RegistrationRequest) -> str:
        """Name, and the organization under it: one column for both."""
        return format_html("{}<br><small>{}</small>", obj.full_name, obj.organization)

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, obj: RegistrationRequest) -> str:
        return date_format(timezone.localtime(obj.submitted_at), "SHORT_DATE_FORMAT")

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
                "<path:object_id>/score/",
                self.admin_site.admin_view(self.score_view),
                name="{}_{}_score".format(*info),
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
            **self.scores_context(request, obj),
        }

    def scores_context(self, request, obj: RegistrationRequest) -> dict:
        """Everyone's scores, but only for a reviewer who has scored (independent review)."""
        scored = has_scored(obj, request.user)
        reviews = (
            list(obj.reviews.select_related("reviewer").prefetch_related("scores__criterion"))
            if scored
            else []
        )
        return {
            "has_criteria": obj.series.criteria.exists(),
            "has_scored": scored,
            "reviews": reviews,
            "score_url": reverse("admin:echo_registrationrequest_score", args=[obj.pk]),
        }

    def score_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """This reviewer's scores for the request; everyone's only once they have scored."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("No such request."))
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        criteria = list(obj.series.criteria.all())
        mine = obj.reviews.filter(reviewer=request.user).prefetch_related("scores").first()
        initial = {s.criterion_id: s.value for s in mine.scores.all()} if mine else {}
        form = ScoreForm(
            request.POST if request.method == "POST" else None,
            criteria=criteria,
            initial_scores=initial,
            initial={"note": mine.note if mine else ""},
        )
        change_url = reverse("admin:echo_registrationrequest_change", args=[obj.pk])
        if request.method == "POST" and criteria and form.is_valid():
            save_review(registration_request=obj, reviewer=request.user, values=form.values(),
                        note=form.cleaned_data["note"])  # fmt: skip
            self.message_user(request, gettext("Your scores are saved."), messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Score %(name)s") % {"name": obj.full_name},
            "opts": self.opts,
            "original": obj,
            "form": form,
            "criteria": criteria,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/echo/registrationrequest/score.html", context)

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
