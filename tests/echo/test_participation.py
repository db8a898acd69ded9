"""The status page's participation panel, and erasing participation data with personal data."""

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from echo import attendance, cases
from echo.models import ReportRow, RequestState, Session
from echo.participation import participation_context
from tests.factories import make_held_session, make_participant, make_request, make_series
from tests.helpers import assert_one_h1

REPORTS = Path(__file__).parent / "reports"


@pytest.fixture
def series(db):
    return make_series(sessions_ahead=0, capacity=None, completion_sessions=2)


def test_attended_n_of_m_counts_held_sessions_only(client, series, admin_user):
    person = make_participant(series)
    held = [make_held_session(series, day=date(2024, 3, i), number=i) for i in (1, 8)]
    make_held_session(series, day=date(2024, 3, 15), number=15, is_cancelled=True)
    make_held_session(series, day=timezone.localdate() + timedelta(days=7), number=20)
    attendance.mark_attendance(session=held[0], request=person, attended=True, actor=admin_user)
    panel = participation_context(person)["participation"]
    assert (panel["attended"], panel["held"]) == (1, 2)
    response = client.get(person.get_status_url())
    assert_one_h1(response)
    html = response.content.decode()
    assert "You attended 1 of 2 sessions so far." in html
    assert "Attend at least 2 sessions to earn a certificate" in html


@pytest.mark.parametrize(
    "state",
    [RequestState.PENDING, RequestState.WAITLISTED, RequestState.DECLINED, RequestState.WITHDRAWN],
)
def test_no_panel_before_approval(client, series, state):
    request = make_request(series=series, state=state)
    assert participation_context(request) == {}
    assert "Your participation" not in client.get(request.get_status_url()).content.decode()


def test_new_pages_have_one_h1_and_refuse_bad_tokens(client, series, admin_user):
    person = make_participant(series)
    session = make_held_session(series, day=date(2024, 3, 1), number=1)
    attendance.mark_attendance(session=session, request=person, attended=True, actor=admin_user)
    token = person.access_token
    for url in (
        reverse("echo:case-submit", kwargs={"token": token}),
        reverse("echo:session-feedback", kwargs={"token": token, "number": 1}),
        reverse("echo:certificate-verify", kwargs={"code": "x" * 30}),
    ):
        assert_one_h1(client.get(url))
    for url in (
        "/echo/requests/short/case/",
        "/echo/requests/short/certificate.pdf",
        f"/echo/requests/{'z' * 40}/case/",
        f"/echo/requests/{token}/sessions/99/feedback/",
        f"/echo/requests/{token}/certificate.pdf",  # two sessions are needed, one attended
    ):
        assert client.get(url).status_code == 404, url


def test_verification_page_costs_two_queries(client, series, admin_user, django_assert_num_queries):
    person = make_participant(series)
    for day in (1, 8):
        session = make_held_session(series, day=date(2024, 3, day), number=day)
        attendance.mark_attendance(session=session, request=person, attended=True, actor=admin_user)
    url = person.certificate.get_verification_url()
    # The certificate with its person and series, and the program settings (header, footer).
    with django_assert_num_queries(2):
        assert client.get(url).status_code == 200


def test_retention_clears_report_names_of_expired_series(series):
    series.retention_days = 30
    series.save()
    session = make_held_session(series, day=date(2024, 3, 1), number=1)
    attendance.import_report(
        session=session,
        file_name="z.csv",
        actor=None,
        data=(REPORTS / "zoom_participants.csv").read_bytes(),
    )
    live = make_series(sessions_ahead=0)
    live_session = make_held_session(live, day=timezone.localdate(), number=1)
    Session.objects.filter(pk=live_session.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(hours=1)
    )
    attendance.import_report(
        session=live_session,
        file_name="t.csv",
        actor=None,
        data=(REPORTS / "zoom_total_duration_crlf.csv").read_bytes(),
    )
    out = StringIO()
    call_command("anonymise_expired_requests", stdout=out)
    assert "attendance report row(s) cleared" in out.getvalue()
    assert not ReportRow.objects.filter(report__session=session).exclude(name="", email="").exists()
    assert ReportRow.objects.filter(report__session=live_session).exclude(name="").exists()


def test_erasing_a_participant_clears_their_report_rows_and_cases(series):
    person = make_participant(series, email="ana.ruiz@example.org")
    session = make_held_session(series, day=date(2024, 3, 1), number=1)
    attendance.import_report(
        session=session,
        file_name="z.csv",
        actor=None,
        data=(REPORTS / "zoom_participants.csv").read_bytes(),
    )
    cases.submit_case(
        registration_request=person,
        confirmed=True,
        data={"title": "T", "question": "Q", "background": "B", "tried": "T", "help_wanted": "H"},
    )
    from echo.services import anonymise_request, export_request_data

    exported = export_request_data(registration_request=person)["participation"]
    assert exported["attendance"][0]["minutes_in_report"] == 60
    assert exported["cases"][0]["title"] == "T"
    anonymise_request(registration_request=person)
    row = ReportRow.objects.get(request=person)
    assert (row.name, row.email) == ("", "")
    assert not person.cases.exists()


def test_participation_writes_leave_the_public_page_cache_alone(series, admin_user):
    from deflection_portal.page_cache import content_version

    person = make_participant(series)
    session = make_held_session(series, day=date(2024, 3, 1), number=1)
    before = content_version()
    attendance.mark_attendance(session=session, request=person, attended=True, actor=admin_user)
    cases.submit_case(
        registration_request=person,
        confirmed=True,
        data={"title": "T", "question": "Q", "background": "B", "tried": "T", "help_wanted": "H"},
    )
    assert content_version() == before
    session.title = "Renamed"
    session.save()
    assert content_version() != before
