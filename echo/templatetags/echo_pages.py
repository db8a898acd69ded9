"""Helpers for the public ECHO pages."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from deflection_portal.content_language import translated_html

register = template.Library()


@register.simple_tag
def material_items(materials) -> SafeString:
    """The <li> of each of a session's materials (SessionMaterial links): the type, the
    title linked to the recording, the file or the outside page (whichever the resource
    has, in that order), and a link to the resource's page in the library. Built here
    rather than by a template loop: the archive lists sixty of them."""
    about = gettext("About this resource")
    rows = []
    for link in materials:
        resource = link.resource
        title = translated_html(resource, "title")
        if resource.video_url:
            target = resource.video_url
        elif resource.file:
            target = resource.get_file_url()
        else:
            target = resource.external_url
        shown = format_html('<a href="{}">{}</a>', target, title) if target else title
        rows.append(
            (
                resource.get_resource_type_display(),
                shown,
                resource.get_absolute_url(),
                about,
                title,
            )
        )
    return format_html_join(
        "\n",
        '<li><span class="material-type">{}:</span> {} <a class="small" href="{}">{}'
        '<span class="visually-hidden">: {}</span></a></li>',
        rows,
    )
