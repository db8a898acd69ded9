"""Demo content for the ECHO programs: the 2024 run of the Deflection Implementation and
Leadership ECHO (the archive: eleven Friday sessions, session 1 with its materials), and a
live run of the same program dated from the day the demo is loaded (ten Fridays ahead, at
capacity, with pending, waitlisted, approved and offered requests, all marked as demo content).

Idempotent, like every app's demo loader: rows are found by slug (series, resources) or by
(series, number) (sessions) and created only when missing; nothing staff edited is touched.
One function per series, so later work can extend each one.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from library.models import Collection, Resource, ResourceType, Topic

from .models import (
    Actor,
    Answer,
    Question,
    RegistrationRequest,
    RegistrationState,
    RequestEvent,
    RequestState,
    Series,
    Session,
    SessionMaterial,
)

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


DEFLECTION_ECHO_2024_ABOUT = """
The Deflection ECHO is a virtual, interactive program where people working on deflection learn
and share best practices for putting it into place. Each one-hour session pairs a short talk
from faculty with discussion among participants from law enforcement, behavioral health, peer
recovery and county government.

This page keeps the 2024 run of the Deflection Implementation and Leadership ECHO: the
materials and recordings of its eleven sessions. The run has ended; the current run has its
own page.
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

This run meets on Fridays. Requests to join are reviewed by staff; please support yours with
detailed answers to the registration questions.

This is demo content: the requests shown to staff are fictional.
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
    load_spanish(stdout)


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
        staff_emails="echo-staff@example.org",
        registration_state=RegistrationState.ACCEPTING,
        previous_run=Series.objects.filter(slug="deflection-echo-2024").first(),
        is_demo=True,
        is_published=True,
    )
    if not series.sessions.exists():  # the sessions are the staff's once they exist
        _get_or_create_sessions(stdout, series, live_run_dates())
    questions = _leadership_questions(stdout, series)
    _leadership_requests(stdout, series, questions)
    return series


LIVE_RUN_SESSIONS = 10


def live_run_dates(today: date | None = None) -> list[date]:
    """Ten Fridays, the first one after today (in Pacific time), one week apart."""
    today = today or datetime.now(ZoneInfo(PACIFIC)).date()
    first = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return [first + timedelta(weeks=n) for n in range(LIVE_RUN_SESSIONS)]


PROGRAM = "Your deflection program"
HOPES = "What you hope to gain"
TEAM = "Your team"
PROGRAM_STAGES = [
    "Exploring whether deflection fits our community",
    "Planning a program",
    "Launching (first year of operation)",
    "Operating for more than a year",
    "Expanding to new pathways or partners",
]
PARTNERS = [
    "Law enforcement",
    "Fire or EMS",
    "Behavioral health treatment",
    "Peer recovery services",
    "County government",
    "Tribal government",
    "Courts or prosecution",
    "Housing or social services",
    "Community organizations",
]
LEADERSHIP_QUESTIONS = [
    # (section, label, kind, help text, choices, min words, required)
    (PROGRAM, "What stage is your deflection program at?", "single_choice", "",
     PROGRAM_STAGES, None, True),
    (PROGRAM, "Describe your deflection program and your role in it.", "long_text",
     "Who runs it, which pathways it uses or plans, and what you do in it.", [], 40, True),
    (PROGRAM, "Which partners are involved in your program today?", "multiple_choice",
     "Tick every partner that takes part now.", PARTNERS, None, True),
    (PROGRAM, "Has your program applied for or received a deflection grant from the Oregon "
     "Criminal Justice Commission?", "yes_no", "", [], None, True),
    (HOPES, "What do you hope to gain from this ECHO?", "long_text",
     "For example a problem you want to solve, a decision ahead of you, or a pathway you want "
     "to start.", [], 40, True),
    (TEAM, "Which members of your team would attend with you?", "long_text",
     "Names are not needed: give their roles and organizations.", [], 10, True),
    (TEAM, "Is there anything else the faculty should know?", "short_text", "", [], None,
     False),
]  # fmt: skip


