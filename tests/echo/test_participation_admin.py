"""The participation admin: attendance sheets (import, match, ignore, mark, feedback),
certificates (revoke, PDF) and cases; and their query budgets."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from echo import attendance, cases, feedback
from echo.models import Attendance, AttendanceReport, Certificate, ReportRow
from tests.factories import make_held_session, make_participant, make_series

REPORTS = Path(__file__).parent / "reports"
pytestmark = pytest.mark.django_db


@pytest.fixture
def series(db):
    return make_series(sessions_ahead=0, capacity=None, completion_sessions=1)


@pytest.fixture
def session(series):
    return make_held_session(series, day=date(2024, 3, 1), number=1)


@pytest.fixture
def people(series):
    return [
        make_participant(series, full_name="Ana Ruiz", email="ana.ruiz@example.org"),
        make_participant(series, full_name="Bo Chen", email="bo.chen@example.org"),
    ]


def sheet_url(session) -> str:
    return reverse("admin:echo_attendancesheet_change", args=[session.pk])


def upload(admin_client, session, name: str, data: bytes):
    return admin_client.post(
        sheet_url(session),
        {"action": "upload", "report": SimpleUploadedFile(name, data, "text/csv")},
        follow=True,
    )


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_the_sheet_imports_a_report_and_lists_the_rows_to_match(admin_client, session, people):
    response = upload(
        admin_client, session, "zoom.csv", (REPORTS / "zoom_participants.csv").read_bytes()
    )
    assert response.status_code == 200
    assert "Imported zoom.csv: 2 participants matched, 1 of them attended" in messages_of(response)
    html = response.content.decode()
    assert "Call-in 15035550100" in html and "dee@example.org" in html
    assert "Attendance: 1 of 2 participants" in html

    again = upload(
        admin_client, session, "zoom.csv", (REPORTS / "zoom_participants.csv").read_bytes()
    )
    assert "nothing changed" in messages_of(again)
    assert AttendanceReport.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04junk", "Excel workbook"),
        (b"Just,some,columns\n1,2,3\n", "none of the columns"),
        (b"\x00\x01\x02\x03" * 100, "binary"),
    ],
)
def test_bad_files_get_a_message_never_a_500(admin_client, session, people, data, message):
    response = upload(admin_client, session, "bad.csv", data)
    assert response.status_code == 200
    assert message in messages_of(response)
    assert not ReportRow.objects.exists()


def test_an_empty_upload_or_none_is_a_form_error(admin_client, session):
    empty = upload(admin_client, session, "empty.csv", b"")
    assert empty.status_code == 200 and "The submitted file is empty" in empty.content.decode()
    missing = admin_client.post(sheet_url(session), {"action": "upload"})
    assert missing.status_code == 200


def test_match_ignore_restore_and_mark_from_the_sheet(admin_client, session, people):
    upload(admin_client, session, "zoom.csv", (REPORTS / "zoom_participants.csv").read_bytes())
    row = ReportRow.objects.get(name="Call-in 15035550100")
    url = sheet_url(session)
    admin_client.post(url, {"action": "match", "row": row.pk, "participant": people[1].pk})
    assert Attendance.objects.get(request=people[1]).report_minutes == 78  # 20 + 58
    admin_client.post(url, {"action": "ignore", "row": row.pk})
    row.refresh_from_db()
    assert row.ignored and row.request is None
    admin_client.post(url, {"action": "restore", "row": row.pk})
    row.refresh_from_db()
    assert not row.ignored

    response = admin_client.post(
        url,
        {"action": "mark", f"mark-{people[0].pk}": "absent", f"mark-{people[1].pk}": "attended"},
        follow=True,
    )
    assert "2 marks saved" in messages_of(response)
    marks = dict(Attendance.objects.values_list("request_id", "marked"))
    assert marks == {people[0].pk: False, people[1].pk: True}
    assert Certificate.objects.filter(request=people[1]).exists()  # the rule is one session

    for junk in (
        {"action": "match", "row": "x"},
        {"action": "match", "row": row.pk, "participant": ""},
        {"action": "nonsense"},
        {"action": "ignore", "row": "999999"},
    ):
        assert admin_client.post(url, junk).status_code == 302


def test_the_sheet_shows_feedback_without_names(admin_client, session, people, admin_user):
    for person, score in zip(people, (5, 3), strict=True):
        attendance.mark_attendance(session=session, request=person, attended=True, actor=admin_user)
        feedback.save_feedback(
            registration_request=person,
            session=session,
            usefulness=score,
            will_apply=True,
            comment=f"Comment scoring {score}",
        )
    html = admin_client.get(sheet_url(session)).content.decode()
    feedback_part = html[html.index('id="feedback"') :]
    assert "<svg" in feedback_part and "mean usefulness 4.0 of 5" in feedback_part
    assert "Comment scoring 5" in feedback_part
    assert "Ana Ruiz" not in feedback_part and "Bo Chen" not in feedback_part


def test_a_missing_session_is_a_404(admin_client, db):
    assert (
        admin_client.get(reverse("admin:echo_attendancesheet_change", args=[999999])).status_code
        == 404
    )


def test_certificates_are_revoked_with_a_reason_from_the_list(
    admin_client, session, people, admin_user
):
    attendance.mark_attendance(session=session, request=people[0], attended=True, actor=admin_user)
    certificate = Certificate.objects.get()
    changelist = reverse("admin:echo_certificate_changelist")
    assert admin_client.get(changelist).status_code == 200
    assert (
        admin_client.get(
            reverse("admin:echo_certificate_change", args=[certificate.pk])
        ).status_code
        == 200
    )
    pdf = admin_client.get(reverse("admin:echo_certificate_pdf", args=[certificate.pk]))
    assert pdf["Content-Type"] == "application/pdf"

    ask = admin_client.post(
        changelist, {"action": "revoke_selected", "_selected_action": [certificate.pk]}
    )
    assert ask.status_code == 200 and "Why is the certificate revoked" in ask.content.decode()
    no_reason = admin_client.post(
        changelist,
        {
            "action": "revoke_selected",
            "confirm": "yes",
            "_selected_action": [certificate.pk],
            "reason": "",
        },
    )
    assert no_reason.status_code == 200
    certificate.refresh_from_db()
    assert certificate.is_valid
    done = admin_client.post(
        changelist,
        {
            "action": "revoke_selected",
            "confirm": "yes",
            "_selected_action": [certificate.pk],
            "reason": "Marked in error",
        },
        follow=True,
    )
    assert "1 certificate revoked" in messages_of(done)
    certificate.refresh_from_db()
    assert not certificate.is_valid and certificate.revoke_reason == "Marked in error"


def test_series_admin_shows_the_participation_settings(admin_client, series):
    html = admin_client.get(reverse("admin:echo_series_change", args=[series.pk])).content.decode()
    assert 'name="attended_minutes"' in html and 'name="completion_sessions"' in html


# --- Query budgets ---------------------------------------------------------------------------

BUDGETS = {
    "sheet": 15,
    "echo_attendancesheet": 12,
    "echo_certificate": 10,
    "echo_casepresentation": 10,
}


def build(size: int, admin_user):
    series = make_series(sessions_ahead=0, capacity=None, completion_sessions=1)
    sessions = [
        make_held_session(series, day=date(2024, 3, 1) + timedelta(days=7 * i), number=i + 1)
        for i in range(min(size, 20))
    ]
    people = [make_participant(series) for _ in range(size)]
    lines = ["Name (Original Name),User Email,Total Duration (Minutes)"]
    lines += [f"P{i},{person.email},50" for i, person in enumerate(people)]
    lines += [f"Guest {i},guest{i}@example.net,30" for i in range(size)]
    attendance.import_report(
        session=sessions[0], file_name="r.csv", data="\n".join(lines).encode(), actor=None
    )
    for person in people:
        cases.submit_case(
            registration_request=person,
            confirmed=True,
            data={
                "title": "T",
                "question": "Q",
                "background": "B",
                "tried": "T",
                "help_wanted": "H",
            },
        )
        feedback.save_feedback(
            registration_request=person,
            session=sessions[0],
            usefulness=4,
            will_apply=True,
            comment="Fine",
        )
    return sessions[0]


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("size", [10, 60])
def test_participation_admin_pages_keep_to_their_budget(admin_client, admin_user, size):
    session = build(size, admin_user)
    used = {"sheet": count(admin_client, sheet_url(session))}
    for name in ("echo_attendancesheet", "echo_certificate", "echo_casepresentation"):
        used[name] = count(admin_client, reverse(f"admin:{name}_changelist"))
    over = {name: n for name, n in used.items() if n > BUDGETS[name]}
    assert not over, f"over budget: {over} (budgets {BUDGETS})"


def test_viewing_is_not_changing(client, session, people):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from tests.helpers import login_staff

    reviewer = get_user_model().objects.create_user(username="rev", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    login_staff(client, reviewer)
    assert client.get(sheet_url(session)).status_code == 403
    reviewer.user_permissions.add(Permission.objects.get(codename="view_attendancesheet"))
    page = client.get(sheet_url(session))
    assert page.status_code == 200 and 'name="report"' not in page.content.decode()
    denied = client.post(sheet_url(session), {"action": "mark", f"mark-{people[0].pk}": "absent"})
    assert denied.status_code == 403
    assert not Attendance.objects.exists()
