"""Which language a staff-written text shows in, for marking English stand-ins.

A text that has no Spanish yet shows in English on the Spanish pages (django-modeltranslation's
fallback). Marking it `lang="en"` lets a screen reader switch to an English voice for it, and
tells browsers to hyphenate and translate it as English. Templates use the `translated` and
`fallback_lang` filters (deflection_portal/templatetags/portal_i18n.py); forms use
`translated_html` for labels built from staff-written questions.
"""

from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname


def default_language() -> str:
    return settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def falls_back(obj, field: str) -> bool:
    """True when the page is not in the default language and `obj`'s `field` shows the
    default language's text: nothing written for this language, or the same text."""
    language = get_language() or settings.LANGUAGE_CODE
    if language.split("-")[0] == default_language():
        return False
    own_name = build_localized_fieldname(field, language)
    if obj is None or not hasattr(obj, own_name):
        return False
    own = (getattr(obj, own_name) or "").strip()
    fallback = (getattr(obj, build_localized_fieldname(field, default_language())) or "").strip()
    return bool(fallback) and (not own or own == fallback)


def mark_english(text: str) -> SafeString:
    return format_html('<span lang="{}">{}</span>', default_language(), text)


def translated_html(obj, field: str) -> str:
    """`obj.field` in the current language: wrapped in <span lang="en"> (escaped, safe) when
    it is the English stand-in for a missing translation, else the plain text, which
    templates and form rendering escape as usual."""
    text = getattr(obj, field, "") or ""
    return mark_english(text) if falls_back(obj, field) else text


def drop_defaults_of_other_languages() -> None:
    """A model default is English text ("About your program"); django-modeltranslation
    copies it to every language's column, so a new row would carry English in its Spanish
    column, shown unmarked and never replaced by the fallback. Only the default language's
    columns keep the default; the others start empty. Called from PortalConfig.ready(),
    after every app's translation.py is registered."""
    from django.db.models import NOT_PROVIDED
    from modeltranslation.translator import translator

    for model in translator.get_registered_models(abstract=False):
        for fields in translator.get_options_for_model(model).all_fields.values():
            for field in fields:
                if field.language != default_language():
                    field.default = NOT_PROVIDED
