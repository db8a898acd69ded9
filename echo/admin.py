"""Staff admin for ECHO series, their sessions and materials, and registration questions.

Registration requests and the email log are in `echo.request_admin`, imported at the end.
"""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Question, RegistrationRequest, RequestState, Series, Session, SessionMaterial

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


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["number", "title", "starts_at", "ends_at", "is_cancelled"]
    ordering = ["number"]
    extra = 0
    show_change_link = True


class QuestionInline(admin.StackedInline):
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
class SeriesAdmin(admin.ModelAdmin):
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
    inlines = [SessionInline, QuestionInline]
    actions = ["duplicate_selected"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["capacity_summary"]
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
            (_("Requests and seats"), {"fields": ["capacity_summary"]}),
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
        description=_("Duplicate selected series (start the next run)"), permissions=["add"]
    )
    def duplicate_selected(self, request, queryset):
        copies = []
        for series in queryset.order_by("title"):
            copy = series.duplicate()
            self.log_addition(request, copy, [{"added": {}}])
            copies.append(copy)
        self.message_user(
            request,
            ngettext(
                "Created %(count)d copy: %(titles)s. It is unpublished and closed to requests, "
                "with the same description, capacity and questions; add its sessions.",
                "Created %(count)d copies: %(titles)s. They are unpublished and closed to "
                "requests, with the same descriptions, capacities and questions; add their "
                "sessions.",
                len(copies),
            )
            % {"count": len(copies), "titles": ", ".join(copy.title for copy in copies)},
            messages.SUCCESS,
        )


# --- Sessions ----------------------------------------------------------------------------


class SessionMaterialInline(admin.TabularInline):
    model = SessionMaterial
    fields = ["resource", "order"]
    autocomplete_fields = ["resource"]
    ordering = ["order", "pk"]
    extra = 1


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
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
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["label", "series", "section", "kind", "required", "order"]
    list_filter = ["series", "kind", "required"]
    list_select_related = ["series"]
    search_fields = ["label", "series__title"]
    ordering = ["series__title", "order", "pk"]


from . import participation_admin  # noqa: E402, F401
from .request_admin import OutgoingEmailAdmin, RegistrationRequestAdmin  # noqa: E402, F401
