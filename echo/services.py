"""The only code that changes a registration request's state.

Every function here runs in one transaction that checks its rule, writes the change, records
it in the request's history (`RequestEvent`, and the admin's log when staff made it) and
queues the emails it causes, so either all of that happens or none of it does. Which changes
exist, who may make them and what they send is declared once, in `echo.transitions`.

Capacity: approved requests and open offers hold seats (`holding_seats`). Every change that
takes a seat counts the seats and writes under the series lock (`echo.locking`), so two
people can never both take the last seat. When a seat frees (an approval withdrawn or
declined, an offer declined or lapsed, capacity raised), the first waitlisted request is
offered it in the same transaction, unless staff switched automatic offers off for the series.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .locking import LockTimeout, is_lock_timeout, lock_series
from .mail import Attachment, queue_email, recipient_language
from .models import (
    Actor,
    Answer,
    InterestSignup,
    Question,
    RegistrationRequest,
    RequestEvent,
    RequestState,
    Series,
    unused_reference,
)
from .participation import erase_participation_data, export_participation_data
from .transitions import Action, ErrorCode, ReasonUse, Transition, transition
from .transitions import allowed as allowed_for

ERROR_MESSAGES = {
    ErrorCode.NOT_ACCEPTING: _("This series is not taking requests at the moment."),
    ErrorCode.SERIES_FULL: _("The series is full: every seat is taken by an approval or an offer."),
    ErrorCode.NOT_ALLOWED: _("A request that is %(state)s cannot be %(action)s."),
    ErrorCode.NOT_YOURS: _("That change is not one you can make to this request."),
    ErrorCode.ALREADY_LIVE: _(
        "The applicant already has another open request for this series, so this one cannot "
        "be reopened."
    ),
    ErrorCode.WRONG_SERIES: _("An answer was given to a question of another series."),
    ErrorCode.OFFER_EXPIRED: _(
        "This offer has lapsed: its deadline has passed, so the seat has moved on to the next "
        "person. You can make a new request while the series takes them."
    ),
    ErrorCode.OFFER_NOT_DUE: _("This offer has not reached its deadline yet."),
    ErrorCode.BUSY: _(
        "Many people are using this series right now, so we could not save that. Nothing was "
        "lost: please send it again in a moment."
    ),
    ErrorCode.NO_PREVIOUS_RUN: _(
        "This series does not continue an earlier run, so it has no interest list to invite. "
        "Start it with “Duplicate” from the earlier run."
    ),
    ErrorCode.ALREADY_INVITED: _(
        "The interest list was already invited to this run on %(when)s; it is not sent twice."
    ),
}
# Kept as names so that views, the admin and tests agree on the words.
NOT_ACCEPTING = ERROR_MESSAGES[ErrorCode.NOT_ACCEPTING]
SERIES_FULL = ERROR_MESSAGES[ErrorCode.SERIES_FULL]
BUSY = ERROR_MESSAGES[ErrorCode.BUSY]


class RegistrationError(ValidationError):
    """A rule of the registration process refused the change; the message says which."""

    def __init__(self, code: ErrorCode, params: dict | None = None):
        super().__init__(ERROR_MESSAGES[code], code=str(code), params=params)


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

    Rules: the series must accept requests now (open, before its deadline, with a session
    ahead); one live request per email per series (a duplicate stores nothing new and emails
    the address instead); answers only to this series' questions. A request holds no seat,
    whether or not the series is full.
    """
    email = normalise_email(data["email"])
    for question in answers:
        if question.series_id != series.pk:
            raise RegistrationError(ErrorCode.WRONG_SERIES)
    try:
        with _busy_as_error(), transaction.atomic():
            locked = _lock_series(series.pk)
            if not locked.accepts_requests():
                raise RegistrationError(ErrorCode.NOT_ACCEPTING)
            if _live_request_exists(locked, email):
                _queue_duplicate_notice(locked, email)
                return SubmitResult(None, duplicate=True)
            registration_request = RegistrationRequest.objects.create(
                series=locked, reference=unused_reference(), **{**data, "email": email}
            )
            Answer.objects.bulk_create(
                Answer(request=registration_request, question=question, value=_answer_text(value))
                for question, value in answers.items()
            )
            RequestEvent.objects.create(
                request=registration_request,
                to_state=RequestState.PENDING,
                actor_kind=Actor.APPLICANT,
                reason="Submitted",
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


# --- Changes of state --------------------------------------------------------------------


def change_state(
    registration_request: RegistrationRequest,
    action: Action | str,
    *,
    actor: str,
    user: AbstractBaseUser | None = None,
    reason: str = "",
    at=None,
) -> RegistrationRequest:
    """Apply one transition of the table to a request, under the series lock.

    `actor` is an `Actor` (staff, the applicant, the portal itself); `user` the staff member
    when staff act. Raises `RegistrationError` when a rule refuses; nothing is written then.
    """
    declared = transition(action)
    reason = (reason or "").strip()[:2000] if declared.reason != ReasonUse.NONE else ""
    try:
        with _busy_as_error(), transaction.atomic():
            current = _apply(
                registration_request.pk, declared, actor=actor, user=user, reason=reason, at=at
            )
    except IntegrityError:
        if declared.action != Action.REOPEN:
            raise
        # Reopening would give the email a second live request in this series.
        raise RegistrationError(ErrorCode.ALREADY_LIVE) from None
    registration_request.state = current.state
    registration_request.offer_expires_at = current.offer_expires_at
    return current


def _apply(
    request_pk: int,
    declared: Transition,
    *,
    actor: str,
    user: AbstractBaseUser | None,
    reason: str,
    at=None,
) -> RegistrationRequest:
    """The transition itself, inside the caller's transaction. Locks the series first, then
    the request: one lock order everywhere, so no deadlocks."""
    now = at or timezone.now()
    series_id = RegistrationRequest.objects.values_list("series_id", flat=True).get(pk=request_pk)
    series = _lock_series(series_id)
    current = RegistrationRequest.objects.select_for_update().get(pk=request_pk)
    if current.state not in declared.sources:
        raise RegistrationError(
            ErrorCode.NOT_ALLOWED,
            params={"state": current.get_state_display().lower(), "action": declared.done},
        )
    if actor not in declared.actors:
        raise RegistrationError(ErrorCode.NOT_YOURS)
    expires = current.offer_expires_at
    if declared.action == Action.ACCEPT and expires is not None and expires <= now:
        raise RegistrationError(ErrorCode.OFFER_EXPIRED)
    if declared.action == Action.EXPIRE and (expires is None or expires > now):
        raise RegistrationError(ErrorCode.OFFER_NOT_DUE)
    if declared.takes_seat and series.capacity is not None:
        others = series.requests.holding_seats().exclude(pk=current.pk).count()
        if others >= series.capacity:
            raise RegistrationError(ErrorCode.SERIES_FULL)
    from_state = current.state
    current.state = declared.target
    current.series = series
    if actor == Actor.STAFF:
        current.reviewed_at = now
        current.reviewed_by = user if user is not None and user.is_authenticated else None
    if declared.reason == ReasonUse.SENT:
        current.decision_reason = reason
    current.offer_expires_at = (
        now + timedelta(hours=series.offer_hours) if declared.action == Action.OFFER else None
    )
    current.save(
        update_fields=["state", "reviewed_at", "reviewed_by", "decision_reason", "offer_expires_at"]
    )
    _record(current, declared, from_state, actor=actor, user=user, reason=reason)
    _queue_applicant_email(current, declared)
    if declared.frees_seat(from_state):
        _seat_freed(series, current, now=now)
    return current


def _record(
    registration_request: RegistrationRequest,
    declared: Transition,
    from_state: str,
    *,
    actor: str,
    user: AbstractBaseUser | None,
    reason: str,
) -> None:
    """One audit path: the request's history and, for staff, the admin log, in the same words."""
    # A staff member acting through an applicant's link is recorded as themselves.
    known_user = user if user is not None and getattr(user, "pk", None) else None
    staff_user = known_user if actor == Actor.STAFF else None
    RequestEvent.objects.create(
        request=registration_request,
        actor=known_user,
        actor_kind=actor,
        from_state=from_state,
        to_state=declared.target,
        reason=reason,
    )
    if staff_user is not None:
        text = _("%(action)s (was %(from)s).") % {
            "action": str(declared.done).capitalize(),
            "from": RequestState(from_state).label.lower(),
        }
        if reason:
            text += " " + _("Reason: %(reason)s") % {"reason": reason}
        LogEntry.objects.create(
            user=staff_user,
            content_type=ContentType.objects.get_for_model(RegistrationRequest),
            object_id=str(registration_request.pk),
            object_repr=str(registration_request)[:200],
            action_flag=CHANGE,
            change_message=text,
        )


def _seat_freed(series: Series, freed_by: RegistrationRequest, *, now) -> None:
    """A seat came free: offer it on (automatic offers) or tell staff who is next."""
    if series.auto_offers:
        _offer_free_seats(series, now=now)
        return
    staff_context = _context(freed_by, for_staff=True)
    staff_context["next_on_waitlist"] = list(series.requests.waitlist()[:3])
    queue_email(
        kind="staff_seat_freed",
        to=staff_addresses(series),
        template="staff_seat_freed",
        context=staff_context,
        registration_request=freed_by,
    )


def _offer_free_seats(series: Series, *, now) -> int:
    """Offer each free seat to the next waitlisted request, first come first offered. Runs
    under the series lock, inside the caller's transaction."""
    if series.capacity is None or not series.auto_offers:
        return 0
    free = series.capacity - series.requests.holding_seats().count()
    offered = 0
    for pk in series.requests.waitlist().values_list("pk", flat=True)[: max(free, 0)]:
        _apply(pk, transition(Action.OFFER), actor=Actor.SYSTEM, user=None, reason="", at=now)
        offered += 1
    return offered


def offer_free_seats(*, series: Series) -> int:
    """After capacity is raised (or automatic offers switched on): offer what is free."""
    with _busy_as_error(), transaction.atomic():
        locked = _lock_series(series.pk)
        return _offer_free_seats(locked, now=timezone.now())


def expire_due_offers(*, at=None, series: Series | None = None, limit: int = 200) -> int:
    """Let every offer past its deadline lapse, each in its own transaction (so a crash loses
    at most the one in flight, which is then redone), offering each freed seat on. Safe to
    run in several processes at once: each re-checks the offer under the series lock."""
    now = at or timezone.now()
    due = RegistrationRequest.objects.filter(
        state=RequestState.OFFERED, offer_expires_at__lte=now
    ).order_by("offer_expires_at", "pk")
    if series is not None:
        due = due.filter(series=series)
    lapsed = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        try:
            with _busy_as_error(), transaction.atomic():
                _apply(pk, transition(Action.EXPIRE), actor=Actor.SYSTEM, user=None, reason="",
                       at=now)  # fmt: skip
        except RegistrationError:
            continue  # another process handled it first, or the series is busy: next round
        lapsed += 1
    return lapsed


# Named shortcuts for staff and applicants, as the admin, views and tests call them.


def approve_request(*, registration_request, actor, reason: str = "") -> RegistrationRequest:
    """Approve a pending or waitlisted request if a seat is free."""
    return _by_staff_or_applicant(registration_request, Action.APPROVE, actor, reason)


def waitlist_request(*, registration_request, actor, reason: str = "") -> RegistrationRequest:
    """Put a pending request on the series' waitlist (first come, first offered)."""
    return _by_staff_or_applicant(registration_request, Action.WAITLIST, actor, reason)


def decline_request(*, registration_request, actor, reason: str = "") -> RegistrationRequest:
    """Decline a request; the reason, if any, is sent to the applicant."""
    return _by_staff_or_applicant(registration_request, Action.DECLINE, actor, reason)


def withdraw_request(*, registration_request, actor, reason: str = "") -> RegistrationRequest:
    """Withdraw a live request: by staff, or by the applicant when `actor` is None."""
    if registration_request.state == RequestState.OFFERED:
        return _by_staff_or_applicant(registration_request, Action.DECLINE_OFFER, actor, reason)
    return _by_staff_or_applicant(registration_request, Action.WITHDRAW, actor, reason)


def reopen_request(*, registration_request, actor, reason: str = "") -> RegistrationRequest:
    """Return a declined or lapsed request to pending, unless the applicant has another."""
    return _by_staff_or_applicant(registration_request, Action.REOPEN, actor, reason)


def accept_offer(*, registration_request) -> RegistrationRequest:
    """The applicant takes the seat offered to them, before the offer's deadline."""
    return change_state(registration_request, Action.ACCEPT, actor=Actor.APPLICANT)


def decline_offer(*, registration_request) -> RegistrationRequest:
    return change_state(registration_request, Action.DECLINE_OFFER, actor=Actor.APPLICANT)


def _by_staff_or_applicant(registration_request, action, actor, reason):
    """`actor` is the staff member; None means the applicant where the applicant may make
    the change, and otherwise staff acting outside the admin (a script, the shell)."""
    who = Actor.STAFF
    if actor is None and Actor.APPLICANT in transition(action).actors:
        who = Actor.APPLICANT
    return change_state(registration_request, action, actor=who, user=actor, reason=reason)


def allowed_transitions(state: str, actor: str = Actor.STAFF) -> list[Transition]:
    return allowed_for(state, actor)


def _lock_series(series_id: int) -> Series:
    """Lock the series row for the rest of the transaction (see `echo.locking`)."""
    return lock_series(series_id)[0]


class _busy_as_error:  # a context manager, named like the function it acts as
    """Turn a lock wait that timed out into a readable RegistrationError."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None and issubclass(kind, LockTimeout):
            raise RegistrationError(ErrorCode.BUSY) from error
        if kind is not None and issubclass(kind, OperationalError) and is_lock_timeout(error):
            raise RegistrationError(ErrorCode.BUSY) from error
        return False


# --- Messages to applicants --------------------------------------------------------------


def send_message(*, requests, subject: str, body: str, token: str, user) -> int | None:
    """Queue one email per selected applicant (placeholders filled in for each) and note it in
    each request's history. The compose page's `token` makes a double submission send
    nothing: it returns None then. Anonymised requests get nothing."""
    from .email_texts import as_html, substitute, values_for
    from .models import MessageBatch

    try:
        with transaction.atomic():
            batch = MessageBatch.objects.create(
                token=token, subject=subject, body=body, sent_by=user
            )
            count = 0
            for registration_request in requests:
                if registration_request.anonymised_at:
                    continue
                values = values_for(registration_request)
                text = substitute(body, values)
                queue_email(
                    kind="message",
                    to=[registration_request.email],
                    template="staff_message",
                    context={
                        **_context(registration_request),
                        "subject": substitute(subject, values),
                        "text": text,
                        "html": as_html(text),
                    },
                    registration_request=registration_request,
                )
                RequestEvent.objects.create(
                    request=registration_request,
                    actor=user,
                    actor_kind=Actor.STAFF,
                    from_state=registration_request.state,
                    to_state=registration_request.state,
                    reason=f"Message sent: {subject}",
                )
                count += 1
            batch.recipients = count
            batch.save(update_fields=["recipients"])
            return count
    except IntegrityError:
        return None  # this compose page was sent already


# --- Interest list -----------------------------------------------------------------------


def join_interest_list(*, series: Series, data: dict) -> InterestSignup | None:
    """Add someone to a series' interest list and confirm it by email. A second sign-up of
    the same email stores nothing and sends nothing (the page looks the same)."""
    email = normalise_email(data["email"])
    try:
        with transaction.atomic():
            if InterestSignup.objects.filter(series=series, email__iexact=email).exists():
                return None
            signup = InterestSignup.objects.create(series=series, **{**data, "email": email})
            queue_email(
                kind="interest_joined",
                to=[signup.email],
                template="interest_joined",
                context=_interest_context(signup),
                interest_signup=signup,
            )
            return signup
    except IntegrityError:  # the same email at the same moment: one row wins
        return None


def leave_interest_list(*, token: str) -> bool:
    """Remove an entry (and its personal data) by the link in its emails."""
    deleted, _counts = InterestSignup.objects.filter(token=token).delete()
    return bool(deleted)


def invite_interest_list(*, series: Series, user: AbstractBaseUser | None) -> int:
    """Queue one invitation per person on the previous run's interest list to this run, and
    record it on the series so that it cannot be sent twice (two clicks at the same moment
    included: the check and the record are made under the series lock)."""
    now = timezone.now()
    with _busy_as_error(), transaction.atomic():
        locked = _lock_series(series.pk)
        if locked.previous_run_id is None:
            raise RegistrationError(ErrorCode.NO_PREVIOUS_RUN)
        if locked.interest_invited_at is not None:
            when = timezone.localtime(locked.interest_invited_at, locked.zone)
            raise RegistrationError(
                ErrorCode.ALREADY_INVITED, params={"when": when.strftime("%Y-%m-%d %H:%M %Z")}
            )
        if not (locked.is_published and locked.accepts_requests()):
            raise RegistrationError(ErrorCode.NOT_ACCEPTING)
        signups = InterestSignup.objects.filter(
            series_id=locked.previous_run_id, invited_at__isnull=True
        ).select_for_update()
        count = 0
        for signup in signups:
            queue_email(
                kind="interest_invite",
                to=[signup.email],
                template="interest_invite",
                context={**_interest_context(signup), "new_series": locked},
                interest_signup=signup,
            )
            signup.invited_at = now
            signup.save(update_fields=["invited_at"])
            count += 1
        locked.interest_invited_at = now
        locked.interest_invited_by = user if user is not None and user.pk else None
        locked.save(update_fields=["interest_invited_at", "interest_invited_by"])
    series.interest_invited_at = now
    return count


def offer_deadline_text(registration_request: RegistrationRequest) -> str:
    """The offer's deadline in the series' time zone, zone named: "Friday, May 8, 2026,
    1:00 p.m. PDT"."""
    series = registration_request.series
    local = timezone.localtime(registration_request.offer_expires_at, series.zone)
    return dateformat.format(local, gettext("l, F j, Y, g:i a T"))


def _interest_context(signup: InterestSignup) -> dict:
    return {
        "signup": signup,
        "series": signup.series,
        "unsubscribe_url": settings.PORTAL_BASE_URL + signup.get_unsubscribe_url(),
    }


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


def _queue_applicant_email(registration_request: RegistrationRequest, declared: Transition) -> None:
    if not declared.email:
        return
    # The calendar file and the offer's deadline are written in the applicant's language too.
    with translation.override(recipient_language(declared.email_kind, registration_request)):
        _queue_transition_email(registration_request, declared)


def _queue_transition_email(registration_request: RegistrationRequest, declared: Transition):
    context = _context(registration_request)
    series = registration_request.series
    attachment = None
    if declared.target == RequestState.APPROVED:
        from .calendar import series_calendar

        context["sessions"] = list(series.upcoming_sessions())
        if context["sessions"]:
            calendar = series_calendar(
                series, include_join_link=True, base_url=settings.PORTAL_BASE_URL, upcoming=True
            )
            attachment = Attachment(f"{series.slug}.ics", calendar.decode(), "text/calendar")
    elif declared.target == RequestState.WAITLISTED:
        context["position"] = registration_request.waitlist_position()
    elif declared.target == RequestState.OFFERED:
        context["deadline"] = offer_deadline_text(registration_request)
    queue_email(
        kind=declared.email_kind,
        to=[registration_request.email],
        template=declared.email,
        context=context,
        registration_request=registration_request,
        attachment=attachment,
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
    """Anonymise every request of every series whose retention period has ended, and delete
    interest-list entries kept longer than their series' retention period."""
    at = at or timezone.now()
    counts: dict[str, int] = {}
    for series in Series.objects.with_session_dates():
        stale = series.interest.filter(created_at__lte=at - timedelta(days=series.retention_days))
        deleted, _counts = stale.delete()
        if deleted:
            counts[f"{series.slug} (interest list)"] = deleted
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
