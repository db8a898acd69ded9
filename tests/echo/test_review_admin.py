"""Staff review in the admin: the request list, the request page and its decision buttons,
bulk decisions, the series capacity summary, the email log and the staff guide."""

import itertools
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from echo import services
from echo.models import (
    EmailStatus,
    OutgoingEmail,
    QuestionKind,
    RegistrationRequest,
    RequestEvent,
    RequestState,
    Sector,
)
from echo.transitions import ErrorCode
from tests.factories import make_question, make_request, make_series
from tests.helpers import assert_one_h1, login_staff

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:echo_registrationrequest_changelist"


def change_url(registration_request) -> str:
    return reverse("admin:echo_registrationrequest_change", args=[registration_request.pk])


def decision_url(registration_request, action: str) -> str:
    return reverse(
        "admin:echo_registrationrequest_decision", args=[registration_request.pk, action]
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def bulk(client, action: str, requests, **extra):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [r.pk for r in requests], **extra},
        follow=True,
    )


_batches = itertools.count(1)


def bulk_requests(series, count: int, *, state=RequestState.PENDING, start=None, **fields):
    """Many requests at once, one minute apart, oldest first."""
    start = start or timezone.now() - timedelta(days=1)
    batch = next(_batches)
    RegistrationRequest.objects.bulk_create(
        RegistrationRequest(
            series=series,
            full_name=f"Bulk {batch}-{i}",
            email=f"bulk-{batch}-{i}@example.org",
            organization="Bulk County",
            role_title="Coordinator",
            sector=Sector.FIRE_EMS,
            county="lane",
            consent=True,
            state=state,
            submitted_at=start + timedelta(minutes=i),
            access_token=f"token-{batch}-{i}",
            **fields,
        )
        for i in range(count)
    )
    return list(
        RegistrationRequest.objects.filter(email__startswith=f"bulk-{batch}-").order_by(
            "submitted_at", "pk"
        )
    )


# --- Request list ------------------------------------------------------------------------


def test_request_list_shows_the_review_columns_with_age_in_days(admin_client):
    series = make_series(title="Leadership ECHO")
    make_request(
        series=series,
        full_name="Ana Reyes",
        organization="Marion County Sheriff",
        sector=Sector.LAW_ENFORCEMENT,
        county="marion",
        submitted_at=timezone.now() - timedelta(days=12, hours=1),
    )
    response = admin_client.get(reverse(CHANGELIST))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ["Ana Reyes", "Marion County Sheriff", "Law enforcement", "Marion County"]:
        assert text in html
    assert "Leadership ECHO" in html and "Pending" in html
    assert '<td class="field-age">12</td>' in html
    assert 'name="state"' not in html  # never list_editable


def test_request_list_puts_the_oldest_pending_requests_first(admin_client):
    series = make_series()
    now = timezone.now()
    old_declined = make_request(series=series, submitted_at=now - timedelta(days=40))
    services.decline_request(registration_request=old_declined, actor=None)
    newer_pending = make_request(series=series, submitted_at=now - timedelta(days=2))
    older_pending = make_request(series=series, submitted_at=now - timedelta(days=9))
    response = admin_client.get(reverse(CHANGELIST))
    shown = [obj.pk for obj in response.context["cl"].result_list]
    assert shown == [older_pending.pk, newer_pending.pk, old_declined.pk]


def test_request_list_filters_and_search(admin_client):
    leadership, other = make_series(title="Leadership"), make_series(title="Other")
    now = timezone.now()
    ana = make_request(
        series=leadership,
        full_name="Ana Reyes",
        email="ana@marion.example.org",
        organization="Marion Sheriff",
        sector=Sector.LAW_ENFORCEMENT,
        county="marion",
        submitted_at=now - timedelta(days=20),
    )
    ben = make_request(
        series=other,
        full_name="Ben Okafor",
        organization="Lane Fire",
        sector=Sector.FIRE_EMS,
        county="lane",
        submitted_at=now - timedelta(days=3),
    )
    waitlisted = make_request(series=leadership, submitted_at=now - timedelta(days=50))
    services.waitlist_request(registration_request=waitlisted, actor=None)

    def shown(**params):
        response = admin_client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {obj.pk for obj in response.context["cl"].result_list}

    assert shown(series__id__exact=leadership.pk) == {ana.pk, waitlisted.pk}
    assert shown(state__exact="waitlisted") == {waitlisted.pk}
    assert shown(sector__exact="fire_ems") == {ben.pk}
    assert shown(county__exact="marion") == {ana.pk}
    assert shown(waiting="14") == {ana.pk}  # pending only: the waitlisted one has a decision
    assert shown(waiting="7") == {ana.pk}
    assert shown(waiting="30") == set()
    assert shown(waiting="nonsense") == {ana.pk, ben.pk, waitlisted.pk}
    since = (timezone.now() - timedelta(days=7)).isoformat()  # aware, as the date filter sends
    assert shown(submitted_at__gte=since) == {ben.pk}
    assert shown(q="marion.example") == {ana.pk}  # email
    assert shown(q="Lane Fire") == {ben.pk}  # organization
    assert shown(q="Okafor") == {ben.pk}  # name


