"""Case presentations: refused with identifiers (and leaving no trace), stored when clean,
scheduled by staff or faculty, erased with the participant's personal data."""

import logging
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from echo import cases, participation_views
from echo.models import CasePresentation, OutgoingEmail, RequestState
from echo.services import anonymise_request
from tests.factories import make_held_session, make_participant, make_request, make_series
from tests.helpers import login_staff

MARKER = "Quillfeather"  # a word that appears nowhere else, to search every table for
PHONE = "503-555-0142"

CLEAN = {
    "title": "Repeat overdoses after release",
    "question": "How do other counties arrange a warm handoff at release?",
    "background": f"A man in his forties, {MARKER} case, released twice in 2024.",
    "tried": "Peer mentor visits and a naloxone kit at release.",
    "help_wanted": "Examples of jail in-reach agreements.",
}


@pytest.fixture
def series(db):
    return make_series(sessions_ahead=0, capacity=None)


@pytest.fixture
def participant(series):
    return make_participant(series, full_name="Robin Ames", email="robin@example.org")


def case_url(registration_request) -> str:
    return reverse("echo:case-submit", kwargs={"token": registration_request.access_token})


def every_stored_value() -> str:
    """Everything in every table of the database, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # table names come from the database
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_status_page_offers_case_submission_to_participants_only(client, series, participant):
    assert case_url(participant) in client.get(participant.get_status_url()).content.decode()
    pending = make_request(series=series)
    assert case_url(pending) not in client.get(pending.get_status_url()).content.decode()
    assert client.get(case_url(pending)).status_code == 404


def test_a_clean_case_is_stored_and_listed(client, participant):
    response = client.post(case_url(participant), {**CLEAN, "confirm": "on"})
    assert response.status_code == 302
    case = CasePresentation.objects.get()
    assert (case.request, case.title) == (participant, CLEAN["title"])
    page = client.get(participant.get_status_url()).content.decode()
    assert CLEAN["title"] in page and "not yet scheduled" in page


def test_identifiers_are_shown_beside_their_field_and_nothing_is_kept(client, participant, caplog):
    caplog.set_level(logging.DEBUG)
    data = {**CLEAN, "background": CLEAN["background"] + f" Call his sister at {PHONE}."}
    response = client.post(case_url(participant), {**data, "confirm": "on"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<mark class="identifier">{PHONE}' in html
    assert "Call his sister at <mark" in html  # the finding is shown in its context
    assert 'id="id_background_findings"' in html
    assert "a phone or fax number" in html
    assert "Remove a phone or fax number" in html

    assert not CasePresentation.objects.exists()
    stored = every_stored_value()
    assert PHONE not in stored and MARKER not in stored
    assert not any(
        MARKER in email.body_text + email.subject for email in OutgoingEmail.objects.all()
    )
    assert MARKER not in caplog.text and PHONE not in caplog.text


def test_case_text_is_hidden_from_error_reports(participant):
    request = RequestFactory().post(case_url(participant), {**CLEAN, "confirm": "on"})
    request._dont_enforce_csrf_checks = True
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    participation_views.case_form(request, token=participant.access_token)
    assert request.sensitive_post_parameters == "__ALL__"


def test_the_confirmation_is_required(client, participant):
    response = client.post(case_url(participant), CLEAN)
    assert response.status_code == 200
    assert "Confirm that you removed names" in response.content.decode()
    assert not CasePresentation.objects.exists()


def test_the_service_refuses_identifiers_whatever_the_caller(participant):
    with pytest.raises(cases.CaseError) as refused:
        cases.submit_case(
            registration_request=participant,
            data={**CLEAN, "tried": "Emailed jdoe@example.org"},
            confirmed=True,
        )
    assert "jdoe" not in " ".join(refused.value.messages)
    assert not CasePresentation.objects.exists()


def test_only_approved_requests_may_submit(series):
    pending = make_request(series=series, state=RequestState.PENDING)
    with pytest.raises(cases.CaseError):
        cases.submit_case(registration_request=pending, data=CLEAN, confirmed=True)


def make_case(participant) -> CasePresentation:
    return cases.submit_case(registration_request=participant, data=CLEAN, confirmed=True)


def test_scheduling_emails_the_presenter_with_the_session(series, participant, admin_user):
    session = make_held_session(series, day=timezone.localdate() + timedelta(days=10), number=4)
    case = make_case(participant)
    cases.schedule_case(case=case, session=session, actor=admin_user)
    email = OutgoingEmail.objects.get(kind="case_scheduled")
    assert email.recipients == ["robin@example.org"]
    assert session.when in email.body_text and "Session 4" in email.body_text
    cases.schedule_case(case=case, session=session, actor=admin_user)  # unchanged: no new email
    assert OutgoingEmail.objects.filter(kind="case_scheduled").count() == 1


def test_a_case_cannot_go_into_another_series_or_a_cancelled_session(
    series, participant, admin_user
):
    case = make_case(participant)
    elsewhere = make_held_session(make_series(sessions_ahead=0), day=date(2024, 3, 1))
    cancelled = make_held_session(series, day=date(2024, 3, 1), is_cancelled=True)
    for session in (elsewhere, cancelled):
        with pytest.raises(cases.CaseError):
            cases.schedule_case(case=case, session=session, actor=admin_user)


@pytest.fixture
def faculty_client(client, db):
    user = get_user_model().objects.create_user(username="prof", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Faculty"))
    login_staff(client, user)
    return client


def test_faculty_read_and_schedule_cases_and_nothing_else(faculty_client, series, participant):
    case = make_case(participant)
    session = make_held_session(series, day=timezone.localdate() + timedelta(days=3), number=2)
    changelist = reverse("admin:echo_casepresentation_changelist")
    change = reverse("admin:echo_casepresentation_change", args=[case.pk])
    assert faculty_client.get(changelist).status_code == 200
    page = faculty_client.get(change)
    assert page.status_code == 200 and CLEAN["background"] in page.content.decode()

    response = faculty_client.post(change, {"session": session.pk, "title": "Changed title"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.session == session and case.title == CLEAN["title"]
    assert OutgoingEmail.objects.filter(kind="case_scheduled").count() == 1

    for name in (
        "echo_registrationrequest",
        "echo_series",
        "echo_certificate",
        "echo_attendancesheet",
        "echo_outgoingemail",
    ):
        assert faculty_client.get(reverse(f"admin:{name}_changelist")).status_code == 403
    delete = reverse("admin:echo_casepresentation_delete", args=[case.pk])
    assert faculty_client.post(delete, {"post": "yes"}).status_code == 403
    assert CasePresentation.objects.filter(pk=case.pk).exists()


def test_erasing_personal_data_erases_cases(participant):
    make_case(participant)
    anonymise_request(registration_request=participant)
    assert not CasePresentation.objects.exists()
