"""What people do on the portal, in Chromium, ending in what they see."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import expect

from echo.mail import deliver_due
from echo.models import RegistrationRequest, RequestState, Series

from .data import LEADERSHIP_SLUG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PTACC = "https://ptaccollaborative.org/"

APPLICANT_EMAIL = "jordan.okafor@example.net"
SHORT_ANSWER = "We are planning a program in our county."
PROGRAM_ANSWER = (
    "Lane County started planning deflection last year with the sheriff's office, the county "
    "treatment provider and a peer recovery organization. I coordinate the work group, keep "
    "the referral steps and data sharing on track, and train patrol deputies on the officer "
    "referral pathway before our launch next spring."
)
HOPES_ANSWER = (
    "We want to learn how other counties make warm handoffs work at night and on weekends, "
    "how they keep officers and clinicians meeting once the first grant period ends, and "
    "which simple measures convinced their commissioners that deflection is worth funding "
    "for the long term in a rural county."
)
TEAM_ANSWER = "Our behavioral health lead, a patrol sergeant and a peer recovery mentor."

PROGRAM_QUESTION = "Describe your deflection program and your role in it."
HOPES_QUESTION = "What do you hope to gain from this ECHO?"
TEAM_QUESTION = "Which members of your team would attend with you?"
STAGE_QUESTION = "What stage is your deflection program at?"
PARTNERS_QUESTION = "Which partners are involved in your program today?"
GRANT_QUESTION = "Has your program applied for or received a deflection grant"


def test_answers_are_long_enough_for_the_demo_questions():
    assert len(SHORT_ANSWER.split()) < 40
    assert len(PROGRAM_ANSWER.split()) >= 40 and len(HOPES_ANSWER.split()) >= 40
    assert len(TEAM_ANSWER.split()) >= 10


def type_into(locator, text: str) -> None:
    """Click the field and type, one key event per character."""
    locator.click()
    locator.press_sequentially(text)


def write_answer(page, locator, text: str) -> None:
    """A long answer: the first words typed, the rest pasted from a draft."""
    first, rest = text[:60], text[60:]
    type_into(locator, first)
    page.keyboard.insert_text(rest)


def stub_external_site(context, url: str, title: str) -> None:
    """Answer for another website, so following a link needs no network."""
    body = f"<!doctype html><html lang='en'><title>{title}</title><h1>{title}</h1></html>"
    context.route(
        f"{url}**", lambda route: route.fulfill(status=200, content_type="text/html", body=body)
    )


def status_link_in_outbox(email: str) -> str:
    report = deliver_due()
    assert report.sent >= 1, report
    received = [message for message in mail.outbox if email in message.to]
    assert len(received) == 1, [message.subject for message in mail.outbox]
    body = received[0].body
    assert "not yet a seat" in body
    match = re.search(r"https?://\S+/echo/requests/[\w-]+/", body)
    assert match, body
    return match.group(0)


# --- 1. A newcomer reads, searches the library, narrows, opens and follows a resource ------


def test_newcomer_reads_searches_narrows_and_follows_a_resource(
    page, context, demo_site, screenshot
):
    stub_external_site(context, PTACC, "Police, Treatment, and Community Collaborative")
    main_nav = page.get_by_role("navigation", name="Main")

    page.goto("/")
    main_nav.get_by_role("link", name="What is deflection?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What is deflection?")
    definition = page.locator("blockquote.definition")
    expect(definition).to_contain_text("warm handoffs")
    expect(definition).to_contain_text("JCOIN")

    main_nav.get_by_role("link", name="Library").click()
    expect(main_nav.get_by_role("link", name="Library")).to_have_attribute("aria-current", "page")
    search = page.get_by_role("search")
    type_into(search.get_by_label("Search the library"), "civil citation")
    search.get_by_label("Search the library").press("Enter")

    expect(page).to_have_url(re.compile(r"/library/search/\?q=civil\+citation"))
    results = page.get_by_role("region", name=re.compile("for “civil citation”"))
    expect(results.get_by_role("link", name="Civil Citation Model")).to_be_visible()

    facets = page.get_by_role("complementary", name="Filters")
    facets.get_by_role("link", name="Civil Citation model", exact=True).click()
    expect(page).to_have_url(re.compile(r"topic=civil-citation"))
    expect(page.get_by_text("Filtered by:")).to_be_visible()
    expect(
        page.get_by_role("link", name=re.compile(r"Civil Citation model.*remove this filter"))
    ).to_be_visible()
    expect(page.get_by_label("Search the library")).to_have_value("civil citation")

    results.get_by_role("link", name="Civil Citation Model").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Civil Citation Model")
    expect(page.get_by_text("How it works")).to_be_visible()
    screenshot(page, "resource")

    page.get_by_role("link", name="Open the resource (on another website)").click()
    expect(page).to_have_url(PTACC)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Police, Treatment, and Community Collaborative"
    )


PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_on_a_phone_the_first_result_shows_before_the_filters_which_open_by_keyboard(
    browser, live_server, demo_site, screenshot, javascript
):
    phone = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=javascript
    )
    try:
        page = phone.new_page()
        page.goto("/library/search/?q=deflection")
        results = page.get_by_role("region", name=re.compile("for “deflection”"))
        first = results.locator("article h3 a").first
        expect(first).to_be_visible()
        box = first.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], box
        assert page.evaluate("window.scrollY") == 0

        filters = page.get_by_role("complementary", name="Filters")
        topic_link = filters.get_by_role("link", name="Civil Citation model", exact=True)
        expect(topic_link).to_be_hidden()
        toggle = filters.locator("summary")
        toggle.focus()
        page.keyboard.press("Enter")
        expect(topic_link).to_be_visible()
        screenshot(page, "filters-open")
        page.keyboard.press("Enter")
        expect(topic_link).to_be_hidden()
        page.keyboard.press("Space")
        topic_link.focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"topic=civil-citation"))
    finally:
        phone.close()


# --- 2. The ECHO archive: session 1, its materials, take-homes and calendar file ---------


def test_visitor_opens_session_1_in_the_archive_and_takes_its_materials(
    page, demo_site, screenshot
):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="ECHO").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ECHO programs")
    page.get_by_role("link", name="Deflection ECHO 2024", exact=True).first.click()
    page.get_by_role("link", name="Past sessions, with their materials and recordings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Deflection ECHO 2024: session archive"
    )
    session_1 = page.get_by_role("link", name="Session 1: Deflection 101")
    for _ in range(5):  # newest first: session 1 may be on a later page
        if session_1.count():
            break
        page.get_by_role("navigation", name="Pagination").get_by_role(
            "link", name=re.compile("Next")
        ).click()
    session_1.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Session 1: Deflection 101")
    expect(page.get_by_role("heading", name="Materials and recording")).to_be_visible()
    slides = page.get_by_role("link", name="Deflection 101 Presentation", exact=True)
    recording = page.get_by_role("link", name="Session 1 Recording: Deflection 101", exact=True)
    expect(slides).to_be_visible()
    expect(recording).to_have_attribute("href", re.compile(r"^https://"))
    take_homes = page.locator("h2:has-text('Key take-homes') + ul > li")
    expect(take_homes).to_have_count(5)
    expect(take_homes.first).to_contain_text("warm handoff")
    screenshot(page, "session")

    with page.expect_download() as slides_download:
        slides.click()
    with open(slides_download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    with page.expect_download() as calendar_download:
        page.get_by_role("link", name=re.compile(r"calendar entry.*Deflection 101")).click()
    assert calendar_download.value.suggested_filename.endswith(".ics")
    with open(calendar_download.value.path(), encoding="utf-8") as ics:
        calendar = ics.read()
    assert calendar.startswith("BEGIN:VCALENDAR")
    assert "SUMMARY:" in calendar and "Deflection 101" in calendar
    assert "DTSTART" in calendar


# --- 3. A request while the series is full: errors, fix, received, email, withdraw ---------


def fill_core_fields(page) -> None:
    type_into(page.get_by_role("textbox", name="Full name", exact=True), "Jordan Okafor")
    type_into(page.get_by_role("textbox", name="Email", exact=True), APPLICANT_EMAIL)
    type_into(
        page.get_by_role("textbox", name="Organization", exact=True),
        "Lane County Health & Human Services",
    )
    type_into(
        page.get_by_role("textbox", name="Role or title", exact=True),
        "Deflection coordinator",
    )
    page.get_by_role("combobox", name="Sector", exact=True).select_option(label="Behavioral health")
    page.get_by_role("combobox", name="County or tribe", exact=True).select_option(
        label="Lane County"
    )


def fill_series_questions(page, *, program_answer: str) -> None:
    page.get_by_role("group", name=STAGE_QUESTION).get_by_label("Planning a program").check()
    write_answer(page, page.get_by_label(PROGRAM_QUESTION), program_answer)
    partners = page.get_by_role("group", name=PARTNERS_QUESTION)
    partners.get_by_label("Law enforcement").check()
    partners.get_by_label("Peer recovery services").check()
    page.get_by_role("group", name=GRANT_QUESTION).get_by_label("No", exact=True).check()
    write_answer(page, page.get_by_label(HOPES_QUESTION), HOPES_ANSWER)
    type_into(page.get_by_label(TEAM_QUESTION), TEAM_ANSWER)
    page.get_by_label("I have read the privacy notice").check()


def test_applicant_requests_a_place_in_a_full_series_fixes_errors_and_withdraws(
    page, demo_site, settings, live_server, screenshot
):
    settings.PORTAL_BASE_URL = live_server.url
    series = Series.objects.with_seat_counts().get(slug=LEADERSHIP_SLUG)
    assert series.seats_used >= series.capacity, "the demo series should be at capacity"

    page.goto(reverse("echo:series", kwargs={"slug": LEADERSHIP_SLUG}))
    expect(page.get_by_text("This series is at capacity.")).to_be_visible()
    page.get_by_role("link", name="Request a place").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Request a place in")
    expect(page.get_by_text("This series is at capacity.")).to_be_visible()

    fill_core_fields(page)
    fill_series_questions(page, program_answer=SHORT_ANSWER)
    program = page.get_by_label(PROGRAM_QUESTION)
    word_count = page.locator(f"#{program.get_attribute('id')}_wordcount")
    expect(word_count).to_contain_text("of at least 40")
    page.get_by_role("button", name="Send my request").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Error:")
    summary_is_first = page.evaluate(
        "() => { const s = document.getElementById('error-summary'); "
        "const f = document.querySelector('form.registration-form'); "
        "return !!(s.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING); }"
    )
    assert summary_is_first, "the error summary should come before the form"
    error_links = summary.get_by_role("link")
    expect(error_links).to_have_count(1)
    expect(error_links).to_contain_text("Please write at least 40 words; this answer has 8.")
    expect(program).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("textbox", name="Full name", exact=True)).to_have_value("Jordan Okafor")
    expect(page.get_by_label("I have read the privacy notice")).to_be_checked()
    screenshot(page, "errors")

    error_links.click()
    expect(program).to_be_focused()
    program.press("Control+a")
    program.press("Delete")
    write_answer(page, program, PROGRAM_ANSWER)
    expect(word_count).to_contain_text("minimum 40 reached")
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request received")
    expect(page.get_by_text("This is not yet a seat.")).to_be_visible()
    stored = RegistrationRequest.objects.get(email=APPLICANT_EMAIL, series=series)
    assert stored.state == RequestState.PENDING

    page.goto(status_link_in_outbox(APPLICANT_EMAIL))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your request to join")
    expect(page.locator("dd").first).to_have_text("Pending")
    page.get_by_label("Yes, withdraw my request").check()
    page.get_by_role("button", name="Withdraw my request").click()

    expect(page.get_by_role("status")).to_contain_text("Your request is withdrawn.")
    expect(page.locator("dd").first).to_have_text("Withdrawn")
    expect(page.get_by_role("button", name="Withdraw my request")).to_have_count(0)
    stored.refresh_from_db()
    assert stored.state == RequestState.WITHDRAWN
    screenshot(page)


# --- 4. The same request with the keyboard only ------------------------------------------

FOCUSED_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const group = el.closest("fieldset:not(.form-section)");
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {
    id: el.id,
    tag: el.tagName.toLowerCase(),
    type: el.getAttribute("type") || "",
    label: (label || el.innerText || el.getAttribute("aria-label") || "").trim().slice(0, 80),
    group: group ? group.querySelector("legend").innerText.trim() : "",
    checked: !!el.checked,
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== "none",
    onScreen: box.width > 1 && box.height > 1 && box.bottom > 0 && box.top < innerHeight
      && box.right > 0 && box.left < innerWidth,
  };
}
"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED_JS)


def describe(element: dict | None) -> str:
    if element is None:
        return "nothing (focus left the page)"
    return f"<{element['tag']} {element['type']}> #{element['id']} {element['label']!r}"


def press(page, key: str) -> dict | None:
    """Press a key; whatever then has focus must show it and be on screen."""
    page.keyboard.press(key)
    element = focused(page)
    if element is not None and not element["onScreen"]:
        page.wait_for_timeout(700)  # Bootstrap scrolls smoothly to what gets focus
        element = focused(page)
    if element is not None:
        assert element["ring"], f"no visible focus indicator on {describe(element)}"
        assert element["onScreen"], f"focused element is off screen: {describe(element)}"
    return element


def tab_until(page, wanted, *, actions=None, limit: int = 120, key: str = "Tab") -> dict:
    """Tab through the page, doing what `actions` says at each control (once each), until
    `wanted(element)` holds. Every stop is visible and on screen; reaching the limit means
    the control cannot be reached (or focus is trapped)."""
    actions = dict(actions or {})
    visited = []
    for _ in range(limit):
        element = press(page, key)
        visited.append(describe(element))
        if element is None:
            continue
        if wanted(element):
            return element
        for match, action in list(actions.items()):
            if match(element):
                action()
                del actions[match]
                break
    pytest.fail("never reached the control; focus went to:\n" + "\n".join(visited[-30:]))


def label_starts(text: str):
    return lambda element: element["label"].startswith(text)


def in_group(text: str):
    return lambda element: element["group"].startswith(text) and element["id"].endswith("_0")


def keyboard_type(page, text: str):
    return lambda: page.keyboard.type(text)


def keyboard_paste_answer(page, text: str):
    def write():
        page.keyboard.type(text[:60])
        page.keyboard.insert_text(text[60:])

    return write


def test_keyboard_user_requests_a_place_and_withdraws_without_a_mouse(
    page, demo_site, settings, live_server, screenshot
):
    settings.PORTAL_BASE_URL = live_server.url
    email = "sam.begay@example.net"
    page.goto(reverse("echo:series", kwargs={"slug": LEADERSHIP_SLUG}))

    skip_link = press(page, "Tab")
    assert skip_link["label"] == "Skip to main content", describe(skip_link)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    tab_until(page, label_starts("Request a place"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Request a place in")

    key = page.keyboard.press
    fill_in = {
        label_starts("Full name"): keyboard_type(page, "Sam Begay"),
        label_starts("Email"): keyboard_type(page, email),
        label_starts("Organization"): keyboard_type(page, "Confederated Tribes of Warm Springs"),
        label_starts("Role or title"): keyboard_type(page, "Prevention director"),
        # Typing picks an option of a closed select, as it does for people.
        label_starts("Sector"): keyboard_type(page, "Tribal"),
        label_starts("County or tribe"): keyboard_type(page, "Confederated Tribes of Warm"),
        # Arrow keys move through a radio group and pick; Space picks the focused option.
        in_group(STAGE_QUESTION): lambda: key("ArrowDown"),
        label_starts(PROGRAM_QUESTION): keyboard_type(page, SHORT_ANSWER),
        in_group(PARTNERS_QUESTION): lambda: key("Space"),
        in_group(GRANT_QUESTION): lambda: key("Space"),
        label_starts(HOPES_QUESTION): keyboard_paste_answer(page, HOPES_ANSWER),
        label_starts(TEAM_QUESTION): keyboard_type(page, TEAM_ANSWER),
        label_starts("I have read the privacy notice"): lambda: key("Space"),
    }
    submit = tab_until(page, label_starts("Send my request"), actions=fill_in)
    assert submit["tag"] == "button"

    # Shift+Tab goes back (to the privacy notice link after the consent box), Tab returns.
    back = press(page, "Shift+Tab")
    assert back["label"] == "Read the privacy notice", describe(back)
    assert press(page, "Tab")["label"] == "Send my request"
    expect(page.get_by_role("radio", name="Planning a program")).to_be_checked()
    expect(page.get_by_role("combobox", name="Sector", exact=True)).to_have_value(
        "tribal_government"
    )
    page.keyboard.press("Enter")

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    link = press(page, "Tab")
    assert link["label"].startswith(PROGRAM_QUESTION), describe(link)
    page.keyboard.press("Enter")
    program = page.get_by_label(PROGRAM_QUESTION)
    expect(program).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    keyboard_paste_answer(page, PROGRAM_ANSWER)()
    tab_until(page, label_starts("Send my request"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Request received")
    expect(page.get_by_text("This is not yet a seat.")).to_be_visible()
    stored = RegistrationRequest.objects.get(email=email)
    assert stored.state == RequestState.PENDING
    assert stored.sector == "tribal_government" and stored.county == "tribe-warm-springs"

    # No trap: from the last control, Tab leaves the page and then comes back to the top.
    last_stops = []
    for _ in range(40):
        element = press(page, "Tab")
        last_stops.append(describe(element))
        if element is None:
            break
    else:
        pytest.fail("Tab never left the page:\n" + "\n".join(last_stops))
    assert press(page, "Tab")["label"] == "Skip to main content"

    page.goto(status_link_in_outbox(email))
    tab_until(page, label_starts("Yes, withdraw my request"))
    page.keyboard.press("Space")
    button = press(page, "Tab")
    assert button["label"] == "Withdraw my request", describe(button)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your request is withdrawn.")
    stored.refresh_from_db()
    assert stored.state == RequestState.WITHDRAWN
    screenshot(page)