@pytest.mark.parametrize("url_name", [CHANGELIST, "admin:echo_series_changelist"])
def test_lists_run_a_constant_number_of_queries(admin_client, url_name):
    """Budget: the same count for 10 and for 1,000 requests (no per-row queries)."""
    series = make_series(capacity=2000)
    other = make_series(capacity=None)
    bulk_requests(series, 5)
    bulk_requests(other, 5, state=RequestState.WAITLISTED)
    admin_client.get(reverse(url_name))  # warm the session and content types

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(reverse(url_name))
        assert response.status_code == 200
        return len(queries)

    with_10 = count()
    bulk_requests(series, 600, start=timezone.now() - timedelta(days=3))
    bulk_requests(other, 390, state=RequestState.APPROVED)
    assert RegistrationRequest.objects.count() == 1000
    assert count() == with_10
    assert with_10 <= 12


# --- Request page ------------------------------------------------------------------------


@pytest.fixture
def answered_request():
    series = make_series(title="Leadership ECHO")
    later = make_question(series=series, label="Who is on your team?", section="Team", order=5)
    first = make_question(series=series, label="Program stage?", section="Program", order=1)
    choice = make_question(
        series=series,
        label="Which pathways?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices="Self-referral\nOutreach\nNaloxone plus",
        section="Program",
        order=2,
    )
    make_question(series=series, label="Unanswered question?", section="Team", order=9)
    registration_request = make_request(
        series=series,
        full_name="Ana Reyes",
        email="ana@example.org",
        phone="503-555-0100",
        role_title="Sergeant",
    )
    registration_request.answers.create(question=first, value="Planning a pilot.")
    registration_request.answers.create(question=choice, value="Self-referral\nOutreach")
    registration_request.answers.create(question=later, value="A peer mentor and a clinician.")
    return registration_request


def test_request_page_shows_core_fields_then_question_sections_read_only(
    admin_client, answered_request
):
    response = admin_client.get(change_url(answered_request))
    assert response.status_code == 200
    assert_one_h1(response)
    html = response.content.decode()
    order = [
        "About you",
        "Ana Reyes",
        "503-555-0100",
        "Your work",
        "Sergeant",
        "<h2",
        "Program</h2>",
        "Program stage?",
        "Planning a pilot.",
        "Which pathways?",
        "Self-referral<br>Outreach",
        "Team</h2>",
        "Who is on your team?",
        "A peer mentor and a clinician.",
        "Unanswered question?",
        "No answer",
        "Review</h2>",
        "Staff note",
    ]
    position = html.index('id="registrationrequest_form"')
    for text in order:  # each after the one before
        position = html.index(text, position + 1)
    assert 'name="staff_note"' in html
    for field in ["state", "full_name", "email", "sector", "county", "decision_reason"]:
        assert f'name="{field}"' not in html


def test_request_page_shows_the_decision_history(admin_client, admin_user, answered_request):
    services.waitlist_request(registration_request=answered_request, actor=admin_user)
    services.approve_request(
        registration_request=answered_request, actor=admin_user, reason="A seat opened."
    )
    html = admin_client.get(change_url(answered_request)).content.decode()
    history = html[html.index("Decision history") :]
    assert "A seat opened." in history
    assert history.index("Waitlisted") < history.index("Approved")
    assert admin_user.get_username() in history


def test_saving_the_staff_note_never_changes_the_state(admin_client, answered_request):
    response = admin_client.post(
        change_url(answered_request),
        {"staff_note": "Call her back.", "state": "approved", "full_name": "Changed"},
    )
    assert response.status_code == 302
    answered_request.refresh_from_db()
    assert answered_request.staff_note == "Call her back."
    assert answered_request.state == RequestState.PENDING
    assert answered_request.full_name == "Ana Reyes"


