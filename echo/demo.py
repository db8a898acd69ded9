"""Demo content for the ECHO programs: the 2024 Deflection ECHO archive and the
Deflection Implementation and Leadership ECHO.

Idempotent, like every app's demo loader: rows are found by slug (series, resources) or by
(series, number) (sessions) and created only when missing; nothing staff edited is touched.
One function per series, so later work can extend each one.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from library.models import Collection, Resource, ResourceType, Topic

from .models import RegistrationState, Series, Session, SessionMaterial

PACIFIC = "America/Los_Angeles"
SESSION_START = time(13, 0)
SESSION_LENGTH = timedelta(hours=1)

DEFLECTION_ECHO_2024_DATES = [
    date(2024, 4, 26),
    date(2024, 5, 3),
    date(2024, 5, 10),
    date(2024, 5, 17),
    date(2024, 5, 31),
    date(2024, 6, 14),
    date(2024, 6, 28),
    date(2024, 7, 12),
    date(2024, 7, 26),
    date(2024, 8, 9),
    date(2024, 8, 23),
]

LEADERSHIP_ECHO_DATES = [
    date(2024, 4, 26),
    date(2024, 5, 3),
    date(2024, 5, 17),
    date(2024, 5, 31),
    date(2024, 6, 14),
    date(2024, 6, 28),
    date(2024, 7, 12),
    date(2024, 7, 26),
    date(2024, 8, 9),
    date(2024, 8, 23),
]

DEFLECTION_ECHO_2024_ABOUT = """
The Deflection ECHO is a virtual, interactive program where people working on deflection learn
and share best practices for putting it into place. Each one-hour session pairs a short talk
from faculty with discussion among participants from law enforcement, behavioral health, peer
recovery and county government.

This page keeps the 2024 run's archive: the materials and recordings of its sessions.
"""

DEFLECTION_101_TAKE_HOMES = [
    "Deflection is a warm handoff: a first responder connects a person directly to treatment "
    "or a community service instead of arresting them or leaving them without help.",
    "Deflection happens before any charge is filed, which sets it apart from diversion "
    "programs that begin after an arrest or in court.",
    "People reach deflection by several pathways, from asking for help themselves to officer "
    "referrals and outreach after an overdose; each community chooses the ones that fit it.",
    "Deflection works only with partners ready to receive people: treatment providers, peer "
    "recovery mentors and case managers who follow up quickly.",
    "Shared goals, clear referral steps and simple data collection help law enforcement and "
    "behavioral-health partners keep a program going.",
]

DEFLECTION_101_SUMMARY = (
    "The first session of the 2024 Deflection ECHO: what deflection is, how it differs from "
    "arrest and from later diversion, and what a community needs in place to start."
)

LEADERSHIP_ECHO_ABOUT = """
The Deflection Implementation and Leadership ECHO brings together the people who lead and run
deflection programs in Oregon counties. In one-hour virtual sessions, participants talk through
real implementation questions with a multidisciplinary expert faculty team and with peers
from other counties.

