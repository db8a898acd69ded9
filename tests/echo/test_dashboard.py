"""The admin home's dashboard: each warning appears when its situation exists, numbers link to
the filtered lists, and the page's query count does not grow with the data."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from echo.dashboard import staff_dashboard
from echo.models import EmailStatus, OutgoingEmail, RegistrationRequest, RequestState
from tests.factories import make_request, make_series, make_session

pytestmark = pytest.mark.django_db


def texts():
    return [w.text for w in staff_dashboard().warnings]


def test_a_quiet_portal_has_no_warning():
    make_series(join_url="https://meet.example.org/j/1")
    assert texts() == []


def test_open_for_requests_with_no_session_ahead():
    series = make_series(title="Ended run", sessions_ahead=0)
    make_session(series=series, starts_at=timezone.now() - timedelta(days=2))
    assert any("Ended run is set to take requests but has no session ahead" in t for t in texts())


def test_no_join_link_within_seven_days_of_the_next_session():
    series = make_series(title="Soon", sessions_ahead=0)
    make_session(series=series, starts_at=timezone.now() + timedelta(days=3))
    assert any("Soon has no join link" in t for t in texts())
    series.join_url = "https://meet.example.org/j/2"
    series.save()
    assert not any("Soon has no join link" in t for t in texts())


def test_full_with_pending_requests():
    series = make_series(title="Full run", capacity=1, join_url="https://m.example.org/j")
    make_request(series=series, state=RequestState.APPROVED)
    make_request(series=series)
    [warning] = staff_dashboard().warnings
    assert warning.text == "Full run is full with 1 request pending."
    assert "state__exact=pending" in warning.url and f"series__id__exact={series.pk}" in warning.url


def test_offers_lapsing_within_a_day():
    series = make_series(title="Offers", capacity=2, join_url="https://m.example.org/j")
    make_request(series=series, state=RequestState.OFFERED,
                 offer_expires_at=timezone.now() + timedelta(hours=5))  # fmt: skip
    make_request(series=series, state=RequestState.OFFERED,
                 offer_expires_at=timezone.now() + timedelta(hours=50))  # fmt: skip
    assert "Offers: 1 seat offer lapses within 24 hours." in texts()


def test_failed_and_stuck_emails():
    old = timezone.now() - timedelta(hours=1)
    OutgoingEmail.objects.create(kind="received", to="a@example.org", subject="s",
                                 body_text="b", status=EmailStatus.FAILED)  # fmt: skip
    OutgoingEmail.objects.create(kind="received", to="b@example.org", subject="s",
                                 body_text="b", created_at=old, next_attempt_at=old)  # fmt: skip
    OutgoingEmail.objects.create(kind="received", to="c@example.org", subject="s", body_text="b")
    found = texts()
    assert "1 email failed for good: resend it from the email log." in found
    assert any("1 email has waited more than 15 minutes" in t for t in found)


def test_the_table_counts_and_links(admin_client):
    series = make_series(title="Counted", capacity=3, join_url="https://m.example.org/j")
    make_request(series=series, submitted_at=timezone.now() - timedelta(days=9))
    make_request(series=series)
    make_request(series=series, state=RequestState.WAITLISTED)
    make_request(series=series, state=RequestState.APPROVED)
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "What needs attention" in html
    row = html[html.index(">Counted<") :]
    row = row[: row.index("</tr>")]
    assert ">2</a>" in row and "9 days" in row and ">1</a>" in row


def test_staff_without_review_rights_see_no_dashboard(client, django_user_model):
    from tests.helpers import login_staff

    login_staff(client, django_user_model.objects.create_user("editor", is_staff=True))
    assert "What needs attention" not in client.get(reverse("admin:index")).content.decode()


def test_the_dashboard_reads_the_same_number_of_queries_at_any_size(admin_client):
    counts = []
    for size in (10, 1000):
        series = make_series(capacity=size // 2)
        RegistrationRequest.objects.bulk_create(
            RegistrationRequest(series=series, full_name=f"P {n}", email=f"p{size}-{n}@ex.org",
                                organization="O", role_title="R", sector="other",
                                county="lane", consent=True,
                                state=[RequestState.PENDING, RequestState.APPROVED,
                                       RequestState.WAITLISTED][n % 3],
                                access_token=f"t-{size}-{n:05d}-abcdefghijklmnopqrs")
            for n in range(size)
        )  # fmt: skip
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("admin:index")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
