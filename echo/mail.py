"""Email that is never lost: stored with the change that causes it, delivered afterwards.

`queue_email` writes an `OutgoingEmail` row inside the caller's transaction. Delivery happens
outside any transaction: the mail worker (`manage.py run_mail_worker`) calls `deliver_due`,
which claims each due message with a conditional UPDATE (so two workers never send the same
row), sends it, and marks it sent, or schedules a retry with back-off when the server fails.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils import timezone, translation

from .models import EmailStatus, EmailText, InterestSignup, OutgoingEmail, RegistrationRequest

logger = logging.getLogger(__name__)

# A claimed message is not offered to another worker for this long; if the worker dies while
# sending, the message is retried after the lease (the one case that can repeat a message).
CLAIM_LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    mimetype: str


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def queue_email(
    *,
    kind: str,
    to: list[str],
    template: str,
    context: dict,
    registration_request: RegistrationRequest | None = None,
    interest_signup: InterestSignup | None = None,
    attachment: Attachment | None = None,
) -> OutgoingEmail | None:
    """Store an email rendered from templates/echo/email/<template>{_subject.txt,.txt,.html}.

    Call inside the transaction of the change that causes the email. Nothing is stored when
    there is no recipient.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return None
    language = recipient_language(kind, registration_request, interest_signup)
    with translation.override(language):
        return _store(
            kind=kind,
            recipients=recipients,
            template=template,
            context=context,
            registration_request=registration_request,
            interest_signup=interest_signup,
            attachment=attachment,
            language=language,
        )


def recipient_language(
    kind: str,
    registration_request: RegistrationRequest | None = None,
    interest_signup: InterestSignup | None = None,
) -> str:
    """The language of an email: the one the applicant (or interest-list entry) used on the
    site; staff emails are in the default language, like the admin."""
    person = registration_request or interest_signup
    if kind.startswith("staff_") or person is None:
        return settings.LANGUAGE_CODE
    return person.language or settings.LANGUAGE_CODE


def in_language(url: str, language: str) -> str:
    """The same page of the site in the given language (/echo/… → /es/echo/…), for links
    built before the email's language was known. Other addresses are left as they are."""
    base = settings.PORTAL_BASE_URL
    if not url.startswith(base + "/"):
        return url
    path = url[len(base) :]
    current = translation.get_language_from_path(path)
    if current:
        path = path[len(current) + 1 :]
    with translation.override(settings.LANGUAGE_CODE):
        return base + translate_url(path, language)


def _store(
    *,
    kind,
    recipients,
    template,
    context,
    registration_request,
    interest_signup,
    attachment,
    language,
) -> OutgoingEmail:
    from deflection_portal.models import ProgramSettings

    context = {
        "base_url": settings.PORTAL_BASE_URL,
        "program": ProgramSettings.load(),
        **{
            name: in_language(value, language) if isinstance(value, str) else value
            for name, value in context.items()
        },
    }
    override = _series_wording(kind, registration_request)
    if override is not None:
        from .email_texts import as_html, substitute, values_for

        values = values_for(registration_request, context)
        subject = substitute(override.subject, values)
        body_text = substitute(override.body, values)
        body_html = render_to_string(
            "echo/email/staff_text.html", {**context, "html": as_html(body_text)}
        )
    else:
        subject = render_to_string(f"echo/email/{template}_subject.txt", context)
        body_text = render_to_string(f"echo/email/{template}.txt", context)
        body_html = render_to_string(f"echo/email/{template}.html", context)
    email = OutgoingEmail.objects.create(
        kind=kind,
        request=registration_request,
        interest_signup=interest_signup,
        to="\n".join(recipients),
        subject=" ".join(subject.split())[:300],
        body_text=body_text,
        body_html=body_html,
        attachment_name=attachment.filename if attachment else "",
        attachment_type=attachment.mimetype if attachment else "",
        attachment_content=attachment.content if attachment else "",
    )
    if settings.PORTAL_EMAIL_IMMEDIATE:
        transaction.on_commit(lambda: deliver_due(only=[email.pk]))
    return email


