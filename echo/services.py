"""The only code that changes a registration request's state.

Every function here runs in one transaction that checks its rule, writes the change, records
it in the request's history (`RequestEvent`) and queues the emails it causes, so either all
of that happens or none of it does.

Capacity: only approved requests hold seats (`RegistrationRequestQuerySet.holding_seats`).
Approval counts the seats and writes under a lock on the series row, so two reviewers can
never both take the last seat: `select_for_update()` on PostgreSQL; on SQLite the
IMMEDIATE transaction mode (settings) makes each write transaction exclusive.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .mail import Attachment, queue_email
from .models import (
    LIVE_STATES,
    Answer,
    Question,
    RegistrationRequest,
    RequestEvent,
    RequestState,
    Series,
)
from .participation import erase_participation_data, export_participation_data

# Messages, kept as constants so that views, the admin and tests agree on them.
NOT_ACCEPTING = _("This series is not taking requests at the moment.")
SERIES_FULL = _("The series is full: every seat is taken by an approved request.")
NOT_ALLOWED = _("A request that is %(state)s cannot be %(action)s.")
ALREADY_LIVE = _(
    "The applicant already has another open request for this series, so this one cannot be "
    "reopened."
)
WRONG_SERIES_QUESTION = _("An answer was given to a question of another series.")
BUSY = _(
    "Many people are using this series right now, so we could not save that. Nothing was "
    "lost: please send it again in a moment."
)


class RegistrationError(ValidationError):
    """A rule of the registration process refused the change; the message says which."""


@dataclass(frozen=True)
class Transition:
    action: str  # the verb shown in messages ("approved", "declined" …)
    sources: tuple[str, ...]
    target: str


APPROVE = Transition(_("approved"), (RequestState.PENDING, RequestState.WAITLISTED),
                     RequestState.APPROVED)  # fmt: skip
WAITLIST = Transition(_("waitlisted"), (RequestState.PENDING,), RequestState.WAITLISTED)
DECLINE = Transition(_("declined"), (RequestState.PENDING, RequestState.WAITLISTED),
                     RequestState.DECLINED)  # fmt: skip
WITHDRAW = Transition(_("withdrawn"), LIVE_STATES, RequestState.WITHDRAWN)
REOPEN = Transition(_("reopened"), (RequestState.DECLINED,), RequestState.PENDING)

TRANSITIONS = (APPROVE, WAITLIST, DECLINE, WITHDRAW, REOPEN)


# --- Submitting --------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    """What happened to a submission. `duplicate` is never shown to the public."""

    registration_request: RegistrationRequest | None
    duplicate: bool


def normalise_email(address: str) -> str:
    return address.strip().lower()


def submit_request(
    *, series: Series, data: dict, answers: dict[Question, str | list[str]]
) -> SubmitResult:
    """Store a new pending request with its answers, unless the email already has a live one.

    Rules: the series must accept requests now; one live request per email per series (a
    duplicate stores nothing new and emails the address instead); answers only to this
    series' questions. A request holds no seat, whether or not the series is full.
    """
    email = normalise_email(data["email"])
    for question in answers:
        if question.series_id != series.pk:
            raise RegistrationError(WRONG_SERIES_QUESTION, code="wrong_series")
    try:
        with _BusyAsRegistrationError(), transaction.atomic():
            locked = _lock_series(series.pk)
            if not locked.accepts_requests():
                raise RegistrationError(NOT_ACCEPTING, code="not_accepting")
            if _live_request_exists(locked, email):
                _queue_duplicate_notice(locked, email)
                return SubmitResult(None, duplicate=True)
            registration_request = RegistrationRequest.objects.create(
                series=locked, **{**data, "email": email}
            )
            Answer.objects.bulk_create(
                Answer(request=registration_request, question=question, value=_answer_text(value))
                for question, value in answers.items()
            )
            RequestEvent.objects.create(
                request=registration_request, to_state=RequestState.PENDING, reason="Submitted"
            )
            _queue_submission_emails(registration_request)
            return SubmitResult(registration_request, duplicate=False)
    except IntegrityError:
        # Another submission with the same email won the race between our check and insert.
        if not _live_request_exists(series, email):
            raise
        with transaction.atomic():
            _queue_duplicate_notice(series, email)
        return SubmitResult(None, duplicate=True)


def _answer_text(value: str | list[str]) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    return str(value)


def _live_request_exists(series: Series, email: str) -> bool:
    return (
        RegistrationRequest.objects.live().filter(series_id=series.pk, email__iexact=email).exists()
    )


# --- Decisions ---------------------------------------------------------------------------


def approve_request(
    *, registration_request: RegistrationRequest, actor: AbstractBaseUser | None, reason: str = ""
) -> RegistrationRequest:
    """Approve a pending or waitlisted request if a seat is free; the seat count and the
    write happen under the series lock, so approvals never exceed capacity."""
    return _change(registration_request, APPROVE, actor=actor, reason=reason)


def waitlist_request(
    *, registration_request: RegistrationRequest, actor: AbstractBaseUser | None, reason: str = ""
) -> RegistrationRequest:
    """Put a pending request on the series' waitlist (first come, first offered)."""
    return _change(registration_request, WAITLIST, actor=actor, reason=reason)


