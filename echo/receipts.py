"""The applicant's receipt: a readable copy of every answer, and corrections while pending.

`edit_request` changes a pending request's answers under the series lock (the same lock as
every decision, so staff cannot decide halfway through a correction), records the change in
the request's history, and tells the series' staff, at most once a day per request.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .mail import queue_email
from .models import (
    REFERENCE_ALPHABET,
    Actor,
    Answer,
    EmailKind,
    OutgoingEmail,
    Question,
    RegistrationRequest,
    RequestEvent,
    RequestState,
    new_reference,
)
from .services import _busy_as_error, _lock_series, staff_addresses

EDITABLE_FIELDS = ("full_name", "phone", "organization", "role_title", "sector", "county")
STAFF_NOTICE_INTERVAL = timedelta(days=1)
REFERENCE_RE = re.compile(f"ECHO-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{2}}")

EDIT_REFUSED = _(
    "Your answers can no longer be changed: program staff have already made a decision on this "
    "request. If something important has changed, please contact the program."
)
WRONG_SERIES = _("An answer was given to a question of another series.")


REFERENCE_SALT = "echo.request-received.reference"
REFERENCE_COOKIE = "echo_reference"
REFERENCE_MAX_AGE = 60 * 60


def remember_reference(response: HttpResponse, slug: str, reference: str | None) -> None:
    """Give the "received" page the reference to show, in a signed cookie for that page only
    (so nobody can make the page show one, and its address stays the same for everyone).

    A duplicate or a trapped submission gets a fresh reference that belongs to no request: the
    page must look the same whether or not the email already applied; the email sent to that
    address gives the real one."""
    response.set_signed_cookie(
        REFERENCE_COOKIE,
        reference or new_reference(),
        salt=REFERENCE_SALT,
        max_age=REFERENCE_MAX_AGE,
        path=reverse("echo:request-received", kwargs={"slug": slug}),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def reference_from(request: HttpRequest) -> str | None:
    value = request.get_signed_cookie(
        REFERENCE_COOKIE, default=None, salt=REFERENCE_SALT, max_age=REFERENCE_MAX_AGE
    )
    return value if value and REFERENCE_RE.fullmatch(value) else None


class EditRefused(ValidationError):
    """The request is no longer pending, so its answers stay as they were decided on."""

    def __init__(self):
        super().__init__(EDIT_REFUSED, code="edit_refused")


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str


@dataclass(frozen=True)
class AnswerSection:
    legend: str
    rows: list[AnswerRow]


def masked_email(address: str) -> str:
    """j•••@example.org: enough to recognise one's own address, not to learn someone's from
    a forwarded status link."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def answer_sections(registration_request: RegistrationRequest) -> list[AnswerSection]:
    """Every answer of the request, section by section as the form asked them."""
    r = registration_request
    sections = [
        AnswerSection(
            str(_("About you")),
            [
                AnswerRow(str(_("Full name")), r.full_name),
                AnswerRow(str(_("Email")), masked_email(r.email)),
                AnswerRow(str(_("Phone")), r.phone or "–"),
            ],
        ),
        AnswerSection(
            str(_("Your work")),
            [
                AnswerRow(str(_("Organization")), r.organization),
                AnswerRow(str(_("Role or title")), r.role_title),
                AnswerRow(str(_("Sector")), str(r.get_sector_display())),
                AnswerRow(str(_("County or tribe")), str(r.get_county_display())),
            ],
        ),
    ]
    by_section: dict[str, list[AnswerRow]] = {}
    answers = r.answers.select_related("question").order_by("question__order", "question__pk")
    for answer in answers:
        by_section.setdefault(answer.question.section, []).append(
            AnswerRow(answer.question.label, answer.value or "–")
        )
    sections += [AnswerSection(legend, rows) for legend, rows in by_section.items()]
    return sections


def edit_request(
    *,
    registration_request: RegistrationRequest,
    data: dict,
    answers: dict[Question, str | list[str]],
    at=None,
) -> list[str]:
    """Replace a pending request's answers with the applicant's corrections.

    Rules: only while the request is pending (after a decision the answers stay as decided
    on); only the fields of EDITABLE_FIELDS (the email is the request's identity) and this
    series' questions. Returns the labels of what changed; nothing is written when nothing
    did. Staff hear of it by email at most once a day per request.
    """
    now = at or timezone.now()
    for question in answers:
        if question.series_id != registration_request.series_id:
            raise ValidationError(WRONG_SERIES, code="wrong_series")
    with _busy_as_error(), transaction.atomic():
        series = _lock_series(registration_request.series_id)
        current = RegistrationRequest.objects.select_for_update().get(pk=registration_request.pk)
        if current.state != RequestState.PENDING:
            raise EditRefused()
        changed = _apply_edit(current, data, answers)
        if not changed:
            return []
        current.answers_edited_at = now
        current.save(update_fields=[*EDITABLE_FIELDS, "answers_edited_at"])
        RequestEvent.objects.create(
            request=current,
            actor_kind=Actor.APPLICANT,
            from_state=RequestState.PENDING,
            to_state=RequestState.PENDING,
            reason=str(_("Answers changed: %(fields)s")) % {"fields": ", ".join(changed)},
            created_at=now,
        )
        _notify_staff(current, series, changed, now)
    registration_request.refresh_from_db()
    return changed


def _apply_edit(current: RegistrationRequest, data: dict, answers: dict) -> list[str]:
    changed = []
    for name in EDITABLE_FIELDS:
        if name in data and getattr(current, name) != data[name]:
            setattr(current, name, data[name])
            changed.append(str(current._meta.get_field(name).verbose_name).capitalize())
    existing = {a.question_id: a for a in current.answers.select_related("question")}
    questions = {q.pk: q for q in Question.objects.filter(series_id=current.series_id)}
    new_values = {question.pk: _answer_text(value) for question, value in answers.items()}
    for pk, question in questions.items():
        old = existing[pk].value if pk in existing else ""
        new = new_values.get(pk, "")
        if old == new:
            continue
        changed.append(question.label)
        if not new:
            existing[pk].delete()
        elif pk in existing:
            Answer.objects.filter(pk=existing[pk].pk).update(value=new)
        else:
            Answer.objects.create(request=current, question=question, value=new)
    return changed


def _answer_text(value: str | list[str]) -> str:
    if isinstance(value, list | tuple):
        return "\n".join(str(item) for item in value)
    return str(value)


def _notify_staff(current: RegistrationRequest, series, changed: list[str], now) -> None:
    recently = OutgoingEmail.objects.filter(
        request=current,
        kind=EmailKind.STAFF_REQUEST_EDITED,
        created_at__gt=now - STAFF_NOTICE_INTERVAL,
    )
    if recently.exists():
        return
    queue_email(
        kind=EmailKind.STAFF_REQUEST_EDITED,
        to=staff_addresses(series),
        template="staff_request_edited",
        context={"registration_request": current, "series": series, "changed": changed},
        registration_request=current,
    )
