"""The one table of a registration request's transitions.

Each `Transition` declares everything about one change of state: the states it starts from,
the state it leads to, who may make it, whether it asks for a reason and where that reason
goes, the email it sends the applicant, its button label and the past-tense word used in
messages. `echo.services` applies them; the admin's decision buttons and bulk actions and the
applicant's status page are built from this table, and so is the exhaustive test. A new state
or transition is added here, and nowhere else needs a list of them.
"""

import enum
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import SEAT_HOLDING_STATES, Actor, RequestState


class Action(enum.StrEnum):
    APPROVE = "approve"
    WAITLIST = "waitlist"
    DECLINE = "decline"
    OFFER = "offer"
    ACCEPT = "accept"
    DECLINE_OFFER = "decline_offer"
    EXPIRE = "expire"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


class ErrorCode(enum.StrEnum):
    """Why the registration rules refused a change; the message for each is in
    `echo.services.ERROR_MESSAGES`."""

    NOT_ACCEPTING = "not_accepting"
    SERIES_FULL = "series_full"
    NOT_ALLOWED = "not_allowed"
    NOT_YOURS = "not_yours"
    ALREADY_LIVE = "already_live"
    WRONG_SERIES = "wrong_series"
    OFFER_EXPIRED = "offer_expired"
    OFFER_NOT_DUE = "offer_not_due"
    BUSY = "busy"
    NO_PREVIOUS_RUN = "no_previous_run"
    ALREADY_INVITED = "already_invited"


class ReasonUse(enum.Enum):
    """What happens to a reason given with the change. The admin asks for one (a text box
    beside the button) when the transition has a `reason_label`."""

    NONE = "none"  # none is kept
    HISTORY = "history"  # kept in the decision history only
    SENT = "sent"  # kept as the decision reason and sent to the applicant


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: tuple[str, ...]
    target: str
    actors: frozenset[str]
    label: Promise  # the button
    done: Promise  # past tense, for messages: "approved"
    reason: ReasonUse = ReasonUse.NONE
    reason_label: Promise | str = ""
    email: str = ""  # the applicant's email template (kind = template), or none
    bulk_label: Promise | str = ""  # the request list's bulk action, if it has one
    primary: bool = False  # the default button on the decision page

    def allows(self, state: str, actor: str) -> bool:
        return state in self.sources and actor in self.actors

    @property
    def email_kind(self) -> str:
        """The email log's kind: the template's name without its "request_" prefix."""
        return self.email.removeprefix("request_")

    @property
    def takes_seat(self) -> bool:
        return self.target in SEAT_HOLDING_STATES

    def frees_seat(self, from_state: str) -> bool:
        return from_state in SEAT_HOLDING_STATES and self.target not in SEAT_HOLDING_STATES


S = RequestState
STAFF = frozenset({Actor.STAFF})
APPLICANT = frozenset({Actor.APPLICANT})
SYSTEM = frozenset({Actor.SYSTEM})
HISTORY_ONLY = _("Why, for the decision history (optional, not sent)")

TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        Action.APPROVE,
        (S.PENDING, S.WAITLISTED),
        S.APPROVED,
        STAFF,
        _("Approve"),
        _("approved"),
        reason=ReasonUse.HISTORY,
        email="request_approved",
        bulk_label=_("Approve selected requests (first come, while seats last)"),
        primary=True,
    ),
    Transition(
        Action.WAITLIST,
        (S.PENDING,),
        S.WAITLISTED,
        STAFF,
        _("Waitlist"),
        _("waitlisted"),
        reason=ReasonUse.HISTORY,
        email="request_waitlisted",
        bulk_label=_("Waitlist selected requests"),
    ),
    Transition(
        Action.DECLINE,
        (S.PENDING, S.WAITLISTED, S.APPROVED),
        S.DECLINED,
        STAFF,
        _("Decline"),
        _("declined"),
        reason=ReasonUse.SENT,
        reason_label=_("Reason, sent to the applicant (optional)"),
        email="request_declined",
        bulk_label=_("Decline selected requests…"),
    ),
    Transition(
        Action.OFFER,
        (S.WAITLISTED,),
        S.OFFERED,
        frozenset({Actor.STAFF, Actor.SYSTEM}),
        _("Offer a seat"),
        _("offered a seat"),
        email="request_offered",
    ),
    Transition(
        Action.ACCEPT,
        (S.OFFERED,),
        S.APPROVED,
        APPLICANT,
        _("Accept the seat"),
        _("accepted"),
        email="request_approved",
    ),
    Transition(
        Action.DECLINE_OFFER,
        (S.OFFERED,),
        S.WITHDRAWN,
        frozenset({Actor.APPLICANT, Actor.STAFF}),
        _("Decline the seat"),
        _("declined the offered seat"),
        reason=ReasonUse.HISTORY,
        reason_label=HISTORY_ONLY,
        email="offer_declined",
    ),
    Transition(
        Action.EXPIRE,
        (S.OFFERED,),
        S.EXPIRED,
        SYSTEM,
        _("Let the offer lapse"),
        _("lapsed"),
        email="offer_expired",
    ),
    Transition(
        Action.WITHDRAW,
        (S.PENDING, S.APPROVED, S.WAITLISTED),
        S.WITHDRAWN,
        frozenset({Actor.APPLICANT, Actor.STAFF}),
        _("Withdraw"),
        _("withdrawn"),
        reason=ReasonUse.HISTORY,
        reason_label=HISTORY_ONLY,
        email="request_withdrawn",
    ),
    Transition(
        Action.REOPEN,
        (S.DECLINED, S.EXPIRED),
        S.PENDING,
        STAFF,
        _("Reopen"),
        _("reopened"),
        reason=ReasonUse.HISTORY,
        reason_label=HISTORY_ONLY,
    ),
)

BY_ACTION: dict[Action, Transition] = {t.action: t for t in TRANSITIONS}


def transition(action: Action | str) -> Transition:
    return BY_ACTION[Action(action)]


def allowed(state: str, actor: str) -> list[Transition]:
    """The transitions this actor may make from this state, in table order."""
    return [t for t in TRANSITIONS if t.allows(state, actor)]
