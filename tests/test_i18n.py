"""The site in Spanish: a complete catalogue, every public page rendered in Spanish with no
English interface text left (staff content without Spanish yet must say lang="en"), the
language switcher keeping the page, and the page cache keeping the languages apart."""

import os
import re
import shutil
import subprocess
import sys
import time
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from deflection_portal import views
from deflection_portal.middleware import service_unavailable
from echo.forms import sign_started
from echo.models import OREGON_TRIBES, RegistrationRequest, Series

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"

# Words that are English and not Spanish: two of them in one text mean an English sentence.
ENGLISH_WORDS = {
    "the", "and", "your", "you", "with", "this", "that", "from", "will", "have", "has", "our",
    "are", "is", "not", "for", "of", "to", "be", "been", "was", "were", "it", "by", "or", "an",
    "which", "what", "when", "who", "can", "please", "here", "there", "about", "any", "all",
    "more", "these", "those", "their", "they", "we", "if", "into", "only", "each", "after",
}  # fmt: skip
# Attributes people hear or see as interface text.
TEXT_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "aria-description")
VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
MAX_PAGES = 160


def catalogue() -> polib.POFile:
    return polib.pofile(str(CATALOGUE))


def test_every_entry_of_the_spanish_catalogue_is_translated_and_none_is_fuzzy():
    po = catalogue()
    assert len(po) > 1000
    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sd]|%[sd]|\{\w*\}", text))


def test_translations_keep_every_placeholder():
    broken = []
    for entry in catalogue():
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for english, spanish in pairs:
            if placeholders(english) != placeholders(spanish) and not (
                entry.msgid_plural and "%(count)" not in spanish
            ):
                broken.append(entry.msgid)
    assert not broken, broken[:20]


