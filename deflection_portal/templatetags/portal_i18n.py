"""Staff-written texts in the page's language, with English stand-ins marked as English
(see deflection_portal/content_language.py).

    {% load portal_i18n %}
    <h1>{{ resource|translated:"title" }}</h1>          inline: <span lang="en">…</span>
    <div class="prose"{{ series|fallback_lang:"about" }}>{{ series.about_html }}</div>
                                                        block: the attribute on its element
    <dd{% english_only %}>{{ resource.source }}</dd>   a text written in English only

In <title> and attributes, use the plain value (`{{ resource.title }}`): no markup there.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from deflection_portal.content_language import default_language, falls_back, translated_html

register = template.Library()


@register.filter
def translated(obj, field: str) -> str:
    return translated_html(obj, field)


@register.filter
def fallback_lang(obj, field: str) -> SafeString:
    """` lang="en"` for the element holding `obj.field` when that is an English stand-in,
    else nothing."""
    if falls_back(obj, field):
        return mark_safe(f' lang="{conditional_escape(default_language())}"')
    return mark_safe("")


@register.filter
def written_in_page_language(obj, field: str) -> bool:
    """True on a page in another language than English when `obj.field` has its own text in
    that language (not the English stand-in)."""
    language = (get_language() or default_language()).split("-")[0]
    return language != default_language() and not falls_back(obj, field)


@register.simple_tag
def english_only() -> SafeString:
    """` lang="en"` on a page in another language, for staff texts kept in English only (a
    resource's body and source): nothing on the English pages."""
    if (get_language() or default_language()).split("-")[0] == default_language():
        return mark_safe("")
    return mark_safe(f' lang="{conditional_escape(default_language())}"')
