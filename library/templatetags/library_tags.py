"""Template helpers for library pages."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from library.models import HIGHLIGHT_START, HIGHLIGHT_STOP

register = template.Library()


@register.filter
def highlight(snippet: str) -> SafeString:
    """Escape a search snippet, then turn the database's match markers into <mark>."""
    escaped = str(escape(snippet or ""))
    opened = escaped.count(HIGHLIGHT_START)
    html = escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
    if opened != escaped.count(HIGHLIGHT_STOP):
        html = html.replace("<mark>", "").replace("</mark>", "")
    return mark_safe(html)  # everything but the <mark> tags was escaped just above