@pytest.mark.skipif(
    shutil.which("xgettext") is None and os.environ.get("CI") != "true",
    reason="GNU gettext (xgettext) collects the strings; CI installs it",
)
def test_the_catalogue_holds_every_string_marked_in_the_code(tmp_path):
    """`make messages` on a copy of the project adds nothing untranslated: every marked string
    has its Spanish."""
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "manage.py", copy)
    for folder in ("deflection_portal", "library", "echo", "directory", "links", "staff",
                   "templates", "locale"):  # fmt: skip
        shutil.copytree(ROOT / folder, copy / folder, ignore=shutil.ignore_patterns("*.mo"))
    environment = {**os.environ, "DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": ""}
    environment.pop("DJANGO_SETTINGS_MODULE")
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "es", "--no-obsolete"],
        cwd=copy,
        env=environment,
        check=True,
        capture_output=True,
    )
    collected = polib.pofile(str(copy / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in collected.untranslated_entries()]
    missing += [entry.msgid for entry in collected.fuzzy_entries()]
    assert not missing, (
        f"marked in the code but not in the catalogue (run `make messages`): {missing[:20]}"
    )


# --- Rendering every public page in Spanish ----------------------------------------------


class PageText(HTMLParser):
    """The texts of a page a person reads or hears, each with whether it sits inside an
    element marked English (lang="en…")."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.texts: list[tuple[str, bool, str]] = []  # (text, marked English, where)
        self.links: list[str] = []
        self.html_lang = None

    @property
    def english(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    @property
    def hidden(self) -> bool:
        return any(tag in ("script", "style", "template") for tag, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang")
        lang = attributes.get("lang")
        english = lang.startswith("en") if lang is not None else self.english
        for name in TEXT_ATTRIBUTES:
            if attributes.get(name):
                self.texts.append((attributes[name], english, f"<{tag} {name}>"))
        if tag == "input" and attributes.get("type") in ("submit", "button", "reset"):
            if attributes.get("value"):
                self.texts.append((attributes["value"], english, "<input value>"))
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag not in VOID:
            self.stack.append((tag, english))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.hidden:
            where = self.stack[-1][0] if self.stack else "document"
            self.texts.append((text, self.english, f"<{where}>"))


def english_interface_strings() -> set[str]:
    """The catalogue's English texts whose Spanish differs: any of them on a Spanish page is
    an interface string left untranslated."""
    found = set()
    for entry in catalogue():
        spanish = entry.msgstr or entry.msgstr_plural.get(0, "")
        english = " ".join(entry.msgid.split())
        if spanish and " ".join(spanish.split()) != english and re.search("[A-Za-z]{3}", english):
            found.add(english)
    return found


# Official names, the same in every language.
PROPER_NAMES = {name for _, name in OREGON_TRIBES}


def english_left(html: str, interface: set[str]) -> tuple[list[str], PageText]:
    page = PageText()
    page.feed(html)
    problems = []
    for text, marked_english, where in page.texts:
        if marked_english or text in PROPER_NAMES:
            continue
        words = set(re.findall(r"[a-z']+", text.lower()))
        # A staff title in <title> cannot carry lang="en": only interface strings count there.
        if text in interface or (where != "<title>" and len(words & ENGLISH_WORDS) >= 2):
            problems.append(f"{where} {text[:120]!r}")
    return problems, page


def crawl_spanish_site(client, start: list[str]) -> dict[str, str]:
    """Every page reachable from the Spanish home by links that stay in Spanish."""
    seen: dict[str, str] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            seen[url] = ""
            continue
        html = response.content.decode()
        seen[url] = html
        page = PageText()
        page.feed(html)
        for href in page.links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/es/"):
                continue
            if parts.path.endswith((".ics", ".pdf", "/file/")):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                queue.append(target)
    return {url: html for url, html in seen.items() if html}


@pytest.fixture
def spanish_site(client, demo_content):
    series = Series.objects.filter(is_published=True).order_by("pk")
    request = RegistrationRequest.objects.exclude(access_token="").first()
    with translation.override("es"):
        start = ["/es/", reverse("library:search") + "?q=naloxone"]
        start += [reverse("echo:request", kwargs={"slug": s.slug}) for s in series]
        start += [reverse("echo:interest", kwargs={"slug": s.slug}) for s in series]
        if request is not None:
            start.append(request.get_status_url())
    return crawl_spanish_site(client, start)


def test_every_public_page_reads_in_spanish(spanish_site):
    interface = english_interface_strings()
    assert len(spanish_site) > 40, sorted(spanish_site)
    failures = {}
    for url, html in spanish_site.items():
        problems, page = english_left(html, interface)
        if page.html_lang != "es":
            problems.insert(0, f'<html lang="{page.html_lang}">')
        if problems:
            failures[url] = problems[:8]
    assert not failures, "\n".join(f"{url}: {problems}" for url, problems in failures.items())


def test_the_detector_finds_english_left_in_a_page():
    interface = english_interface_strings()
    html = '<html lang="es"><body><button>Search</button><p lang="en">Staff text in English.</p>'
    problems, _ = english_left(html, interface)
    assert problems == ["<button> 'Search'"]
    problems, _ = english_left("<p>Thank you for your request to the program.</p>", interface)
    assert problems


def test_form_errors_and_the_error_summary_read_in_spanish(client, demo_content):
    interface = english_interface_strings()
    checked = []
    for series in Series.objects.filter(is_published=True).order_by("pk"):
        with translation.override("es"):
            urls = [reverse(name, kwargs={"slug": series.slug}) for name in
                    ("echo:request", "echo:interest")]  # fmt: skip
        for url in urls:
            # Started a minute ago (past the trap for bots), every answer missing.
            started = sign_started(time.time() - 60)
            html = client.post(url, {"form_started": started}).content.decode()
            if 'id="error-summary"' not in html:
                continue  # a closed run explains itself instead of showing the form
            problems, _ = english_left(html, interface)
            assert not problems, (url, problems)
            checked.append(url)
    assert len(checked) >= 2, checked  # the open series' request form and an interest list


def test_error_pages_read_in_spanish(rf: RequestFactory):
    interface = english_interface_strings()
    request = rf.get("/es/biblioteca-que-no-existe/")
    pages = {
        400: views.bad_request(request),
        403: views.permission_denied(request),
        404: views.page_not_found(request),
        500: views.server_error(request),
        503: service_unavailable(request),
        413: views.too_large(request),
    }
    with translation.override("es"):
        pages[429] = render_to_string("429.html", {"retry_minutes": 5, "request": request})
        pages["csrf"] = views.csrf_failure(request)
    for status, page in pages.items():
        html = page if isinstance(page, str) else page.content.decode()
        problems, parsed = english_left(html, interface)
        assert not problems, (status, problems)
        assert parsed.html_lang == "es", status
    english = views.page_not_found(rf.get("/no-such-page/")).content.decode()
    assert '<html lang="en">' in english


def test_the_switcher_keeps_the_page_and_its_query(client, demo_content):
    response = client.get("/library/search/?q=naloxone&sort=date")
    html = response.content.decode()
    assert 'href="/es/library/search/?q=naloxone&amp;sort=date" hreflang="es"' in html
    spanish = client.get("/es/library/search/?q=naloxone&sort=date").content.decode()
    assert '<html lang="es">' in spanish
    assert 'href="/library/search/?q=naloxone&amp;sort=date" hreflang="en"' in spanish
    base = settings.PORTAL_BASE_URL
    assert f'<link rel="alternate" hreflang="es" href="{base}/es/library/search/">' in spanish
    assert f'<link rel="alternate" hreflang="en" href="{base}/library/search/">' in spanish


@pytest.mark.django_db
def test_staff_pages_and_the_admin_stay_english_without_a_switcher(client):
    for url in ("/admin/login/", "/es/admin/login/"):
        response = client.get(url)
        if url.startswith("/es/"):
            assert response.status_code == 404
            continue
        html = response.content.decode()
        assert 'lang="en' in html and "Español" not in html


def test_the_page_cache_keeps_the_languages_apart(client, settings, demo_content):
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    english = client.get("/library/")
    spanish = client.get("/es/library/")
    again_english = client.get("/library/")
    again_spanish = client.get("/es/library/")
    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="es">' in spanish.content.decode()
    assert again_english.content == english.content
    assert again_spanish.content == spanish.content
    assert again_spanish.content != again_english.content