def _leadership_questions(stdout, series: Series) -> list[Question]:
    if series.questions.exists():  # the questions are the staff's once they exist
        return list(series.questions.all())
    questions = [
        Question.objects.create(
            series=series,
            section=section,
            label=label,
            kind=kind,
            help_text=help_text,
            choices="\n".join(choices),
            min_words=min_words,
            required=required,
            order=order,
        )
        for order, (section, label, kind, help_text, choices, min_words, required) in enumerate(
            LEADERSHIP_QUESTIONS, start=1
        )
    ]
    stdout.write(f"Created {len(questions)} registration questions for {series.slug}")
    return questions


# Fictional applicants (example.org addresses) so that staff have a realistic queue: the series
# at capacity, with pending and waitlisted requests left to review.
DEMO_ORGANIZATIONS = [
    ("Lane County Sheriff's Office", "law_enforcement", "lane", "Patrol lieutenant"),
    ("Marion County Health and Human Services", "behavioral_health", "marion",
     "Behavioral health program manager"),
    ("Deschutes County", "county_government", "deschutes", "Deflection coordinator"),
    ("Coos Bay Police Department", "law_enforcement", "coos", "Sergeant"),
    ("Jackson County Fire District 3", "fire_ems", "jackson", "EMS captain"),
    ("Confederated Tribes of Warm Springs", "tribal_government", "tribe-warm-springs",
     "Prevention director"),
    ("Multnomah County District Attorney's Office", "courts", "multnomah",
     "Deputy district attorney"),
    ("Klamath Basin Peer Recovery Network", "peer_recovery", "klamath", "Peer mentor lead"),
    ("Umatilla County Community Corrections", "county_government", "umatilla",
     "Program analyst"),
    ("Linn Benton Recovery Alliance", "community", "linn", "Executive director"),
]  # fmt: skip
FIRST_NAMES = ["Alex", "Maria", "Sam", "Jordan", "Priya", "Luis", "Dana", "Kai", "Rosa",
               "Tom", "Mei", "Noah"]  # fmt: skip
LAST_NAMES = ["Rivera", "Nguyen", "Olsen", "Begay", "Schmidt", "Patel", "Moreno", "Kim",
              "Walker", "Yazzie", "Larsen"]  # fmt: skip
# At capacity (24 seats): 23 approvals and one open offer, which holds the 24th seat.
DEMO_APPROVED, DEMO_OFFERED, DEMO_PENDING, DEMO_WAITLISTED, DEMO_DECLINED = 23, 1, 6, 3, 1


def _demo_answer(question: Question, n: int) -> str:
    if question.kind == "single_choice":
        return question.choice_list[n % len(question.choice_list)]
    if question.kind == "multiple_choice":
        return "\n".join(question.choice_list[i] for i in {n % 4, 2, (n + 3) % 9})
    if question.kind == "yes_no":
        return "Yes" if n % 3 else "No"
    if question.kind == "short_text":
        return ""
    if question.section == TEAM:
        return "Our behavioral health lead, a patrol sergeant, and a peer mentor from our partner."
    return (
        "Our county started planning deflection last year with the sheriff, the local "
        "treatment provider and a peer recovery organization. I coordinate the work group and "
        "keep the referral steps, data sharing and training on track. We want to learn how "
        "other counties made warm handoffs work at night and on weekends, and how they keep "
        "officers and clinicians meeting regularly once the first grant period ends."
    )


