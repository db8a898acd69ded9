"""The funder report: counts by county or tribe and sector, counts from 1 to 4 shown as "<5",
a CSV with the same cells, SVG charts with text alternatives, and a fixed number of queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from echo.models import Attendance, Certificate, RegistrationRequest, RequestState
from echo.report import funder_report, shown
from tests.factories import make_request, make_series, make_session

pytestmark = pytest.mark.django_db
URL = reverse("admin:echo_series_report")


def many(series, n, **fields):
    return [make_request(series=series, **fields) for _ in range(n)]


def test_small_counts_are_suppressed_and_zero_is_shown():
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == ["0", "<5", "<5", "5", "12"]


def test_counts_by_county_and_sector(admin_client):
    series = make_series(title="Funded ECHO")
    many(series, 6, county="lane", sector="law_enforcement", state=RequestState.APPROVED)
    many(series, 2, county="lane", sector="peer_recovery", state=RequestState.WITHDRAWN)
    many(series, 3, county="coos", sector="peer_recovery")
    report = funder_report(series=series)
    counties = {row.label: row.cells() for row in report.by_county}
    assert counties == {
        "Lane County": ["8", "6", "0", "<5", "0", "0"],
        "Coos County": ["<5", "0", "0", "0", "0", "0"],
    }
    sectors = {row.label: row.cells() for row in report.by_sector}
    assert sectors["Law enforcement"] == ["6", "6", "0", "0", "0", "0"]
    assert sectors["Peer recovery"] == ["5", "0", "0", "<5", "0", "0"]
    assert report.total.cells() == ["11", "6", "0", "<5", "0", "0"]

    html = admin_client.get(URL, {"series": series.pk}).content.decode()
    assert "Lane County" in html and "&lt;5" in html
    assert 'role="img"' in html and "<desc" in html and "Coos County: &lt;5" in html
    assert "@example.org" not in html and "Applicant" not in html  # no personal data


def test_attendance_and_completion_count_people_with_the_attendance_rules(admin_client):
    series = make_series(attended_minutes=45, sessions_ahead=0)
    first = make_session(series=series, number=1)
    second = make_session(series=series, number=2)
    people = many(series, 7, county="lane", state=RequestState.APPROVED)
    for person in people[:5]:  # two sessions each: still one person who attended
        Attendance.objects.create(session=first, request=person, report_minutes=50)
        Attendance.objects.create(session=second, request=person, report_minutes=60)
    # Too few minutes, or marked absent by staff against the report: not attended.
    Attendance.objects.create(session=first, request=people[5], report_minutes=10)
    Attendance.objects.create(session=first, request=people[6], report_minutes=90, marked=False)
    for person in people[:6]:
        Certificate.objects.create(request=person)
    Certificate.objects.filter(request=people[5]).update(revoked_at=timezone.now())
    report = funder_report(series=series)
    counts = report.total.counts
    assert (counts["attended"], counts["completed"]) == (5, 5)
    assert report.total.cells()[-2:] == ["5", "5"]
    Certificate.objects.filter(request=people[4]).delete()
    assert funder_report(series=series).total.cells()[-1] == "<5"  # four: suppressed
    assert "Attended" in admin_client.get(URL, {"series": series.pk}).content.decode()


def test_the_date_range_and_the_csv(admin_client):
    series = make_series()
    old = timezone.now() - timedelta(days=40)
    many(series, 5, county="lane", submitted_at=old)
    many(series, 6, county="lane")
    today = timezone.localdate()
    response = admin_client.get(URL, {"series": series.pk, "start": today - timedelta(days=7),
                                      "end": today, "format": "csv"})  # fmt: skip
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Breakdown", "Group", "Requests"]
    assert rows[0][3:] == ["Approved", "Waitlisted", "Withdrawn", "Attended", "Completed"]
    assert rows[1] == ["Total", "All", "6", "0", "0", "0", "0", "0"]
    assert ["County or tribe", "Lane County", "6", "0", "0", "0", "0", "0"] in rows


def test_a_bad_range_is_explained_not_an_error(admin_client):
    response = admin_client.get(URL, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert "The end date must not be before the start date." in response.content.decode()
    assert admin_client.get(URL, {"start": "not a date"}).status_code == 200


def test_staff_without_review_rights_cannot_open_it(client, django_user_model):
    from tests.helpers import login_staff

    login_staff(client, django_user_model.objects.create_user("editor", is_staff=True))
    assert client.get(URL).status_code == 403


def test_the_report_reads_a_fixed_number_of_queries(admin_client):
    counts = []
    for size in (10, 1000):
        series = make_series()
        RegistrationRequest.objects.bulk_create(
            RegistrationRequest(series=series, full_name=f"P {n}", email=f"r{size}-{n}@ex.org",
                                organization="O", role_title="R",
                                sector=["other", "courts", "community"][n % 3],
                                county=["lane", "coos", "tribe-siletz"][n % 3], consent=True,
                                access_token=f"r-{size}-{n:05d}-abcdefghijklmnopqrs")
            for n in range(size)
        )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(URL, {"series": series.pk}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
