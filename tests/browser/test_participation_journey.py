"""Participation in Chromium: a participant presents a case (blocked by a phone number until
it is removed), faculty schedule it, and the presenter's email names the session; and axe on
the new public pages."""

import importlib
import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from echo import attendance, certificates, feedback
from echo.models import CasePresentation, OutgoingEmail
from tests.factories import make_held_session, make_participant, make_series

from .a11y import axe_violations, describe_violations, horizontal_overflow
from .conftest import DESKTOP
from .test_review_journey import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

participation_migration = importlib.import_module("echo.migrations.0007_participation")
PHONE = "(541) 555-0187"
NARROW = {"width": 320, "height": 800}


def faculty_group() -> Group:
    """The migration's Faculty group, rebuilt after the transactional flush emptied it."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    group, _ = Group.objects.get_or_create(name=participation_migration.FACULTY_GROUP)
    permissions = []
    for app_label, codename in participation_migration.FACULTY_PERMISSIONS:
        model = apps.get_model(app_label, codename.split("_", 1)[1])
        permission, _ = Permission.objects.get_or_create(
            content_type=ContentType.objects.get_for_model(model),
            codename=codename,
            defaults={"name": codename},
        )
        permissions.append(permission)
    group.permissions.set(permissions)
    return group


def ensure_site() -> None:
    """The current site, which the admin's login page needs (a transactional flush removes
    the row the migrations made)."""
    from django.conf import settings
    from django.contrib.sites.models import Site

    Site.objects.get_or_create(
        pk=settings.SITE_ID, defaults={"domain": "localhost", "name": "Deflection Portal"}
    )
    Site.objects.clear_cache()


def test_participant_presents_a_case_and_faculty_schedule_it(page, console_errors, screenshot):
    ensure_site()
    series = make_series(sessions_ahead=0, title="Deflection Leadership ECHO", capacity=None)
    session = make_held_session(series, day=timezone.localdate() + timedelta(days=9), number=3)
    presenter = make_participant(series, full_name="Casey Morgan", email="casey@example.org")

    page.goto(presenter.get_status_url())
    page.get_by_role("link", name="Submit a case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Present a case")
    page.get_by_label("Title").fill("Night-time handoffs in a rural county")
    page.get_by_label("Your question for the faculty").fill(
        "How do other programs reach a clinician after midnight?"
    )
    page.get_by_label("Background").fill(
        f"A man in his thirties, stopped three times this year. His mother asked us to call "
        f"her at {PHONE} if he is picked up again."
    )
    page.get_by_label("What has been tried").fill("Peer mentor on call; naloxone at release.")
    page.get_by_label("What would help").fill("Examples of on-call agreements.")
    page.get_by_label(re.compile("I have removed names")).check()
    page.get_by_role("button", name="Send my case").click()

    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_background_findings mark").first).to_have_text(PHONE)
    assert not CasePresentation.objects.exists()
    screenshot(page, "blocked")

    page.get_by_label("Background").fill(
        "A man in his thirties, stopped three times this year. His family asked us to call "
        "them if he is picked up again."
    )
    page.get_by_label(re.compile("I have removed names")).check()
    page.get_by_role("button", name="Send my case").click()
    expect(page.get_by_text("your case is with the program staff")).to_be_visible()
    expect(page.get_by_text("Night-time handoffs in a rural county")).to_be_visible()
    case = CasePresentation.objects.get()

    professor = get_user_model().objects.create_user(
        username="prof", password=PASSWORD, email="prof@example.org", is_staff=True
    )
    professor.groups.add(faculty_group())
    log_in(page, professor)
    page.goto(reverse("admin:echo_casepresentation_changelist"))
    page.get_by_role("link", name="Night-time handoffs in a rural county").click()
    page.get_by_label("Scheduled for session").select_option(str(session.pk))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    screenshot(page, "scheduled")

    case.refresh_from_db()
    assert case.session == session
    email = OutgoingEmail.objects.get(kind="case_scheduled")
    assert email.recipients == ["casey@example.org"]
    assert "Session 3" in email.body_text and session.when in email.body_text
    # The admin's own pages name no icon, so the browser asks for /favicon.ico.
    console_errors[:] = [error for error in console_errors if "/favicon.ico" not in error]


def test_new_public_pages_pass_axe(page, console_errors, admin_user):
    series = make_series(
        sessions_ahead=0, title="Deflection ECHO 2024", capacity=None, completion_sessions=1
    )
    held = make_held_session(series, day=date(2024, 3, 1), number=1)
    person = make_participant(series, full_name="Ari Lane", email="ari@example.org")
    attendance.mark_attendance(session=held, request=person, attended=True, actor=admin_user)
    feedback.save_feedback(registration_request=person, session=held, usefulness=4,
                           will_apply=True, comment="Useful")  # fmt: skip
    certificate = person.certificate
    revoked_person = make_participant(series, full_name="Bea Lane")
    attendance.mark_attendance(
        session=held, request=revoked_person, attended=True, actor=admin_user
    )
    certificates.revoke_certificate(
        certificate=revoked_person.certificate, actor=admin_user, reason="Recorded in error"
    )
    token = person.access_token
    pages = [
        ("status page with participation", person.get_status_url()),
        ("certificate valid", certificate.get_verification_url()),
        ("certificate revoked", revoked_person.certificate.get_verification_url()),
        ("case form", reverse("echo:case-submit", kwargs={"token": token})),
        ("case form with findings", reverse("echo:case-submit", kwargs={"token": token})),
        ("feedback form", reverse("echo:session-feedback", kwargs={"token": token, "number": 1})),
    ]
    failures = []
    for name, path in pages:
        page.set_viewport_size(DESKTOP)
        response = page.goto(path)
        assert response.status == 200, name
        if name == "case form with findings":
            page.get_by_label("Title").fill("A case")
            page.get_by_label("Background").fill("Seen on 03/14/2024 at 77 Oak Street.")
            page.get_by_role("button", name="Send my case").click()
            expect(page.locator("#id_background_findings")).to_be_visible()
        for viewport in (DESKTOP, NARROW):
            page.set_viewport_size(viewport)
            if violations := axe_violations(page):
                failures.append(
                    f"{name} at {viewport['width']} px:\n{describe_violations(violations)}"
                )
        if overflow := horizontal_overflow(page):
            failures.append(f"{name}, overflow at 320 px:\n  " + "\n  ".join(overflow))
    assert not failures, "\n".join(failures)
