"""Template helpers for library pages."""

from django import template
from django.utils.dateformat import format as format_date
from django.utils.formats import number_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from deflection_portal.content_language import translated_html
from deflection_portal.templatetags.portal_i18n import english_only, written_in_page_language
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


def resource_count(n: int) -> str:
    """ "12 resources", in the page's language (the catalogue's entry for the templates'
    `blocktranslate count` of the same words)."""
    return ngettext("%(counter)s resource", "%(counter)s resources", n) % {
        "counter": number_format(n)
    }


@register.simple_tag
def topic_items(topics) -> SafeString:
    """The <li> of each topic with its count, for the library home's list of topics: built
    here rather than by a template loop, which took most of the page's time at 70 topics."""
    return format_html_join(
        "\n",
        '<li class="col"><a href="{}">{}</a> '
        '<span class="text-body-secondary small">({})</span></li>',
        (
            (
                topic.get_absolute_url(),
                translated_html(topic, "name"),
                resource_count(topic.resource_count),
            )
            for topic in topics
        ),
    )


@register.simple_tag
def facet_items(options, estimated: bool) -> SafeString:
    """The <li> of each option of one search facet: its link (which picks the value, or
    drops it when picked), its count (marked as an estimate for a broad search) and, for the
    picked value, what following the link does. Built here rather than by a template loop:
    a search page has about a hundred options."""
    about = (
        format_html(
            '<span aria-hidden="true">≈</span><span class="visually-hidden">{} </span>',
            gettext("about"),
        )
        if estimated
        else ""
    )
    results = format_html('<span class="visually-hidden"> {}</span>', gettext("results"))
    picked = format_html(
        ' <span class="visually-hidden">{}</span>', gettext("(selected; follow the link to remove)")
    )
    items = []
    for option in options:
        count = number_format(option["count"])
        if option["selected"]:
            items.append(
                format_html(
                    '<li><a href="{}" aria-current="true" class="fw-semibold">{}</a> '
                    '<span class="badge text-bg-secondary">{}{}{}</span>{}</li>',
                    option["url"],
                    option["label"],
                    about,
                    count,
                    results,
                    picked,
                )
            )
        else:
            items.append(
                format_html(
                    '<li><a href="{}">{}</a> '
                    '<span class="badge text-bg-light border">{}{}{}</span></li>',
                    option["url"],
                    option["label"],
                    about,
                    count,
                    results,
                )
            )
    return mark_safe("\n".join(items))  # each item built by format_html, which escapes


@register.simple_tag
def resource_item(resource, show_collection: bool = False) -> SafeString:
    """One resource in a list (search results, a topic, a library, the featured ones): its
    linked title, type, library, source and month, then the search's highlighted extract
    (marked English on a Spanish page without its own summary) or the summary. Built here
    rather than by an included template, which cost a list page a third of its time."""
    details = [
        format_html(
            '<span class="badge text-bg-light border">{}</span>',
            resource.get_resource_type_display(),
        )
    ]
    if show_collection:
        details.append(
            format_html("<span>{}</span>", translated_html(resource.collection, "title"))
        )
    if resource.source:
        details.append(
            format_html("<span>· <span{}>{}</span></span>", english_only(), resource.source)
        )
    if resource.published_on:
        details.append(
            format_html(
                '<span>· <time datetime="{}">{}</time></span>',
                format_date(resource.published_on, "Y-m-d"),
                format_date(resource.published_on, gettext("F Y")),
            )
        )
    headline = getattr(resource, "headline", "")
    if headline and not written_in_page_language(resource, "summary"):
        text = format_html('<p class="mb-0"{}>{}</p>', english_only(), highlight(headline))
    else:
        text = format_html('<p class="mb-0">{}</p>', translated_html(resource, "summary"))
    return format_html(
        '<article class="resource-item py-3 border-bottom">\n'
        '  <h3 class="h5 mb-1"><a href="{}">{}</a></h3>\n'
        '  <p class="small text-body-secondary mb-1">\n    {}\n  </p>\n  {}\n</article>',
        resource.get_absolute_url(),
        translated_html(resource, "title"),
        mark_safe("\n    ".join(details)),  # each part built by format_html, which escapes
        text,
    )
