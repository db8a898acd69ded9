"""Attendance: reading Zoom and Teams exports, matching, re-importing, marking by hand."""

from datetime import date
from pathlib import Path

import pytest

from echo import attendance
from echo.attendance import ReportError, import_report, parse_report
from echo.models import Attendance, AttendanceReport, Platform, ReportRow
from tests.factories import make_held_session, make_participant, make_series

REPORTS = Path(__file__).parent / "reports"
DAY = date(2024, 3, 1)


def read(name: str) -> bytes:
    return (REPORTS / name).read_bytes()


@pytest.fixture
def series(db):
    return make_series(sessions_ahead=0, attended_minutes=45, capacity=None)


@pytest.fixture
def session(series):
    return make_held_session(series, day=DAY, number=1)


@pytest.fixture
def people(series):
    return {
        "ana": make_participant(series, full_name="Ana Ruiz", email="ana.ruiz@example.org"),
        "bo": make_participant(series, full_name="Bo Chen", email="Bo.Chen@example.org"),
        "dee": make_participant(series, full_name="Dee Lead", email="dee@example.org"),
        "jose": make_participant(series, full_name="José Ñúñez", email="jose@example.org"),
    }


def minutes_by_person(session) -> dict[str, int | None]:
    return {
        row.request.email.lower(): row.report_minutes
        for row in Attendance.objects.filter(session=session).select_related("request")
    }


def attended_emails(session) -> set[str]:
    rows = Attendance.objects.filter(session=session).attended().select_related("request")
    return {row.request.email.lower() for row in rows}


# --- Parsing each layout ---------------------------------------------------------------------


def test_zoom_participant_report_sums_rejoins_and_reads_the_summary():
    report = parse_report(read("zoom_participants.csv"))
    assert report.platform == Platform.ZOOM
    assert report.meeting_title == "Deflection ECHO: Session 1"
    assert DAY in report.meeting_dates
    assert [(row.name, row.email, row.seconds // 60) for row in report.rows] == [
        ("Ana Ruiz", "ana.ruiz@example.org", 31),
        ("Bo Chen (Bo C)", "bo.chen@example.org", 20),
        ("Ana Ruiz", "ANA.Ruiz@Example.org", 29),
        ("Call-in 15035550100", "", 58),
        ("Dee, Program Lead", "dee@example.org", 50),
    ]


def test_older_zoom_layout_with_total_duration_and_windows_line_ends():
    report = parse_report(read("zoom_total_duration_crlf.csv"))
    assert report.platform == Platform.ZOOM
    assert report.meeting_dates == set()
    assert [(row.email, row.seconds) for row in report.rows] == [
        ("ana.ruiz@example.org", 3600),
        ("bo.chen@example.org", 2640),
        ("dee@example.org", 2700),
        ("", 720),
    ]


def test_zoom_with_a_byte_order_mark_keeps_accented_names():
    report = parse_report(read("zoom_bom.csv"))
    assert report.rows[0].name == "José Ñúñez"


def test_zoom_saved_by_excel_in_windows_1252_with_padding_and_reformatted_dates():
    report = parse_report(read("zoom_excel_saved.csv"))
    assert report.platform == Platform.ZOOM
    assert DAY in report.meeting_dates
    assert [(row.name, row.seconds // 60) for row in report.rows] == [
        ("José Ñúñez", 60),
        ("Ana Ruiz", 40),
    ]


def test_teams_report_in_utf16_reads_only_the_participants_section():
    report = parse_report(read("teams_attendance.csv"))
    assert report.platform == Platform.TEAMS
    assert report.meeting_title == "Deflection ECHO: Session 1"
    assert DAY in report.meeting_dates
    assert [(row.name, row.email, row.seconds) for row in report.rows] == [
        ("Ana Ruiz", "Ana.Ruiz@example.org", 58 * 60 + 10),
        ("Bo Chen", "bo.chen@example.org", 44 * 60 + 59),
        ("Dee", "dee@example.org", 61 * 60),
        ("Guest caller (Unverified)", "", 40 * 60),
    ]


def test_teams_rows_without_an_email_fall_back_to_the_participant_id():
    data = (
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
        "Bo Chen\t3/1/24, 1:00 PM\t3/1/24, 2:00 PM\t1h\t\tbo.chen@example.org\tAttendee\n"
        "Guest\t3/1/24, 1:00 PM\t3/1/24, 2:00 PM\t1h\t\t\tAttendee\n"
    ).encode("utf-16")
    assert [row.email for row in parse_report(data).rows] == ["bo.chen@example.org", ""]


def test_teams_2021_layout_without_a_byte_order_mark():
    report = parse_report(read("teams_2021_no_bom.csv"))
    assert report.platform == Platform.TEAMS
    assert [row.seconds for row in report.rows] == [1800, 1500]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("1h 2m 3s", 3723),
        ("45m 10s", 2710),
        ("58s", 58),
        ("1h", 3600),
        ("01:02:03", 3723),
        ("45:00", 2700),
        ("nonsense", None),
        ("5 parsecs", None),
        ("", None),
    ],
)
def test_teams_durations(value, seconds):
    assert attendance.teams_seconds(value) == seconds


