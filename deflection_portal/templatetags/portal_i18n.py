"""Staff-written texts in the page's language, with English stand-ins marked as English
(see deflection_portal/content_language.py).

    {% load portal_i18n %}
    <h1>{{ resource|translated:"title" }}</h1>          inline: <span lang="en">…</span>
    <div class="prose"{{ series|fallback_lang:"about" }}>{{ series.about_html }}</div>
                                                        block: the attribute on its element

In <title> and attributes, use the plain value (`{{ resource.title }}`): no markup there.
"""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

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
