"""CSV export of registration requests with every answer as a column, for staff.

The file streams row by row (answers prefetched a chunk at a time), starts with a byte-order
mark so spreadsheet programs read it as UTF-8, and neutralises cells a spreadsheet would run
as a formula.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Answer, Question, QuestionKind, RegistrationRequest

CHUNK_SIZE = 500
BOM = "\ufeff"
# A spreadsheet treats a cell starting with one of these as a formula (or, for tab and
# carriage return, strips them and then does): OWASP's "CSV injection" list.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell as text, with a leading quote if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _core_columns() -> list[tuple[str, object]]:
    return [
        (_("Request ID"), lambda r: r.pk),
        (_("Series"), lambda r: r.series.title),
        (_("Full name"), lambda r: r.full_name),
        (_("Email"), lambda r: r.email),
        (_("Phone"), lambda r: r.phone),
        (_("Organization"), lambda r: r.organization),
        (_("Role or title"), lambda r: r.role_title),
        (_("Sector"), lambda r: r.get_sector_display()),
        (_("County or tribe"), lambda r: r.get_county_display()),
        (_("Consent to the privacy notice"), lambda r: _("yes") if r.consent else _("no")),
        (_("State"), lambda r: r.get_state_display()),
        (_("Submitted"), lambda r: _when(r.submitted_at)),
        (_("Reviewed by"), lambda r: r.reviewed_by.get_username() if r.reviewed_by else ""),
        (_("Reviewed"), lambda r: _when(r.reviewed_at)),
        (_("Decision reason"), lambda r: r.decision_reason),
        (_("Staff note"), lambda r: r.staff_note),
    ]


def export_rows(queryset: QuerySet[RegistrationRequest]) -> Iterator[list[object]]:
    """The header, then one row per request in first-come order.

    Questions become columns in their series' order; when the selection spans series, each
    header is qualified with its series title ("Leadership ECHO: Why join?").
    """
    series_ids = set(queryset.order_by().values_list("series_id", flat=True).distinct())
    questions = list(
        Question.objects.filter(series_id__in=series_ids)
        .select_related("series")
        .order_by("series__title", "series_id", "order", "pk")
    )
    qualify = len(series_ids) > 1
    columns = _core_columns()
    yield [label for label, _getter in columns] + [
        f"{question.series.title}: {question.label}" if qualify else question.label
        for question in questions
    ]
    multiple = {q.pk for q in questions if q.kind == QuestionKind.MULTIPLE_CHOICE}
    rows = (
        queryset.select_related("series", "reviewed_by")
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.order_by()))
        .order_by("submitted_at", "pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for registration_request in rows:
        answers = {}
        for answer in registration_request.answers.all():
            value = answer.value
            if answer.question_id in multiple:  # one option per line -> one cell
                value = "; ".join(line.strip() for line in value.splitlines() if line.strip())
            answers[answer.question_id] = value
        yield [getter(registration_request) for _label, getter in columns] + [
            answers.get(question.pk, "") for question in questions
        ]


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])


def requests_csv_response(queryset: QuerySet[RegistrationRequest]) -> StreamingHttpResponse:
    filename = f"registration-requests-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(
        csv_lines(export_rows(queryset)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
