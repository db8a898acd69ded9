"""A request made on the Spanish pages gets every email in Spanish, through the worker and a
real SMTP server on loopback; staff are told in English; an English request stays English."""

from email.message import Message

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from echo import services
from echo.models import Actor, RegistrationRequest
from tests.echo.test_request_views import form_data
from tests.factories import make_question, make_request, make_series
from tests.smtp import SMTPServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_smtp(smtp, settings):
    settings.PORTAL_STAFF_EMAILS = ["staff@example.org"]
    return smtp


def text_of(message: Message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def deliver(smtp: SMTPServer) -> dict[str, list[Message]]:
    call_command("run_mail_worker", "--once", stdout=open("/dev/null", "w"))
    by_recipient: dict[str, list[Message]] = {}
    for message in smtp.messages:
        by_recipient.setdefault(message["To"], []).append(message)
    return by_recipient


def spanish(text: str) -> str:
    with translation.override("es"):
        return translation.gettext(text)


def submit(client, series, language: str) -> RegistrationRequest:
    with translation.override(language):
        url = reverse("echo:request", kwargs={"slug": series.slug})
    response = client.post(url, form_data(series, email="ana@example.org"))
    assert response.status_code == 302, response.content[:400]
    return RegistrationRequest.objects.get(email="ana@example.org")


def test_a_spanish_request_gets_spanish_emails_end_to_end(client, staff_smtp, admin_user):
    smtp = staff_smtp
    series = make_series(capacity=5)
    make_question(series=series, label="Where is your program today?", order=1)
    registration_request = submit(client, series, "es")
    assert registration_request.language == "es"

    received = deliver(smtp)
    applicant = received["ana@example.org"][0]
    body = text_of(applicant)
    assert spanish("You can check the status of your request, or withdraw it, here:") in body
    assert "You can check the status" not in body
    assert "/es/echo/requests/" in body  # the link opens the Spanish page
    subject = spanish("We received your request to join %(title)s (%(reference)s)") % {
        "title": series.title,
        "reference": registration_request.reference,
    }
    assert str(applicant["Subject"]) == subject
    assert not subject.startswith("We received")
    # Staff read about it in English, with the admin's (unprefixed) address.
    staff_body = text_of(received["staff@example.org"][0])
    assert "/admin/" in staff_body and "/es/" not in staff_body

    smtp.messages.clear()
    services.change_state(registration_request, "approve", actor=Actor.STAFF, user=admin_user)
    approved = deliver(smtp)["ana@example.org"][0]
    assert "/es/echo/requests/" in text_of(approved)
    with translation.override("es"):
        expected_subject = translation.gettext("You have a seat in %(title)s") % {
            "title": series.title
        }
    assert str(approved["Subject"]) == expected_subject
    # The calendar file rides along; the dates inside it are machine dates, the words Spanish.
    attachments = [part for part in approved.walk() if part.get_filename()]
    assert attachments and attachments[0].get_filename().endswith(".ics")


def test_an_english_request_keeps_english_emails(client, smtp):
    series = make_series(capacity=5)
    registration_request = submit(client, series, "en")
    assert registration_request.language == "en"
    body = text_of(deliver(smtp)["ana@example.org"][0])
    assert "You can check the status of your request, or withdraw it, here:" in body
    assert "/es/" not in body


def test_staff_see_the_language_of_a_request_in_the_admin(admin_client):
    series = make_series(capacity=5)
    registration_request = make_request(series=series, language="es", reference="ECHO-ES0001")
    page = admin_client.get(
        reverse("admin:echo_registrationrequest_change", args=[registration_request.pk])
    )
    assert page.status_code == 200
    assert "Español" in page.content.decode()
    listing = admin_client.get(
        reverse("admin:echo_registrationrequest_changelist") + "?language__exact=es"
    )
    assert registration_request.full_name in listing.content.decode()
    # The admin itself stays English.
    assert 'lang="en' in page.content.decode()


def test_a_series_email_text_goes_out_in_the_language_of_the_request(client, smtp):
    from echo.models import EmailText

    series = make_series(capacity=5)
    text = EmailText.objects.create(
        series=series, kind="received", subject="Thanks, {name}", body="We have it, {name}."
    )
    registration_request = submit(client, series, "es")
    body = text_of(deliver(smtp)["ana@example.org"][0])
    # No Spanish written yet: the portal's own Spanish wording, not the English text.
    assert "We have it" not in body
    assert spanish("You can check the status of your request, or withdraw it, here:") in body

    smtp.messages.clear()
    text.subject_es, text.body_es = "Gracias, {name}", "La recibimos, {name}."
    text.save()
    RegistrationRequest.objects.all().delete()
    registration_request = submit(client, series, "es")
    message = deliver(smtp)["ana@example.org"][0]
    assert text_of(message).startswith(f"La recibimos, {registration_request.full_name}.")
    assert str(message["Subject"]) == f"Gracias, {registration_request.full_name}"
