"""What applicants and staff see as a run moves: the status page's offer buttons and deadline,
approvals that list only the sessions ahead, a join link promised only when there is one, and
the warnings beside the staff's decision buttons."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from echo import services
from echo.calendar import series_calendar
from echo.models import OutgoingEmail, RequestState
from tests.factories import make_request, make_series, make_session

pytestmark = pytest.mark.django_db


def status_url(request):
    return reverse("echo:request-status", kwargs={"token": request.access_token})


def half_run(**overrides):
    """A run under way: two sessions past, two ahead."""
    series = make_series(sessions_ahead=0, capacity=1, **overrides)
    now = timezone.now()
    for number, days in enumerate([-14, -7, 7, 14], start=1):
        make_session(series=series, number=number, title=f"Talk {number}",
                     starts_at=now + timedelta(days=days))  # fmt: skip
    return series


def offered_request():
    series = half_run(join_url="https://meet.example.org/j/1")
    seated = make_request(series=series, state=RequestState.APPROVED)
    waiting = make_request(series=series, state=RequestState.WAITLISTED)
    services.withdraw_request(registration_request=seated, actor=None)
    waiting.refresh_from_db()
    return waiting


def test_the_status_page_of_an_offer_shows_the_deadline_and_both_buttons(client):
    offer = offered_request()
    html = client.get(status_url(offer)).content.decode()
    assert "A seat has come free and it is offered to you." in html
    local = timezone.localtime(offer.offer_expires_at, offer.series.zone)
    assert local.tzname() in html  # the deadline in the series' zone, named
    assert 'value="accept"' in html and 'value="decline_offer"' in html
    assert "Withdraw my request" not in html


def test_accepting_on_the_status_page_approves_and_lists_only_sessions_ahead(client):
    offer = offered_request()
    response = client.post(status_url(offer), {"action": "accept"}, follow=True)
    html = response.content.decode()
    offer.refresh_from_db()
    assert offer.state == RequestState.APPROVED
    assert "The seat is yours" in html
    assert "Talk 3" in html and "Talk 4" in html
    assert "Talk 1" not in html and "Talk 2" not in html
    assert "the link to join" in html  # the series has one


def test_an_approval_without_a_join_link_promises_it_later_not_now(client):
    series = half_run()
    request = make_request(series=series)
    services.approve_request(registration_request=request, actor=None)
    html = client.get(status_url(request)).content.decode()
    assert "The link to join the sessions is not ready yet" in html
    email = OutgoingEmail.objects.get(kind="approved")
    assert "not ready yet" in email.body_text


def test_approval_email_and_calendar_carry_only_the_sessions_ahead():
    series = half_run(join_url="https://meet.example.org/j/1")
    request = make_request(series=series)
    services.approve_request(registration_request=request, actor=None)
    email = OutgoingEmail.objects.get(kind="approved")
    assert "Talk 3" in email.body_text and "Talk 1" not in email.body_text
    assert email.attachment_content.count("BEGIN:VEVENT") == 2
    public = series_calendar(series).decode()
    assert public.count("BEGIN:VEVENT") == 4  # the public download still has them all


def test_an_approval_after_the_last_session_sends_no_calendar():
    series = make_series(sessions_ahead=0)
    make_session(series=series, starts_at=timezone.now() - timedelta(days=1))
    request = make_request(series=series)
    services.approve_request(registration_request=request, actor=None)
    email = OutgoingEmail.objects.get(kind="approved")
    assert email.attachment_name == ""
    assert "No further sessions are scheduled yet" in email.body_text


def test_accepting_after_the_deadline_on_the_page_explains_and_moves_the_seat(client):
    offer = offered_request()
    type(offer).objects.filter(pk=offer.pk).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(status_url(offer), {"action": "accept"}, follow=True)
    html = response.content.decode()
    offer.refresh_from_db()
    assert offer.state == RequestState.EXPIRED
    assert "the offer was not accepted before its deadline" in html


def test_declining_needs_the_confirmation_box(client):
    offer = offered_request()
    response = client.post(status_url(offer), {"action": "decline_offer"}, follow=True)
    assert "Tick the box" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    offer.refresh_from_db()
    assert offer.state == RequestState.OFFERED
    client.post(status_url(offer), {"action": "decline_offer", "confirm": "decline_offer"})
    offer.refresh_from_db()
    assert offer.state == RequestState.WITHDRAWN


@pytest.mark.parametrize("action", ["approve", "reopen", "offer", "expire", "nonsense", ""])
def test_the_status_page_refuses_what_the_applicant_may_not_do(client, action):
    request = make_request(series=make_series(), state=RequestState.PENDING)
    response = client.post(status_url(request), {"action": action, "confirm": action})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_a_withdrawn_request_can_be_made_again_while_the_series_takes_them(client):
    request = make_request(series=make_series(), state=RequestState.WITHDRAWN)
    html = client.get(status_url(request)).content.decode()
    assert "Make a new request" in html
    assert html.count("ithdr") == 1  # the state is said once


# --- Staff: warnings beside the decision buttons ---------------------------------------------


def change_url(request):
    return reverse("admin:echo_registrationrequest_change", args=[request.pk])


def test_decision_page_warns_of_no_session_ahead_and_no_join_link(admin_client):
    series = make_series(sessions_ahead=0)
    make_session(series=series, starts_at=timezone.now() - timedelta(days=3))
    request = make_request(series=series)
    html = admin_client.get(change_url(request)).content.decode()
    assert "No session of this series is ahead" in html
    assert "The series has no join link yet" in html
    # Approving stays possible (a join link may follow).
    assert "/decision/approve/" in html


def test_decision_page_on_a_full_series_says_so_and_approve_is_not_the_default(admin_client):
    series = make_series(capacity=1, join_url="https://meet.example.org/j/1")
    make_request(series=series, state=RequestState.APPROVED)
    request = make_request(series=series)
    html = admin_client.get(change_url(request)).content.decode()
    assert "The series is full" in html and "No session of this series" not in html
    approve_form = html[html.index('class="form-row decision-approve"') :]
    approve_form = approve_form[: approve_form.index("</form>")]
    assert 'class="default"' not in approve_form


def test_history_names_the_portal_for_automatic_offers(admin_client):
    offer = offered_request()
    html = admin_client.get(change_url(offer)).content.decode()
    history = html[html.index("Decision history") :]
    assert "the portal (automatic)" in history
    assert "A seat is offered to this applicant until" in html


def test_email_log_reads_as_words(admin_client):
    from echo.models import EmailStatus

    request = make_request(series=make_series(staff_emails="lead@example.org"))
    services.withdraw_request(registration_request=request, actor=None)
    sent = OutgoingEmail.objects.get(kind="withdrawn")
    OutgoingEmail.objects.filter(pk=sent.pk).update(status=EmailStatus.SENT)
    listing = admin_client.get(reverse("admin:echo_outgoingemail_changelist")).content.decode()
    assert "Withdrawn (to the applicant)" in listing and ">withdrawn<" not in listing
    assert "1 stored email" in listing
    detail = admin_client.get(reverse("admin:echo_outgoingemail_change", args=[sent.pk]))
    html = detail.content.decode()
    assert "One address per line." not in html
    next_attempt = html[html.index("Next attempt") :]
    assert "–" in next_attempt[: next_attempt.index("</div>") + 200]


def test_request_form_has_no_empty_action(client):
    html = client.get(reverse("echo:request", kwargs={"slug": make_series().slug})).content
    assert b'action=""' not in html
