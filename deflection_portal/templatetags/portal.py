"""Template helpers shared by every page."""

import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Staff-written HTML may use ordinary document markup but never scripts, styles or
# event handlers: nh3 keeps an allow-list of tags and attributes and drops the rest.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "img": {"src", "alt", "width", "height"},
    "q": {"cite"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"class", "id", "lang"},
}


def sanitize_html(html: str) -> SafeString:
    """Return staff-written HTML with everything outside the allow-list removed."""
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # cleaned by nh3 just above


@register.filter(name="sanitize_html")
def sanitize_html_filter(html: str) -> SafeString:
    return sanitize_html(html)


@register.filter
def error_anchor(bound_field) -> str:
    """The id the error summary links to: the input itself, or the first option of a group."""
    widget = bound_field.field.widget
    grouped = (
        getattr(widget, "input_type", "") == "radio"
        or getattr(widget, "allow_multiple_selected", False)
        and getattr(widget, "input_type", "") == "checkbox"
    )
    return f"{bound_field.auto_id}_0" if grouped else bound_field.auto_id


@register.filter(name="duration")
def duration_filter(value) -> str:
    """A timedelta or a number of seconds in words ("30 minutes", "2 hours")."""
    from ..middleware import duration

    seconds = value.total_seconds() if hasattr(value, "total_seconds") else value
    return duration(int(seconds))
