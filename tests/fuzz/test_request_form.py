"""Fuzzing the public registration form: hostile values in every field, missing and extra
fields, repeated fields, wrong choices, raw bodies. Never a 500; an invalid submission stores
nothing; whatever is stored passes the model's own validation."""

import time

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from echo.forms import sign_started
from echo.models import (
    Answer,
    OutgoingEmail,
    QuestionKind,
    RegistrationRequest,
    Sector,
)
from tests.factories import make_question, make_request, make_series

from .conftest import FUZZ, FUZZ_RAW, hostile_text

pytestmark = pytest.mark.django_db

ERROR_SUMMARY = "There is a problem with your answers"
MISSING = object()


@pytest.fixture
def form(no_rate_limits):
    series = make_series(capacity=None, staff_emails="staff@fuzz.example.org")
    questions = {
        "short": make_question(series=series, kind=QuestionKind.SHORT_TEXT, label="Program?"),
        "long": make_question(series=series, kind=QuestionKind.LONG_TEXT, min_words=3),
        "single": make_question(
            series=series, kind=QuestionKind.SINGLE_CHOICE, choices="Police\nCourts\nHealth"
        ),
        "multiple": make_question(
            series=series,
            kind=QuestionKind.MULTIPLE_CHOICE,
            choices="Housing\nTreatment\nJobs",
            required=False,
        ),
        "yes_no": make_question(series=series, kind=QuestionKind.YES_NO, required=False),
    }
    make_request(series=series, email="taken@fuzz.example.org")  # a duplicate to run into
    return {
        "series": series,
        "url": reverse("echo:request", kwargs={"slug": series.slug}),
        "received": reverse("echo:request-received", kwargs={"slug": series.slug}),
        "fields": {kind: f"question_{q.pk}" for kind, q in questions.items()},
    }


def valid_data(fields: dict, n: int) -> dict:
    return {
        "full_name": "Ana Fuzz",
        "email": f"person{n}@fuzz.example.org",
        "phone": "+1 541 555 0100",
        "organization": "Lane County",
        "role_title": "Coordinator",
        "sector": "county_government",
        "county": "lane",
        "consent": "on",
        "form_started": sign_started(time.time() - 60),
        "extra_reference": "",
        fields["short"]: "Deflection in Lane",
        fields["long"]: "We divert people from jail into treatment.",
        fields["single"]: "Police",
        fields["multiple"]: ["Housing", "Jobs"],
        fields["yes_no"]: "Yes",
    }


CORE_FIELDS = [
    "full_name",
    "email",
    "phone",
    "organization",
    "role_title",
    "sector",
    "county",
    "consent",
    "form_started",
    "extra_reference",
]
QUESTION_KINDS = ["short", "long", "single", "multiple", "yes_no"]

replacement = st.one_of(
    st.just(MISSING),
    hostile_text,
    st.lists(hostile_text, min_size=0, max_size=3),
    st.sampled_from(
        [
            # Near misses and wrong choices.
            "COUNTY_GOVERNMENT",
            "county_government ",
            "not-a-sector",
            "Police\x00",
            "police",
            "Maybe",
            "off",
            "true",
            "person@",
            "@fuzz.example.org",
            "a" * 255 + "@example.org",
            "TAKEN@fuzz.example.org",
            "  Person1@Fuzz.Example.org ",
            sign_started(time.time()),  # too fast
            sign_started(time.time() - 60) + "x",  # forged
            "1700000000.0",
        ]
    ),
)

submission = st.fixed_dictionaries(
    {
        "n": st.integers(0, 10**6),
        "changes": st.dictionaries(
            st.sampled_from(CORE_FIELDS + QUESTION_KINDS), replacement, max_size=6
        ),
        "extra": st.dictionaries(
            st.text(min_size=1, max_size=20).filter(lambda k: k != "csrfmiddlewaretoken"),
            st.one_of(hostile_text, st.lists(hostile_text, max_size=3)),
            max_size=3,
        ),
    }
)


def last(value):
    """What Django's QueryDict.get() sees for a submitted value (the last of a list)."""
    if isinstance(value, list):
        return value[-1] if value else None
    return value


