"""CSV export of registration requests: BOM, every answer as a column, safe cells, streaming."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from echo import services
from echo.exports import neutralise
from echo.models import QuestionKind, RegistrationRequest
from tests.factories import make_question, make_request, make_series
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:echo_registrationrequest_changelist")


def export(client, requests) -> tuple[StreamingHttpResponse, bytes]:
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [r.pk for r in requests]}
    )
    return response, b"".join(response.streaming_content)


def rows_of(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark, for spreadsheets
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindented", "'\tindented"),
        ("\rreturn", "'\rreturn"),
        ("plain = text", "plain = text"),
        ("", ""),
        (None, ""),
        (42, "42"),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_export_is_a_streamed_utf8_csv_with_a_dated_filename(admin_client):
    response, body = export(admin_client, [make_request()])
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="registration-requests-{today}.csv"'
    )
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\xef\xbb\xbf") == 1


def test_export_has_every_core_field_and_every_answer(admin_client, admin_user):
    series = make_series(title="Leadership ECHO")
    stage = make_question(series=series, label="Program stage?", order=1)
    pathways = make_question(
        series=series,
        label="Which pathways?",
        kind=QuestionKind.MULTIPLE_CHOICE,
        choices="Self-referral\nOutreach\nNaloxone plus",
        order=2,
    )
    make_question(series=series, label="Optional extra", order=3, required=False)
    ana = make_request(
        series=series,
        full_name="Ána Núñez",
        email="ana@example.org",
        phone="503-555-0100",
        organization="Marion County Sheriff",
        role_title="Sergeant",
        sector="law_enforcement",
        county="tribe-siletz",
        staff_note="Strong team.",
    )
    ana.answers.create(question=stage, value='Planning a pilot,\nwith "quotes".')
    ana.answers.create(question=pathways, value="Self-referral\nOutreach")
    services.decline_request(registration_request=ana, actor=admin_user, reason="Next run.")

    _, body = export(admin_client, [ana])
    header, row = rows_of(body)
    record = dict(zip(header, row, strict=True))
    assert header[-3:] == ["Program stage?", "Which pathways?", "Optional extra"]
    assert record["Full name"] == "Ána Núñez"
    assert record["Email"] == "ana@example.org"
    assert record["Phone"] == "503-555-0100"
    assert record["Organization"] == "Marion County Sheriff"
    assert record["Role or title"] == "Sergeant"
    assert record["Sector"] == "Law enforcement"
    assert record["County or tribe"] == "Confederated Tribes of Siletz Indians"
    assert record["Consent to the privacy notice"] == "yes"
    assert record["Series"] == "Leadership ECHO"
    assert record["State"] == "Declined"
    assert record["Reviewed by"] == admin_user.get_username()
    assert record["Reviewed"].startswith(timezone.localdate().isoformat())
    assert record["Submitted"]
    assert record["Decision reason"] == "Next run."
    assert record["Staff note"] == "Strong team."
    assert record["Program stage?"] == 'Planning a pilot,\nwith "quotes".'
    assert record["Which pathways?"] == "Self-referral; Outreach"
    assert record["Optional extra"] == ""


def test_export_neutralises_formula_cells(admin_client):
    series = make_series()
    question = make_question(series=series, label="=Label")
    hostile = make_request(
        series=series,
        full_name='=HYPERLINK("http://evil.example","click")',
        organization="+cmd|' /C calc'!A0",
        role_title="-1+1",
        phone="@SUM(1)",
    )
    hostile.answers.create(question=question, value="\t=1+1")
    _, body = export(admin_client, [hostile])
    header, row = rows_of(body)
    record = dict(zip(header, row, strict=True))
    assert record["Full name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert record["Organization"] == "'+cmd|' /C calc'!A0"
    assert record["Role or title"] == "'-1+1"
    assert record["Phone"] == "'@SUM(1)"
    assert record["'=Label"] == "'\t=1+1"
    for cell in header + row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_export_across_series_has_the_union_of_questions_with_qualified_headers(admin_client):
    first, second = make_series(title="Alpha ECHO"), make_series(title="Beta ECHO")
    alpha_q = make_question(series=first, label="Why join?")
    beta_q = make_question(series=second, label="Why join?")
    make_series(title="Unselected").questions.create(label="Not exported")
    a = make_request(series=first, submitted_at=timezone.now() - timedelta(days=2))
    b = make_request(series=second, submitted_at=timezone.now() - timedelta(days=1))
    a.answers.create(question=alpha_q, value="Alpha answer")
    b.answers.create(question=beta_q, value="Beta answer")

    _, body = export(admin_client, [b, a])
    header, *rows = rows_of(body)
    assert header[-2:] == ["Alpha ECHO: Why join?", "Beta ECHO: Why join?"]
    assert "Not exported" not in ",".join(header)
    assert [row[0] for row in rows] == [str(a.pk), str(b.pk)]  # first come
    assert rows[0][-2:] == ["Alpha answer", ""]
    assert rows[1][-2:] == ["", "Beta answer"]


def test_export_runs_a_constant_number_of_queries(admin_client):
    """Budget: the same count for 5 and for 60 requests (answers prefetched per chunk)."""
    series = make_series(capacity=None)
    questions = [make_question(series=series, label=f"Q{n}", order=n) for n in range(3)]

    def add(count):
        for _ in range(count):
            registration_request = make_request(series=series)
            for question in questions:
                registration_request.answers.create(question=question, value="An answer.")

    def queries_for_all() -> int:
        with CaptureQueriesContext(connection) as queries:
            _, body = export(admin_client, RegistrationRequest.objects.all())
        assert len(rows_of(body)) == RegistrationRequest.objects.count() + 1
        return len(queries)

    add(5)
    few = queries_for_all()
    add(55)
    assert queries_for_all() == few


def test_export_is_offered_to_view_only_staff(client, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_registrationrequest"))
    login_staff(client, viewer)
    response, body = export(client, [make_request(full_name="Ana Reyes")])
    assert response.status_code == 200
    assert "Ana Reyes" in body.decode("utf-8-sig")
