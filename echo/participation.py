"""What an approved participant sees of their participation, and erasing it with their data."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from . import feedback
from .models import (
    Attendance,
    CasePresentation,
    Certificate,
    RegistrationRequest,
    ReportRow,
    RequestState,
    Series,
    Session,
)


def participation_context(registration_request: RegistrationRequest) -> dict:
    """The status page's participation panel: attendance so far, the certificate, cases
    and feedback. Empty for a request that is not approved."""
    if registration_request.state != RequestState.APPROVED:
        return {}
    attended_rows = Attendance.objects.filter(request=registration_request, session=OuterRef("pk"))
    held = list(
        Session.objects.filter(
            series_id=registration_request.series_id,
            is_cancelled=False,
            ends_at__lte=timezone.now(),
        )
        .select_related("series")
        .annotate(was_there=Exists(attended_rows.attended()))
        .order_by("-starts_at")
    )
    attended = [session for session in held if session.was_there]
    certificate = Certificate.objects.filter(
        request=registration_request, revoked_at__isnull=True
    ).first()
    cases = list(
        CasePresentation.objects.filter(request=registration_request)
        .select_related("session")
        .only("title", "submitted_at", "session__number", "session__title", "session__starts_at")
    )
    return {
        "participation": {
            "attended": len(attended),
            "held": len(held),
            "certificate": certificate,
            "cases": cases,
            "feedback_slots": feedback.feedback_slots(registration_request, attended),
        }
    }


def export_participation_data(registration_request: RegistrationRequest) -> dict:
    """A participant's attendance, certificate and cases, for a subject access request
    (feedback is anonymous and cannot be found by person)."""
    rows = Attendance.objects.filter(request=registration_request).select_related("session")
    certificate = Certificate.objects.filter(request=registration_request).first()
    return {
        "attendance": [
            {"session": row.session.number, "minutes_in_report": row.report_minutes,
             "marked_by_staff": row.marked, "attended": row.attended}
            for row in rows.select_related("session__series").order_by("session__number")
        ],
        "certificate": None if certificate is None else {
            "issued_at": certificate.issued_at.isoformat(),
            "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        },
        "cases": [
            {"title": case.title, "question": case.question, "background": case.background,
             "tried": case.tried, "help_wanted": case.help_wanted,
             "submitted_at": case.submitted_at.isoformat()}
            for case in CasePresentation.objects.filter(request=registration_request)
        ],
    }  # fmt: skip


def erase_participation_data(*, registration_request: RegistrationRequest) -> None:
    """With an applicant's personal data: their cases, and their name and email in any
    attendance report. Attendance and anonymous feedback stay (they name no one)."""
    CasePresentation.objects.filter(request=registration_request).delete()
    ReportRow.objects.filter(request=registration_request).update(name="", email="")


def erase_expired_reports(*, at=None) -> int:
    """Names and emails of everyone in the attendance reports of series whose retention
    period has ended, matched or not."""
    at = at or timezone.now()
    expired = [
        series.pk
        for series in Series.objects.with_session_dates()
        if series.retention_ends_at() <= at
    ]
    if not expired:
        return 0
    return (
        ReportRow.objects.filter(report__session__series_id__in=expired)
        .filter(~Q(name="") | ~Q(email=""))
        .update(name="", email="")
    )
