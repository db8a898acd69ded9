"""Journeys: an administrator invites a reviewer; the reviewer, in a browser of their own,
chooses a password, sets up an authenticator app from the QR code, logs in with the
password and the app's code and reaches the admin. In the second, the new reviewer then
scores two requests, and sees a colleague's scores only after saving their own."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from playwright.sync_api import expect

from echo.models import Criterion, OutgoingEmail
from echo.scoring import save_review
from staff.services import EMAIL_KIND
from tests.factories import make_request, make_series
from tests.staff.totp import code_from_uri

from .a11y import axe_violations, describe_violations, horizontal_overflow
from .test_review_journey import backup_code_for, reviewers_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PASSWORD = "a-long-administrator-passphrase-1"
REVIEWER_PASSWORD = "quiet-harbor-lantern-2026"
REVIEWER_EMAIL = "sam.reviewer@example.org"


def check_accessible(page, label: str, failures: list[str]) -> None:
    if violations := axe_violations(page):
        failures.append(f"{label}:\n{describe_violations(violations)}")
    page.set_viewport_size({"width": 320, "height": 800})
    if overflow := horizontal_overflow(page):
        failures.append(f"{label} at 320 px: {overflow}")
    page.set_viewport_size({"width": 1280, "height": 900})


def invite_reviewer(page) -> str:
    """The administrator logs in (password and a backup code) and invites REVIEWER_EMAIL as a
    reviewer; returns the path of the link in the invitation email."""
    # Transactional tests empty every table, the site row of the migrations included; the
    # admin's login page needs it.
    Site.objects.get_or_create(pk=settings.SITE_ID, defaults={"domain": "localhost"})
    reviewers_group()
    administrator = get_user_model().objects.create_superuser(
        "ada", "ada@example.org", ADMIN_PASSWORD
    )
    page.goto("/admin/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_label("One-time code").fill(backup_code_for(administrator))
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Staff invitations").first.click()
    page.get_by_role("link", name=re.compile("Add staff invitation")).click()
    page.get_by_label("Email address").fill(REVIEWER_EMAIL)
    page.get_by_label("Role").select_option(label="Reviewer")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text(f"will be emailed to {REVIEWER_EMAIL}")
    expect(page.locator("#result_list")).to_contain_text("Waiting")

    email = OutgoingEmail.objects.get(kind=EMAIL_KIND)
    assert email.to == REVIEWER_EMAIL
    link = re.search(r"https?://\S+/staff/welcome/\S+/", email.body_text).group(0)
    return "/" + link.split("/", 3)[3]


def own_browser(browser, live_server, console_errors):
    """A fresh browser context for the reviewer, and its page."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    reviewer = context.new_page()
    reviewer.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    return context, reviewer


def choose_password(reviewer, password: str) -> None:
    reviewer.get_by_label("Password", exact=True).fill(password)
    reviewer.get_by_label("The same password again").fill(password)
    reviewer.get_by_role("button", name="Save password and continue").click()


