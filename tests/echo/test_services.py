"""The registration services: submission, every transition, capacity, history and emails."""

import pytest
from django.contrib.auth import get_user_model

from echo import services
from echo.models import (
    OutgoingEmail,
    QuestionKind,
    RegistrationRequest,
    RegistrationState,
    RequestState,
)
from tests.factories import make_question, make_request, make_series, make_session

pytestmark = pytest.mark.django_db

CORE = {
    "full_name": "Ana Reyes",
    "email": "Ana.Reyes@Example.org",
    "organization": "Marion County Sheriff's Office",
    "role_title": "Deflection coordinator",
    "sector": "law_enforcement",
    "county": "marion",
    "phone": "",
    "consent": True,
}


@pytest.fixture
def reviewer():
    return get_user_model().objects.create_user("reviewer", password="x" * 16, is_staff=True)


def submit(series, **overrides):
    return services.submit_request(series=series, data={**CORE, **overrides}, answers={})


# --- Submitting ---------------------------------------------------------------------------


def test_submit_stores_a_pending_request_with_normalised_email_answers_and_history():
    series = make_series(staff_emails="staff@example.org")
    question = make_question(series=series, label="Program stage")
    result = services.submit_request(
        series=series, data=CORE, answers={question: "We are planning a pilot."}
    )
    request = result.registration_request
    assert not result.duplicate
    assert request.state == RequestState.PENDING
    assert request.email == "ana.reyes@example.org"
    assert request.answers.get().value == "We are planning a pilot."
    assert list(request.events.values_list("from_state", "to_state")) == [("", "pending")]
    kinds = sorted(OutgoingEmail.objects.values_list("kind", flat=True))
    assert kinds == ["received", "staff_new_request"]
    staff = OutgoingEmail.objects.get(kind="staff_new_request")
    assert staff.recipients == ["staff@example.org"]
    assert request.access_token not in staff.body_text  # the private link is not for staff


def test_received_email_says_plainly_that_it_is_not_yet_a_seat():
    series = make_series()
    request = submit(series).registration_request
    email = OutgoingEmail.objects.get(kind="received")
    assert email.recipients == ["ana.reyes@example.org"]
    assert "not yet a seat" in email.body_text
    assert request.get_status_url() in email.body_text
    assert request.get_status_url() in email.body_html


def test_multiple_choice_answers_are_kept_one_per_line():
    series = make_series()
    question = make_question(
        series=series, kind=QuestionKind.MULTIPLE_CHOICE, choices="Police\nFire\nEMS"
    )
    answers = {question: ["Police", "EMS"]}
    result = services.submit_request(series=series, data=CORE, answers=answers)
    assert result.registration_request.answers.get().value == "Police\nEMS"


def test_a_full_series_still_takes_requests_and_they_take_no_seat():
    series = make_series(capacity=1)
    make_request(series=series, state=RequestState.APPROVED)
    result = submit(series)
    assert result.registration_request.state == RequestState.PENDING
    assert series.requests.holding_seats().count() == 1


def test_pending_requests_do_not_change_seats_left():
    series = make_series(capacity=3)
    for n in range(5):
        submit(series, email=f"person{n}@example.org")
    from echo.models import Series

    annotated = Series.objects.with_seat_counts().get(pk=series.pk)
    assert annotated.seats_used == 0 and annotated.pending_count == 5


def test_submit_refuses_a_closed_series_and_stores_nothing():
    series = make_series(registration_state=RegistrationState.CLOSED)
    with pytest.raises(services.RegistrationError) as caught:
        submit(series)
    assert caught.value.code == "not_accepting"
    assert caught.value.messages == [str(services.NOT_ACCEPTING)]
    assert not RegistrationRequest.objects.exists() and not OutgoingEmail.objects.exists()


