"""Staff-written email texts and messages: placeholders substituted as plain text (unknown ones
refused by name, template syntax never evaluated), a preview, per-series overrides used by the
emails and reverted by deleting them; messages stored once per person; masked status links."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from echo import services
from echo.models import EmailText, MessageBatch, OutgoingEmail, RequestEvent, RequestState
from tests.factories import make_request, make_series
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:echo_emailtext_add")


def add_text(client, series, **overrides):
    data = {
        "series": series.pk,
        "kind": "approved",
        "subject_en": "Welcome, {name}",
        "body_en": "Hello {name}, you are in {series}. Join: {join_link}",
        **overrides,
    }
    return client.post(ADD_URL, data)


def test_an_unknown_placeholder_is_refused_on_save_with_its_name(admin_client):
    series = make_series()
    response = add_text(admin_client, series, body_en="Hi {name}, see {secret_key} and {deadline}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Unknown placeholder: {deadline}, {secret_key}" in html
    assert not EmailText.objects.exists()


def test_the_override_is_used_as_plain_text_and_deleting_it_reverts(admin_client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    series = make_series(title="Leadership ECHO", join_url="https://meet.example.org/j/9")
    body = (
        "Hello {name}, you are in {series}. Join: {join_link}\n"
        "{{ settings.SECRET_KEY }} {% now 'Y' %}"
    )
    assert add_text(admin_client, series, body_en=body).status_code == 302
    request = make_request(series=series, full_name="Ana Reyes")
    services.approve_request(registration_request=request, actor=None)
    email = OutgoingEmail.objects.get(kind="approved")
    assert email.subject == "Welcome, Ana Reyes"
    assert "Hello Ana Reyes, you are in Leadership ECHO. Join: https://meet.example.org/j/9" in (
        email.body_text
    )
    assert "{{ settings.SECRET_KEY }} {% now 'Y' %}" in email.body_text  # never evaluated
    assert settings.SECRET_KEY not in email.body_text
    assert "&lt;" not in email.subject and "Ana Reyes" in email.body_html
    assert email.attachment_name.endswith(".ics")  # the calendar still comes along

    EmailText.objects.all().delete()  # "revert to default"
    other = make_request(series=series)
    services.approve_request(registration_request=other, actor=None)
    default = OutgoingEmail.objects.filter(kind="approved").exclude(pk=email.pk).get()
    assert "Good news" in default.body_text


def test_the_preview_fills_in_a_sample_request(admin_client):
    series = make_series(title="Preview ECHO")
    add_text(admin_client, series)
    text = EmailText.objects.get()
    html = admin_client.get(reverse("admin:echo_emailtext_change", args=[text.pk])).content
    assert b"Welcome, Alex Sample" in html and b"you are in Preview ECHO" in html
    assert b"<code>{join_link}</code>" in html


# --- Messages ----------------------------------------------------------------------------------


def test_a_message_is_stored_once_per_person_even_when_sent_twice(admin_client):
    series = make_series(title="Msg ECHO")
    people = [make_request(series=series, full_name=f"Person {n}") for n in range(3)]
    url = reverse("admin:echo_registrationrequest_changelist")
    selection = {"action": "message_selected", "_selected_action": [p.pk for p in people]}
    compose = admin_client.post(url, selection).content.decode()
    assert "3 applicants will get this message" in compose
    token = compose.split('name="token" value="')[1].split('"')[0]
    data = {**selection, "confirm": "yes", "token": token, "subject": "About {series}",
            "body": "Dear {name}, your page: {status_link}"}  # fmt: skip
    first = admin_client.post(url, data, follow=True).content.decode()
    again = admin_client.post(url, data, follow=True).content.decode()
    assert "Message queued for 3 applicants" in first
    assert "already sent" in again
    emails = OutgoingEmail.objects.filter(kind="message")
    assert emails.count() == 3 and MessageBatch.objects.count() == 1
    for person in people:
        mine = emails.get(request=person)
        assert mine.subject == "About Msg ECHO"
        assert f"Dear {person.full_name}" in mine.body_text
        assert person.get_status_url() in mine.body_text
        event = RequestEvent.objects.get(request=person)
        assert event.reason == "Message sent: About {series}"
        assert event.from_state == event.to_state == RequestState.PENDING


def test_a_message_with_an_unknown_placeholder_is_refused(admin_client):
    person = make_request()
    url = reverse("admin:echo_registrationrequest_changelist")
    response = admin_client.post(url, {
        "action": "message_selected", "_selected_action": [person.pk], "confirm": "yes",
        "token": "t" * 20, "subject": "Hi", "body": "Your {password}",
    })  # fmt: skip
    assert "Unknown placeholder: {password}" in response.content.decode()
    assert not OutgoingEmail.objects.filter(kind="message").exists()


# --- Status links are the applicant's ------------------------------------------------------------


def test_reviewers_see_status_links_masked_administrators_in_full(
    client, admin_client, django_user_model
):
    request = make_request()
    services.waitlist_request(registration_request=request, actor=None)
    email = OutgoingEmail.objects.get(kind="waitlisted")
    url = reverse("admin:echo_outgoingemail_change", args=[email.pk])
    assert request.access_token in admin_client.get(url).content.decode()

    reviewer = django_user_model.objects.create_user("rev", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    login_staff(client, reviewer)
    html = client.get(url).content.decode()
    assert request.access_token not in html and "(hidden)" in html


def test_a_staff_member_acting_through_a_status_link_is_recorded_as_themselves(
    admin_client, admin_user
):
    request = make_request()
    status = reverse("echo:request-status", kwargs={"token": request.access_token})
    admin_client.post(status, {"action": "withdraw", "confirm": "withdraw"})
    event = request.events.get()
    assert event.actor == admin_user
    assert event.who == f"{admin_user.get_username()}, through the applicant's link"


def test_invitation_links_are_masked_for_reviewers_too():
    from echo.email_admin import mask_status_links

    text = "Set up your account: https://portal.example.org/staff/welcome/AbCdEfGhIjKlMnOp/ now"
    masked = mask_status_links(text)
    assert "AbCdEfGhIjKlMnOp" not in masked and "/staff/welcome/AbCd…(hidden)/" in masked