# --- Refusals: clear messages, nothing stored ------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"Name,Email,Organization\nAna,ana@example.org,Lane County\n", "none of the columns"),
        (b"PK\x03\x04\x14\x00\x06\x00binary workbook", "Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old workbook", "old Excel workbook"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
        (b"\xff\xfeN\x00a\x00\x00\xd8", "could not be read"),  # a broken UTF-16 surrogate
        (
            b"Name (Original Name),User Email,Duration (Minutes),Guest\n"
            b"Ana,a@example.org,lots,No\n",
            "Line 2",
        ),
        (
            "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\n"
            "Ana\t1 PM\t2 PM\tall of it\ta@example.org\n".encode("utf-16"),
            "not a duration",
        ),
        (
            b"Name (Original Name),User Email,Total Duration (Minutes)\n"
            b"Ana,a@example.org,99999999999\n",
            "longer than any meeting",
        ),
    ],
    ids=[
        "empty",
        "foreign-csv",
        "xlsx",
        "xls",
        "pdf",
        "png",
        "bad-utf16",
        "zoom-minutes",
        "teams-duration",
        "absurd-minutes",
    ],
)
def test_unreadable_files_are_refused_with_a_reason_and_nothing_is_stored(
    session, people, data, message
):
    with pytest.raises(ReportError) as refused:
        import_report(session=session, file_name="x.csv", data=data, actor=None)
    assert message.lower() in refused.value.message.lower()
    assert not AttendanceReport.objects.exists()
    assert not ReportRow.objects.exists()
    assert not Attendance.objects.exclude(report_minutes=None).exists()


def test_a_report_of_another_day_is_refused_naming_both_dates(series, people):
    other = make_held_session(series, day=date(2024, 3, 8), number=2)
    with pytest.raises(ReportError) as refused:
        import_report(
            session=other, file_name="z.csv", data=read("zoom_participants.csv"), actor=None
        )
    assert "March 1, 2024" in refused.value.message
    assert "March 8, 2024" in refused.value.message
    assert not AttendanceReport.objects.exists()


def test_a_file_over_the_limit_is_refused(session, settings):
    data = b"Name (Original Name),User Email,Total Duration (Minutes)\n" + b"x" * (
        attendance.MAX_REPORT_BYTES + 1
    )
    with pytest.raises(ReportError, match="at most 8 MB"):
        import_report(session=session, file_name="big.csv", data=data, actor=None)


def test_a_5_mb_report_imports(session, people):
    lines = ["Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"]
    size, n = len(lines[0]), 0
    while size < 5 * 1024 * 1024:
        lines.append(
            f"Viewer {n},viewer{n % 4000}@example.net,03/01/2024 01:00:00 PM,"
            f"03/01/2024 01:01:00 PM,1,Yes"
        )
        size += len(lines[-1]) + 1
        n += 1
    lines.append(
        "Ana Ruiz,ana.ruiz@example.org,03/01/2024 01:00:00 PM,03/01/2024 02:00:00 PM,60,No"
    )
    data = "\n".join(lines).encode()
    assert len(data) >= 5 * 1024 * 1024
    result = import_report(session=session, file_name="big.csv", data=data, actor=None)
    assert result.matched == 1
    assert result.unmatched == 4000
    assert attended_emails(session) == {"ana.ruiz@example.org"}


# --- Matching and counting -------------------------------------------------------------------


