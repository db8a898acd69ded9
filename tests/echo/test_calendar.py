"""Calendar files: RFC 5545 structure, stable UIDs, time zones across DST, no join link."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from echo import calendar as echo_calendar
from tests.factories import make_series, make_session

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
JOIN_URL = "https://meet.example.org/j/secret-room-4471"


def pacific(year, month, day, hour=13) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PACIFIC)


@pytest.fixture
def dst_series():
    """Two Friday sessions either side of the 2024 switch to daylight time (March 10)."""
    series = make_series(sessions_ahead=0, title="DST ECHO", slug="dst-echo", join_url=JOIN_URL)
    make_session(series=series, number=1, title="Before", starts_at=pacific(2024, 3, 8))
    make_session(series=series, number=2, title="After", starts_at=pacific(2024, 3, 15))
    return series


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def events(content: bytes):
    return Calendar.from_ical(content).walk("VEVENT")


def test_series_calendar_round_trips_with_correct_utc_instants_across_dst(client, dst_series):
    response = download(client, reverse("echo:series-calendar", kwargs={"slug": "dst-echo"}))
    parsed = Calendar.from_ical(response.content)
    starts = {str(e["SUMMARY"]): e.decoded("DTSTART") for e in parsed.walk("VEVENT")}
    assert starts["DST ECHO: Before"].astimezone(UTC) == datetime(2024, 3, 8, 21, tzinfo=UTC)
    assert starts["DST ECHO: After"].astimezone(UTC) == datetime(2024, 3, 15, 20, tzinfo=UTC)
    ends = [e.decoded("DTEND") - e.decoded("DTSTART") for e in parsed.walk("VEVENT")]
    assert ends == [timedelta(hours=1), timedelta(hours=1)]


def test_calendar_declares_its_time_zone_and_uses_it_for_start_and_end(client, dst_series):
    content = download(client, reverse("echo:series-calendar", kwargs={"slug": "dst-echo"})).content
    parsed = Calendar.from_ical(content)
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    text = content.decode()
    assert "DTSTART;TZID=America/Los_Angeles:20240308T130000" in text
    assert "DTEND;TZID=America/Los_Angeles:20240315T140000" in text
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"]


def test_every_event_has_a_stable_uid_a_dtstamp_a_summary_and_its_public_url(client, dst_series):
    url = reverse("echo:series-calendar", kwargs={"slug": "dst-echo"})
    first = events(download(client, url).content)
    second = events(download(client, url).content)
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in second]
    sessions = list(dst_series.sessions.order_by("number"))
    assert [str(e["UID"]) for e in first] == [
        f"echo-session-{s.pk}@{echo_calendar.UID_DOMAIN}" for s in sessions
    ]
    for event, session in zip(first, sessions, strict=True):
        assert "DTSTAMP" in event
        assert str(event["SUMMARY"]) == f"DST ECHO: {session.title}"
        assert str(event["URL"]) == f"http://testserver{session.get_absolute_url()}"


def test_session_calendar_has_the_same_uid_as_in_the_series_calendar(client, dst_series):
    session = dst_series.sessions.get(number=2)
    url = reverse("echo:session-calendar", kwargs={"slug": "dst-echo", "number": 2})
    [event] = events(download(client, url).content)
    assert str(event["UID"]) == echo_calendar.session_uid(session)
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2024, 3, 15, 20, tzinfo=UTC)


def test_calendar_files_are_served_as_text_calendar_attachments_with_a_filename(client, dst_series):
    series_file = download(client, reverse("echo:series-calendar", kwargs={"slug": "dst-echo"}))
    assert series_file["Content-Type"] == "text/calendar; charset=utf-8"
    assert series_file["Content-Disposition"] == 'attachment; filename="dst-echo.ics"'
    session_file = download(
        client, reverse("echo:session-calendar", kwargs={"slug": "dst-echo", "number": 1})
    )
    assert session_file["Content-Disposition"] == 'attachment; filename="dst-echo-session-1.ics"'


def test_series_calendar_leaves_out_cancelled_sessions(client, dst_series):
    make_session(series=dst_series, number=3, title="Called off", is_cancelled=True)
    content = download(client, reverse("echo:series-calendar", kwargs={"slug": "dst-echo"})).content
    assert [str(e["SUMMARY"]) for e in events(content)] == ["DST ECHO: Before", "DST ECHO: After"]


def test_calendar_of_a_cancelled_session_marks_it_cancelled(client, dst_series):
    make_session(series=dst_series, number=3, title="Called off", is_cancelled=True)
    url = reverse("echo:session-calendar", kwargs={"slug": "dst-echo", "number": 3})
    [event] = events(download(client, url).content)
    assert str(event["STATUS"]) == "CANCELLED"


def test_public_calendar_files_never_contain_the_join_link(client, dst_series):
    for url in [
        reverse("echo:series-calendar", kwargs={"slug": "dst-echo"}),
        reverse("echo:session-calendar", kwargs={"slug": "dst-echo", "number": 1}),
    ]:
        content = download(client, url).content.replace(b"\r\n ", b"")  # unfold lines
        assert b"secret-room" not in content and b"meet.example.org" not in content


def test_calendar_for_approved_participants_can_carry_the_join_link(dst_series):
    content = echo_calendar.series_calendar(
        dst_series, include_join_link=True, base_url="https://portal.example.org"
    )
    for event in events(content):
        assert str(event["LOCATION"]) == JOIN_URL
        assert JOIN_URL in str(event["DESCRIPTION"])
        assert str(event["URL"]).startswith("https://portal.example.org/echo/dst-echo/sessions/")
    without = echo_calendar.series_calendar(dst_series, base_url="https://portal.example.org")
    assert b"secret-room" not in without.replace(b"\r\n ", b"")


def test_calendar_outside_a_request_links_to_the_portal_address(settings, dst_series):
    settings.PORTAL_BASE_URL = "https://deflection.example.org"
    [event, _] = events(echo_calendar.series_calendar(dst_series))
    assert str(event["URL"]) == "https://deflection.example.org/echo/dst-echo/sessions/1/"


def test_series_calendar_uid_is_stable_too(dst_series):
    first = Calendar.from_ical(echo_calendar.series_calendar(dst_series, base_url=""))
    second = Calendar.from_ical(echo_calendar.series_calendar(dst_series, base_url=""))
    assert str(first["UID"]) == str(second["UID"]) == echo_calendar.series_uid(dst_series)
