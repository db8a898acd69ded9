"""Completion certificates: issued when a participant meets the series' rule, as a PDF with a
QR code to a public verification page that says valid or revoked, and nothing more."""

import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF

from .mail import queue_email
from .models import (
    Attendance,
    Certificate,
    CertificateAction,
    CertificateEvent,
    RegistrationRequest,
    RequestState,
    Series,
)

REASON_REQUIRED = gettext_lazy("Give the reason for revoking the certificate.")
ALREADY_REVOKED = gettext_lazy("This certificate is already revoked.")
NOT_REVOKED = gettext_lazy("This certificate is not revoked.")
DEFAULT_PROGRAM = "Deflection Portal"


class CertificateError(ValidationError):
    """A certificate rule refused the change; the message says which."""


def attended_counts(series: Series, request_ids=None) -> dict[int, int]:
    """Sessions attended per participant of the series (cancelled sessions never count)."""
    rows = Attendance.objects.filter(session__series=series, session__is_cancelled=False)
    if request_ids is not None:
        rows = rows.filter(request_id__in=request_ids)
    counted = (
        rows.attended().order_by().values("request_id").annotate(n=Count("session", distinct=True))
    )
    return {row["request_id"]: row["n"] for row in counted}


def issue_due_certificates(*, series: Series) -> list[Certificate]:
    """Issue a certificate to every approved participant who now meets the series' rule and
    has none yet (a revoked one is not reissued), and email each of them once. Call inside
    the transaction that changed the attendance."""
    rule = series.completion_sessions
    if not rule:
        return []
    counts = attended_counts(series)
    due_ids = [request_id for request_id, count in counts.items() if count >= rule]
    if not due_ids:
        return []
    due = RegistrationRequest.objects.filter(
        pk__in=due_ids, series=series, state=RequestState.APPROVED, certificate__isnull=True
    ).select_related("series")
    issued = []
    for registration_request in due:
        certificate = Certificate.objects.create(request=registration_request)
        CertificateEvent.objects.create(
            certificate=certificate,
            action=CertificateAction.ISSUED,
            reason=_("Attended %(count)d sessions (the series asks for %(rule)d).")
            % {"count": counts[registration_request.pk], "rule": rule},
        )
        status_url = settings.PORTAL_BASE_URL + registration_request.get_status_url()
        queue_email(
            kind="certificate",
            to=[registration_request.email],
            template="certificate_issued",
            context={
                "registration_request": registration_request,
                "series": series,
                "status_url": status_url,
                "pdf_url": settings.PORTAL_BASE_URL + certificate_pdf_path(registration_request),
                "verification_url": settings.PORTAL_BASE_URL + certificate.get_verification_url(),
            },
            registration_request=registration_request,
        )
        issued.append(certificate)
    return issued


def certificate_pdf_path(registration_request: RegistrationRequest) -> str:
    from django.urls import reverse

    return reverse("echo:certificate-pdf", kwargs={"token": registration_request.access_token})


