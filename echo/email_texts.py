"""Staff-written email texts: per-series overrides of the applicant emails, and messages to
selected applicants, with `{placeholder}` names substituted by plain text replacement.

Nothing staff write is ever evaluated as a Django template: `substitute` only replaces
`{name}`-style names from a fixed table, and refuses unknown ones with their names.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .models import EmailKind, RegistrationRequest

PLACEHOLDER_RE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str


COMMON = (
    Placeholder("name", _("the applicant's full name")),
    Placeholder("series", _("the series' title")),
    Placeholder("series_link", _("the series' public page")),
    Placeholder("status_link", _("the applicant's private status page")),
)
EXTRA = {
    EmailKind.APPROVED: (
        Placeholder("sessions", _("the sessions ahead, one per line")),
        Placeholder("join_link", _("the private join link (empty when there is none yet)")),
    ),
    EmailKind.OFFERED: (Placeholder("deadline", _("when the offer lapses, in the series' zone")),),
    EmailKind.DECLINED: (Placeholder("reason", _("the reason staff gave, if any")),),
    EmailKind.WAITLISTED: (Placeholder("position", _("the place on the waitlist")),),
}
# The applicant emails staff may reword, per series.
EDITABLE_KINDS = (
    EmailKind.RECEIVED,
    EmailKind.APPROVED,
    EmailKind.WAITLISTED,
    EmailKind.DECLINED,
    EmailKind.WITHDRAWN,
    EmailKind.OFFERED,
    EmailKind.OFFER_DECLINED,
    EmailKind.OFFER_EXPIRED,
)


def placeholders_for(kind: str | None) -> tuple[Placeholder, ...]:
    return COMMON + EXTRA.get(kind, ())


def check_placeholders(text: str, kind: str | None) -> None:
    """Refuse a text that names a placeholder this kind of email does not have."""
    known = {p.name for p in placeholders_for(kind)}
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(text or "") if name not in known})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. You can use: %(known)s."),
            code="unknown_placeholder",
            params={
                "names": ", ".join(f"{{{n}}}" for n in unknown),
                "known": ", ".join(f"{{{n}}}" for n in sorted(known)),
            },
        )


def substitute(text: str, values: dict[str, str]) -> str:
    """Replace each `{name}` with its value; anything else stays exactly as written."""
    return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), text or "")


def values_for(registration_request: RegistrationRequest, context: dict | None = None) -> dict:
    """The placeholder values for one request (and the email's own context, e.g. sessions)."""
    context = context or {}
    series = registration_request.series
    base = settings.PORTAL_BASE_URL
    sessions = context.get("sessions") or []
    return {
        "name": registration_request.full_name,
        "series": series.title,
        "series_link": base + series.get_absolute_url(),
        "status_link": base + registration_request.get_status_url(),
        "sessions": "\n".join(f"- {s.when}" for s in sessions),
        "join_link": series.join_url,
        "deadline": context.get("deadline", ""),
        "reason": registration_request.decision_reason,
        "position": str(context.get("position") or ""),
    }


def as_html(text: str) -> SafeString:
    """Plain staff text as simple HTML paragraphs (escaped first)."""
    return mark_safe(linebreaks(escape(text)))  # escaped just above
