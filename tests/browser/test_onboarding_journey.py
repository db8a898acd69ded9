"""Journey: an administrator invites a reviewer; the reviewer, in a browser of their own,
chooses a password, sets up an authenticator app from the QR code, logs in with the
password and the app's code and reaches the admin."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from playwright.sync_api import expect

from echo.models import OutgoingEmail
from staff.services import EMAIL_KIND
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


def test_an_invited_reviewer_sets_up_a_password_and_an_authenticator_and_logs_in(
    browser, live_server, page, console_errors, screenshot
):
    # Transactional tests empty every table, the site row of the migrations included; the
    # admin's login page needs it.
    Site.objects.get_or_create(pk=settings.SITE_ID, defaults={"domain": "localhost"})
    reviewers_group()
    administrator = get_user_model().objects.create_superuser(
        "ada", "ada@example.org", ADMIN_PASSWORD
    )
    failures: list[str] = []

    # The administrator logs in (password and a backup code) and sends the invitation.
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
    path = "/" + link.split("/", 3)[3]

    # The reviewer, in a fresh browser, opens the link from the email.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    reviewer = context.new_page()
    reviewer.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    reviewer.goto(path)
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Choose your password")
    expect(reviewer.get_by_text(REVIEWER_EMAIL)).to_be_visible()
    check_accessible(reviewer, "choose a password", failures)
    reviewer.get_by_label("Password", exact=True).fill("short")
    reviewer.get_by_label("The same password again").fill("short")
    reviewer.get_by_role("button", name="Save password and continue").click()
    expect(reviewer.locator(".errorlist")).to_contain_text("too short")
    reviewer.get_by_label("Password", exact=True).fill(REVIEWER_PASSWORD)
    reviewer.get_by_label("The same password again").fill(REVIEWER_PASSWORD)
    reviewer.get_by_role("button", name="Save password and continue").click()

    # The QR code is the portal's own inline SVG; the test reads what it encodes.
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
    qr = reviewer.get_by_role("img", name="QR code for your authenticator app")
    expect(qr).to_be_visible()
    assert qr.evaluate("el => el.tagName.toLowerCase()") == "svg"
    uri = reviewer.locator("[data-otpauth-uri]").get_attribute("data-otpauth-uri")
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    expect(reviewer.locator("#secret")).to_have_text(
        " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    )
    check_accessible(reviewer, "authenticator", failures)
    screenshot(reviewer, "authenticator")
    wrong = f"{(int(code_from_uri(uri)) + 500_000) % 1_000_000:06d}"
    reviewer.get_by_label("The 6-digit code the app shows").fill(wrong)
    reviewer.get_by_role("button", name="Confirm the code").click()
    expect(reviewer.locator(".errorlist")).to_contain_text("That code is not right")
    reviewer.wait_for_timeout(1200)  # after a wrong code the next try waits a second
    reviewer.get_by_label("The 6-digit code the app shows").fill(code_from_uri(uri))
    reviewer.get_by_role("button", name="Confirm the code").click()

    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Your backup codes")
    expect(reviewer.locator(".codes li")).to_have_count(10)
    check_accessible(reviewer, "backup codes", failures)
    screenshot(reviewer, "backup-codes")

    # The reviewer logs in with the password and the app's next code.
    reviewer.get_by_role("link", name="Go to the staff login").click()
    check_accessible(reviewer, "login", failures)
    reviewer.get_by_label("Username").fill(REVIEWER_EMAIL)
    reviewer.get_by_label("Password").fill(REVIEWER_PASSWORD)
    expect(reviewer.get_by_text("backup codes works too")).to_be_visible()
    reviewer.get_by_label("One-time code").fill(code_from_uri(uri, steps_ahead=1))
    reviewer.get_by_role("button", name="Log in").click()
    expect(reviewer.get_by_role("heading", name="Staff administration")).to_be_visible()
    expect(reviewer.get_by_role("link", name="Registration requests").first).to_be_visible()

    # The link has done its job.
    reviewer.goto(path)
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("This link has been used")
    context.close()
    # The admin's own pages name no icon, so the browser asks for /favicon.ico.
    console_errors[:] = [error for error in console_errors if "/favicon.ico" not in error]
    assert not failures, "\n".join(failures)
