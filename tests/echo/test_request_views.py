"""The public registration flow: form, received page, status page, closed series."""

import re
import time

import pytest
from django.urls import reverse

from echo.forms import sign_started
from echo.models import (
    Answer,
    OutgoingEmail,
    QuestionKind,
    RegistrationRequest,
    RegistrationState,
    RequestState,
)
from tests.factories import make_question, make_request, make_series
from tests.helpers import assert_one_h1

pytestmark = pytest.mark.django_db

FULL_MESSAGE = (
    "This series is at capacity. You can still request a place; requests are reviewed as "
    "seats open."
)


def form_data(series, **overrides):
    data = {
        "full_name": "Jordan Lee",
        "email": "Jordan.Lee@example.org",
        "phone": "",
        "organization": "Lane County Behavioral Health",
        "role_title": "Program manager",
        "sector": "behavioral_health",
        "county": "lane",
        "consent": "on",
        "form_started": sign_started(time.time() - 60),
    }
    for question in series.questions.all():
        if question.kind == QuestionKind.LONG_TEXT:
            data[f"question_{question.pk}"] = " ".join(["detail"] * (question.min_words or 3))
        elif question.kind == QuestionKind.YES_NO:
            data[f"question_{question.pk}"] = "Yes"
        elif question.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            data[f"question_{question.pk}"] = question.choice_list[0]
        else:
            data[f"question_{question.pk}"] = "short answer"
    data.update(overrides)
    return data


@pytest.fixture
def series():
    series = make_series(capacity=2)
    make_question(series=series, label="Where is your program today?", min_words=10, order=1)
    make_question(
        series=series,
        section="Your team",
        label="Who would attend?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices="Police\nBehavioral health\nPeer",
        order=2,
    )
    make_question(series=series, label="Any MOU?", kind=QuestionKind.YES_NO, order=3)
    return series


def url(series):
    return reverse("echo:request", kwargs={"slug": series.slug})


def test_form_shows_core_fields_then_question_sections_and_consent(client, series):
    response = client.get(url(series))
    assert response.status_code == 200
    assert_one_h1(response)
    html = response.content.decode()
    legends = re.findall(r'<fieldset class="form-section">\s*<legend>([^<]+)</legend>', html)
    assert legends == ["About you", "Your work", "About your program", "Your team", "Privacy"]
    # Required fields are marked once: aria-required and a silent star, never in the label.
    assert "(required)" not in html and "Phone" in html
    assert re.search(r'<input type="text" name="full_name"[^>]*aria-required="true"', html)
    assert 'class="form-label requiredField"' in html
    assert 'data-min-words="10"' in html
    assert reverse("echo:privacy") in html
    assert "no-store" in response["Cache-Control"]


def test_full_series_still_shows_the_form_with_a_plain_statement(client, series):
    make_request(series=series, state=RequestState.APPROVED)
    make_request(series=series, state=RequestState.APPROVED)
    html = client.get(url(series)).content.decode()
    assert FULL_MESSAGE in html
    assert "<form" in html and 'name="full_name"' in html


def test_valid_submission_redirects_to_received_and_stores_everything(client, series):
    response = client.post(url(series), form_data(series))
    assert response.status_code == 302
    assert response["Location"] == reverse("echo:request-received", kwargs={"slug": series.slug})
    request = RegistrationRequest.objects.get()
    assert request.email == "jordan.lee@example.org" and request.state == RequestState.PENDING
    assert Answer.objects.filter(request=request).count() == 3
    page = client.get(response["Location"])
    assert_one_h1(page)
    assert "This is not yet a seat." in page.content.decode()


