"""What every page template may use: the program's name and contact (read when first used),
the page's canonical address and its address in each language."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject


def program(request: HttpRequest) -> dict:
    from .models import ProgramSettings

    return {
        "program": SimpleLazyObject(ProgramSettings.load),
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
        path = request.path
        full = request.get_full_path()
        found = [
            {
                "code": code,
                "name": name,
                "url": translate_url(full, code),
                "absolute": settings.PORTAL_BASE_URL + translate_url(path, code),
                "current": code == current,
            }
            for code, name in settings.LANGUAGES
        ]
        # A page with one address (the staff pages, an unknown URL) has no other language.
        return found if len({version["url"] for version in found}) > 1 else []

    return {"language_versions": SimpleLazyObject(versions)}
