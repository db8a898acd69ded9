from django.contrib import admin

from .models import Audience, Collection, Resource, Topic


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["title", "order"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "collection", "resource_type", "is_published"]
    list_filter = ["collection", "resource_type", "is_published"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "summary", "source"]
    filter_horizontal = ["topics", "audiences"]
