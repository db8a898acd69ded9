"""Staff admin for ECHO series, their sessions and materials, and registration questions."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Question, Series, Session, SessionMaterial

# --- Series ------------------------------------------------------------------------------


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


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "registration_state", "capacity"]
    list_filter = ["is_published", "registration_state", SeriesTimingFilter]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [SessionInline, QuestionInline]
    actions = ["duplicate_selected"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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
    ]

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


from .request_admin import OutgoingEmailAdmin, RegistrationRequestAdmin  # noqa: E402, F401
