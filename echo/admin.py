"""Staff admin for ECHO series, their sessions and materials, and registration questions.

Registration requests and the email log are in `echo.request_admin`, imported at the end.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from . import services
from .models import (
    Criterion,
    InterestSignup,
    Question,
    RegistrationRequest,
    RequestState,
    Series,
    Session,
    SessionMaterial,
)
from .report import bar_chart, funder_report, report_csv

# --- Series ------------------------------------------------------------------------------

WAITLIST_SHOWN = 5


class SeriesTimingFilter(admin.SimpleListFilter):
    title = _("sessions")
    parameter_name = "timing"

    def lookups(self, request, model_admin):
        return [
            ("upcoming", _("Has upcoming sessions")),
            ("past", _("All sessions past")),
            ("none", _("No sessions yet")),
        ]

    def queryset(self, request, queryset):
        sessions = Session.objects.filter(series=OuterRef("pk"))
        upcoming = Exists(sessions.filter(ends_at__gt=timezone.now()))
        if self.value() == "upcoming":
            return queryset.filter(upcoming)
        if self.value() == "past":
            return queryset.filter(Exists(sessions), ~upcoming)
        if self.value() == "none":
            return queryset.filter(~Exists(sessions))
        return queryset


class SessionInline(TranslationTabularInline):
    model = Session
    fields = ["number", "title", "starts_at", "ends_at", "is_cancelled"]
    ordering = ["number"]
    extra = 0
    show_change_link = True


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ["name", "description", "order"]
    ordering = ["order", "pk"]
    extra = 0
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2})}}


class QuestionInline(TranslationStackedInline):
    model = Question
    fields = [
        ("label", "order"),
        "help_text",
        ("kind", "required", "min_words"),
        "choices",
        "section",
    ]
    ordering = ["order", "pk"]
    extra = 0


def requests_url(series: Series, **filters) -> str:
    """The request list filtered to one series (and any further filters, e.g. a state)."""
    query = "&".join(
        f"{key}={value}" for key, value in {"series__id__exact": series.pk, **filters}.items()
    )
    return f"{reverse('admin:echo_registrationrequest_changelist')}?{query}"


@admin.register(Series)
class SeriesAdmin(TranslationAdmin):
    list_display = [
        "title",
        "is_published",
        "registration_state",
        "seats",
        "seats_left",
        "pending",
        "waitlisted",
    ]
    list_filter = ["is_published", "registration_state", SeriesTimingFilter]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SessionInline, QuestionInline, CriterionInline]
    actions = ["duplicate_selected"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["capacity_summary", "interest_list"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "is_published"]}),
        (
            _("Public description"),
            {"fields": ["about", "learning_objectives", "audience", "schedule", "time_zone"]},
        ),
        (
            _("Registration"),
            {
                "fields": [
                    "registration_state",
                    ("registration_opens_at", "registration_closes_at"),
                    "capacity",
                    ("auto_offers", "offer_hours"),
                    "second_review_spread",
                    "join_url",
                    "staff_emails",
                    "retention_days",
                ]
            },
        ),
        (
            _("Participation"),
            {"fields": ["attended_minutes", "completion_sessions", "program_name"]},
        ),
    ]

    def get_queryset(self, request):
        # One query for the whole list: seat, pending and waitlisted counts as annotations.
        return super().get_queryset(request).with_seat_counts()

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            fieldsets[0],
            (_("Requests and seats"), {"fields": ["capacity_summary", "interest_list"]}),
            *fieldsets[1:],
        ]

    @admin.display(description=_("approved / capacity"), ordering="seats_used")
    def seats(self, obj: Series) -> str:
        capacity = obj.capacity if obj.capacity is not None else _("no limit")
        return f"{obj.seats_in_use} / {capacity}"

    @admin.display(description=_("seats left"))
    def seats_left(self, obj: Series) -> str:
        return "–" if obj.seats_remaining is None else str(obj.seats_remaining)

    @admin.display(description=_("pending"), ordering="pending_count")
    def pending(self, obj: Series) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            requests_url(obj, state__exact=RequestState.PENDING),
            obj.pending_count,
        )

    @admin.display(description=_("waitlisted"), ordering="waitlisted_count")
    def waitlisted(self, obj: Series) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            requests_url(obj, state__exact=RequestState.WAITLISTED),
            obj.waitlisted_count,
        )

    @admin.display(description=_("summary"))
    def capacity_summary(self, obj: Series) -> str:
        if obj is None or obj.pk is None:
            return "–"
        counts = {
            "pending_count": getattr(obj, "pending_count", None),
            "waitlisted_count": getattr(obj, "waitlisted_count", None),
        }
        if None in counts.values():  # not from the annotated queryset
            counts = {
                "pending_count": obj.requests.filter(state=RequestState.PENDING).count(),
                "waitlisted_count": obj.requests.filter(state=RequestState.WAITLISTED).count(),
            }
        return render_to_string(
            "admin/echo/series/capacity_summary.html",
            {
                "series": obj,
                **counts,
                "next_on_waitlist": list(
                    RegistrationRequest.objects.filter(series=obj).waitlist()[:WAITLIST_SHOWN]
                ),
                "all_url": requests_url(obj),
                "pending_url": requests_url(obj, state__exact=RequestState.PENDING),
                "waitlist_url": requests_url(obj, state__exact=RequestState.WAITLISTED),
            },
        )

    @admin.action(
        description=_("Duplicate selected series (start the next run)…"), permissions=["add"]
    )
    def duplicate_selected(self, request, queryset):
        """Ask for each new run's first session date, then copy each series with its
        questions and its sessions moved to the new dates (same weekday spacing and local
        time). A blank date copies no sessions."""
        selected = list(queryset.order_by("title"))
        form = DuplicateForm(request.POST if request.POST.get("confirm") else None, selected)
        if request.POST.get("confirm") == "yes" and form.is_valid():
            copies = []
            for series in selected:
                copy = series.duplicate(form.cleaned_data.get(f"first_day_{series.pk}"))
                self.log_addition(request, copy, [{"added": {}}])
                copies.append(copy)
            self.message_user(
                request,
                ngettext(
                    "Created %(count)d copy: %(titles)s. It is unpublished and closed to "
                    "requests; check its sessions, add the join link, then publish it and "
                    "invite the interest list.",
                    "Created %(count)d copies: %(titles)s. They are unpublished and closed to "
                    "requests; check their sessions, add the join links, then publish them and "
                    "invite the interest lists.",
                    len(copies),
                )
                % {"count": len(copies), "titles": ", ".join(copy.title for copy in copies)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Start the next run"),
            "opts": self.opts,
            "rows": [(series, form[f"first_day_{series.pk}"]) for series in selected],
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/echo/series/duplicate.html", context)

    # --- Interest list and seats ---

    def get_urls(self):
        return [
            path(
                "report/",
                self.admin_site.admin_view(self.report_view),
                name="echo_series_report",
            ),
            path(
                "<path:object_id>/invite-interest/",
                self.admin_site.admin_view(self.invite_interest_view),
                name="echo_series_invite_interest",
            ),
            *super().get_urls(),
        ]

    def report_view(self, request):
        """The funder report: counts by county or tribe and sector, small counts hidden."""
        if not request.user.has_perm("echo.view_registrationrequest"):
            raise PermissionDenied
        form = ReportForm(request.GET or None)
        report = None
        if form.is_bound and form.is_valid():
            report = funder_report(
                series=form.cleaned_data["series"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        elif not form.is_bound:
            report = funder_report()
        if report is not None and request.GET.get("format") == "csv":
            response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="funder-report.csv"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Funder report"),
            "opts": self.opts,
            "form": form,
            "report": report,
            "charts": [
                bar_chart(report.by_county, "requests", _("Requests by county or tribe")),
                bar_chart(report.by_sector, "requests", _("Requests by sector")),
            ]
            if report
            else [],
            "csv_query": request.GET.urlencode(),
        }
        return TemplateResponse(request, "admin/echo/series/report.html", context)

    def invite_interest_view(self, request, object_id):
        """Confirm, then queue one invitation per person on the previous run's interest list;
        the series records it, so a second click (or a second reviewer) sends nothing."""
        series = self.get_object(request, unquote(object_id))
        if series is None:
            raise Http404(_("No such series."))
        if not self.has_change_permission(request, series):
            raise PermissionDenied
        change_url = reverse("admin:echo_series_change", args=[series.pk])
        if request.method == "POST":
            try:
                count = services.invite_interest_list(series=series, user=request.user)
            except services.RegistrationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.log_change(request, series, f"Interest list invited ({count} emails).")
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d invitation queued; the worker sends it.",
                        "%(count)d invitations queued; the worker sends them.",
                        count,
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(change_url)
        previous = series.previous_run
        context = {
            **self.admin_site.each_context(request),
            "title": _("Invite the interest list"),
            "opts": self.opts,
            "original": series,
            "previous": previous,
            "waiting": previous.interest.filter(invited_at__isnull=True).count() if previous else 0,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/echo/series/invite_interest.html", context)

    @admin.display(description=_("interest list"))
    def interest_list(self, obj: Series) -> str:
        if obj is None or obj.pk is None:
            return "–"
        return render_to_string(
            "admin/echo/series/interest_list.html",
            {
                "series": obj,
                "own_count": obj.interest.count(),
                "own_url": reverse("admin:echo_interestsignup_changelist")
                + f"?series__id__exact={obj.pk}",
                "previous": obj.previous_run,
                "invite_url": reverse("admin:echo_series_invite_interest", args=[obj.pk]),
            },
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and {"capacity", "auto_offers"} & set(form.changed_data):
            # Raised capacity (or offers switched on): free seats go to the waitlist now.
            try:
                offered = services.offer_free_seats(series=obj)
            except services.RegistrationError as error:
                self.message_user(request, " ".join(error.messages), messages.WARNING)
                return
            if offered:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d free seat offered to the waitlist.",
                        "%(count)d free seats offered to the waitlist.",
                        offered,
                    )
                    % {"count": offered},
                    messages.SUCCESS,
                )


class ReportForm(forms.Form):
    series = forms.ModelChoiceField(
        Series.objects.order_by("title"), required=False, empty_label=_("All series")
    )
    start = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date must not be before the start date."))
        return cleaned


class DuplicateForm(forms.Form):
    """One optional first-session date per series being duplicated."""

    def __init__(self, data, selected: list[Series]):
        super().__init__(data)
        for series in selected:
            first = series.sessions.filter(is_cancelled=False).order_by("starts_at").first()
            help_text = (
                _("The first session was on %(day)s.")
                % {"day": dateformat.format(first.local_starts_at, "l, F j, Y")}
                if first
                else _("This series has no sessions to copy.")
            )
            self.fields[f"first_day_{series.pk}"] = forms.DateField(
                label=_("First session of the next run of “%(title)s”") % {"title": series.title},
                required=False,
                help_text=help_text,
                widget=forms.DateInput(attrs={"type": "date"}),
            )


# --- Sessions ----------------------------------------------------------------------------


class SessionMaterialInline(admin.TabularInline):
    model = SessionMaterial
    fields = ["resource", "order"]
    autocomplete_fields = ["resource"]
    ordering = ["order", "pk"]
    extra = 1


@admin.register(Session)
class SessionAdmin(TranslationAdmin):
    list_display = ["__str__", "series", "number", "starts_at", "is_cancelled"]
    list_display_links = ["__str__"]
    list_filter = ["series", "is_cancelled"]
    list_select_related = ["series"]
    search_fields = ["title", "series__title", "summary"]
    ordering = ["series__title", "number"]
    date_hierarchy = "starts_at"
    inlines = [SessionMaterialInline]
    fields = [
        "series",
        ("number", "title"),
        ("starts_at", "ends_at"),
        "is_cancelled",
        "summary",
        "presenters",
        "take_homes",
    ]


# --- Questions ---------------------------------------------------------------------------


@admin.register(Question)
class QuestionAdmin(TranslationAdmin):
    list_display = ["label", "series", "section", "kind", "required", "order"]
    list_filter = ["series", "kind", "required"]
    list_select_related = ["series"]
    search_fields = ["label", "series__title"]
    ordering = ["series__title", "order", "pk"]


# --- Interest list -----------------------------------------------------------------------


@admin.register(InterestSignup)
class InterestSignupAdmin(admin.ModelAdmin):
    """Who asked to hear about a series' next run. Entries come from the public form and
    leave by their own link or by the retention command; staff read them."""

    list_display = ["full_name", "email", "county", "sector", "series", "created_at", "invited_at"]
    list_filter = ["series", "sector", ("invited_at", admin.EmptyFieldListFilter)]
    list_select_related = ["series"]
    search_fields = ["full_name", "email"]
    fields = ["series", "full_name", "email", "county", "sector", "consent", "created_at",
              "invited_at"]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


from . import participation_admin  # noqa: E402, F401
from .email_admin import OutgoingEmailAdmin  # noqa: E402, F401
from .request_admin import RegistrationRequestAdmin  # noqa: E402, F401
