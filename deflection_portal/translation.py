"""The program's public texts, and the flat pages, in both languages
(django-modeltranslation)."""

from django.contrib.flatpages.models import FlatPage
from modeltranslation.translator import TranslationOptions, register

from .models import ProgramSettings


@register(ProgramSettings)
class ProgramSettingsTranslation(TranslationOptions):
    fields = ("program_name", "official_line", "agency_name", "contact_hours")


@register(FlatPage)
class FlatPageTranslation(TranslationOptions):
    fields = ("title", "content")
