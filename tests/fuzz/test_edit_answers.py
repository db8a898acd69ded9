"""Fuzzing the applicant's "change my answers" form: hostile values in every field, wrong
choices, missing fields. Never a 500; an invalid edit changes nothing; the email never
changes."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from echo.models import QuestionKind, RegistrationRequest
from tests.factories import make_question, make_request, make_series

from .conftest import FUZZ, hostile_text

pytestmark = pytest.mark.django_db

FIELDS = ["full_name", "phone", "organization", "role_title", "sector", "county"]


@pytest.fixture
def pending():
    series = make_series(capacity=None)
    make_question(series=series, kind=QuestionKind.SINGLE_CHOICE, choices="Police\nCourts")
    make_question(
        series=series, kind=QuestionKind.MULTIPLE_CHOICE, choices="Housing\nJobs", required=False
    )
    return make_request(series=series, email="fixed@fuzz.example.org")


@FUZZ
@given(
    values=st.dictionaries(
        st.sampled_from(FIELDS + ["email", "question_1", "question_999", "extra"]),
        st.one_of(hostile_text, st.lists(hostile_text, max_size=3)),
        max_size=8,
    )
)
def test_any_edit_answers_without_a_server_error(client, pending, values):
    url = reverse("echo:request-edit", args=[pending.access_token])
    before = RegistrationRequest.objects.values().get(pk=pending.pk)
    response = client.post(url, values)
    assert response.status_code in (200, 302)
    after = RegistrationRequest.objects.get(pk=pending.pk)
    assert after.email == "fixed@fuzz.example.org"
    if response.status_code == 200:  # refused with errors: nothing changed
        assert RegistrationRequest.objects.values().get(pk=pending.pk) == before
    else:
        after.full_clean(exclude=["series"])
