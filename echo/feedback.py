"""Anonymous session feedback: one answer per attendee per session, editable for 7 days.

Answers carry no name: `respondent_key` is a keyed hash of the participant and the session,
so the portal can find a person's own answer again while staff cannot tell whose it is.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Attendance, RegistrationRequest, RequestState, Session, SessionFeedback

EDIT_WINDOW = timedelta(days=7)
NOT_ATTENDED = _("Feedback is for people who attended the session.")
CLOSED = _("Feedback can be changed for 7 days after it is sent; this time has passed.")


class FeedbackError(ValidationError):
    """A feedback rule refused the answer; the message says which."""


def respondent_key(registration_request: RegistrationRequest, session: Session) -> str:
    message = f"session-feedback:{registration_request.pk}:{session.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@dataclass
class FeedbackSlot:
    """A session an attendee may give (or has given) feedback on."""

    session: Session
    feedback: SessionFeedback | None

    @property
    def editable(self) -> bool:
        return self.feedback is None or is_editable(self.feedback)


def is_editable(feedback: SessionFeedback, at=None) -> bool:
    return (at or timezone.now()) < feedback.submitted_at + EDIT_WINDOW


def attended_sessions(registration_request: RegistrationRequest, at=None):
    """Sessions the participant attended that have ended (feedback is asked after them)."""
    attended = Attendance.objects.filter(request=registration_request).attended()
    return (
        Session.objects.filter(
            pk__in=attended.values("session_id"),
            is_cancelled=False,
            ends_at__lte=at or timezone.now(),
        )
        .select_related("series")
        .order_by("-starts_at")
    )


def feedback_slots(
    registration_request: RegistrationRequest, sessions: list[Session] | None = None
) -> list[FeedbackSlot]:
    """The attended sessions, each with the participant's feedback if they gave it."""
    if sessions is None:
        sessions = list(attended_sessions(registration_request))
    if not sessions:
        return []
    keys = {respondent_key(registration_request, session): session for session in sessions}
    given = {
        feedback.respondent: feedback
        for feedback in SessionFeedback.objects.filter(respondent__in=keys)
    }
    return [
        FeedbackSlot(session, given.get(respondent_key(registration_request, session)))
        for session in sessions
    ]


def find_feedback(
    registration_request: RegistrationRequest, session: Session
) -> SessionFeedback | None:
    return SessionFeedback.objects.filter(
        session=session, respondent=respondent_key(registration_request, session)
    ).first()


def save_feedback(
    *,
    registration_request: RegistrationRequest,
    session: Session,
    usefulness: int,
    will_apply: bool,
    comment: str,
) -> SessionFeedback:
    """Store or update an attendee's feedback. Rules: an approved participant who attended
    the session, after it ended; one answer per person per session; editable for 7 days."""
    if (
        registration_request.state != RequestState.APPROVED
        or not attended_sessions(registration_request).filter(pk=session.pk).exists()
    ):
        raise FeedbackError(NOT_ATTENDED, code="not_attended")
    key = respondent_key(registration_request, session)
    values = {"usefulness": usefulness, "will_apply": will_apply, "comment": comment.strip()}
    try:
        with transaction.atomic():
            feedback = (
                SessionFeedback.objects.select_for_update()
                .filter(session=session, respondent=key)
                .first()
            )
            if feedback is None:
                return SessionFeedback.objects.create(session=session, respondent=key, **values)
            if not is_editable(feedback):
                raise FeedbackError(CLOSED, code="closed")
            for name, value in values.items():
                setattr(feedback, name, value)
            feedback.updated_at = timezone.now()
            feedback.save()
            return feedback
    except IntegrityError:
        # The same person sent the form twice at once: the first answer stands.
        return SessionFeedback.objects.get(session=session, respondent=key)


@dataclass
class FeedbackResults:
    count: int
    mean: float | None
    distribution: list[tuple[int, int]]  # (score 1-5, answers)
    will_apply: int
    will_not_apply: int
    comments: list[str]

    @property
    def peak(self) -> int:
        return max((count for _score, count in self.distribution), default=0)

    def bars(self, *, width: int = 300) -> list[dict]:
        """Bar lengths for the server-drawn chart, longest bar `width` units."""
        peak = self.peak or 1
        return [
            {"score": score, "count": count, "length": round(width * count / peak), "y": i * 32}
            for i, (score, count) in enumerate(self.distribution)
        ]


def session_results(session: Session) -> FeedbackResults:
    """What a session's attendees said, without names: counts, mean, distribution, comments
    (in a fixed order that says nothing about who answered when)."""
    rows = SessionFeedback.objects.filter(session=session)
    summary = rows.aggregate(
        count=Count("pk"),
        mean=Avg("usefulness"),
        yes=Count("pk", filter=Q(will_apply=True)),
        **{f"s{score}": Count("pk", filter=Q(usefulness=score)) for score in range(1, 6)},
    )
    comments = sorted(
        comment for comment in rows.exclude(comment="").values_list("comment", flat=True)
    )
    return FeedbackResults(
        count=summary["count"],
        mean=round(summary["mean"], 1) if summary["mean"] is not None else None,
        distribution=[(score, summary[f"s{score}"]) for score in range(1, 6)],
        will_apply=summary["yes"],
        will_not_apply=summary["count"] - summary["yes"],
        comments=comments,
    )
