"""The directory's public note in both languages (django-modeltranslation). Names and
agencies are proper names and stay as staff write them."""

from modeltranslation.translator import TranslationOptions, register

from .models import Jurisdiction


@register(Jurisdiction)
class JurisdictionTranslation(TranslationOptions):
    fields = ("notes",)