def test_invalid_submission_shows_an_error_summary_linking_to_fields(client, series):
    long_question = series.questions.get(min_words=10)
    data = form_data(series, email="not-an-email", **{f"question_{long_question.pk}": "too short"})
    del data["consent"]
    response = client.post(url(series), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert_one_h1(response)
    assert 'id="error-summary"' in html
    assert f'href="#id_question_{long_question.pk}"' in html
    assert 'href="#id_email"' in html and 'href="#id_consent"' in html
    assert "Please write at least 10 words; this answer has 2." in html
    assert "<title>Error:" in html
    assert not RegistrationRequest.objects.exists()
    assert 'value="Jordan Lee"' in html  # nothing typed is lost


def test_duplicate_submission_gets_the_same_page_and_an_email_instead(client, series):
    client.post(url(series), form_data(series))
    response = client.post(url(series), form_data(series, email="JORDAN.LEE@EXAMPLE.ORG"))
    assert response.status_code == 302
    assert response["Location"].endswith("/request/received/")
    assert RegistrationRequest.objects.count() == 1
    assert OutgoingEmail.objects.filter(kind="duplicate").count() == 1


@pytest.mark.parametrize(
    "field",
    ["full_name", "organization", "role_title", "phone", "email"],
)
def test_overlong_core_answers_are_refused_not_truncated(client, series, field):
    value = "x" * 300 + ("@example.org" if field == "email" else "")
    response = client.post(url(series), form_data(series, **{field: value}))
    assert response.status_code == 200
    assert not RegistrationRequest.objects.exists()


def test_overlong_long_answer_is_refused(client, series):
    long_question = series.questions.get(min_words=10)
    text = "word " * 1200
    response = client.post(url(series), form_data(series, **{f"question_{long_question.pk}": text}))
    assert "at most 5000 characters" in response.content.decode()
    assert not RegistrationRequest.objects.exists()


def test_choices_are_checked_on_the_server(client, series):
    choice = series.questions.get(kind=QuestionKind.MULTIPLE_CHOICE)
    response = client.post(
        url(series), form_data(series, sector="astronaut", **{f"question_{choice.pk}": "Mayor"})
    )
    html = response.content.decode()
    assert html.count("Select a valid choice") == 4  # two errors, each in summary and inline
    assert not RegistrationRequest.objects.exists()


def test_answers_to_another_series_questions_are_ignored(client, series):
    other_question = make_question(series=make_series())
    data = form_data(series, **{f"question_{other_question.pk}": "injected"})
    assert client.post(url(series), data).status_code == 302
    assert not Answer.objects.filter(question=other_question).exists()


def test_nul_bytes_are_refused_with_a_message(client, series):
    response = client.post(url(series), form_data(series, full_name="Jordan\x00Lee"))
    assert response.status_code == 200
    assert not RegistrationRequest.objects.exists()


def test_closed_series_explains_and_shows_no_form(client, series):
    series.registration_state = RegistrationState.CLOSED
    series.save()
    response = client.get(url(series))
    html = response.content.decode()
    assert response.status_code == 200
    assert_one_h1(response)
    assert "Registration for this series is closed." in html and 'name="full_name"' not in html
    assert "nothing you may have sent was stored" in html


def test_post_to_a_closed_series_is_refused_with_the_explanation(client, series):
    series.registration_state = RegistrationState.CLOSED
    series.save()
    response = client.post(url(series), form_data(series))
    assert response.status_code == 200
    assert "Registration for this series is closed." in response.content.decode()
    assert not RegistrationRequest.objects.exists()


def test_unknown_or_unpublished_series_answers_404(client, series):
    assert client.get("/echo/no-such-series/request/").status_code == 404
    series.is_published = False
    series.save()
    assert client.get(url(series)).status_code == 404


# --- The private status page ------------------------------------------------------------------


def status_url(request):
    return reverse("echo:request-status", kwargs={"token": request.access_token})


def test_status_page_shows_state_and_is_never_cached(client):
    request = make_request()
    response = client.get(status_url(request))
    assert response.status_code == 200
    assert_one_h1(response)
    assert "no-store" in response["Cache-Control"]
    assert "Pending" in response.content.decode()
    assert request.email not in response.content.decode()


def test_status_page_shows_waitlist_position(client):
    series = make_series()
    make_request(series=series, state=RequestState.WAITLISTED)
    second = make_request(series=series, state=RequestState.WAITLISTED)
    assert "in place 2" in client.get(status_url(second)).content.decode()


@pytest.mark.parametrize(
    "token", ["nope", "x" * 500, "%00", "a%00" + "b" * 40, "../../admin", "é" * 43, "a b" * 15]
)
def test_tampered_or_unknown_tokens_answer_404(client, token):
    make_request()
    assert client.get(f"/echo/requests/{token}/").status_code == 404


def test_withdraw_needs_confirmation_then_frees_the_seat(client):
    series = make_series(capacity=1)
    request = make_request(series=series, state=RequestState.APPROVED)
    response = client.post(status_url(request), {})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.APPROVED
    response = client.post(status_url(request), {"confirm": "withdraw"}, follow=True)
    assert "Your request is withdrawn." in response.content.decode()
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN
    assert series.requests.holding_seats().count() == 0
    assert 'name="confirm"' not in response.content.decode()


def test_withdrawing_twice_explains_instead_of_failing(client):
    request = make_request(state=RequestState.WITHDRAWN)
    response = client.post(status_url(request), {"confirm": "withdraw"}, follow=True)
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.state == RequestState.WITHDRAWN


def test_privacy_notice_page(client):
    response = client.get(reverse("echo:privacy"))
    assert response.status_code == 200
    assert_one_h1(response)
    assert "How long we keep it" in response.content.decode()