def test_zoom_import_matches_by_email_and_sums_rejoins(session, people):
    result = import_report(
        session=session, file_name="zoom.csv", data=read("zoom_participants.csv"), actor=None
    )
    assert (result.matched, result.unmatched) == (3, 1)
    assert minutes_by_person(session) == {
        "ana.ruiz@example.org": 60,  # 31 + 29, the second row's email in other case and spaced
        "bo.chen@example.org": 20,
        "dee@example.org": 50,
        "jose@example.org": 0,
    }
    assert attended_emails(session) == {"ana.ruiz@example.org", "dee@example.org"}
    unmatched = ReportRow.objects.get(request__isnull=True)
    assert (unmatched.name, unmatched.minutes) == ("Call-in 15035550100", 58)


def test_the_threshold_is_the_series_own(session, people, series):
    import_report(session=session, file_name="t.csv", data=read("teams_attendance.csv"), actor=None)
    assert attended_emails(session) == {"ana.ruiz@example.org", "dee@example.org"}  # Bo: 44 min
    series.attended_minutes = 40
    series.save()
    assert "bo.chen@example.org" in attended_emails(session)


def test_importing_the_same_file_twice_changes_nothing(session, people):
    data = read("zoom_participants.csv")
    first = import_report(session=session, file_name="zoom.csv", data=data, actor=None)
    before = (minutes_by_person(session), list(ReportRow.objects.values_list("pk", flat=True)))
    second = import_report(session=session, file_name="zoom-again.csv", data=data, actor=None)
    assert second.already_imported and second.report == first.report
    assert "nothing changed" in second.summary()
    after = (minutes_by_person(session), list(ReportRow.objects.values_list("pk", flat=True)))
    assert before == after
    assert AttendanceReport.objects.count() == 1


def test_a_new_report_replaces_the_old_and_keeps_staff_decisions(session, people):
    import_report(
        session=session, file_name="zoom.csv", data=read("zoom_participants.csv"), actor=None
    )
    call_in = ReportRow.objects.get(name="Call-in 15035550100")
    attendance.resolve_row(row=call_in, request=people["jose"])
    assert "jose@example.org" in attended_emails(session)

    corrected = read("zoom_participants.csv").replace(b"Bo Chen (Bo C)", b"Bo Chen")
    import_report(session=session, file_name="zoom-2.csv", data=corrected, actor=None)
    assert AttendanceReport.objects.filter(is_current=True).count() == 1
    assert AttendanceReport.objects.count() == 2
    assert "jose@example.org" in attended_emails(session)  # the manual match carried over
    assert minutes_by_person(session)["jose@example.org"] == 58


def test_ignoring_a_row_keeps_it_listed_and_uncounted(session, people):
    import_report(
        session=session, file_name="zoom.csv", data=read("zoom_participants.csv"), actor=None
    )
    row = ReportRow.objects.get(request__isnull=True)
    attendance.resolve_row(row=row, request=None, ignore=True)
    row.refresh_from_db()
    assert row.ignored and ReportRow.objects.filter(pk=row.pk).exists()


def test_only_approved_participants_of_the_series_can_be_matched(session, people):
    import_report(
        session=session, file_name="zoom.csv", data=read("zoom_participants.csv"), actor=None
    )
    row = ReportRow.objects.get(request__isnull=True)
    stranger = make_participant(make_series(sessions_ahead=0))
    with pytest.raises(ReportError):
        attendance.resolve_row(row=row, request=stranger)


def test_staff_marks_win_over_the_report_and_can_be_cleared(session, people, admin_user):
    import_report(
        session=session, file_name="zoom.csv", data=read("zoom_participants.csv"), actor=None
    )
    attendance.mark_attendance(
        session=session, request=people["bo"], attended=True, actor=admin_user
    )
    attendance.mark_attendance(
        session=session, request=people["ana"], attended=False, actor=admin_user
    )
    assert attended_emails(session) == {"bo.chen@example.org", "dee@example.org"}
    attendance.mark_attendance(
        session=session, request=people["ana"], attended=None, actor=admin_user
    )
    assert "ana.ruiz@example.org" in attended_emails(session)


def test_marking_without_any_report(session, people, admin_user):
    attendance.mark_attendance(
        session=session, request=people["dee"], attended=True, actor=admin_user
    )
    assert attended_emails(session) == {"dee@example.org"}
    assert attendance.attended_count(people["dee"]) == 1
