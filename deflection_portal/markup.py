"""One renderer for staff-written text: Markdown to HTML, then one allow-list of tags and
attributes (nh3), for every caller (resource bodies, series descriptions, flat pages, the
staff guide)."""

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["extra", "sane_lists"]

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


def sanitize_html(html: str, *, whole_page: bool = False) -> SafeString:
    """Return staff-written HTML with everything outside the allow-list removed. Text shown
    inside a page starts at <h2> (the page has its <h1>); a `whole_page` may have its own."""
    cleaned = nh3.clean(
        html or "",
        tags=ALLOWED_TAGS | {"h1"} if whole_page else ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # cleaned by nh3 just above


def render_markdown(text: str, *, whole_page: bool = False) -> SafeString:
    """Staff-written Markdown as sanitized HTML (tables and lists included)."""
    return _rendered(text or "", whole_page)


@lru_cache(maxsize=256)
def _rendered(text: str, whole_page: bool) -> SafeString:
    # The HTML depends on the text alone, so each process converts a text once (1-2 ms for
    # a resource's body) and an edited text is simply a new entry.
    html = markdown.markdown(text, extensions=EXTENSIONS)
    return sanitize_html(html, whole_page=whole_page)