def revoke_certificate(
    *, certificate: Certificate, actor: AbstractBaseUser | None, reason: str
) -> Certificate:
    """Revoke a valid certificate. Rules: a reason is required; the history keeps it."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(REASON_REQUIRED, code="reason_required")
    with transaction.atomic():
        current = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if current.revoked_at is not None:
            raise CertificateError(ALREADY_REVOKED, code="already_revoked")
        current.revoked_at = timezone.now()
        current.revoke_reason = reason
        current.save(update_fields=["revoked_at", "revoke_reason"])
        CertificateEvent.objects.create(
            certificate=current, action=CertificateAction.REVOKED, reason=reason, actor=actor
        )
    return current


def reinstate_certificate(
    *, certificate: Certificate, actor: AbstractBaseUser | None, reason: str = ""
) -> Certificate:
    """Make a revoked certificate valid again; the history keeps the revocation."""
    with transaction.atomic():
        current = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if current.revoked_at is None:
            raise CertificateError(NOT_REVOKED, code="not_revoked")
        current.revoked_at = None
        current.revoke_reason = ""
        current.save(update_fields=["revoked_at", "revoke_reason"])
        CertificateEvent.objects.create(
            certificate=current,
            action=CertificateAction.REINSTATED,
            reason=(reason or "").strip(),
            actor=actor,
        )
    return current


# --- The PDF -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateFacts:
    name: str
    series: str
    program: str
    first_date: str
    last_date: str
    attended: int
    held: int
    issued: str
    verification_url: str
    code: str


def certificate_facts(certificate: Certificate) -> CertificateFacts:
    registration_request = certificate.request
    series = registration_request.series
    sessions = series.sessions.filter(is_cancelled=False).aggregate(
        first=Min("starts_at"), last=Max("starts_at"), held=Count("pk")
    )

    def local(value) -> str:
        if value is None:
            return ""
        return date_format(value.astimezone(series.zone).date(), "DATE_FORMAT")

    return CertificateFacts(
        name=registration_request.full_name,
        series=series.title,
        program=series.program_name or DEFAULT_PROGRAM,
        first_date=local(sessions["first"]),
        last_date=local(sessions["last"]),
        attended=attended_counts(series, [registration_request.pk]).get(registration_request.pk, 0),
        held=sessions["held"],
        issued=date_format(timezone.localtime(certificate.issued_at).date(), "DATE_FORMAT"),
        verification_url=settings.PORTAL_BASE_URL + certificate.get_verification_url(),
        code=certificate.code,
    )


FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


class _CertificatePDF(FPDF):
    def __init__(self):
        super().__init__(orientation="landscape", unit="mm", format="Letter")
        self.set_auto_page_break(False)
        self.set_margins(20, 20, 20)
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.body_font, self.unicode_fonts = "Body", True
        else:
            self.body_font, self.unicode_fonts = "Helvetica", False

    def text_for_font(self, value: str) -> str:
        if self.unicode_fonts:
            return value
        # The PDF core fonts know Latin-1 only: keep accents where they exist, fold the rest.
        folded = "".join(
            char if ord(char) < 256 else unicodedata.normalize("NFKD", char)[0] for char in value
        )
        return folded.encode("latin-1", "replace").decode("latin-1")

    def centred(self, text: str, *, size: float, bold: bool = False, gap: float = 4) -> None:
        self.set_font(self.body_font, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, self.text_for_font(text), align="C")
        self.ln(gap)


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as a one-page PDF: name, series, dates, sessions attended, the
    program's name, and a QR code of the public verification address."""
    facts = certificate_facts(certificate)
    pdf = _CertificatePDF()
    pdf.set_title(_("Certificate of completion"))
    pdf.set_author(facts.program)
    pdf.set_lang("en")
    pdf.add_page()
    pdf.set_draw_color(30, 70, 90)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_y(28)
    pdf.centred(facts.program, size=14)
    pdf.centred(_("Certificate of completion"), size=28, bold=True, gap=8)
    pdf.centred(_("This certifies that"), size=13)
    pdf.centred(facts.name, size=24, bold=True, gap=6)
    pdf.centred(_("took part in"), size=13)
    pdf.centred(facts.series, size=18, bold=True, gap=6)
    if facts.first_date:
        pdf.centred(
            _("%(first)s to %(last)s, attending %(attended)d of %(held)d sessions.")
            % {
                "first": facts.first_date,
                "last": facts.last_date,
                "attended": facts.attended,
                "held": facts.held,
            },
            size=13,
        )
    pdf.centred(_("Issued %(date)s") % {"date": facts.issued}, size=12)

    qr = segno.make(facts.verification_url, error="m")
    image = io.BytesIO()
    qr.save(image, kind="png", scale=8, border=4)
    image.seek(0)
    size = 38
    pdf.image(image, x=pdf.w - 20 - size, y=pdf.h - 20 - size, w=size, h=size)
    pdf.set_xy(20, pdf.h - 20 - 22)
    pdf.set_font(pdf.body_font, "", 9)
    width = pdf.w - 40 - size - 6
    pdf.multi_cell(
        width,
        4.5,
        pdf.text_for_font(
            _("Check this certificate at %(url)s (or scan the code).")
            % {"url": facts.verification_url}
        ),
    )
    return bytes(pdf.output())
