"""Demo content for review: the Leadership ECHO at capacity with requests left to decide."""

from io import StringIO

import pytest
from django.core.management import call_command

from echo.forms import count_words
from echo.models import Answer, QuestionKind, RegistrationRequest, RequestState, Series

pytestmark = pytest.mark.django_db

SLUG = "deflection-implementation-leadership-echo"


def test_leadership_echo_is_at_capacity_with_pending_and_waitlisted_requests(demo_content):
    series = Series.objects.with_seat_counts().get(slug=SLUG)
    assert series.capacity == 24 and series.seats_used == 24
    assert series.pending_count > 0 and series.waitlisted_count > 0
    assert series.accepts_requests() and series.registration_status() == "full"


def test_leadership_echo_asks_for_the_detail_the_seed_wants(demo_content):
    series = Series.objects.get(slug=SLUG)
    labels = " ".join(series.questions.values_list("label", flat=True)).lower()
    for topic in ("stage", "role", "hope to gain", "partners", "team"):
        assert topic in labels, topic
    long_text = series.questions.filter(kind=QuestionKind.LONG_TEXT)
    assert long_text.filter(min_words__gte=40).exists()


def test_demo_answers_meet_the_questions_rules(demo_content):
    for answer in Answer.objects.select_related("question"):
        question = answer.question
        if question.min_words:
            assert count_words(answer.value) >= question.min_words, question.label
        if question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            assert set(answer.value.splitlines()) <= set(question.choice_list), question.label
    required = Series.objects.get(slug=SLUG).questions.filter(required=True).count()
    for request in RegistrationRequest.objects.filter(series__slug=SLUG):
        assert request.answers.filter(question__required=True).count() == required
        assert request.events.first().to_state == RequestState.PENDING


def test_demo_requests_are_loaded_once(demo_content):
    before = RegistrationRequest.objects.count(), Answer.objects.count()
    call_command("load_demo_content", stdout=StringIO())
    assert (RegistrationRequest.objects.count(), Answer.objects.count()) == before
