from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from .models import Audience, Collection, Resource, Topic, published_resource_count


class ResourceCountMixin:
    """A "published resources" column, counted in the changelist query (no per-row query)."""

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(published_resources=published_resource_count())
        )

    @admin.display(description=_("published resources"), ordering="published_resources")
    def published_resource_count(self, obj) -> int:
        return obj.published_resources


@admin.register(Collection)
class CollectionAdmin(ResourceCountMixin, TranslationAdmin):
    list_display = ["title", "slug", "order", "published_resource_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "description"]


@admin.register(Topic)
class TopicAdmin(ResourceCountMixin, TranslationAdmin):
    list_display = ["name", "slug", "order", "published_resource_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "description"]


@admin.register(Audience)
class AudienceAdmin(ResourceCountMixin, TranslationAdmin):
    list_display = ["name", "slug", "order", "published_resource_count"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Resource)
class ResourceAdmin(TranslationAdmin):
    list_display = [
        "title",
        "collection",
        "resource_type",
        "is_published",
        "is_featured",
        "last_reviewed_on",
        "preview_link",
    ]
    list_filter = [
        "collection",
        "resource_type",
        "topics",
        "audiences",
        "is_published",
        "is_featured",
    ]
    list_select_related = ["collection"]
    search_fields = ["title", "summary", "source", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["topics", "audiences"]
    date_hierarchy = "published_on"
    readonly_fields = ["created_at", "updated_at"]
    actions = ["publish_selected", "unpublish_selected"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (
            _("Content"),
            {
                "description": _(
                    "Give at least one: an uploaded file, an external link or a video link."
                ),
                "fields": ["file", "external_url", "video_url"],
            },
        ),
        (
            _("Classification"),
            {"fields": ["collection", "resource_type", "topics", "audiences"]},
        ),
        (
            _("Source and dates"),
            {"fields": ["source", "published_on", "last_reviewed_on"]},
        ),
        (
            _("Visibility"),
            {"fields": ["is_published", "is_featured", "created_at", "updated_at"]},
        ),
    ]

    @admin.display(description=_("page"))
    def preview_link(self, obj: Resource) -> str:
        label = _("View") if obj.is_published else _("Preview")
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', obj.get_absolute_url(), label
        )

    def _set_published(self, request, queryset, *, published: bool) -> None:
        to_change = list(queryset.exclude(is_published=published))
        unchanged = queryset.count() - len(to_change)
        Resource.objects.filter(pk__in=[obj.pk for obj in to_change]).update(is_published=published)
        for obj in to_change:
            self.log_change(request, obj, [{"changed": {"fields": [str(_("published"))]}}])
        if published:
            message = ngettext(
                "%(count)d resource published.", "%(count)d resources published.", len(to_change)
            )
            skipped = ngettext(
                "%(skipped)d was already published.",
                "%(skipped)d were already published.",
                unchanged,
            )
        else:
            message = ngettext(
                "%(count)d resource unpublished.",
                "%(count)d resources unpublished.",
                len(to_change),
            )
            skipped = ngettext(
                "%(skipped)d was already unpublished.",
                "%(skipped)d were already unpublished.",
                unchanged,
            )
        text = message if not unchanged else f"{message} {skipped}"
        self.message_user(request, text % {"count": len(to_change), "skipped": unchanged})

    @admin.action(description=_("Publish selected resources"), permissions=["change"])
    def publish_selected(self, request, queryset) -> None:
        self._set_published(request, queryset, published=True)

    @admin.action(description=_("Unpublish selected resources"), permissions=["change"])
    def unpublish_selected(self, request, queryset) -> None:
        self._set_published(request, queryset, published=False)
