"""The library's staff-written texts in both languages (django-modeltranslation).

The search triggers read the English columns (`title_en`, `summary_en`) for the English
index and the Spanish ones for the Spanish index (migration 0007)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Audience, Collection, Resource, Topic


@register(Collection)
class CollectionTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Audience)
class AudienceTranslation(TranslationOptions):
    fields = ("name",)


@register(Resource)
class ResourceTranslation(TranslationOptions):
    fields = ("title", "summary")