def _series_wording(kind: str, registration_request: RegistrationRequest | None):
    """The series' own text for this kind of applicant email, if staff wrote one in the
    email's language (called with that language active). A text written only in English is
    not sent to someone who asked in Spanish: the portal's own Spanish wording is."""
    if registration_request is None:
        return None
    from deflection_portal.content_language import falls_back

    from .email_texts import EDITABLE_KINDS

    if kind not in EDITABLE_KINDS:
        return None
    text = EmailText.objects.filter(series_id=registration_request.series_id, kind=kind).first()
    if text is None or falls_back(text, "body") or falls_back(text, "subject"):
        return None
    return text


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the given number of failed attempts: 30 s, 1 min, 2 min … at most 1 h."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def _claim(email: OutgoingEmail, now) -> bool:
    claimed = OutgoingEmail.objects.filter(
        pk=email.pk, status=EmailStatus.QUEUED, next_attempt_at=email.next_attempt_at
    ).update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    return claimed == 1


def _message(email: OutgoingEmail, connection) -> EmailMultiAlternatives:
    domain = settings.PORTAL_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.recipients,
        connection=connection,
        # One Message-ID per stored email, so any repeat is recognisable as the same message.
        headers={"Message-ID": f"<portal-email-{email.pk}@{domain or 'localhost'}>"},
        reply_to=reply_to(),
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.attachment_name:
        message.attach(email.attachment_name, email.attachment_content, email.attachment_type)
    return message


def reply_to() -> list[str]:
    """Replies go to the program's contact (staff set it in the admin), never to the
    no-reply sender."""
    from deflection_portal.models import ProgramSettings

    address = ProgramSettings.load().contact_email
    return [address] if address else []


def deliver_due(*, at=None, limit: int = 200, only: list[int] | None = None) -> DeliveryReport:
    """Send the queued emails that are due; never raises for a mail-server failure."""
    now = at or timezone.now()
    report = DeliveryReport()
    due = OutgoingEmail.objects.due(now)
    if only is not None:
        due = due.filter(pk__in=only)
    candidates = list(due[:limit])
    if not candidates:
        return report
    connection = get_connection(fail_silently=False)
    try:
        for email in candidates:
            if not _claim(email, now):
                continue
            email.refresh_from_db(fields=["attempts"])
            try:
                _message(email, connection).send()
            except Exception as exc:  # any SMTP or network failure: keep it and retry later
                logger.warning(
                    "Email %s not delivered (attempt %s): %s", email.pk, email.attempts, exc
                )
                _record_failure(email, exc, now)
                report.failed += email.status == EmailStatus.FAILED
                report.retrying += email.status == EmailStatus.QUEUED
                try:
                    connection.close()
                except Exception:  # the connection is already broken; a new one opens next time
                    logger.debug("Closing a failed mail connection raised", exc_info=True)
                continue
            OutgoingEmail.objects.filter(pk=email.pk).update(
                status=EmailStatus.SENT, sent_at=timezone.now(), last_error=""
            )
            report.sent += 1
    finally:
        try:
            connection.close()
        except Exception:
            logger.debug("Closing the mail connection raised", exc_info=True)
    return report


def _record_failure(email: OutgoingEmail, exc: Exception, now) -> None:
    gave_up = email.attempts >= settings.PORTAL_EMAIL_MAX_ATTEMPTS
    email.status = EmailStatus.FAILED if gave_up else EmailStatus.QUEUED
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=email.status,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=now + retry_delay(email.attempts),
    )


def requeue(email: OutgoingEmail) -> None:
    """Send a stored email again (staff's "resend"), whatever happened to it before."""
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=EmailStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if settings.PORTAL_EMAIL_IMMEDIATE:
        transaction.on_commit(lambda: deliver_due(only=[email.pk]))
