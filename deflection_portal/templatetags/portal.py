"""Template helpers shared by every page."""

from django import template
from django.utils.safestring import SafeString

from deflection_portal.markup import sanitize_html

register = template.Library()


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
