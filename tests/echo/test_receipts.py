"""The applicant's receipt: reference numbers, the copy of the answers, corrections while
pending (recorded, staff told once a day), and the duplicate-submission email."""

import re
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from echo import receipts, services
from echo.forms import sign_started
from echo.models import (
    REFERENCE_ALPHABET,
    Actor,
    EmailKind,
    OutgoingEmail,
    QuestionKind,
    RegistrationRequest,
    RequestState,
    new_reference,
)
from tests.factories import make_question, make_request, make_series
from tests.helpers import assert_one_h1

pytestmark = pytest.mark.django_db

REFERENCE_RE = re.compile(f"ECHO-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{2}}")


@pytest.fixture
def series():
    series = make_series(staff_emails="staff@example.org")
    make_question(series=series, label="Where is your program today?", order=1)
    make_question(
        series=series,
        section="Your team",
        label="Who would attend?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices="Police\nBehavioral health\nPeer",
        order=2,
    )
    return series


def form_data(series, **overrides):
    data = {
        "full_name": "Jordan Lee",
        "email": "jordan.lee@example.org",
        "phone": "",
        "organization": "Lane County Behavioral Health",
        "role_title": "Program manager",
        "sector": "behavioral_health",
        "county": "lane",
        "consent": "on",
        "form_started": sign_started(time.time() - 60),
    }
    for question in series.questions.all():
        key = f"question_{question.pk}"
        data[key] = question.choice_list[0] if question.choice_list else "Planning stage."
    data.update(overrides)
    return data


def edit_data(request, **overrides):
    data = {
        "full_name": request.full_name,
        "phone": request.phone,
        "organization": request.organization,
        "role_title": request.role_title,
        "sector": request.sector,
        "county": request.county,
    }
    for question in request.series.questions.all():
        key = f"question_{question.pk}"
        data[key] = question.choice_list[0] if question.choice_list else "Planning stage."
    data.update(overrides)
    return data


def submit(client, series, **overrides):
    return client.post(reverse("echo:request", args=[series.slug]), form_data(series, **overrides))


# --- Reference numbers -----------------------------------------------------------------------


def test_references_are_short_unambiguous_and_unique():
    references = {new_reference() for _ in range(2000)}
    assert all(REFERENCE_RE.fullmatch(reference) for reference in references)
    assert not any(set(reference[5:]) & set("01ILOU") for reference in references)
    series = make_series()
    stored = [make_request(series=series).reference for _ in range(20)]
    assert len(set(stored)) == 20


def test_reference_is_on_the_received_page_and_in_the_received_email(client, series):
    response = submit(client, series)
    stored = RegistrationRequest.objects.get()
    received = client.get(response["Location"])
    assert_one_h1(received)
    assert stored.reference in received.content.decode()
    assert "no-store" in received["Cache-Control"]
    email = OutgoingEmail.objects.get(kind=EmailKind.RECEIVED)
    assert stored.reference in email.subject and stored.reference in email.body_text
    assert stored.reference in email.body_html


def test_received_page_ignores_a_forged_reference(client, series):
    url = reverse("echo:request-received", args=[series.slug])
    client.cookies[receipts.REFERENCE_COOKIE] = "ECHO-FAKE-22"
    html = client.get(url).content.decode()
    assert "ECHO-FAKE-22" not in html and "Your reference" not in html


