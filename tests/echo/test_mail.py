"""Stored email: delivery, retries with back-off, no loss and no duplicates across an outage."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from echo import mail, services
from echo.forms import sign_started
from echo.models import EmailStatus, OutgoingEmail, RegistrationRequest
from tests.factories import make_request, make_series

pytestmark = pytest.mark.django_db


def queue(n=1, **kwargs):
    request = make_request()
    return [
        mail.queue_email(
            kind="received",
            to=[request.email],
            template="request_received",
            context={"registration_request": request, "series": request.series,
                     "status_url": "https://portal.example.org/x"},
            registration_request=request,
            **kwargs,
        )
        for _ in range(n)
    ]  # fmt: skip


def test_due_emails_are_sent_once_and_marked(mailoutbox):
    [email] = queue()
    assert mail.deliver_due().sent == 1
    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == [email.to]
    assert sent.extra_headers["Message-ID"].startswith(f"<portal-email-{email.pk}@")
    assert sent.alternatives[0][1] == "text/html"
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.sent_at and email.attempts == 1
    assert mail.deliver_due().sent == 0
    assert len(mailoutbox) == 1


def test_attachment_is_sent(mailoutbox):
    queue(attachment=mail.Attachment("series.ics", "BEGIN:VCALENDAR", "text/calendar"))
    mail.deliver_due()
    assert mailoutbox[0].attachments == [("series.ics", "BEGIN:VCALENDAR", "text/calendar")]


def test_no_recipient_stores_nothing():
    assert mail.queue_email(kind="x", to=[], template="request_received", context={}) is None
    assert not OutgoingEmail.objects.exists()


def test_retry_delay_backs_off_and_is_capped():
    assert [mail.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert mail.retry_delay(30) == timedelta(hours=1)


def test_failure_is_kept_with_the_error_and_retried_later(settings, smtp):
    smtp.stop()
    [email] = queue()
    report = mail.deliver_due()
    assert (report.sent, report.retrying) == (0, 1)
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED and email.attempts == 1
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()
    assert email.next_attempt_at > timezone.now()
    assert mail.deliver_due().sent == 0  # not due yet: back-off respected
    smtp.start()
    assert mail.deliver_due(at=timezone.now() + timedelta(minutes=1)).sent == 1
    assert len(smtp.messages) == 1


def test_gives_up_after_the_maximum_attempts_and_staff_can_resend(settings, smtp):
    settings.PORTAL_EMAIL_MAX_ATTEMPTS = 2
    smtp.stop()
    [email] = queue()
    mail.deliver_due()
    report = mail.deliver_due(at=timezone.now() + timedelta(hours=2))
    assert report.failed == 1
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    smtp.start()
    assert mail.deliver_due(at=timezone.now() + timedelta(days=1)).sent == 0
    mail.requeue(email)
    assert mail.deliver_due().sent == 1
    assert len(smtp.messages) == 1


def test_a_message_claimed_by_one_worker_is_not_sent_by_another(mailoutbox):
    [email] = queue()
    stale_copy = OutgoingEmail.objects.get(pk=email.pk)
    assert mail.deliver_due().sent == 1
    assert mail._claim(stale_copy, timezone.now()) is False
    assert len(mailoutbox) == 1


def test_worker_command_delivers_what_is_due(mailoutbox):
    from io import StringIO

    from django.core.management import call_command

    queue(3)
    out = StringIO()
    call_command("run_mail_worker", "--once", stdout=out)
    assert "sent 3" in out.getvalue()
    assert len(mailoutbox) == 3


def test_smtp_outage_loses_nothing_and_delivers_everything_once_after(client, smtp, settings):
    """50 submissions with the mail server down all succeed; every email is kept; all are
    delivered exactly once when the server is back."""
    settings.PORTAL_REQUESTS_PER_10_MINUTES = settings.PORTAL_REQUESTS_PER_DAY = 1000
    smtp.stop()
    series = make_series(capacity=1, staff_emails="staff@example.org")
    url = reverse("echo:request", kwargs={"slug": series.slug})
    for n in range(50):
        response = client.post(
            url,
            {
                "full_name": f"Person {n}",
                "email": f"person{n}@example.org",
                "organization": "Deschutes County",
                "role_title": "Analyst",
                "sector": "county_government",
                "county": "deschutes",
                "consent": "on",
                "form_started": sign_started(time.time() - 60),
            },
        )
        assert response.status_code == 302, n
    assert RegistrationRequest.objects.count() == 50
    assert OutgoingEmail.objects.count() == 100

    during = mail.deliver_due()
    assert (during.sent, during.retrying) == (0, 100)
    assert OutgoingEmail.objects.filter(status=EmailStatus.QUEUED).count() == 100

    smtp.start()
    after = mail.deliver_due(at=timezone.now() + timedelta(minutes=5))
    assert after.sent == 100
    assert mail.deliver_due(at=timezone.now() + timedelta(hours=5)).sent == 0
    ids = [message["Message-ID"] for message in smtp.messages]
    assert len(ids) == 100 and len(set(ids)) == 100
    applicants = sorted(m["To"] for m in smtp.messages if m["To"] != "staff@example.org")
    assert applicants == sorted(f"person{n}@example.org" for n in range(50))


def test_an_smtp_failure_never_turns_a_decision_into_an_error(
    smtp, settings, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    settings.PORTAL_EMAIL_IMMEDIATE = True
    smtp.stop()
    request = make_request()
    staff = get_user_model().objects.create_user("s", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.approve_request(registration_request=request, actor=staff)
    assert len(callbacks) == 1  # delivery was tried right after the commit, and failed quietly
    email = OutgoingEmail.objects.get(kind="approved")
    assert email.status == EmailStatus.QUEUED and email.attempts == 1 and email.last_error
    request.refresh_from_db()
    assert request.state == "approved"
