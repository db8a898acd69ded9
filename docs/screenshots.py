"""Retake the staff guide's screenshots from a running portal.

Usage, from the repository root:

    .venv/bin/python docs/screenshots.py

It builds a throwaway SQLite database (/tmp/guide.sqlite3) with the demo content, adds a
superuser and an invitation for a new reviewer, starts `manage.py runserver` on
127.0.0.1:8611, logs in with Chromium (Playwright) and saves 1280x800 PNGs under docs/images/;
in a second browser, the invited reviewer chooses a password and reaches the authenticator
set-up page. The server is stopped at the end.
"""

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
DATABASE = Path("/tmp/guide.sqlite3")
BASE = "http://127.0.0.1:8611"
USERNAME, PASSWORD = "guide", "guide-screenshots-only-9b7c"
BACKUP_CODE = "guideonly7"
INVITED_PASSWORD = "guide-invited-reviewer-3f1e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ENV = {
    **os.environ,
    "DJANGO_DEBUG": "true",
    "DATABASE_URL": f"sqlite:///{DATABASE}",
    "PORTAL_EMAIL_IMMEDIATE": "false",
}

SETUP = f"""
from django.contrib.auth import get_user_model
from echo.mail import deliver_due
from echo.models import OutgoingEmail, RegistrationRequest, Series
from echo import services

User = get_user_model()
user = User.objects.create_superuser({USERNAME!r}, "guide@example.org", {PASSWORD!r})
from django_otp.plugins.otp_static.models import StaticDevice
device = StaticDevice.objects.create(user=user, name="Backup codes")
device.token_set.create(token={BACKUP_CODE!r})
series = Series.objects.get(slug__contains="leadership")
# A few real decisions, so the history and the email log have something to show.
waiting = list(RegistrationRequest.objects.filter(series=series, state="pending")[:2])
if waiting:
    services.waitlist_request(registration_request=waiting[0], actor=user, reason="Full for now.")
    services.decline_request(
        registration_request=waiting[-1], actor=user, reason="This run is for Oregon teams."
    )
OutgoingEmail.objects.filter(pk__in=list(OutgoingEmail.objects.values_list("pk", flat=True)[:3])
                             ).update(status="sent")
from echo.models import Criterion
from echo.scoring import save_review
criteria = []
for order, (name, text) in enumerate([
    ("Team readiness", "1: one person so far. 5: a working group that meets."),
    ("County need", "1: few people reached. 5: many, with no other route to help."),
    ("Partner commitment", "1: interest only. 5: signed agreements."),
]):
    criteria.append(Criterion.objects.create(series=series, name=name, description=text,
                                             order=order))
colleague = User.objects.create_user("colleague", "colleague@example.org", "x" * 20,
                                     is_staff=True)
for n, request in enumerate(series.requests.filter(state="pending")[:3]):
    values = dict()
    for criterion in criteria:
        values[criterion.pk] = 2 + (n + criterion.order) % 4
    save_review(registration_request=request, reviewer=colleague, values=values)
from urllib.parse import urlsplit
from staff.services import invite_staff
link = invite_staff(email="jo.reviewer@example.org", role="reviewer", invited_by=user)
print(series.pk, urlsplit(link).path)
"""


def manage(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=ENV,
        check=True,
        text=True,
        capture_output=True,
        **kwargs,
    )


def wait_for_server() -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(BASE + "/admin/login/", timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the development server did not start")


def main() -> None:
    DATABASE.unlink(missing_ok=True)
    manage("migrate", "--noinput")
    manage("load_demo_content")
    series_pk, invite_path = manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1].split()
    IMAGES.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "127.0.0.1:8611", "--noreload"],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_server()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(BASE + "/admin/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.fill("#id_otp_token", BACKUP_CODE)
            page.click("input[type=submit]")
            page.wait_for_url(BASE + "/admin/")

            def shot(path: str, name: str, anchor: str = "") -> None:
                page.goto(BASE + path + anchor)  # the browser scrolls to the #anchor
                page.screenshot(path=IMAGES / name)
                print("saved", IMAGES / name)

            shot("/admin/echo/registrationrequest/", "request-list.png")
            page.goto(BASE + "/admin/echo/registrationrequest/")
            request_url = page.locator("#result_list tbody tr th a").first.get_attribute("href")
            shot(request_url, "request-page.png", "#fieldset-0-1-heading")
            page.goto(BASE + request_url)
            top = page.locator("#decision").bounding_box()
            bottom = page.locator("#decision-history").bounding_box()
            page.screenshot(
                path=IMAGES / "decision.png",
                full_page=True,
                clip={
                    "x": top["x"] - 8,
                    "y": top["y"] - 8,
                    "width": top["width"] + 16,
                    "height": min(bottom["y"] + bottom["height"] - top["y"] + 16, 800),
                },
            )
            print("saved", IMAGES / "decision.png")
            shot("/admin/echo/series/", "series-list.png")
            shot(f"/admin/echo/series/{series_pk}/change/", "series-page.png")
            shot("/admin/echo/outgoingemail/", "email-log.png")
            shot("/admin/", "dashboard.png", "#dashboard")
            shot(request_url + "../score/", "score.png")
            shot("/admin/echo/series/report/", "funder-report.png")

            # Inviting a colleague: the form filled in, not sent.
            page.goto(BASE + "/admin/staff/staffinvite/add/")
            page.get_by_label("Email address").fill("alex.reviewer@example.org")
            page.get_by_label("Role").select_option(label="Reviewer")
            page.screenshot(path=IMAGES / "staff-invite.png")
            print("saved", IMAGES / "staff-invite.png")

            # The invited reviewer, in a browser of their own, after choosing a password.
            invited = browser.new_page(viewport={"width": 1280, "height": 800})
            invited.goto(BASE + invite_path)
            invited.get_by_label("Password", exact=True).fill(INVITED_PASSWORD)
            invited.get_by_label("The same password again").fill(INVITED_PASSWORD)
            invited.get_by_role("button", name="Save password and continue").click()
            invited.get_by_role("img", name="QR code for your authenticator app").wait_for()
            invited.screenshot(path=IMAGES / "staff-authenticator.png")
            print("saved", IMAGES / "staff-authenticator.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
