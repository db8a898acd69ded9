"""Retention: personal data erased after a series' retention period, counts kept; export."""

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from echo import services
from echo.models import Answer, OutgoingEmail, QuestionKind, RegistrationRequest
from tests.factories import make_question, make_request, make_series, make_session

pytestmark = pytest.mark.django_db

PERSONAL = ("full_name", "email", "organization", "role_title", "phone", "staff_note",
            "decision_reason")  # fmt: skip


def series_with_requests(*, ended_days_ago: int, retention_days: int):
    series = make_series(sessions_ahead=0, retention_days=retention_days)
    start = timezone.now() - timedelta(days=ended_days_ago, hours=1)
    make_session(series=series, number=1, starts_at=start)
    long_q = make_question(series=series, kind=QuestionKind.LONG_TEXT)
    choice_q = make_question(
        series=series, kind=QuestionKind.SINGLE_CHOICE, choices="Planning\nOperating"
    )
    sectors = ["law_enforcement", "law_enforcement", "behavioral_health"]
    for n, sector in enumerate(sectors):
        request = make_request(
            series=series,
            sector=sector,
            county="lane" if n else "tribe-siletz",
            full_name=f"Secret Person {n}",
            email=f"secret{n}@example.org",
            phone="541-555-0100",
            organization="Secret Org",
            staff_note="called them",
        )
        Answer.objects.create(request=request, question=long_q, value=f"my secret story {n}")
        Answer.objects.create(request=request, question=choice_q, value="Planning")
        services.decline_request(registration_request=request, actor=None, reason="secret reason")
    return series


def counts(series):
    return Counter(series.requests.values_list("sector", "county", "state"))


def test_retention_command_erases_every_personal_field_and_keeps_counts():
    expired = series_with_requests(ended_days_ago=400, retention_days=365)
    kept = series_with_requests(ended_days_ago=10, retention_days=365)
    before = counts(expired)
    assert OutgoingEmail.objects.filter(request__series=expired).exists()

    out = StringIO()
    call_command("anonymise_expired_requests", stdout=out)
    assert f"{expired.slug}: 3 request(s) anonymised" in out.getvalue()

    assert counts(expired) == before
    for request in RegistrationRequest.objects.filter(series=expired):
        values = {field: getattr(request, field) for field in PERSONAL}
        assert "Secret" not in str(values) and "secret" not in str(values)
        assert "541-555" not in str(values)
        assert request.anonymised_at is not None
        assert request.answers.get(question__kind=QuestionKind.LONG_TEXT).value == ""
        assert request.answers.get(question__kind=QuestionKind.SINGLE_CHOICE).value == "Planning"
        assert all(event.reason == "" for event in request.events.all())
    assert not OutgoingEmail.objects.filter(request__series=expired).exists()
    dump = str(list(RegistrationRequest.objects.filter(series=expired).values()))
    assert "secret" not in dump.lower()

    untouched = RegistrationRequest.objects.filter(series=kept)
    assert not untouched.filter(anonymised_at__isnull=False).exists()
    assert untouched.filter(full_name__startswith="Secret Person").count() == 3


def test_retention_runs_are_idempotent():
    series_with_requests(ended_days_ago=400, retention_days=30)
    call_command("anonymise_expired_requests", stdout=StringIO())
    out = StringIO()
    call_command("anonymise_expired_requests", stdout=out)
    assert "0 request(s) anonymised" in out.getvalue()


def test_a_series_without_sessions_counts_from_its_creation():
    series = make_series(sessions_ahead=0, retention_days=0)
    make_request(series=series)
    assert services.anonymise_expired_requests() == {series.slug: 1}


def test_export_has_everything_stored_about_the_applicant():
    series = series_with_requests(ended_days_ago=1, retention_days=365)
    request = series.requests.first()
    data = services.export_request_data(registration_request=request)
    assert data["email"] == request.email and data["phone"] == "541-555-0100"
    assert {a["answer"] for a in data["answers"]} == {"Planning", "my secret story 0"}
    assert [(h["from"], h["to"]) for h in data["history"]] == [("pending", "declined")]
    assert data["emails"] and data["emails"][0]["to"] == [request.email]


def test_erasing_one_applicant_on_request_leaves_the_others():
    series = series_with_requests(ended_days_ago=1, retention_days=365)
    first, second = series.requests.order_by("pk")[:2]
    services.anonymise_request(registration_request=first)
    assert first.full_name == services.ANONYMISED_NAME
    second.refresh_from_db()
    assert second.full_name == "Secret Person 1"