def decline_request(
    *, registration_request: RegistrationRequest, actor: AbstractBaseUser | None, reason: str = ""
) -> RegistrationRequest:
    """Decline a pending or waitlisted request; the reason, if any, is sent to the applicant."""
    return _change(registration_request, DECLINE, actor=actor, reason=reason)


def withdraw_request(
    *,
    registration_request: RegistrationRequest,
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> RegistrationRequest:
    """Withdraw a live request (by staff, or by the applicant when `actor` is None). A
    withdrawn approval frees its seat at once; staff are told who is next on the waitlist."""
    return _change(registration_request, WITHDRAW, actor=actor, reason=reason)


def reopen_request(
    *, registration_request: RegistrationRequest, actor: AbstractBaseUser | None, reason: str = ""
) -> RegistrationRequest:
    """Return a declined request to pending, unless the applicant has opened another since."""
    return _change(registration_request, REOPEN, actor=actor, reason=reason)


def allowed_transitions(state: str) -> list[Transition]:
    return [transition for transition in TRANSITIONS if state in transition.sources]


def _lock_series(series_id: int) -> Series:
    """Lock the series row for the rest of the transaction (a no-op on SQLite, where the
    IMMEDIATE transaction already holds the database's write lock). Waiting for the lock is
    bounded: past PORTAL_LOCK_TIMEOUT_SECONDS the caller gets a "busy, try again" error."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            milliseconds = int(settings.PORTAL_LOCK_TIMEOUT_SECONDS * 1000)
            cursor.execute(f"SET LOCAL lock_timeout = {milliseconds}")
    return Series.objects.select_for_update().get(pk=series_id)


def _is_lock_timeout(error: OperationalError) -> bool:
    cause = error.__cause__
    if getattr(cause, "sqlstate", None) == "55P03":  # PostgreSQL: lock_not_available
        return True
    return "database is locked" in str(error)  # SQLite's busy timeout


class _BusyAsRegistrationError:
    """Turn a lock wait that timed out into a readable RegistrationError."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None and issubclass(kind, OperationalError) and _is_lock_timeout(error):
            raise RegistrationError(BUSY, code="busy") from error
        return False


def _change(
    registration_request: RegistrationRequest,
    transition: Transition,
    *,
    actor: AbstractBaseUser | None,
    reason: str,
) -> RegistrationRequest:
    reason = (reason or "").strip()
    try:
        with _BusyAsRegistrationError(), transaction.atomic():
            # Always the series first, then the request: one lock order, no deadlocks.
            series = _lock_series(registration_request.series_id)
            current = RegistrationRequest.objects.select_for_update().get(
                pk=registration_request.pk
            )
            if current.state not in transition.sources:
                raise RegistrationError(
                    NOT_ALLOWED,
                    code="not_allowed",
                    params={
                        "state": current.get_state_display().lower(),
                        "action": transition.action,
                    },
                )
            if transition is APPROVE and series.capacity is not None:
                seats_used = RegistrationRequest.objects.filter(series=series).holding_seats()
                if seats_used.count() >= series.capacity:
                    raise RegistrationError(SERIES_FULL, code="series_full")
            from_state = current.state
            current.state = transition.target
            current.reviewed_at = timezone.now()
            current.reviewed_by = actor if actor is not None and actor.is_authenticated else None
            if transition in (DECLINE, APPROVE, WAITLIST):
                current.decision_reason = reason
            current.save(update_fields=["state", "reviewed_at", "reviewed_by", "decision_reason"])
            RequestEvent.objects.create(
                request=current,
                actor=current.reviewed_by,
                from_state=from_state,
                to_state=transition.target,
                reason=reason or ("" if actor else "By the applicant"),
            )
            current.series = series
            _queue_decision_emails(current, transition, from_state=from_state)
    except IntegrityError:
        # Reopening would give the email a second live request in this series.
        raise RegistrationError(ALREADY_LIVE, code="already_live") from None
    registration_request.state = current.state
    return current


# --- Emails ------------------------------------------------------------------------------


def staff_addresses(series: Series) -> list[str]:
    return series.staff_email_list or list(settings.PORTAL_STAFF_EMAILS)


def _context(registration_request: RegistrationRequest, *, for_staff: bool = False) -> dict:
    context = {"registration_request": registration_request, "series": registration_request.series}
    if not for_staff:  # the private link is the applicant's alone
        context["status_url"] = settings.PORTAL_BASE_URL + registration_request.get_status_url()
    return context


def _queue_submission_emails(registration_request: RegistrationRequest) -> None:
    queue_email(
        kind="received",
        to=[registration_request.email],
        template="request_received",
        context=_context(registration_request),
        registration_request=registration_request,
    )
    queue_email(
        kind="staff_new_request",
        to=staff_addresses(registration_request.series),
        template="staff_new_request",
        context=_context(registration_request, for_staff=True),
        registration_request=registration_request,
    )


def _queue_duplicate_notice(series: Series, email: str) -> None:
    existing = (
        RegistrationRequest.objects.live().filter(series_id=series.pk, email__iexact=email).first()
    )
    context = {"series": series, "registration_request": existing}
    if existing is not None:
        context["status_url"] = settings.PORTAL_BASE_URL + existing.get_status_url()
    queue_email(
        kind="duplicate",
        to=[email],
        template="request_duplicate",
        context=context,
        registration_request=existing,
    )


# The email each decision sends the applicant: (kind, template). Reopening sends none.
APPLICANT_EMAILS = {
    APPROVE: ("approved", "request_approved"),
    WAITLIST: ("waitlisted", "request_waitlisted"),
    DECLINE: ("declined", "request_declined"),
    WITHDRAW: ("withdrawn", "request_withdrawn"),
}


def _queue_decision_emails(
    registration_request: RegistrationRequest, transition: Transition, *, from_state: str
) -> None:
    if transition not in APPLICANT_EMAILS:
        return
    kind, template = APPLICANT_EMAILS[transition]
    context = _context(registration_request)
    series = registration_request.series
    attachment = None
    if transition is APPROVE:
        from .calendar import series_calendar

        context["sessions"] = list(series.sessions.not_cancelled().order_by("starts_at"))
        calendar = series_calendar(
            series, include_join_link=True, base_url=settings.PORTAL_BASE_URL
        )
        attachment = Attachment(f"{series.slug}.ics", calendar.decode(), "text/calendar")
    elif transition is WAITLIST:
        context["position"] = registration_request.waitlist_position()
    queue_email(
        kind=kind,
        to=[registration_request.email],
        template=template,
        context=context,
        registration_request=registration_request,
        attachment=attachment,
    )
    if transition is WITHDRAW and from_state == RequestState.APPROVED:
        staff_context = _context(registration_request, for_staff=True)
        staff_context["next_on_waitlist"] = list(
            RegistrationRequest.objects.filter(series=series).waitlist()[:3]
        )
        queue_email(
            kind="staff_seat_freed",
            to=staff_addresses(series),
            template="staff_seat_freed",
            context=staff_context,
            registration_request=registration_request,
        )


# --- Personal data ---------------------------------------------------------------------------

ANONYMISED_NAME = "Anonymised applicant"
FREE_TEXT_KINDS = ("short_text", "long_text")


def anonymise_request(*, registration_request: RegistrationRequest) -> None:
    """Erase the applicant's personal data (names, contact details, organization, free-text
    answers, staff notes, stored emails) and keep what counts need: series, sector, county,
    state, dates, and choice answers."""
    with transaction.atomic():
        request = RegistrationRequest.objects.select_for_update().get(pk=registration_request.pk)
        request.full_name = ANONYMISED_NAME
        request.email = f"anonymised-{request.pk}@invalid.example"
        request.organization = request.role_title = request.phone = ""
        request.staff_note = request.decision_reason = ""
        request.anonymised_at = timezone.now()
        request.save()
        request.answers.filter(question__kind__in=FREE_TEXT_KINDS).update(value="")
        request.events.update(reason="")
        request.emails.all().delete()
        erase_participation_data(registration_request=request)
    registration_request.refresh_from_db()


def anonymise_expired_requests(*, at=None) -> dict[str, int]:
    """Anonymise every request of every series whose retention period has ended."""
    at = at or timezone.now()
    counts: dict[str, int] = {}
    for series in Series.objects.with_session_dates():
        if series.retention_ends_at() > at:
            continue
        pending = series.requests.filter(anonymised_at__isnull=True)
        for registration_request in pending.iterator():
            anonymise_request(registration_request=registration_request)
            counts[series.slug] = counts.get(series.slug, 0) + 1
    return counts


def export_request_data(*, registration_request: RegistrationRequest) -> dict:
    """Everything stored about one applicant's request, for a subject access request."""
    request = registration_request
    return {
        "series": request.series.title,
        "full_name": request.full_name,
        "email": request.email,
        "phone": request.phone,
        "organization": request.organization,
        "role_title": request.role_title,
        "sector": request.get_sector_display(),
        "county_or_tribe": request.get_county_display(),
        "consent": request.consent,
        "state": request.get_state_display(),
        "submitted_at": request.submitted_at.isoformat(),
        "reviewed_at": request.reviewed_at.isoformat() if request.reviewed_at else None,
        "decision_reason": request.decision_reason,
        "answers": [
            {"question": answer.question.label, "answer": answer.value}
            for answer in request.answers.select_related("question")
        ],
        "history": [
            {"when": event.created_at.isoformat(), "from": event.from_state,
             "to": event.to_state, "why": event.reason}
            for event in request.events.all()
        ],
        "emails": [
            {"sent_or_queued": email.created_at.isoformat(), "to": email.recipients,
             "subject": email.subject, "status": email.status}
            for email in request.emails.all()
        ],
        "participation": export_participation_data(request),
    }  # fmt: skip
