"""Seat offers: a freed seat goes to the first person waiting, who accepts or declines before
a deadline; lapsed offers move on; every step is in the history with who made it."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from echo import services
from echo.models import Actor, OutgoingEmail, RequestState
from echo.transitions import ErrorCode
from tests.factories import make_request, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer():
    return get_user_model().objects.create_user("reviewer", password="x" * 16, is_staff=True)


def full_series_with_waitlist(waiting=3, **overrides):
    series = make_series(capacity=2, offer_hours=48, **overrides)
    seated = [make_request(series=series, state=RequestState.APPROVED) for _ in range(2)]
    queue = [
        make_request(
            series=series,
            state=RequestState.WAITLISTED,
            submitted_at=timezone.now() - timedelta(days=10 - n),
        )
        for n in range(waiting)
    ]
    return series, seated, queue


def states(requests):
    for r in requests:
        r.refresh_from_db()
    return [r.state for r in requests]


def test_a_withdrawn_approval_offers_the_seat_to_the_first_waiting_with_a_deadline():
    series, seated, queue = full_series_with_waitlist()
    services.withdraw_request(registration_request=seated[0], actor=None)
    assert states(queue) == [RequestState.OFFERED, RequestState.WAITLISTED, RequestState.WAITLISTED]
    first = queue[0]
    assert (
        timedelta(hours=47, minutes=59)
        < first.offer_expires_at - timezone.now()
        <= timedelta(hours=48)
    )
    event = first.events.get()
    assert (event.actor_kind, event.from_state, event.to_state) == (
        Actor.SYSTEM,
        RequestState.WAITLISTED,
        RequestState.OFFERED,
    )
    email = OutgoingEmail.objects.get(kind="offered", request=first)
    # The deadline is said in the series' own zone, with the zone named.
    local = timezone.localtime(first.offer_expires_at, series.zone)
    assert local.strftime("%Y") in email.body_text and local.tzname() in email.body_text
    assert first.get_status_url() in email.body_text
    assert not OutgoingEmail.objects.filter(kind="staff_seat_freed").exists()
    # The offer holds the seat: nobody else can be approved into it meanwhile.
    assert series.requests.holding_seats().count() == 2


def test_declining_an_approved_request_also_offers_its_seat(reviewer):
    series, seated, queue = full_series_with_waitlist()
    services.decline_request(registration_request=seated[1], actor=reviewer, reason="No longer")
    assert states(queue)[0] == RequestState.OFFERED


def test_accepting_turns_the_offer_into_an_approval_with_future_sessions_only():
    series, seated, queue = full_series_with_waitlist()
    services.withdraw_request(registration_request=seated[0], actor=None)
    services.accept_offer(registration_request=queue[0])
    assert states(queue)[0] == RequestState.APPROVED
    assert queue[0].offer_expires_at is None
    email = OutgoingEmail.objects.get(kind="approved", request=queue[0])
    assert email.attachment_name.endswith(".ics")
    kinds = [(e.actor_kind, e.to_state) for e in queue[0].events.all()]
    assert kinds == [(Actor.SYSTEM, RequestState.OFFERED), (Actor.APPLICANT, RequestState.APPROVED)]


def test_an_accept_one_second_after_the_deadline_fails_clearly_and_the_seat_moves_on():
    series, seated, queue = full_series_with_waitlist()
    services.withdraw_request(registration_request=seated[0], actor=None)
    offer = queue[0]
    offer.refresh_from_db()
    late = offer.offer_expires_at + timedelta(seconds=1)
    with pytest.raises(services.RegistrationError) as caught:
        services.change_state(offer, "accept", actor=Actor.APPLICANT, at=late)
    assert caught.value.code == ErrorCode.OFFER_EXPIRED
    assert "lapsed" in caught.value.messages[0]
    assert states(queue)[0] == RequestState.OFFERED  # nothing written by the refusal
    assert services.expire_due_offers(at=late) == 1
    assert states(queue) == [RequestState.EXPIRED, RequestState.OFFERED, RequestState.WAITLISTED]
    assert OutgoingEmail.objects.filter(kind="offer_expired", request=offer).count() == 1
    # Processing again changes nothing: each offer lapses once.
    assert services.expire_due_offers(at=late) == 0


def test_a_declined_offer_goes_out_and_the_next_person_is_offered():
    series, seated, queue = full_series_with_waitlist()
    services.withdraw_request(registration_request=seated[0], actor=None)
    services.decline_offer(registration_request=queue[0])
    assert states(queue) == [RequestState.WITHDRAWN, RequestState.OFFERED, RequestState.WAITLISTED]


def test_raising_capacity_offers_each_new_seat_in_waitlist_order():
    series, seated, queue = full_series_with_waitlist()
    series.capacity = 4
    series.save()
    assert services.offer_free_seats(series=series) == 2
    assert states(queue) == [RequestState.OFFERED, RequestState.OFFERED, RequestState.WAITLISTED]


def test_with_auto_offers_off_staff_are_told_and_may_offer_by_hand(reviewer):
    series, seated, queue = full_series_with_waitlist(
        auto_offers=False, staff_emails="lead@example.org"
    )
    services.withdraw_request(registration_request=seated[0], actor=None)
    assert states(queue)[0] == RequestState.WAITLISTED
    assert OutgoingEmail.objects.filter(kind="staff_seat_freed").count() == 1
    services.change_state(queue[0], "offer", actor=Actor.STAFF, user=reviewer)
    assert states(queue)[0] == RequestState.OFFERED
    assert queue[0].events.get().actor == reviewer


def test_a_staff_approval_cannot_take_a_seat_held_by_an_offer(reviewer):
    series, seated, queue = full_series_with_waitlist()
    pending = make_request(series=series)
    services.withdraw_request(registration_request=seated[0], actor=None)
    with pytest.raises(services.RegistrationError) as caught:
        services.approve_request(registration_request=pending, actor=reviewer)
    assert caught.value.code == ErrorCode.SERIES_FULL


def test_the_worker_lets_due_offers_lapse_and_offers_on():
    series, seated, queue = full_series_with_waitlist()
    services.withdraw_request(registration_request=seated[0], actor=None)
    queue[0].refresh_from_db()
    type(queue[0]).objects.filter(pk=queue[0].pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    call_command("run_mail_worker", "--once", stdout=open("/dev/null", "w"))
    assert states(queue) == [RequestState.EXPIRED, RequestState.OFFERED, RequestState.WAITLISTED]


def test_an_offer_lapses_for_the_last_person_without_offering_anyone_else():
    series, seated, queue = full_series_with_waitlist(waiting=1)
    services.withdraw_request(registration_request=seated[0], actor=None)
    later = timezone.now() + timedelta(hours=49)
    assert services.expire_due_offers(at=later) == 1
    assert states(queue) == [RequestState.EXPIRED]
    assert series.requests.holding_seats().count() == 1
