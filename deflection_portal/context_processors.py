"""What every page template may use: the program's name and contact (read when first used),
the page's canonical address and its address in each language."""

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.functional import SimpleLazyObject

# The settings row the header and footer showed last, with the content version it was read
# under (deflection_portal/page_cache.py): a save of the row replaces the version.
_shown: tuple | None = None


def program_for_pages():
    """The program's settings for a page's header and footer: read again only when the
    shared content version has changed (every saved change to the settings changes it, so
    the next page shows it; other processes within PORTAL_PAGE_CACHE_VERSION_SECONDS).
    Saves each page a query. Forms and emails read the row afresh (ProgramSettings.load)."""
    global _shown
    from .models import ProgramSettings
    from .page_cache import content_version

    try:
        version = content_version()
    except DatabaseError:
        return ProgramSettings.load()
    shown = _shown
    if shown is not None and shown[0] == version:
        return shown[1]
    row = ProgramSettings.load()
    # Only a row read from the database: the defaults stand in for one that is not saved
    # yet, or that could not be read, and are looked for again next time.
    _shown = (version, row) if not row._state.adding else None
    return row


def program(request: HttpRequest) -> dict:
    return {
        "program": SimpleLazyObject(program_for_pages),
        "base_url": settings.PORTAL_BASE_URL,
        "canonical_url": settings.PORTAL_BASE_URL + request.path,
    }


def languages(request: HttpRequest) -> dict:
    """The current page in each language: the switcher's links and the hreflang alternates.

    `language_versions`: one dict per language (code, name in that language, the page's path
    with its query kept, its absolute address without the query, and whether it is this one);
    empty on a page that exists in one language only.
    """

    def versions() -> list[dict]:
        current = translation.get_language() or settings.LANGUAGE_CODE
        query = request.META.get("QUERY_STRING", "")
        found = []
        for code, name in settings.LANGUAGES:
            path = translate_url(escape_uri_path(request.path), code)
            found.append(
                {
                    "code": code,
                    "name": name,
                    "url": f"{path}?{iri_to_uri(query)}" if query else path,
                    "absolute": settings.PORTAL_BASE_URL + path,
                    "current": code == current,
                }
            )
        # A page with one address (the staff pages, an unknown URL) has no other language.
        return found if len({version["url"] for version in found}) > 1 else []

    return {"language_versions": SimpleLazyObject(versions)}
