"""Anonymous session feedback: attendees only, one per person per session, editable 7 days,
results without names."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from echo import attendance, feedback
from echo.models import SessionFeedback
from tests.factories import make_held_session, make_participant, make_series


@pytest.fixture
def series(db):
    return make_series(sessions_ahead=0, capacity=None)


@pytest.fixture
def session(series):
    return make_held_session(series, day=date(2024, 3, 1), number=1)


@pytest.fixture
def attendee(series, session, admin_user):
    person = make_participant(series, full_name="Sam Attendee", email="sam@example.org")
    attendance.mark_attendance(session=session, request=person, attended=True, actor=admin_user)
    return person


def feedback_url(person, session) -> str:
    return reverse(
        "echo:session-feedback", kwargs={"token": person.access_token, "number": session.number}
    )


def test_attendees_see_the_form_and_their_answer_is_stored_without_their_name(
    client, attendee, session
):
    status = client.get(attendee.get_status_url()).content.decode()
    assert feedback_url(attendee, session) in status
    response = client.post(
        feedback_url(attendee, session),
        {"usefulness": "4", "will_apply": "yes", "comment": "The warm handoff script."},
    )
    assert response.status_code == 302
    stored = SessionFeedback.objects.get()
    assert (stored.usefulness, stored.will_apply) == (4, True)
    values = " ".join(str(value) for value in stored.__dict__.values())
    assert "Sam" not in values and "sam@example.org" not in values
    assert str(attendee.pk) != stored.respondent and len(stored.respondent) == 64


def test_one_answer_per_person_per_session_and_editable_for_seven_days(client, attendee, session):
    url = feedback_url(attendee, session)
    client.post(url, {"usefulness": "2", "will_apply": "no"})
    client.post(url, {"usefulness": "5", "will_apply": "yes", "comment": "Better on reflection"})
    assert SessionFeedback.objects.count() == 1
    assert SessionFeedback.objects.get().usefulness == 5

    SessionFeedback.objects.update(
        submitted_at=SessionFeedback.objects.get().submitted_at - timedelta(days=8)
    )
    page = client.get(url).content.decode()
    assert "this time has passed" in page
    client.post(url, {"usefulness": "1", "will_apply": "no"})
    assert SessionFeedback.objects.get().usefulness == 5
    with pytest.raises(feedback.FeedbackError):
        feedback.save_feedback(
            registration_request=attendee,
            session=session,
            usefulness=1,
            will_apply=False,
            comment="",
        )


def test_people_who_did_not_attend_get_no_form(client, series, session):
    absent = make_participant(series)
    assert client.get(feedback_url(absent, session)).status_code == 404
    with pytest.raises(feedback.FeedbackError):
        feedback.save_feedback(
            registration_request=absent, session=session, usefulness=3, will_apply=True, comment=""
        )


def test_future_sessions_are_not_open_for_feedback(client, series, attendee, admin_user):
    upcoming = make_held_session(series, day=date.today() + timedelta(days=5), number=2)
    attendance.mark_attendance(session=upcoming, request=attendee, attended=True, actor=admin_user)
    assert client.get(feedback_url(attendee, upcoming)).status_code == 404


def test_invalid_answers_are_explained(client, attendee, session):
    response = client.post(feedback_url(attendee, session), {"usefulness": "9"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert not SessionFeedback.objects.exists()


def test_results_count_mean_distribution_and_comments(series, session, admin_user):
    answers = [(5, True, "Great"), (4, True, ""), (4, False, "Too fast"), (1, False, "")]
    for score, apply, comment in answers:
        person = make_participant(series)
        attendance.mark_attendance(session=session, request=person, attended=True, actor=admin_user)
        feedback.save_feedback(
            registration_request=person,
            session=session,
            usefulness=score,
            will_apply=apply,
            comment=comment,
        )
    results = feedback.session_results(session)
    assert results.count == 4
    assert results.mean == 3.5
    assert results.distribution == [(1, 1), (2, 0), (3, 0), (4, 2), (5, 1)]
    assert (results.will_apply, results.will_not_apply) == (2, 2)
    assert results.comments == ["Great", "Too fast"]
    bars = results.bars(width=300)
    assert [bar["length"] for bar in bars] == [150, 0, 0, 300, 150]