def test_submit_refuses_outside_the_window():
    from datetime import timedelta

    from django.utils import timezone

    soon = timezone.now() + timedelta(days=2)
    series = make_series(registration_opens_at=soon, registration_closes_at=soon + timedelta(1))
    with pytest.raises(services.RegistrationError):
        submit(series)
    past = make_series(registration_closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(services.RegistrationError):
        submit(past)


def test_duplicate_email_in_other_case_stores_nothing_and_writes_to_the_address():
    series = make_series()
    first = submit(series).registration_request
    again = submit(series, email="  ANA.REYES@example.ORG ", full_name="Someone Else")
    assert again.duplicate and again.registration_request is None
    assert RegistrationRequest.objects.count() == 1
    assert RegistrationRequest.objects.get().full_name == "Ana Reyes"
    notice = OutgoingEmail.objects.get(kind="duplicate")
    assert notice.recipients == ["ana.reyes@example.org"]
    assert first.get_status_url() in notice.body_text


def test_same_email_may_request_another_series_and_again_after_a_decline(reviewer):
    series, other = make_series(), make_series()
    first = submit(series).registration_request
    assert not submit(other).duplicate
    services.decline_request(registration_request=first, actor=reviewer)
    assert not submit(series).duplicate
    assert RegistrationRequest.objects.filter(series=series).count() == 2


def test_answers_to_another_series_questions_are_refused():
    series, other = make_series(), make_series()
    foreign = make_question(series=other)
    with pytest.raises(services.RegistrationError) as caught:
        services.submit_request(series=series, data=CORE, answers={foreign: "x"})
    assert caught.value.code == "wrong_series"
    assert not RegistrationRequest.objects.exists()


def test_history_is_append_only(reviewer):
    request = make_request()
    services.approve_request(registration_request=request, actor=reviewer)
    event = request.events.get()
    event.reason = "rewritten"
    with pytest.raises(Exception, match="append-only"):
        event.save()


# --- Capacity ---------------------------------------------------------------------------------


def test_approve_takes_the_last_seat_then_refuses_one_over(reviewer):
    series = make_series(capacity=2)
    make_request(series=series, state=RequestState.APPROVED)
    last, over = make_request(series=series), make_request(series=series)
    services.approve_request(registration_request=last, actor=reviewer)
    with pytest.raises(services.RegistrationError) as caught:
        services.approve_request(registration_request=over, actor=reviewer)
    assert caught.value.code == "series_full"
    assert caught.value.messages == [str(services.SERIES_FULL)]
    over.refresh_from_db()
    assert over.state == RequestState.PENDING
    assert series.requests.holding_seats().count() == 2


def test_unlimited_series_approves_everyone(reviewer):
    series = make_series(capacity=None)
    for _ in range(15):
        services.approve_request(registration_request=make_request(series=series), actor=reviewer)
    assert series.requests.holding_seats().count() == 15


def test_without_auto_offers_a_withdrawn_approval_frees_its_seat_and_tells_staff(reviewer):
    series = make_series(
        capacity=1, staff_emails="lead@example.org, deputy@example.org", auto_offers=False
    )
    seated = make_request(series=series, state=RequestState.APPROVED)
    waiting = make_request(series=series, state=RequestState.WAITLISTED)
    services.withdraw_request(registration_request=seated, actor=None)
    notice = OutgoingEmail.objects.get(kind="staff_seat_freed")
    assert notice.recipients == ["lead@example.org", "deputy@example.org"]
    assert f"/admin/echo/registrationrequest/{waiting.pk}/change/" in notice.body_text
    event = seated.events.get()
    assert event.actor is None and event.actor_kind == "applicant"
    assert waiting.events.count() == 0  # nobody was offered the seat
    services.approve_request(registration_request=waiting, actor=reviewer)
    assert series.requests.holding_seats().get() == waiting


def test_waitlist_is_first_come_and_reports_positions(reviewer):
    series = make_series()
    requests = [make_request(series=series) for _ in range(3)]
    for request in (requests[1], requests[2], requests[0]):
        services.waitlist_request(registration_request=request, actor=reviewer)
    positions = [RegistrationRequest.objects.get(pk=r.pk).waitlist_position() for r in requests]
    assert positions == [1, 2, 3]  # by arrival, not by when staff waitlisted them
    email = OutgoingEmail.objects.filter(kind="waitlisted", request=requests[2]).get()
    assert "Your place on the waitlist: 2" in email.body_text


def test_reopen_is_refused_when_the_applicant_has_a_newer_live_request(reviewer):
    series = make_series()
    old = make_request(series=series, email="x@example.org", state=RequestState.DECLINED)
    make_request(series=series, email="X@example.org")
    with pytest.raises(services.RegistrationError) as caught:
        services.reopen_request(registration_request=old, actor=reviewer)
    assert caught.value.code == "already_live"
    old.refresh_from_db()
    assert old.state == RequestState.DECLINED and not old.events.exists()


# --- Decision emails ----------------------------------------------------------------------------


def test_approval_email_has_schedule_calendar_and_the_private_join_link(reviewer):
    series = make_series(join_url="https://meet.example.org/secret-room")
    make_session(series=series, number=1)
    request = make_request(series=series)
    services.approve_request(registration_request=request, actor=reviewer)
    email = OutgoingEmail.objects.get(kind="approved")
    assert "https://meet.example.org/secret-room" in email.body_text
    assert "Fridays 1-2 p.m. Pacific" in email.body_text
    assert email.attachment_name == f"{series.slug}.ics"
    assert email.attachment_type == "text/calendar"
    assert "BEGIN:VEVENT" in email.attachment_content


def test_decline_reason_is_sent_to_the_applicant(reviewer):
    request = make_request()
    services.decline_request(
        registration_request=request, actor=reviewer, reason="This run is for Oregon teams."
    )
    email = OutgoingEmail.objects.get(kind="declined")
    assert "This run is for Oregon teams." in email.body_text
    request.refresh_from_db()
    assert request.decision_reason == "This run is for Oregon teams."


def test_a_refused_change_rolls_back_everything_including_emails(reviewer, monkeypatch):
    request = make_request()

    def broken(*args, **kwargs):
        raise RuntimeError("mail template broke")

    monkeypatch.setattr(services, "queue_email", broken)
    with pytest.raises(RuntimeError):
        services.approve_request(registration_request=request, actor=reviewer)
    request.refresh_from_db()
    assert request.state == RequestState.PENDING
    assert not request.events.exists() and not OutgoingEmail.objects.exists()
