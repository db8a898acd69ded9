"""`{% address 'name' %}`: `{% url 'name' %}` for the links on every page (the header's
and footer's), reversed once per language rather than on each page (deflection_portal/
urls_fast.py). Only for URL names without arguments."""

from django import template

from deflection_portal.urls_fast import slug_url

register = template.Library()


@register.simple_tag
def address(viewname: str) -> str:
    return slug_url(viewname)
