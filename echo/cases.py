"""Case presentations: a participant's de-identified case, scheduled into a session.

Text is checked for identifiers (`echo.deidentify`) before anything is stored; a refused
case leaves no trace: nothing in the database, the email log or the logs.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .deidentify import find_identifiers
from .mail import queue_email
from .models import CasePresentation, RegistrationRequest, RequestState, Session

CASE_FIELDS = ("title", "question", "background", "tried", "help_wanted")

NOT_APPROVED = _("Only approved participants can present a case.")
IDENTIFIERS_FOUND = _("The case still contains identifiers; remove them and send it again.")
NOT_CONFIRMED = _("Confirm that you removed names and other identifiers.")
WRONG_SESSION = _("Choose a session of the presenter's own series that is not cancelled.")


class CaseError(ValidationError):
    """A case rule refused the change. The message never repeats the case's text."""


def identifiers_by_field(data: dict[str, str]) -> dict[str, list]:
    """The identifiers found in each field of a case, for the form to show beside it."""
    found = {}
    for name in CASE_FIELDS:
        findings = find_identifiers(data.get(name) or "")
        if findings:
            found[name] = findings
    return found


def submit_case(
    *, registration_request: RegistrationRequest, data: dict[str, str], confirmed: bool
) -> CasePresentation:
    """Store a participant's case. Rules: the request is approved; no field shows an
    identifier (checked here again, whatever the form did); the presenter confirmed that
    they removed names and other identifiers."""
    if registration_request.state != RequestState.APPROVED:
        raise CaseError(NOT_APPROVED, code="not_approved")
    if not confirmed:
        raise CaseError(NOT_CONFIRMED, code="not_confirmed")
    if identifiers_by_field(data):
        raise CaseError(IDENTIFIERS_FOUND, code="identifiers")
    return CasePresentation.objects.create(
        request=registration_request,
        confirmed_deidentified=True,
        **{name: (data.get(name) or "").strip() for name in CASE_FIELDS},
    )


def schedule_case(
    *, case: CasePresentation, session: Session | None, actor: AbstractBaseUser | None
) -> CasePresentation:
    """Schedule a case into a session of its series (or take it off the schedule with None).
    Rules: the session belongs to the presenter's series and is not cancelled; the presenter
    is emailed the session's date when it is scheduled or moved."""
    registration_request = case.request
    if session is not None and (
        session.series_id != registration_request.series_id or session.is_cancelled
    ):
        raise CaseError(WRONG_SESSION, code="wrong_session")
    with transaction.atomic():
        current = CasePresentation.objects.select_for_update().get(pk=case.pk)
        changed = current.session_id != (session.pk if session else None)
        current.session = session
        current.scheduled_by = actor if session is not None else None
        current.scheduled_at = timezone.now() if session is not None else None
        current.save(update_fields=["session", "scheduled_by", "scheduled_at"])
        if changed and session is not None:
            queue_email(
                kind="case_scheduled",
                to=[registration_request.email],
                template="case_scheduled",
                context={
                    "registration_request": registration_request,
                    "series": registration_request.series,
                    "case": current,
                    "session": session,
                    "status_url": settings.PORTAL_BASE_URL + registration_request.get_status_url(),
                },
                registration_request=registration_request,
            )
    case.session = current.session
    return current