def test_the_reference_cookie_is_signed_private_and_for_the_received_page_only(client, series):
    response = submit(client, series)
    assert response["Location"] == reverse("echo:request-received", args=[series.slug])
    cookie = response.cookies[receipts.REFERENCE_COOKIE]
    assert cookie["path"] == response["Location"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 3600
    assert RegistrationRequest.objects.get().reference not in cookie.value.split(":")[1:]


def test_duplicate_submission_looks_the_same_on_screen(client, series):
    first = client.get(submit(client, series)["Location"]).content.decode()
    second_response = submit(client, series, full_name="Someone Else")
    second = client.get(second_response["Location"]).content.decode()
    assert RegistrationRequest.objects.count() == 1
    for html in (first, second):
        assert REFERENCE_RE.search(html)
    # The screen never shows the first request's reference to whoever typed the email.
    assert RegistrationRequest.objects.get().reference not in second


def test_admin_finds_a_request_by_its_reference(admin_client):
    wanted = make_request(full_name="Wanted Applicant")
    make_request(full_name="Other Applicant")
    url = reverse("admin:echo_registrationrequest_changelist")
    for query in (wanted.reference, wanted.reference.lower()):
        html = admin_client.get(url, {"q": query}).content.decode()
        assert "Wanted Applicant" in html and "Other Applicant" not in html
    change = admin_client.get(
        reverse("admin:echo_registrationrequest_change", args=[wanted.pk])
    ).content.decode()
    assert wanted.reference in change


# --- The copy of the answers -----------------------------------------------------------------


def test_status_page_shows_a_read_only_copy_of_every_answer(client, series):
    submit(client, series)
    request = RegistrationRequest.objects.get()
    html = client.get(request.get_status_url()).content.decode()
    for text in (
        request.reference,
        "Jordan Lee",
        "Lane County Behavioral Health",
        "Program manager",
        "Behavioral health",
        "Lane County",
        "Where is your program today?",
        "Planning stage.",
        "Who would attend?",
        "Police",
        "j•••@example.org",
    ):
        assert text in html, text
    assert request.email not in html  # a forwarded link does not give the address away
    assert reverse("echo:request-edit", args=[request.access_token]) in html


# --- Corrections while pending ---------------------------------------------------------------


def test_applicant_edits_a_pending_request_and_the_history_records_it(client, series, mailoutbox):
    submit(client, series)
    request = RegistrationRequest.objects.get()
    edit_url = reverse("echo:request-edit", args=[request.access_token])
    form = client.get(edit_url)
    assert form.status_code == 200 and "Jordan Lee" in form.content.decode()
    assert_one_h1(form)
    response = client.post(
        edit_url, edit_data(request, organization="Lane County Health", full_name="Jordan Q. Lee")
    )
    assert response.status_code == 302 and response["Location"] == request.get_status_url()
    request.refresh_from_db()
    assert request.organization == "Lane County Health" and request.full_name == "Jordan Q. Lee"
    assert request.email == "jordan.lee@example.org"  # the identity does not change
    assert request.answers_edited_at is not None
    event = request.events.order_by("pk").last()
    assert event.actor_kind == Actor.APPLICANT
    assert (event.from_state, event.to_state) == (RequestState.PENDING, RequestState.PENDING)
    assert "Full name" in event.reason and "Organization" in event.reason
    page = client.get(request.get_status_url()).content.decode()
    assert "Your answers are updated." in page and "Lane County Health" in page


def test_editing_a_question_answer_replaces_it(series):
    request = services.submit_request(
        series=series,
        data={k: v for k, v in form_data(series).items() if k in RegistrationRequest_fields()},
        answers={},
    ).registration_request
    question = series.questions.get(label="Who would attend?")
    changed = receipts.edit_request(
        registration_request=request,
        data={},
        answers={question: ["Police", "Peer"]},
    )
    assert changed == ["Who would attend?"]
    assert request.answers.get(question=question).value == "Police\nPeer"
    assert receipts.edit_request(
        registration_request=request, data={}, answers={question: ["Police", "Peer"]}
    ) == []  # fmt: skip


def RegistrationRequest_fields():
    return {"full_name", "email", "phone", "organization", "role_title", "sector", "county"}


@pytest.mark.parametrize(
    "state", [RequestState.APPROVED, RequestState.DECLINED, RequestState.WAITLISTED]
)
def test_edit_is_refused_after_a_decision_with_a_clear_message(client, state):
    request = make_request(state=state)
    edit_url = reverse("echo:request-edit", args=[request.access_token])
    for response in (client.get(edit_url), client.post(edit_url, edit_data(request))):
        assert response.status_code == 302 and response["Location"] == request.get_status_url()
    html = client.get(request.get_status_url()).content.decode()
    assert str(receipts.EDIT_REFUSED) in html.replace("&#x27;", "'")
    with pytest.raises(receipts.EditRefused):
        receipts.edit_request(registration_request=request, data={"full_name": "X"}, answers={})
    request.refresh_from_db()
    assert request.full_name != "X"


def test_edit_refused_when_staff_decide_between_form_and_save(client, admin_user):
    request = make_request()
    edit_url = reverse("echo:request-edit", args=[request.access_token])
    assert client.get(edit_url).status_code == 200
    services.decline_request(registration_request=request, actor=admin_user)
    response = client.post(edit_url, edit_data(request, full_name="Too Late"))
    assert response["Location"] == request.get_status_url()
    request.refresh_from_db()
    assert request.full_name != "Too Late"


def test_staff_are_told_of_edits_at_most_once_a_day(series):
    request = make_request(series=series)

    def edit(name):
        receipts.edit_request(registration_request=request, data={"full_name": name}, answers={})

    def notices():
        return OutgoingEmail.objects.filter(kind=EmailKind.STAFF_REQUEST_EDITED, request=request)

    edit("First Change")
    edit("Second Change")
    assert notices().count() == 1
    notice = notices().get()
    assert notice.recipients == ["staff@example.org"] and request.reference in notice.subject
    assert request.events.filter(reason__startswith="Answers changed").count() == 2
    notices().update(created_at=timezone.now() - timedelta(hours=25))
    edit("Next Day Change")
    assert notices().count() == 2


def test_edit_form_validates_like_the_request_form(client, series):
    request = make_request(series=series)
    edit_url = reverse("echo:request-edit", args=[request.access_token])
    response = client.post(edit_url, edit_data(request, full_name="", sector="nonsense"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="error-summary"' in html and "Full name: This field is required." in html
    request.refresh_from_db()
    assert request.full_name.startswith("Applicant")


def test_edit_page_for_an_unknown_token_is_404(client):
    assert client.get("/echo/requests/" + "x" * 43 + "/edit/").status_code == 404
    assert client.get("/echo/requests/short/edit/").status_code == 404


# --- The duplicate-submission email ----------------------------------------------------------


def test_duplicate_submission_email_tells_how_to_edit_the_first(client, series):
    submit(client, series)
    first = RegistrationRequest.objects.get()
    submit(client, series, email="JORDAN.LEE@example.org", organization="New answers")
    email = OutgoingEmail.objects.get(kind=EmailKind.DUPLICATE)
    assert email.recipients == ["jordan.lee@example.org"]
    for body in (email.body_text, email.body_html):
        assert first.reference in body
        assert "Change my answers" in body
        assert first.get_status_url() in body
    first.refresh_from_db()
    assert first.organization == "Lane County Behavioral Health"


def test_duplicate_email_after_a_decision_says_answers_are_final(client, series, admin_user):
    submit(client, series)
    first = RegistrationRequest.objects.get()
    services.waitlist_request(registration_request=first, actor=admin_user)
    submit(client, series)
    email = OutgoingEmail.objects.get(kind=EmailKind.DUPLICATE)
    assert "can no longer be changed" in email.body_text
    assert "Change my answers" not in email.body_text