def build(form, example) -> tuple[dict, dict]:
    fields = form["fields"]
    data = valid_data(fields, example["n"])
    for name, value in example["changes"].items():
        key = fields.get(name, name)
        if value is MISSING:
            data.pop(key, None)
        else:
            data[key] = value
    data.update(example["extra"])
    return data, {name: data.get(fields.get(name, name), MISSING) for name in example["changes"]}


def trap_sprung(data: dict) -> bool:
    """A submission the bot traps must drop: a filled trap field, or a start time that is
    missing, not signed by us, or too recent. (Checked only where we can tell for sure.)"""
    trap = last(data.get("extra_reference", ""))
    if isinstance(trap, str) and trap.strip() and "\x00" not in trap and len(trap) <= 200:
        return True
    started = last(data.get("form_started", MISSING))
    return started is MISSING or started is None or started == "" or "x" in started[-1:]


def assert_stored_request_is_valid(row: RegistrationRequest, form) -> None:
    row.full_clean(validate_unique=False, validate_constraints=False)
    for value in (row.full_name, row.email, row.phone, row.organization, row.role_title):
        assert "\x00" not in value
    assert row.email == row.email.strip().lower()
    assert row.consent is True
    assert row.sector in Sector.values
    for answer in Answer.objects.filter(request=row).select_related("question"):
        question = answer.question
        assert question.series_id == form["series"].pk
        assert "\x00" not in answer.value
        if question.kind == QuestionKind.SINGLE_CHOICE:
            assert answer.value in question.choice_list
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            assert set(answer.value.splitlines()) <= set(question.choice_list)
        if question.kind == QuestionKind.YES_NO:
            assert answer.value in ("Yes", "No")


@FUZZ
@given(example=submission)
def test_request_form_never_fails_and_stores_nothing_invalid(client, form, example):
    data, _changed = build(form, example)
    requests_before = RegistrationRequest.objects.count()
    emails_before = OutgoingEmail.objects.count()
    newest = RegistrationRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    response = client.post(form["url"], data)

    assert response.status_code in (200, 302, 400), response.status_code
    new_rows = RegistrationRequest.objects.count() - requests_before
    new_emails = OutgoingEmail.objects.count() - emails_before
    if response.status_code != 302:
        assert new_rows == 0 and new_emails == 0
        if response.status_code == 200:
            assert ERROR_SUMMARY in response.content.decode()
        return
    assert response["Location"] == form["received"]
    assert new_rows in (0, 1)
    if trap_sprung(data):
        assert new_rows == 0 and new_emails == 0
    if new_rows:
        row = RegistrationRequest.objects.get(pk__gt=newest)
        assert_stored_request_is_valid(row, form)
        assert new_emails == 2  # the receipt and the staff notice
    else:
        assert new_emails in (0, 1)  # a trap stores nothing; a duplicate sends one notice


CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=no-such-charset",
    "multipart/form-data",
    "multipart/form-data; boundary=",
    "multipart/form-data; boundary=xyz",
    "application/json",
    "text/plain",
    "",
]

raw_body = st.one_of(
    st.binary(max_size=400),
    st.lists(
        st.sampled_from(
            [b"email=", b"full_name=", b"&", b"=", b"%", b"%0", b"%00", b"%ff", b"%C3%28", b"+",
             b"consent=on", b"sector=county_government", b"--xyz\r\n", b"\r\n\r\n",
             b"Content-Disposition: form-data; name=\"email\"\r\n", b"\xff\xfe", b"a" * 50]
        ),
        max_size=40,
    ).map(b"".join),
)  # fmt: skip


@FUZZ_RAW
@given(body=raw_body, content_type=st.sampled_from(CONTENT_TYPES))
def test_request_form_survives_raw_bodies(client, form, body, content_type):
    before = RegistrationRequest.objects.count()
    response = client.generic("POST", form["url"], body, content_type=content_type)
    assert response.status_code in (200, 302, 400), response.status_code
    if response.status_code != 302:
        assert RegistrationRequest.objects.count() == before