The series has launched. Requests to join are reviewed by staff; please support yours with
detailed answers to the registration questions.
"""

LEADERSHIP_ECHO_OBJECTIVES = """
Discuss deflection best practices with a multidisciplinary expert faculty team and your peers
Discuss multiple models of deflection and contextualize these to Oregon counties
Learn to apply a healthcare approach to substance use disorders and treatment
Share good ideas across county boundaries
Gain access to a deflection resources library
"""

OREGON_TEAMS_AUDIENCE = (
    "Teams building deflection programs in Oregon counties and tribes: law enforcement and "
    "other first responders, behavioral-health and peer-recovery providers, and county, city "
    "and tribal partners."
)

# The session's own recording is not public; until staff link it, the demo points to the
# Police, Treatment, and Community Collaborative's public page of deflection webinars.
DEMO_RECORDING_URL = "https://ptaccollaborative.org/conversations-with-the-field/"


def load(stdout) -> None:
    load_deflection_echo_2024(stdout)
    load_leadership_echo(stdout)


# --- Deflection ECHO 2024 ----------------------------------------------------------------


def load_deflection_echo_2024(stdout) -> Series:
    series = _get_or_create_series(
        stdout,
        slug="deflection-echo-2024",
        title="Deflection ECHO 2024",
        about=DEFLECTION_ECHO_2024_ABOUT.strip(),
        audience=OREGON_TEAMS_AUDIENCE,
        schedule="Fridays 1-2 p.m. Pacific",
        time_zone=PACIFIC,
        registration_state=RegistrationState.CLOSED,
        is_published=True,
    )
    session_1 = {
        "title": "Deflection 101",
        "summary": DEFLECTION_101_SUMMARY,
        "take_homes": "\n".join(DEFLECTION_101_TAKE_HOMES),
    }
    created = _get_or_create_sessions(
        stdout, series, DEFLECTION_ECHO_2024_DATES, extra_defaults={1: session_1}
    )
    first = series.sessions.get(number=1)
    if first in created:  # materials of an existing session are the staff's to change
        for order, resource in enumerate(_deflection_101_resources(stdout)):
            SessionMaterial.objects.get_or_create(
                session=first, resource=resource, defaults={"order": order}
            )
    return series


def _deflection_101_resources(stdout) -> list[Resource]:
    collection, _ = Collection.objects.get_or_create(
        slug="deflection-resources", defaults={"title": "Deflection Resources Library"}
    )
    topic, _ = Topic.objects.get_or_create(
        slug="deflection-basics", defaults={"name": "Deflection basics"}
    )
    presentation = Resource.objects.filter(slug="deflection-101-presentation").first()
    if presentation is None:
        presentation = Resource(
            slug="deflection-101-presentation",
            title="Deflection 101 Presentation",
            summary="Slides from session 1 of the 2024 Deflection ECHO, an introduction to "
            "deflection.",
            resource_type=ResourceType.PRESENTATION,
            collection=collection,
            source="Deflection ECHO",
            published_on=date(2024, 4, 26),
            is_published=True,
        )
        presentation.file.save(
            "deflection-101-presentation.pdf",
            ContentFile(_deflection_101_slides_pdf()),
            save=False,
        )
        presentation.save()
        presentation.topics.add(topic)
        stdout.write("Created resource deflection-101-presentation")
    recording = Resource.objects.filter(slug="session-1-recording-deflection-101").first()
    if recording is None:
        recording = Resource.objects.create(
            slug="session-1-recording-deflection-101",
            title="Session 1 Recording: Deflection 101",
            summary="Video of session 1 of the 2024 Deflection ECHO, an introduction to "
            "deflection.",
            body="Demo content: this link leads to the Police, Treatment, and Community "
            "Collaborative's public deflection webinars until staff add the session's own "
            "recording.",
            resource_type=ResourceType.RECORDING,
            collection=collection,
            source="Deflection ECHO",
            published_on=date(2024, 4, 26),
            video_url=DEMO_RECORDING_URL,
            is_published=True,
        )
        recording.topics.add(topic)
        stdout.write("Created resource session-1-recording-deflection-101")
    return [presentation, recording]


def _deflection_101_slides_pdf() -> bytes:
    lines = ["Deflection 101", "Deflection ECHO 2024, session 1 (April 26, 2024)", ""]
    lines += ["Key take-homes:"] + [f"- {item}" for item in DEFLECTION_101_TAKE_HOMES]
    return simple_pdf(lines)


# --- Deflection Implementation and Leadership ECHO -------------------------------------


def load_leadership_echo(stdout) -> Series:
    series = _get_or_create_series(
        stdout,
        slug="deflection-implementation-leadership-echo",
        title="Deflection Implementation and Leadership ECHO",
        about=LEADERSHIP_ECHO_ABOUT.strip(),
        learning_objectives=LEADERSHIP_ECHO_OBJECTIVES.strip(),
        audience=OREGON_TEAMS_AUDIENCE,
        schedule="Fridays 1-2 p.m. Pacific",
        time_zone=PACIFIC,
        capacity=24,
        registration_state=RegistrationState.ACCEPTING,
        is_published=True,
    )
    _get_or_create_sessions(stdout, series, LEADERSHIP_ECHO_DATES)
    return series


# --- Helpers -----------------------------------------------------------------------------


def _get_or_create_series(stdout, *, slug: str, **fields) -> Series:
    series, created = Series.objects.get_or_create(slug=slug, defaults=fields)
    stdout.write(f"{'Created' if created else 'Kept'} series {slug}")
    return series


def _get_or_create_sessions(
    stdout, series: Series, dates: list[date], *, extra_defaults: dict[int, dict] | None = None
) -> list[Session]:
    """Create the sessions that are missing, one per date, numbered from 1; return those
    created."""
    zone = ZoneInfo(series.time_zone)
    created_sessions = []
    for number, day in enumerate(dates, start=1):
        starts_at = datetime.combine(day, SESSION_START, tzinfo=zone)
        defaults = {"starts_at": starts_at, "ends_at": starts_at + SESSION_LENGTH}
        defaults.update((extra_defaults or {}).get(number, {}))
        session, created = Session.objects.get_or_create(
            series=series, number=number, defaults=defaults
        )
        if created:
            created_sessions.append(session)
    stdout.write(
        f"Series {series.slug}: {len(created_sessions)} sessions created, {len(dates)} in all"
    )
    return created_sessions


def simple_pdf(lines: list[str]) -> bytes:
    """A one-page PDF of plain text lines (Helvetica, US Letter), no dependencies needed."""

    def escape(text: str) -> str:
        ascii_text = text.encode("ascii", "replace").decode()
        return ascii_text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    wrapped: list[str] = []
    for line in lines:
        words, current = line.split(), ""
        for word in words:
            if current and len(current) + 1 + len(word) > 80:
                wrapped.append(current)
                current = "  " + word
            else:
                current = f"{current} {word}" if current else word
        wrapped.append(current)
    text = "BT /F1 12 Tf 16 TL 72 720 Td\n"
    text += "".join(f"({escape(line)}) '\n" for line in wrapped) + "ET"
    stream = text.encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)