def read_qr_code(reviewer) -> str:
    """The otpauth:// URI of the authenticator page, after checking that the QR code is the
    portal's own inline SVG and that the key shown beneath it is the same secret."""
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    qr = reviewer.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("el => el.tagName.toLowerCase()") == "svg"
    uri = reviewer.locator("[data-otpauth-uri]").get_attribute("data-otpauth-uri")
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    expect(reviewer.locator("#secret")).to_have_text(
        " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    )
    return uri


def confirm_code(reviewer, code: str) -> None:
    reviewer.get_by_label("The 6-digit code the app shows").fill(code)
    reviewer.get_by_role("button", name="Confirm the code").click()


def log_in_with_app(reviewer, uri: str) -> None:
    """Password and the app's next code (the one set-up took is refused a second time)."""
    reviewer.get_by_label("Username").fill(REVIEWER_EMAIL)
    reviewer.get_by_label("Password").fill(REVIEWER_PASSWORD)
    reviewer.get_by_label("One-time code").fill(code_from_uri(uri, steps_ahead=1))
    reviewer.get_by_role("button", name="Log in").click()
    expect(reviewer.get_by_role("heading", name="Staff administration")).to_be_visible()


def ignore_favicon(console_errors: list[str]) -> None:
    # The admin's own pages name no icon, so the browser asks for /favicon.ico.
    console_errors[:] = [error for error in console_errors if "/favicon.ico" not in error]


def test_an_invited_reviewer_sets_up_a_password_and_an_authenticator_and_logs_in(
    browser, live_server, page, console_errors, screenshot
):
    failures: list[str] = []
    path = invite_reviewer(page)

    # The reviewer, in a fresh browser, opens the link from the email.
    context, reviewer = own_browser(browser, live_server, console_errors)
    reviewer.goto(path)
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Choose your password")
    expect(reviewer.get_by_text(REVIEWER_EMAIL)).to_be_visible()
    check_accessible(reviewer, "choose a password", failures)
    choose_password(reviewer, "short")
    expect(reviewer.locator(".errorlist")).to_contain_text("too short")
    choose_password(reviewer, REVIEWER_PASSWORD)

    # The QR code is the portal's own inline SVG; the test reads what it encodes.
    uri = read_qr_code(reviewer)
    check_accessible(reviewer, "authenticator", failures)
    screenshot(reviewer, "authenticator")
    confirm_code(reviewer, f"{(int(code_from_uri(uri)) + 500_000) % 1_000_000:06d}")
    expect(reviewer.locator(".errorlist")).to_contain_text("That code is not right")
    reviewer.wait_for_timeout(1200)  # after a wrong code the next try waits a second
    confirm_code(reviewer, code_from_uri(uri))

    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    expect(reviewer.locator(".codes li")).to_have_count(10)
    check_accessible(reviewer, "backup codes", failures)
    screenshot(reviewer, "backup-codes")

    # The reviewer logs in with the password and the app's next code.
    reviewer.get_by_role("link", name="Go to the staff login").click()
    check_accessible(reviewer, "login", failures)
    expect(reviewer.get_by_text("backup codes works too")).to_be_visible()
    log_in_with_app(reviewer, uri)
    expect(reviewer.get_by_role("link", name="Registration requests").first).to_be_visible()

    # The link has done its job.
    reviewer.goto(path)
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("This link has been used")
    context.close()
    ignore_favicon(console_errors)
    assert not failures, "\n".join(failures)


CRITERIA = ["Team readiness", "County need", "Partner commitment"]
COLLEAGUE = "casey.colleague"
COLLEAGUE_NOTE = "Casey: the county letter of support is missing."


def submit_scores(reviewer, values: list[int]) -> None:
    for name, value in zip(CRITERIA, values, strict=True):
        reviewer.get_by_role("group", name=name).get_by_label(str(value), exact=True).check()
    reviewer.get_by_role("button", name="Save my scores").click()
    expect(reviewer.get_by_text("Your scores are saved.")).to_be_visible()


def shown(reviewer, texts: list[str]) -> list[str]:
    """Those of `texts` found anywhere in the page's HTML, hidden elements included."""
    html = reviewer.content()
    return [text for text in texts if text in html]


def test_an_invited_reviewer_scores_two_requests_without_first_seeing_a_colleagues_scores(
    browser, live_server, page, console_errors
):
    failures: list[str] = []
    path = invite_reviewer(page)
    series = make_series(title="Scored Leadership ECHO")
    criteria = [
        Criterion.objects.create(series=series, name=name, description="1: weak. 5: strong.",
                                 order=n)
        for n, name in enumerate(CRITERIA)
    ]  # fmt: skip
    priya = make_request(series=series, full_name="Priya Raman")
    jordan = make_request(series=series, full_name="Jordan Alvarez")
    colleague = get_user_model().objects.create_user(COLLEAGUE, password="x" * 20, is_staff=True)
    colleague.groups.add(reviewers_group())
    # 5, 1 and 4: a mean of 3.33, which none of the reviewer's own scores below make.
    save_review(registration_request=jordan, reviewer=colleague, note=COLLEAGUE_NOTE,
                values={c.pk: v for c, v in zip(criteria, [5, 1, 4], strict=True)})  # fmt: skip
    colleague_scores = [COLLEAGUE, COLLEAGUE_NOTE, "Team readiness: 5", "3.33", "· 3.3"]

    context, reviewer = own_browser(browser, live_server, console_errors)
    reviewer.goto(path)
    choose_password(reviewer, REVIEWER_PASSWORD)
    uri = read_qr_code(reviewer)
    confirm_code(reviewer, code_from_uri(uri))
    reviewer.get_by_role("link", name="Go to the staff login").click()
    log_in_with_app(reviewer, uri)

    # The list, the request's page and the score page say that Jordan's request has a
    # review, and show none of its scores.
    reviewer.get_by_role("link", name="Registration requests").first.click()
    jordan_row = reviewer.locator("#result_list tbody tr", has_text="Jordan Alvarez")
    expect(jordan_row).to_contain_text("1 review")
    assert not shown(reviewer, colleague_scores), "on the list before scoring"
    jordan_row.get_by_role("link", name="Jordan Alvarez").click()
    scores = reviewer.locator("#scores")
    expect(scores).to_contain_text("shown once you have scored this request yourself")
    assert not shown(reviewer, colleague_scores), "on the request's page before scoring"
    scores.get_by_role("link", name="Score this request").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Score Jordan Alvarez")
    expect(reviewer.get_by_role("group", name="County need")).to_contain_text("5: strong.")
    assert not shown(reviewer, colleague_scores), "on the score page"
    check_accessible(reviewer, "score page", failures)

    # Once saved (2, 3, 2: a mean of 2.33), both reviews are on the request's page.
    submit_scores(reviewer, [2, 3, 2])
    expect(scores.locator("tbody tr")).to_have_count(2)
    for text in [COLLEAGUE, COLLEAGUE_NOTE, "Team readiness: 5", "3.33", REVIEWER_EMAIL, "2.33"]:
        expect(scores).to_contain_text(text)

    # Priya's request has no review yet; scoring it shows the reviewer's own alone.
    reviewer.get_by_role("link", name="Registration requests").first.click()
    expect(jordan_row).to_contain_text("2 · 2.8 ± 1.0")
    reviewer.locator("#result_list").get_by_role("link", name="Priya Raman").click()
    scores.get_by_role("link", name="Score this request").click()
    submit_scores(reviewer, [4, 4, 5])
    expect(scores.locator("tbody tr")).to_have_count(1)
    expect(scores).to_contain_text("4.33")
    assert priya.reviews.get().reviewer.username == REVIEWER_EMAIL

    context.close()
    ignore_favicon(console_errors)
    assert not failures, "\n".join(failures)