def _leadership_requests(stdout, series: Series, questions: list[Question]) -> None:
    if series.requests.exists():
        return
    states = (
        [RequestState.APPROVED] * DEMO_APPROVED
        + [RequestState.OFFERED] * DEMO_OFFERED
        + [RequestState.WAITLISTED] * DEMO_WAITLISTED
        + [RequestState.DECLINED] * DEMO_DECLINED
        + [RequestState.PENDING] * DEMO_PENDING
    )
    # Submitted over the weeks before the demo was loaded, nine hours apart.
    now = datetime.now(ZoneInfo(PACIFIC)).replace(minute=0, second=0, microsecond=0)
    first_submission = now - timedelta(hours=9 * len(states) + 24)
    for n, state in enumerate(states):
        organization, sector, county, role = DEMO_ORGANIZATIONS[n % len(DEMO_ORGANIZATIONS)]
        first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n * 7) % len(LAST_NAMES)]
        submitted_at = first_submission + timedelta(hours=9 * n)
        request = RegistrationRequest.objects.create(
            series=series,
            full_name=f"{first} {last}",
            email=f"{first}.{last}.{n}@example.org".lower(),
            organization=organization,
            role_title=role,
            sector=sector,
            county=county,
            consent=True,
            state=state,
            submitted_at=submitted_at,
            reviewed_at=None
            if state == RequestState.PENDING
            else submitted_at + timedelta(hours=6),
            offer_expires_at=now + timedelta(hours=series.offer_hours)
            if state == RequestState.OFFERED
            else None,
            is_demo=True,
        )
        Answer.objects.bulk_create(
            Answer(request=request, question=question, value=_demo_answer(question, n))
            for question in questions
            if _demo_answer(question, n)
        )
        events = [RequestEvent(request=request, to_state=RequestState.PENDING,
                               actor_kind=Actor.APPLICANT, reason="Submitted",
                               created_at=submitted_at)]  # fmt: skip
        steps = {RequestState.OFFERED: [RequestState.WAITLISTED, RequestState.OFFERED]}
        previous = RequestState.PENDING
        for step in steps.get(state, [] if state == RequestState.PENDING else [state]):
            events.append(
                RequestEvent(request=request, from_state=previous, to_state=step,
                             actor_kind=Actor.SYSTEM, reason="Demo decision",
                             created_at=request.reviewed_at)
            )  # fmt: skip
            previous = step
        RequestEvent.objects.bulk_create(events)
    stdout.write(f"Created {len(states)} demo registration requests for {series.slug}")


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


# --- Spanish ------------------------------------------------------------------------------
# The Spanish of both demo series, the first session of 2024 and the registration questions;
# the other sessions have only dates, and the series' wording that staff change later keeps
# its own Spanish (nothing already written in Spanish is replaced).

OREGON_TEAMS_AUDIENCE_ES = (
    "Equipos que crean programas de desviación en los condados y las tribus de Oregón: la "
    "policía y otro personal de primera respuesta, proveedores de salud conductual y de "
    "recuperación entre pares, y socios de los condados, las ciudades y las tribus."
)
SCHEDULE_ES = "Los viernes de 1 a 2 p. m., hora del Pacífico"

SERIES_ES = {
    "deflection-echo-2024": {
        "title": "ECHO de desviación 2024",
        "about": """
El ECHO de desviación es un programa virtual e interactivo en el que las personas que trabajan
en la desviación aprenden y comparten buenas prácticas para ponerla en marcha. Cada sesión de
una hora combina una charla breve del profesorado con una conversación entre participantes de
la policía, la salud conductual, la recuperación entre pares y el gobierno del condado.

Esta página guarda la edición 2024 del ECHO de implementación y liderazgo en desviación: los
materiales y las grabaciones de sus once sesiones. Esta edición ya terminó; la edición actual
tiene su propia página.
""",
        "audience": OREGON_TEAMS_AUDIENCE_ES,
        "schedule": SCHEDULE_ES,
    },
    "deflection-implementation-leadership-echo": {
        "title": "ECHO de implementación y liderazgo en desviación",
        "about": """
El ECHO de implementación y liderazgo en desviación reúne a quienes dirigen y llevan a cabo
programas de desviación en los condados de Oregón. En sesiones virtuales de una hora, los
participantes hablan de preguntas reales de implementación con un equipo de expertos de
varias disciplinas y con colegas de otros condados.

Esta edición se reúne los viernes. El personal revisa las solicitudes; responda con detalle a
las preguntas de inscripción para apoyar la suya.

Este es contenido de demostración: las solicitudes que ve el personal son ficticias.
""",
        "learning_objectives": """
Hablar de buenas prácticas de desviación con expertos de varias disciplinas y con sus colegas
Conocer varios modelos de desviación y adaptarlos a los condados de Oregón
Aplicar un enfoque de salud a los trastornos por consumo de sustancias y a su tratamiento
Compartir buenas ideas entre condados
Tener acceso a una biblioteca de recursos sobre la desviación
""",
        "audience": OREGON_TEAMS_AUDIENCE_ES,
        "schedule": SCHEDULE_ES,
    },
}  # fmt: skip

