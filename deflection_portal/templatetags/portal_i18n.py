"""Staff-written texts in the page's language, with English stand-ins marked as English.

A text that has no Spanish yet shows in English on the Spanish pages (django-modeltranslation's
fallback). Marking it `lang="en"` lets a screen reader switch to an English voice for it,
and tells browsers to hyphenate and translate it as English.

    {% load portal_i18n %}
    <h1>{{ resource|translated:"title" }}</h1>          inline: <span lang="en">…</span>
    <div class="prose"{{ series|fallback_lang:"about" }}>{{ series.about_html }}</div>
                                                        block: the attribute on its element

In <title> and attributes, use the plain value (`{{ resource.title }}`): no markup there.
"""

from django import template
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname

register = template.Library()


def falls_back(obj, field: str) -> bool:
    """True when the page is not in the default language and `obj`'s `field` shows the
    default language's text: nothing written for this language, or the same text."""
    language = get_language() or settings.LANGUAGE_CODE
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    if language.split("-")[0] == default:
        return False
    own_name = build_localized_fieldname(field, language)
    if obj is None or not hasattr(obj, own_name):
        return False
    own = (getattr(obj, own_name) or "").strip()
    fallback = (getattr(obj, build_localized_fieldname(field, default), None) or "").strip()
    return bool(fallback) and (not own or own == fallback)


def translated_html(obj, field: str) -> SafeString:
    """`obj.field` in the current language, escaped; wrapped in <span lang="en"> when it is
    the English stand-in for a missing translation."""
    text = getattr(obj, field, "") or ""
    if falls_back(obj, field):
        return format_html('<span lang="{}">{}</span>', _default_language(), text)
    return conditional_escape(text)


def _default_language() -> str:
    return settings.MODELTRANSLATION_DEFAULT_LANGUAGE


@register.filter
def translated(obj, field: str) -> SafeString:
    return translated_html(obj, field)


@register.filter
def fallback_lang(obj, field: str) -> SafeString:
    """` lang="en"` for the element holding `obj.field` when that is an English stand-in,
    else nothing."""
    if falls_back(obj, field):
        return mark_safe(f' lang="{conditional_escape(_default_language())}"')
    return mark_safe("")