@pytest.mark.parametrize(
    ("state", "buttons"),
    [
        (RequestState.PENDING, ["approve", "waitlist", "decline", "withdraw"]),
        (RequestState.WAITLISTED, ["approve", "decline", "offer", "withdraw"]),
        (RequestState.APPROVED, ["decline", "withdraw"]),
        (RequestState.OFFERED, ["decline_offer"]),
        (RequestState.EXPIRED, ["reopen"]),
        (RequestState.DECLINED, ["reopen"]),
        (RequestState.WITHDRAWN, []),
    ],
)
def test_request_page_offers_only_the_decisions_the_state_allows(admin_client, state, buttons):
    registration_request = make_request(state=state)
    html = admin_client.get(change_url(registration_request)).content.decode()
    for action in ["approve", "waitlist", "decline", "withdraw", "reopen"]:
        assert (decision_url(registration_request, action) in html) is (action in buttons)
    assert html.count("/decision/") == len(buttons)


def test_request_list_and_page_offer_no_add_or_delete(admin_client):
    registration_request = make_request()
    assert admin_client.get(reverse("admin:echo_registrationrequest_add")).status_code == 403
    delete = reverse("admin:echo_registrationrequest_delete", args=[registration_request.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert RegistrationRequest.objects.filter(pk=registration_request.pk).exists()


# --- Decision buttons ----------------------------------------------------------------------


def test_approve_button_approves_reports_and_logs(admin_client, admin_user):
    registration_request = make_request(full_name="Ana Reyes")
    response = admin_client.post(decision_url(registration_request, "approve"), follow=True)
    assert response.redirect_chain[-1][0] == change_url(registration_request)
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.APPROVED
    assert registration_request.reviewed_by == admin_user
    assert messages_of(response) == ["Ana Reyes: approved."]
    entry = LogEntry.objects.get(object_id=str(registration_request.pk), action_flag=CHANGE)
    assert entry.user == admin_user
    assert "Approved (was pending)" in entry.get_change_message()
    assert OutgoingEmail.objects.filter(request=registration_request, kind="approved").exists()


def test_waitlist_button(admin_client):
    registration_request = make_request()
    admin_client.post(decision_url(registration_request, "waitlist"))
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.WAITLISTED
    assert OutgoingEmail.objects.filter(request=registration_request, kind="waitlisted").exists()


def test_decline_button_sends_the_reason_to_the_applicant(admin_client):
    registration_request = make_request()
    admin_client.post(
        decision_url(registration_request, "decline"), {"reason": "This run is for counties."}
    )
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.DECLINED
    assert registration_request.decision_reason == "This run is for counties."
    email = OutgoingEmail.objects.get(request=registration_request, kind="declined")
    assert "This run is for counties." in email.body_text
    assert registration_request.events.last().reason == "This run is for counties."


def test_decline_button_without_a_reason(admin_client):
    registration_request = make_request()
    admin_client.post(decision_url(registration_request, "decline"))
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.DECLINED
    assert registration_request.decision_reason == ""


def test_withdraw_button_frees_the_seat(admin_client):
    series = make_series(capacity=1)
    approved = make_request(series=series, state=RequestState.APPROVED)
    admin_client.post(decision_url(approved, "withdraw"), {"reason": "Left the agency."})
    approved.refresh_from_db()
    assert approved.state == RequestState.WITHDRAWN
    assert approved.events.last().reason == "Left the agency."
    assert series.seats_remaining == 1


def test_reopen_button_returns_a_declined_request_to_pending(admin_client):
    registration_request = make_request(state=RequestState.DECLINED)
    response = admin_client.post(decision_url(registration_request, "reopen"), follow=True)
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.PENDING
    assert messages_of(response) == [f"{registration_request.full_name}: reopened."]


def test_a_refused_decision_is_reported_not_an_error(admin_client):
    registration_request = make_request(state=RequestState.DECLINED)
    response = admin_client.post(decision_url(registration_request, "approve"), follow=True)
    assert response.status_code == 200
    assert messages_of(response) == ["A request that is declined cannot be approved."]
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.DECLINED
    assert not LogEntry.objects.filter(object_id=str(registration_request.pk)).exists()


def test_approve_button_on_a_full_series_reports_it_is_full(admin_client):
    series = make_series(capacity=1)
    make_request(series=series, state=RequestState.APPROVED)
    registration_request = make_request(series=series)
    response = admin_client.post(decision_url(registration_request, "approve"), follow=True)
    assert messages_of(response) == [str(services.SERIES_FULL)]
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.PENDING


def test_reopen_refused_when_the_applicant_has_another_live_request(admin_client):
    series = make_series()
    declined = make_request(series=series, email="ana@example.org", state=RequestState.DECLINED)
    make_request(series=series, email="ana@example.org")
    response = admin_client.post(decision_url(declined, "reopen"), follow=True)
    assert messages_of(response) == [str(services.ERROR_MESSAGES[ErrorCode.ALREADY_LIVE])]


def test_decision_urls_refuse_get(admin_client):
    registration_request = make_request()
    response = admin_client.get(decision_url(registration_request, "approve"))
    assert response.status_code == 405
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.PENDING


def test_decision_urls_answer_404_for_an_unknown_request_or_decision(admin_client):
    registration_request = make_request()
    url = decision_url(registration_request, "approve").replace(
        f"/{registration_request.pk}/", "/999999/"
    )
    assert admin_client.post(url).status_code == 404
    assert admin_client.post(decision_url(registration_request, "promote")).status_code == 404
    assert admin_client.post(decision_url(registration_request, "delete")).status_code == 404
    not_a_number = decision_url(registration_request, "approve").replace(
        f"/{registration_request.pk}/", "/abc/"
    )
    assert admin_client.post(not_a_number).status_code == 404


def test_decision_urls_need_the_change_permission(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registrationrequest"))
    login_staff(client, viewer)
    registration_request = make_request()
    html = client.get(change_url(registration_request)).content.decode()
    assert decision_url(registration_request, "approve") not in html
    assert client.post(decision_url(registration_request, "approve")).status_code == 403
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.PENDING


def test_decision_urls_need_a_staff_login(client):
    registration_request = make_request()
    response = client.post(decision_url(registration_request, "approve"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.PENDING


# --- Bulk decisions ------------------------------------------------------------------------


def test_bulk_approve_of_30_with_2_seats_left_approves_exactly_the_first_2(admin_client):
    series = make_series(title="Leadership ECHO", capacity=10)
    bulk_requests(series, 8, state=RequestState.APPROVED)
    pending = bulk_requests(series, 30, start=timezone.now() - timedelta(days=5))

    response = bulk(admin_client, "approve_selected", reversed(pending))

    approved_now = RegistrationRequest.objects.filter(
        series=series, state=RequestState.APPROVED, reviewed_at__isnull=False
    )
    assert {r.pk for r in approved_now} == {pending[0].pk, pending[1].pk}  # first come
    assert series.requests.holding_seats().count() == 10
    assert series.requests.filter(state=RequestState.PENDING).count() == 28
    assert messages_of(response) == ["2 approved; 28 not approved: series full (Leadership ECHO)"]
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 2


def test_bulk_approve_reports_each_outcome(admin_client):
    series = make_series(title="Small", capacity=3)
    declined = make_request(series=series, state=RequestState.DECLINED)
    pending = bulk_requests(series, 5)
    response = bulk(admin_client, "approve_selected", [declined, *pending])
    assert messages_of(response) == [
        "3 approved; 2 not approved: series full (Small); 1 skipped: already declined"
    ]


def test_bulk_waitlist_skips_what_cannot_be_waitlisted(admin_client):
    series = make_series()
    approved = make_request(series=series, state=RequestState.APPROVED)
    pending = bulk_requests(series, 2)
    response = bulk(admin_client, "waitlist_selected", [approved, *pending])
    assert messages_of(response) == ["2 waitlisted; 1 skipped: already approved"]
    assert [r.waitlist_position() for r in RegistrationRequest.objects.waitlist()] == [1, 2]


def test_bulk_decline_asks_for_a_reason_then_declines_with_it(admin_client):
    series = make_series()
    pending = bulk_requests(series, 2)
    withdrawn = make_request(series=series, state=RequestState.WITHDRAWN)
    selected = [*pending, withdrawn]

    confirm = bulk(admin_client, "decline_selected", selected)
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "2 of the selected requests can be declined" in html
    assert 'name="reason"' in html
    assert RegistrationRequest.objects.filter(state=RequestState.DECLINED).count() == 0

    response = bulk(
        admin_client, "decline_selected", selected, confirm="yes", reason="Next run instead."
    )
    assert messages_of(response) == ["2 declined; 1 skipped: already withdrawn"]
    declined = RegistrationRequest.objects.filter(state=RequestState.DECLINED)
    assert {r.pk for r in declined} == {r.pk for r in pending}
    assert {r.decision_reason for r in declined} == {"Next run instead."}
    assert OutgoingEmail.objects.filter(kind="declined").count() == 2


def test_bulk_actions_are_not_offered_without_the_change_permission(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registrationrequest"))
    login_staff(client, viewer)
    registration_request = make_request()
    html = client.get(reverse(CHANGELIST)).content.decode()
    assert "approve_selected" not in html and "export_csv" in html
    bulk(client, "approve_selected", [registration_request])
    registration_request.refresh_from_db()
    assert registration_request.state == RequestState.PENDING


# --- Series capacity summary ---------------------------------------------------------------


def test_series_list_shows_seats_pending_and_waitlisted(admin_client):
    series = make_series(title="Leadership ECHO", capacity=10)
    bulk_requests(series, 3, state=RequestState.APPROVED)
    bulk_requests(series, 2)
    bulk_requests(series, 4, state=RequestState.WAITLISTED)
    make_series(title="Open ECHO", capacity=None)
    response = admin_client.get(reverse("admin:echo_series_changelist"))
    html = response.content.decode()
    assert '<td class="field-seats">3 / 10</td>' in html
    assert '<td class="field-seats_left">7</td>' in html
    assert '<td class="field-seats">0 / no limit</td>' in html
    pending_link = f"?series__id__exact={series.pk}&amp;state__exact=pending"
    assert f'{pending_link}">2</a>' in html
    assert f"?series__id__exact={series.pk}&amp;state__exact=waitlisted" in html


def test_series_page_summarises_capacity_and_the_waitlist(admin_client):
    series = make_series(capacity=3)
    bulk_requests(series, 3, state=RequestState.APPROVED)
    waitlisted = bulk_requests(series, 7, state=RequestState.WAITLISTED)
    bulk_requests(series, 2)
    response = admin_client.get(reverse("admin:echo_series_change", args=[series.pk]))
    html = response.content.decode()
    assert "Requests and seats" in html
    assert "3 / 3</strong> seats taken (approved or offered), <strong>0</strong> left" in html
    assert "2 pending" in html and "7 waitlisted" in html
    assert "The series is full and 2 requests are still pending" in html
    links = [change_url(r) for r in waitlisted[:5]]
    assert [html.index(link) for link in links] == sorted(html.index(link) for link in links)
    assert change_url(waitlisted[5]) not in html  # the next five only
    assert f"?series__id__exact={series.pk}" in html


def test_series_page_has_no_warning_with_seats_left(admin_client):
    series = make_series(capacity=None)
    bulk_requests(series, 2)
    html = admin_client.get(reverse("admin:echo_series_change", args=[series.pk])).content
    assert b"still pending" not in html
    assert b"no seat limit" in html


def test_series_add_page_has_no_summary(admin_client):
    response = admin_client.get(reverse("admin:echo_series_add"))
    assert response.status_code == 200
    assert b"Requests and seats" not in response.content


# --- Email log -----------------------------------------------------------------------------


def make_email(**overrides) -> OutgoingEmail:
    return OutgoingEmail.objects.create(
        **{
            "kind": "approved",
            "to": "ana@example.org",
            "subject": "You have a seat",
            "body_text": "Welcome.",
            **overrides,
        }
    )


def test_email_log_lists_what_was_sent_to_whom(admin_client):
    registration_request = make_request(full_name="Ana Reyes")
    make_email(request=registration_request, status=EmailStatus.SENT, sent_at=timezone.now())
    make_email(
        to="ben@example.org",
        subject="Waitlisted",
        status=EmailStatus.FAILED,
        attempts=8,
        last_error="SMTPServerDisconnected: gone",
    )
    response = admin_client.get(reverse("admin:echo_outgoingemail_changelist"))
    html = response.content.decode()
    for text in ["ana@example.org", "You have a seat", "Sent", "Failed (gave up)", "gone", "8"]:
        assert text in html
    failed = admin_client.get(reverse("admin:echo_outgoingemail_changelist"), {"status": "failed"})
    assert [e.subject for e in failed.context["cl"].result_list] == ["Waitlisted"]
    found = admin_client.get(reverse("admin:echo_outgoingemail_changelist"), {"q": "Ana Reyes"})
    assert [e.subject for e in found.context["cl"].result_list] == ["You have a seat"]


def test_email_log_is_read_only(admin_client):
    email = make_email()
    page = admin_client.get(reverse("admin:echo_outgoingemail_change", args=[email.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="subject"' not in html and 'name="_save"' not in html
    admin_client.post(
        reverse("admin:echo_outgoingemail_change", args=[email.pk]), {"subject": "Changed"}
    )
    email.refresh_from_db()
    assert email.subject == "You have a seat"
    assert admin_client.get(reverse("admin:echo_outgoingemail_add")).status_code == 403
    delete = reverse("admin:echo_outgoingemail_delete", args=[email.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_resend_action_requeues_and_reports_counts(admin_client, settings):
    settings.PORTAL_EMAIL_IMMEDIATE = False
    sent = make_email(status=EmailStatus.SENT, attempts=1, sent_at=timezone.now())
    failed = make_email(status=EmailStatus.FAILED, attempts=8, last_error="boom")
    response = admin_client.post(
        reverse("admin:echo_outgoingemail_changelist"),
        {"action": "resend_selected", "_selected_action": [sent.pk, failed.pk]},
        follow=True,
    )
    assert messages_of(response) == [
        "2 emails queued to be sent again (they were: 1 sent, 1 failed (gave up))."
    ]
    for email in (sent, failed):
        email.refresh_from_db()
        assert (email.status, email.attempts, email.last_error) == (EmailStatus.QUEUED, 0, "")
    assert LogEntry.objects.filter(action_flag=CHANGE).count() == 2


def test_resend_needs_the_change_email_permission(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_outgoingemail"))
    login_staff(client, viewer)
    email = make_email(status=EmailStatus.FAILED)
    response = client.get(reverse("admin:echo_outgoingemail_changelist"))
    assert response.status_code == 200 and b"resend_selected" not in response.content
    client.post(
        reverse("admin:echo_outgoingemail_changelist"),
        {"action": "resend_selected", "_selected_action": [email.pk]},
    )
    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED


# --- Staff guide -----------------------------------------------------------------------------


def test_admin_index_links_to_the_staff_guide(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:staff_guide") in html


def test_staff_guide_renders_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:staff_guide"))
    assert response.status_code == 200
    assert_one_h1(response)
    html = response.content.decode()
    assert "Reviewing requests" in html and "Reviewers" in html
    assert '<img alt="' in html


def test_staff_guide_serves_its_screenshots_and_nothing_else(admin_client):
    guide = reverse("admin:staff_guide")
    response = admin_client.get(guide + "images/request-list.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    for name in ["missing.png", "request-list.PNG", ".hidden.png", "staff-guide.md"]:
        assert admin_client.get(guide + "images/" + name).status_code == 404
    escaped = admin_client.get(guide + "images/..%2Fstaff-guide.md", follow=True)
    assert b"# Staff guide" not in escaped.content  # never the file itself


def test_every_screenshot_the_staff_guide_shows_is_there():
    guide = Path(settings.BASE_DIR) / "docs" / "staff-guide.md"
    images = re.findall(r"!\[([^\]]*)\]\(images/([^)]+)\)", guide.read_text(encoding="utf-8"))
    shown = {name: alt for alt, name in images}
    assert {"staff-invite.png", "staff-authenticator.png"} <= set(shown)
    missing = [name for name in shown if not (guide.parent / "images" / name).is_file()]
    assert not missing
    assert all(len(alt.split()) >= 3 for alt in shown.values())  # words, not a file name


def test_staff_guide_needs_a_staff_login(client, django_user_model):
    assert client.get(reverse("admin:staff_guide")).status_code == 302
    client.force_login(django_user_model.objects.create_user("member"))
    assert client.get(reverse("admin:staff_guide")).status_code == 302


def test_history_records_every_decision_in_the_request_events(admin_client, admin_user):
    registration_request = make_request()
    admin_client.post(decision_url(registration_request, "waitlist"))
    admin_client.post(decision_url(registration_request, "decline"), {"reason": "Sorry."})
    events = RequestEvent.objects.filter(request=registration_request).order_by("pk")
    assert [(e.from_state, e.to_state, e.actor) for e in events] == [
        ("pending", "waitlisted", admin_user),
        ("waitlisted", "declined", admin_user),
    ]