DEFLECTION_101_ES = {
    "title": "Desviación 101",
    "summary": (
        "La primera sesión del ECHO de desviación 2024: qué es la desviación, en qué se "
        "diferencia del arresto y de los programas de desvío posteriores, y qué necesita una "
        "comunidad para empezar."
    ),
    "take_homes": "\n".join(
        [
            "La desviación es un traspaso directo: una persona de primera respuesta conecta a "
            "alguien con tratamiento o con un servicio de la comunidad en lugar de arrestarlo "
            "o dejarlo sin ayuda.",
            "La desviación ocurre antes de presentar cargos; eso la distingue de los programas "
            "de desvío que empiezan después de un arresto o en el tribunal.",
            "Las personas llegan a la desviación por varias vías, desde pedir ayuda por sí "
            "mismas hasta remisiones de la policía y visitas después de una sobredosis; cada "
            "comunidad elige las que le convienen.",
            "La desviación solo funciona con socios listos para recibir a las personas: "
            "proveedores de tratamiento, mentores de recuperación entre pares y "
            "administradores de casos que dan seguimiento pronto.",
            "Metas compartidas, pasos de remisión claros y una recopilación de datos sencilla "
            "ayudan a la policía y a los socios de salud conductual a mantener un programa.",
        ]
    ),
}

PROGRAM_ES = "Su programa de desviación"
HOPES_ES = "Lo que espera lograr"
TEAM_ES = "Su equipo"
# By the English label: section, label, help text, choices (in the English order).
QUESTIONS_ES = {
    "What stage is your deflection program at?": (
        PROGRAM_ES, "¿En qué etapa está su programa de desviación?", "",
        [
            "Estamos viendo si la desviación le conviene a nuestra comunidad",
            "Planeando un programa",
            "Empezando (primer año de funcionamiento)",
            "Funcionando desde hace más de un año",
            "Ampliándolo a nuevas vías o nuevos socios",
        ],
    ),
    "Describe your deflection program and your role in it.": (
        PROGRAM_ES, "Describa su programa de desviación y su papel en él.",
        "Quién lo dirige, qué vías usa o planea usar y qué hace usted en él.", [],
    ),
    "Which partners are involved in your program today?": (
        PROGRAM_ES, "¿Qué socios participan hoy en su programa?",
        "Marque todos los socios que participan ahora.",
        [
            "Policía",
            "Bomberos o servicios de emergencia",
            "Tratamiento de salud conductual",
            "Servicios de recuperación entre pares",
            "Gobierno del condado",
            "Gobierno tribal",
            "Tribunales o fiscalía",
            "Vivienda o servicios sociales",
            "Organizaciones comunitarias",
        ],
    ),
    "Has your program applied for or received a deflection grant from the Oregon Criminal "
    "Justice Commission?": (
        PROGRAM_ES, "¿Su programa ha solicitado o recibido una subvención de desviación de la "
        "Comisión de Justicia Penal de Oregón?", "", [],
    ),
    "Is there anything else the faculty should know?": (
        TEAM_ES, "¿Hay algo más que el profesorado deba saber?", "", [],
    ),
    "What do you hope to gain from this ECHO?": (
        HOPES_ES, "¿Qué espera lograr con este ECHO?",
        "Por ejemplo, un problema que quiere resolver, una decisión que tiene por delante o una "
        "vía que quiere empezar.", [],
    ),
    "Which members of your team would attend with you?": (
        TEAM_ES, "¿Qué miembros de su equipo participarían con usted?",
        "No hace falta dar nombres: indique sus cargos y organizaciones.", [],
    ),
}  # fmt: skip


def load_spanish(stdout) -> None:
    from deflection_portal.demo import add_spanish

    for slug, texts in SERIES_ES.items():
        series = Series.objects.filter(slug=slug).first()
        if series is None:
            continue
        add_spanish(series, texts)
        for question in series.questions.all():
            spanish = QUESTIONS_ES.get(question.label_en)
            if spanish:
                section, label, help_text, choices = spanish
                fields = {"section": section, "label": label, "choices": "\n".join(choices)}
                if help_text:
                    fields["help_text"] = help_text
                add_spanish(question, {k: v for k, v in fields.items() if v})
    session = Session.objects.filter(series__slug="deflection-echo-2024", number=1).first()
    if session:
        add_spanish(session, DEFLECTION_101_ES)
    stdout.write("Spanish added to the demo series, their questions and session 1 of 2024")
