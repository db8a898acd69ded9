"""The transition table, walked exhaustively: every state × action × actor, through the
service that applies it. The design is written out here once more, by hand, so that a change
to the table that nobody meant shows up as a failure."""

import itertools
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from echo import services
from echo.models import Actor, OutgoingEmail, RequestEvent, RequestState
from echo.transitions import TRANSITIONS, Action, ErrorCode
from tests.factories import make_request, make_series

pytestmark = pytest.mark.django_db

S = RequestState
STAFF, APPLICANT, SYSTEM = Actor.STAFF, Actor.APPLICANT, Actor.SYSTEM

# (from state, action, who) -> to state: the design, written out by hand.
DESIGN = {
    (S.PENDING, Action.APPROVE, STAFF): S.APPROVED,
    (S.WAITLISTED, Action.APPROVE, STAFF): S.APPROVED,
    (S.PENDING, Action.WAITLIST, STAFF): S.WAITLISTED,
    (S.PENDING, Action.DECLINE, STAFF): S.DECLINED,
    (S.WAITLISTED, Action.DECLINE, STAFF): S.DECLINED,
    (S.APPROVED, Action.DECLINE, STAFF): S.DECLINED,
    (S.WAITLISTED, Action.OFFER, STAFF): S.OFFERED,
    (S.WAITLISTED, Action.OFFER, SYSTEM): S.OFFERED,
    (S.OFFERED, Action.ACCEPT, APPLICANT): S.APPROVED,
    (S.OFFERED, Action.DECLINE_OFFER, APPLICANT): S.WITHDRAWN,
    (S.OFFERED, Action.DECLINE_OFFER, STAFF): S.WITHDRAWN,
    (S.OFFERED, Action.EXPIRE, SYSTEM): S.EXPIRED,
    (S.PENDING, Action.WITHDRAW, STAFF): S.WITHDRAWN,
    (S.APPROVED, Action.WITHDRAW, STAFF): S.WITHDRAWN,
    (S.WAITLISTED, Action.WITHDRAW, STAFF): S.WITHDRAWN,
    (S.PENDING, Action.WITHDRAW, APPLICANT): S.WITHDRAWN,
    (S.APPROVED, Action.WITHDRAW, APPLICANT): S.WITHDRAWN,
    (S.WAITLISTED, Action.WITHDRAW, APPLICANT): S.WITHDRAWN,
    (S.DECLINED, Action.REOPEN, STAFF): S.PENDING,
    (S.EXPIRED, Action.REOPEN, STAFF): S.PENDING,
}


def test_the_table_is_the_design():
    from_table = {
        (state, t.action, actor): t.target
        for t in TRANSITIONS
        for state in t.sources
        for actor in t.actors
    }
    assert from_table == DESIGN


@pytest.fixture
def reviewer():
    return get_user_model().objects.create_user("reviewer", password="x" * 16, is_staff=True)


def stored(state, series):
    expires = None
    if state == S.OFFERED:
        # A due offer for EXPIRE, a live one for everything else.
        expires = timezone.now() + timedelta(hours=1)
    return make_request(series=series, state=state, offer_expires_at=expires)


CASES = list(itertools.product(S.values, list(Action), [STAFF, APPLICANT, SYSTEM]))


@pytest.mark.parametrize(("state", "action", "actor"), CASES)
def test_every_state_action_and_actor(state, action, actor, reviewer):
    series = make_series(capacity=5)
    request = stored(state, series)
    user = reviewer if actor == STAFF else None
    at = timezone.now() + timedelta(hours=2) if action == Action.EXPIRE else None
    target = DESIGN.get((state, action, actor))
    if target is not None:
        result = services.change_state(
            request, action, actor=actor, user=user, reason="Because", at=at
        )
        request.refresh_from_db()
        assert result.state == request.state == target
        event = request.events.get()
        assert (event.actor, event.actor_kind, event.from_state, event.to_state) == (
            user,
            actor,
            state,
            target,
        )
        if actor == STAFF:
            assert request.reviewed_by == reviewer and request.reviewed_at is not None
        assert (request.offer_expires_at is not None) == (target == S.OFFERED)
        return
    with pytest.raises(services.RegistrationError) as caught:
        services.change_state(request, action, actor=actor, user=user, reason="Because", at=at)
    assert caught.value.code in {ErrorCode.NOT_ALLOWED, ErrorCode.NOT_YOURS}
    message = caught.value.messages[0]
    if caught.value.code == ErrorCode.NOT_ALLOWED:
        assert message.startswith(f"A request that is {S(state).label.lower()} cannot be ")
    else:
        assert message == "That change is not one you can make to this request."
    request.refresh_from_db()
    assert request.state == state and request.reviewed_by is None
    assert not RequestEvent.objects.exists() and not OutgoingEmail.objects.exists()


def test_each_transition_that_emails_the_applicant_has_its_three_templates():
    from django.template.loader import get_template

    for t in TRANSITIONS:
        if t.email:
            for suffix in ("_subject.txt", ".txt", ".html"):
                get_template(f"echo/email/{t.email}{suffix}")


def test_staff_buttons_and_bulk_actions_come_from_the_table(admin_client):
    from echo.request_admin import RegistrationRequestAdmin

    names = [getattr(a, "__name__", a) for a in RegistrationRequestAdmin.actions]
    decisions = [n for n in names if n.removesuffix("_selected") in set(Action)]
    assert decisions == [f"{t.action}_selected" for t in TRANSITIONS if t.bulk_label]
