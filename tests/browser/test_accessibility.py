"""axe-core (WCAG 2.0/2.1/2.2 A and AA) on every public page, at desktop width, at 320 px and
with text at 200%, and reflow: nothing scrolls sideways or is cut off at 320 px or with text
at 200%."""

import pytest
from django.urls import reverse
from django.utils import translation

from echo.models import RequestState, Series
from tests.factories import make_request

from .a11y import axe_violations, describe_violations, horizontal_overflow, zoom_text
from .conftest import DESKTOP
from .data import ARCHIVE_SLUG, LEADERSHIP_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 800}
MISSING_PATH = "/no-such-page/"
FORM_WITH_ERRORS = "request form with errors"


def public_pages(language: str = "en") -> list[tuple[str, str]]:
    """(name, path) of every public page in the language, with the data each one needs."""
    with translation.override(language):
        return _public_pages("/es" if language == "es" else "")


def _public_pages(prefix: str) -> list[tuple[str, str]]:
    series = Series.objects.get(slug=LEADERSHIP_SLUG)
    pending = make_request(series=series)
    withdrawn = make_request(series=series, state=RequestState.WITHDRAWN)
    offered = series.requests.get(state=RequestState.OFFERED)
    approved = series.requests.filter(state=RequestState.APPROVED).first()
    request_form = reverse("echo:request", kwargs={"slug": LEADERSHIP_SLUG})
    return [
        ("home", reverse("home")),
        ("what is deflection", reverse("what-is-deflection")),
        ("library home", reverse("library:home")),
        ("collection", reverse("library:collection", kwargs={"slug": "deflection-resources"})),
        ("topic", reverse("library:topic", kwargs={"slug": "civil-citation"})),
        ("resource", reverse("library:resource", kwargs={"slug": "civil-citation-model"})),
        ("search with results", reverse("library:search") + "?q=civil+citation"),
        (
            "search with a facet",
            reverse("library:search") + "?q=civil+citation&topic=civil-citation",
        ),
        ("search with no results", reverse("library:search") + "?q=zebra+xylophone"),
        ("empty search", reverse("library:search")),
        ("ECHO home", reverse("echo:home")),
        ("series page (full)", reverse("echo:series", kwargs={"slug": LEADERSHIP_SLUG})),
        ("series page (archive)", reverse("echo:series", kwargs={"slug": ARCHIVE_SLUG})),
        ("archive", reverse("echo:archive")),
        ("series archive", reverse("echo:series-archive", kwargs={"slug": ARCHIVE_SLUG})),
        ("session", reverse("echo:session", kwargs={"slug": ARCHIVE_SLUG, "number": 1})),
        ("request form", request_form),
        (FORM_WITH_ERRORS, request_form),
        ("requests closed", reverse("echo:request", kwargs={"slug": ARCHIVE_SLUG})),
        (
            "request received",
            reverse("echo:request-received", kwargs={"slug": LEADERSHIP_SLUG}),
        ),
        ("status page (pending)", pending.get_status_url()),
        ("status page (withdrawn)", withdrawn.get_status_url()),
        ("status page (offered)", offered.get_status_url()),
        ("status page (approved)", approved.get_status_url()),
        ("interest list", reverse("echo:interest", kwargs={"slug": ARCHIVE_SLUG})),
        ("interest list thanks", reverse("echo:interest-thanks", kwargs={"slug": ARCHIVE_SLUG})),
        ("leave the interest list", prefix + "/echo/interest/leave/" + "x" * 43 + "/"),
        ("privacy notice", reverse("echo:privacy")),
        ("change answers", reverse("echo:request-edit", args=[pending.access_token])),
        ("program directory", reverse("directory:home")),
        ("contact", reverse("contact")),
        ("accessibility statement", reverse("accessibility")),
        ("404", prefix + MISSING_PATH),
    ]


def open_page(page, console_errors, name: str, path: str, language: str = "en") -> None:
    response = page.goto(path)
    if name == FORM_WITH_ERRORS:
        with translation.override(language):
            send = translation.gettext("Send my request")
        page.get_by_role("button", name=send).click()
        page.wait_for_load_state()
        assert page.locator("#error-summary").is_visible(), "no error summary after submit"
    elif path.endswith(MISSING_PATH):
        assert response.status == 404
        # The browser reports the document's own 404 status as a console error.
        console_errors[:] = [e for e in console_errors if "404" not in e]
    else:
        assert response.status == 200, f"{name}: {path} answered {response.status}"


def wide_and_narrow_problems(page, label: str) -> list[str]:
    """axe on the open page at 1280 px (the current size), then axe and sideways scrolling at
    320 px; the viewport is left at 320 px."""
    problems = []
    if violations := axe_violations(page):
        problems.append(f"{label}, axe at 1280 px:\n{describe_violations(violations)}")
    page.set_viewport_size(NARROW)
    if violations := axe_violations(page):
        problems.append(f"{label}, axe at 320 px:\n{describe_violations(violations)}")
    if overflow := horizontal_overflow(page):
        problems.append(f"{label}, overflow at 320 px:\n  " + "\n  ".join(overflow))
    return problems


def test_every_public_page_passes_axe_and_reflows(page, console_errors, demo_site):
    """Each page once: axe at 1280 px and at 320 px (where nothing may scroll sideways), then
    text at 200% at 1280 px (axe again) and at 640 px (200% browser zoom of a 1280 px
    window)."""
    failures = []
    for name, path in public_pages():
        page.set_viewport_size(DESKTOP)
        open_page(page, console_errors, name, path)
        label = f"{name} ({path})"
        failures += wide_and_narrow_problems(page, label)
        zoom_text(page, 200)
        for width in (DESKTOP["width"], 640):
            page.set_viewport_size({"width": width, "height": DESKTOP["height"]})
            if width == DESKTOP["width"] and (violations := axe_violations(page)):
                failures.append(
                    f"{label}, axe with text at 200%:\n{describe_violations(violations)}"
                )
            if overflow := horizontal_overflow(page):
                failures.append(
                    f"{label}, overflow with text at 200%, {width} px:\n  " + "\n  ".join(overflow)
                )
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_every_public_page_in_spanish_passes_axe_at_1280_and_320_px(
    page, console_errors, demo_site
):
    """The Spanish pages: longer words and sentences, the same rules."""
    failures = []
    for name, path in public_pages("es"):
        assert path.startswith("/es/"), path
        page.set_viewport_size(DESKTOP)
        open_page(page, console_errors, name, path, language="es")
        label = f"{name} ({path})"
        assert page.locator("html").get_attribute("lang") == "es", label
        failures += wide_and_narrow_problems(page, label)
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_switching_language_keeps_the_page_and_the_search(page, demo_site):
    page.set_viewport_size(NARROW)
    page.goto(reverse("library:search") + "?q=civil+citation")
    with page.expect_navigation():
        page.get_by_role("link", name="Español").click()
    assert page.url.endswith("/es/library/search/?q=civil+citation")
    assert page.locator("html").get_attribute("lang") == "es"
    # Reached by keyboard too, and back to English on the same page.
    english = page.get_by_role("link", name="English")
    english.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/library/search/?q=civil+citation")
    assert "/es/" not in page.url
    assert page.locator("html").get_attribute("lang") == "en"
