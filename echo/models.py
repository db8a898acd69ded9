"""ECHO series, their sessions, and the registration requests people make to join them.

A *request* holds no seat. Only an approved request holds one, and approvals never exceed a
series' capacity: `RegistrationRequestQuerySet.holding_seats()` is the one definition of
"holds a seat", and `echo.services` is the only code that changes a request's state.
"""

import secrets
import zoneinfo
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from deflection_portal.urls_fast import slug_url
from library.models import Resource

# --- Series ------------------------------------------------------------------------------


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as America/Los_Angeles."),
            params={"value": value},
        )


class RegistrationState(models.TextChoices):
    ACCEPTING = "accepting", _("Accepting requests")
    CLOSED = "closed", _("Closed")


class PublicRegistrationStatus(models.TextChoices):
    """What the public pages say about joining a series (derived, never stored)."""

    OPEN = "open", _("Open for requests")
    FULL = "full", _("At capacity, still accepting requests")
    NOT_YET_OPEN = "not_yet_open", _("Not open for requests yet")
    ENDED = "ended", _("This run has ended")
    NOT_SCHEDULED = "not_scheduled", _("No sessions scheduled yet")
    DEADLINE_PASSED = "deadline_passed", _("Requests are closed")
    CLOSED = "closed", _("Closed")


# Fixed paths under /echo/ that a series slug would shadow (see echo/urls.py).
RESERVED_SERIES_SLUGS = frozenset({"archive", "interest", "privacy", "requests"})


class SeriesQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def with_seat_counts(self):
        """Annotate approved (seats used), pending and waitlisted request counts."""
        return self.annotate(
            seats_used=Count("requests", filter=Q(requests__state__in=SEAT_HOLDING_STATES)),
            pending_count=Count("requests", filter=Q(requests__state=RequestState.PENDING)),
            waitlisted_count=Count("requests", filter=Q(requests__state=RequestState.WAITLISTED)),
        )

    def with_session_dates(self, at=None):
        """Annotate the next upcoming (not cancelled) session start, the last session end and
        the number of sessions, as subqueries so they combine with `with_seat_counts()`."""
        at = at or timezone.now()

        def session_aggregate(aggregate, **filters):
            sessions = Session.objects.filter(series=OuterRef("pk"), **filters).order_by()
            return Subquery(sessions.values("series").annotate(v=aggregate).values("v"))

        return self.annotate(
            next_session_at=session_aggregate(Min("starts_at"), ends_at__gt=at, is_cancelled=False),
            next_start_at=session_aggregate(Min("starts_at"), starts_at__gt=at, is_cancelled=False),
            last_session_ends_at=session_aggregate(Max("ends_at")),
            session_count=Coalesce(session_aggregate(Count("pk")), 0),
        )


class Series(models.Model):
    """One run of an ECHO program, e.g. the Deflection ECHO of 2024.

    `capacity` counts seats: the number of requests that may be approved. Requests that are
    pending or waitlisted hold no seat.
    """

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    about = models.TextField(_("about"), help_text=_("What the series is, in Markdown."))
    learning_objectives = models.TextField(
        _("learning objectives"), blank=True, help_text=_("One objective per line.")
    )
    audience = models.TextField(_("who it is for"), blank=True)
    schedule = models.CharField(
        _("schedule"),
        max_length=200,
        blank=True,
        help_text=_("How the series meets, in words, e.g. “Fridays 1-2 p.m. Pacific”."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="America/Los_Angeles",
        validators=[validate_time_zone],
        help_text=_("Session times are shown in this zone."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("Seats: how many requests may be approved. Leave blank for no limit."),
    )
    registration_state = models.CharField(
        _("registration"),
        max_length=20,
        choices=RegistrationState.choices,
        default=RegistrationState.CLOSED,
        help_text=_("Whether the public form takes requests, within the optional window below."),
    )
    registration_opens_at = models.DateTimeField(_("requests open"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(
        _("request deadline"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. Requests are taken until this moment, and in any case only while a "
            "session is still ahead."
        ),
    )
    join_url = models.URLField(
        _("private join link"),
        max_length=500,
        blank=True,
        help_text=_("Sent to approved participants only; never shown on a public page."),
    )
    staff_emails = models.TextField(
        _("staff notification addresses"),
        blank=True,
        help_text=_("Addresses told about each new request, one per line or comma-separated."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep applicants' personal data for (days)"),
        default=365,
        help_text=_("Counted from the last session; then names and contact details are erased."),
    )
    auto_offers = models.BooleanField(
        _("offer freed seats automatically"),
        default=True,
        help_text=_(
            "When a seat frees, offer it to the first person on the waitlist by email. Off: "
            "staff are only told."
        ),
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept an offer"),
        default=72,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_("How long an offered seat is held for the person before it moves on."),
    )
    previous_run = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_runs",
        verbose_name=_("previous run"),
        help_text=_("The run this one continues; its interest list is invited to this one."),
    )
    interest_invited_at = models.DateTimeField(
        _("interest list invited"), null=True, blank=True, editable=False
    )
    interest_invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("interest list invited by"),
    )
    second_review_spread = models.DecimalField(
        _("second review when scores differ by more than"),
        max_digits=3,
        decimal_places=1,
        default=1.5,
        validators=[MinValueValidator(0), MaxValueValidator(4)],
        help_text=_(
            "Requests whose reviewers' mean scores differ by more than this (on the 1-5 scale), "
            "or that only one reviewer has scored, are flagged for a second review."
        ),
    )
    is_demo = models.BooleanField(
        _("demo content"), default=False, editable=False, help_text=_("Loaded as an example.")
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Participation: what counts as attending a session, and what completes the series.
    attended_minutes = models.PositiveSmallIntegerField(
        _("minutes that count as attended"),
        default=45,
        help_text=_(
            "A participant who was in a session's meeting at least this many minutes (added up "
            "over rejoins) attended it, e.g. 45 of 60."
        ),
    )
    completion_sessions = models.PositiveSmallIntegerField(
        _("sessions needed for a certificate"),
        null=True,
        blank=True,
        help_text=_(
            "Attend at least this many sessions to earn a completion certificate. Leave blank "
            "for a series without certificates."
        ),
    )
    program_name = models.CharField(
        _("program name on certificates"),
        max_length=200,
        blank=True,
        help_text=_("Who awards the certificate, e.g. “Oregon Deflection ECHO Program”."),
    )

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("series")
        verbose_name_plural = _("series")
        indexes = [models.Index(fields=["is_published", "-created_at"], name="series_pub_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="series_capacity_positive",
                violation_error_message=_("Capacity must be at least 1, or blank for no limit."),
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="series_window_closes_after_opening",
                violation_error_message=_("Requests must close after they open."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return slug_url("echo:series", slug=self.slug)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def objectives(self) -> list[str]:
        return [line.strip() for line in self.learning_objectives.splitlines() if line.strip()]

    @property
    def staff_email_list(self) -> list[str]:
        raw = self.staff_emails.replace(",", "\n").replace(";", "\n")
        return [line.strip() for line in raw.splitlines() if line.strip()]

    def next_start(self, at=None):
        """The start of the next session that has not started (not cancelled), or None: from
        the `with_session_dates()` annotation when present and `at` is now."""
        if at is None and hasattr(self, "next_start_at"):
            return self.next_start_at
        at = at or timezone.now()
        upcoming = self.sessions.filter(starts_at__gt=at, is_cancelled=False)
        return upcoming.aggregate(first=Min("starts_at"))["first"]

    def has_sessions(self) -> bool:
        """Whether any session was ever scheduled (from `with_session_dates()` if present)."""
        count = getattr(self, "session_count", None)
        if count is not None:
            return count > 0
        return self.sessions.exists()

    def accepts_requests(self, at=None) -> bool:
        """True while the public form takes requests: state open, inside the window (before
        the optional deadline) and with at least one session that has not started."""
        return self.registration_status(at) in (
            PublicRegistrationStatus.OPEN,
            PublicRegistrationStatus.FULL,
        )

    def registration_status(self, at=None) -> str:
        """Where the series stands for a newcomer: open, full (requests still taken), not yet
        open, ended (no session ahead), past its deadline, or closed by staff."""
        now = at or timezone.now()
        if self.next_start(at) is None:
            if self.has_sessions():
                return PublicRegistrationStatus.ENDED
            if self.registration_state == RegistrationState.ACCEPTING:
                return PublicRegistrationStatus.NOT_SCHEDULED
        if self.registration_state != RegistrationState.ACCEPTING:
            return PublicRegistrationStatus.CLOSED
        if self.registration_closes_at and now >= self.registration_closes_at:
            return PublicRegistrationStatus.DEADLINE_PASSED
        if self.registration_opens_at and now < self.registration_opens_at:
            return PublicRegistrationStatus.NOT_YET_OPEN
        return PublicRegistrationStatus.FULL if self.is_full else PublicRegistrationStatus.OPEN

    @property
    def takes_interest(self) -> bool:
        """An interest list replaces the form once requests are over for this run."""
        return self.registration_status() in (
            PublicRegistrationStatus.ENDED,
            PublicRegistrationStatus.DEADLINE_PASSED,
            PublicRegistrationStatus.CLOSED,
        )

    def upcoming_sessions(self, at=None):
        """Sessions that have not started, not cancelled, in order: what approved people are
        sent and shown."""
        at = at or timezone.now()
        return self.sessions.filter(starts_at__gt=at, is_cancelled=False).order_by("starts_at")

    def retention_ends_at(self):
        """When applicants' personal data must be erased: the retention period counted from
        the last session (or from creation, for a series without sessions). Needs the
        `with_session_dates()` annotation."""
        start = getattr(self, "last_session_ends_at", None) or self.created_at
        return start + timedelta(days=self.retention_days)

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_SERIES_SLUGS:
            raise ValidationError(
                {"slug": _("“%(slug)s” is used by another page; choose another slug.")},
                params={"slug": self.slug},
            )

    @cached_property
    def seats_in_use(self) -> int:
        """Approved requests: from the `with_seat_counts()` annotation when present."""
        annotated = getattr(self, "seats_used", None)
        if annotated is not None:
            return annotated
        return self.requests.holding_seats().count()

    @property
    def seats_remaining(self) -> int | None:
        """Free seats, or None when the series has no limit."""
        if self.capacity is None:
            return None
        return max(self.capacity - self.seats_in_use, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.seats_in_use >= self.capacity

    @property
    def public_registration_status(self) -> str:
        return self.registration_status()

    @property
    def is_current(self) -> bool:
        """With sessions still to come (needs `with_session_dates()`). A series takes requests
        only while a session is ahead, so every series taking requests is current."""
        return getattr(self, "next_session_at", None) is not None

    def duplicate(self, first_day=None) -> "Series":
        """Start the next run: copy the description, capacity, settings and questions, and,
        given `first_day`, the sessions that were not cancelled, moved so that the first falls
        on that day with every later one the same number of days after it, at the same local
        time. No requests and no join link are copied; the copy is unpublished, closed to
        requests and points back to this run (whose interest list it may invite)."""
        slug_length = self._meta.get_field("slug").max_length
        base_slug = f"{self.slug}-next"[:slug_length]
        slug, n = base_slug, 1
        while Series.objects.filter(slug=slug).exists():
            n += 1
            suffix = f"-{n}"
            slug = base_slug[: slug_length - len(suffix)] + suffix
        title_suffix = str(_(" (next run)"))
        title = self.title[: self._meta.get_field("title").max_length - len(title_suffix)]
        with transaction.atomic():
            copy = Series.objects.create(
                title=title + title_suffix,
                slug=slug,
                about=self.about,
                learning_objectives=self.learning_objectives,
                audience=self.audience,
                schedule=self.schedule,
                time_zone=self.time_zone,
                capacity=self.capacity,
                registration_state=RegistrationState.CLOSED,
                staff_emails=self.staff_emails,
                retention_days=self.retention_days,
                auto_offers=self.auto_offers,
                offer_hours=self.offer_hours,
                second_review_spread=self.second_review_spread,
                attended_minutes=self.attended_minutes,
                completion_sessions=self.completion_sessions,
                program_name=self.program_name,
                previous_run=self,
                is_published=False,
            )
            Question.objects.bulk_create(
                Question(
                    series=copy,
                    section=question.section,
                    label=question.label,
                    help_text=question.help_text,
                    kind=question.kind,
                    choices=question.choices,
                    required=question.required,
                    min_words=question.min_words,
                    order=question.order,
                )
                for question in self.questions.all()
            )
            Criterion.objects.bulk_create(
                Criterion(series=copy, name=c.name, description=c.description, order=c.order)
                for c in self.criteria.all()
            )
            if first_day is not None:
                Session.objects.bulk_create(shifted_sessions(self, copy, first_day))
        return copy


def shifted_sessions(source: Series, target: Series, first_day) -> list["Session"]:
    """Unsaved copies of `source`'s sessions (not cancelled) for `target`, numbered from 1,
    the first on `first_day` and the others as many days after it as before, each at its own
    local wall-clock time (so a 1 p.m. Pacific session stays at 1 p.m. across DST) and of its
    own length (a session that began in the hour repeated when clocks go back would
    otherwise end, by the wall clock, when it starts)."""
    zone = source.zone
    sessions = list(source.sessions.filter(is_cancelled=False).order_by("starts_at"))
    if not sessions:
        return []
    shift = first_day - sessions[0].starts_at.astimezone(zone).date()
    copies = []
    for number, session in enumerate(sessions, start=1):
        start = session.starts_at.astimezone(zone)
        new_start = datetime.combine(start.date() + shift, start.time(), tzinfo=zone)
        new_end = new_start.astimezone(UTC) + (session.ends_at - session.starts_at)
        copies.append(
            Session(
                series=target,
                number=number,
                title=session.title,
                starts_at=new_start,
                ends_at=new_end,
                presenters=session.presenters,
            )
        )
    return copies


# --- Sessions ----------------------------------------------------------------------------


class SessionQuerySet(models.QuerySet):
    def upcoming(self, at=None):
        return self.filter(ends_at__gt=at or timezone.now()).order_by("starts_at")

    def past(self, at=None):
        return self.filter(ends_at__lte=at or timezone.now()).order_by("-starts_at")

    def not_cancelled(self):
        return self.filter(is_cancelled=False)


class Session(models.Model):
    """One meeting of a series, with its materials from the library."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("series")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    summary = models.TextField(_("summary"), blank=True)
    presenters = models.TextField(_("presenters"), blank=True, help_text=_("One per line."))
    take_homes = models.TextField(
        _("key take-homes"), blank=True, help_text=_("One take-home per line.")
    )
    materials = models.ManyToManyField(
        Resource,
        through="SessionMaterial",
        related_name="echo_sessions",
        blank=True,
        verbose_name=_("materials"),
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["series", "number"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "number"],
                name="session_number_unique_in_series",
                violation_error_message=_("This series already has a session with that number."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
                violation_error_message=_("A session must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["series", "starts_at"], name="session_series_start_idx")]

    def __str__(self) -> str:
        label = _("Session %(number)s") % {"number": self.number}
        return f"{label}: {self.title}" if self.title else str(label)

    def get_absolute_url(self) -> str:
        return slug_url("echo:session", slug=self.series.slug, number=self.number)

    @property
    def take_home_list(self) -> list[str]:
        return [line.strip() for line in self.take_homes.splitlines() if line.strip()]

    @property
    def presenter_list(self) -> list[str]:
        return [line.strip() for line in self.presenters.splitlines() if line.strip()]

    @property
    def display_title(self) -> str:
        return self.title or str(_("Session %(number)s") % {"number": self.number})

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.series.zone)

    @property
    def local_ends_at(self):
        return self.ends_at.astimezone(self.series.zone)

    @property
    def when(self) -> str:
        """Date and time range in the series' zone, zone named: “Friday, April 26, 2024,
        1:00–2:00 p.m. PDT”."""
        start, end = self.local_starts_at, self.local_ends_at
        day = dateformat.format(start, _("l, F j, Y"))
        if start.date() != end.date():
            end_text = dateformat.format(end, _("l, F j, Y, g:i a T"))
            return f"{day}, {dateformat.format(start, _('g:i a'))} – {end_text}"
        same_half = dateformat.format(start, "a") == dateformat.format(end, "a")
        start_text = dateformat.format(start, _("g:i") if same_half else _("g:i a"))
        return f"{day}, {start_text}–{dateformat.format(end, _('g:i a T'))}"

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()


class SessionMaterial(models.Model):
    """A library resource used in a session, in the order staff chose."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="material_links")
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="session_links", verbose_name=_("resource")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.UniqueConstraint(fields=["session", "resource"], name="session_material_once"),
        ]

    def __str__(self) -> str:
        return str(self.resource)


# --- Questions ---------------------------------------------------------------------------


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    YES_NO = "yes_no", _("Yes / no")


class Question(models.Model):
    """A question of a series' registration form, asked after the core fields."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="questions", verbose_name=_("series")
    )
    section = models.CharField(
        _("section"),
        max_length=120,
        default=_("About your program"),
        help_text=_("Questions with the same section are grouped together on the form."),
    )
    label = models.CharField(_("question"), max_length=300)
    help_text = models.TextField(_("help text"), blank=True)
    kind = models.CharField(
        _("type"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.LONG_TEXT
    )
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For choice questions: one choice per line.")
    )
    required = models.BooleanField(_("required"), default=True)
    min_words = models.PositiveSmallIntegerField(
        _("minimum words"),
        null=True,
        blank=True,
        help_text=_("For long text: the fewest words an answer may have."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["series", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def choice_options(self) -> list[tuple[str, str]]:
        """(value, label) of each choice: the value is always the English choice, so that
        answers read the same to staff whatever language the form was in; the label is the
        current language's line in the same place, when staff wrote as many lines."""
        english = [line.strip() for line in (self.choices_en or "").splitlines() if line.strip()]
        shown = self.choice_list
        if not english or len(shown) != len(english):
            return [(choice, choice) for choice in english or shown]
        return list(zip(english, shown, strict=True))

    def clean(self) -> None:
        choice_kinds = {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}
        if self.kind in choice_kinds and len(self.choice_list) < 2:
            raise ValidationError({"choices": _("A choice question needs at least two choices.")})
        if self.kind not in choice_kinds and self.choices.strip():
            raise ValidationError({"choices": _("Only choice questions have choices.")})
        if self.min_words and self.kind != QuestionKind.LONG_TEXT:
            raise ValidationError({"min_words": _("Only long-text answers have a word minimum.")})


# --- Registration requests ---------------------------------------------------------------


class RequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    WAITLISTED = "waitlisted", _("Waitlisted")
    OFFERED = "offered", _("Offered a seat")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Offer lapsed")


LIVE_STATES = (
    RequestState.PENDING,
    RequestState.APPROVED,
    RequestState.WAITLISTED,
    RequestState.OFFERED,
)
# What "holds a seat" means, for the QuerySet, the annotations and the services alike. An
# offer holds its seat for the person until it is accepted, declined or lapses, so that no
# approval can take the seat that was promised to them.
SEAT_HOLDING_STATES = (RequestState.APPROVED, RequestState.OFFERED)


class Actor(models.TextChoices):
    """Who made a change to a request."""

    STAFF = "staff", _("staff")
    APPLICANT = "applicant", _("the applicant")
    SYSTEM = "system", _("the portal (automatic)")


class Sector(models.TextChoices):
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    FIRE_EMS = "fire_ems", _("Fire or EMS")
    BEHAVIORAL_HEALTH = "behavioral_health", _("Behavioral health")
    PEER_RECOVERY = "peer_recovery", _("Peer recovery")
    COUNTY_GOVERNMENT = "county_government", _("County government")
    TRIBAL_GOVERNMENT = "tribal_government", _("Tribal government")
    COURTS = "courts", _("Courts or prosecution")
    COMMUNITY = "community", _("Community organization")
    OTHER = "other", _("Other")


OREGON_COUNTIES = [
    "Baker", "Benton", "Clackamas", "Clatsop", "Columbia", "Coos", "Crook", "Curry",
    "Deschutes", "Douglas", "Gilliam", "Grant", "Harney", "Hood River", "Jackson", "Jefferson",
    "Josephine", "Klamath", "Lake", "Lane", "Lincoln", "Linn", "Malheur", "Marion", "Morrow",
    "Multnomah", "Polk", "Sherman", "Tillamook", "Umatilla", "Union", "Wallowa", "Wasco",
    "Washington", "Wheeler", "Yamhill",
]  # fmt: skip

OREGON_TRIBES = [
    ("tribe-burns-paiute", "Burns Paiute Tribe"),
    ("tribe-coos", "Confederated Tribes of Coos, Lower Umpqua and Siuslaw Indians"),
    ("tribe-grand-ronde", "Confederated Tribes of Grand Ronde"),
    ("tribe-siletz", "Confederated Tribes of Siletz Indians"),
    ("tribe-umatilla", "Confederated Tribes of the Umatilla Indian Reservation"),
    ("tribe-warm-springs", "Confederated Tribes of Warm Springs"),
    ("tribe-coquille", "Coquille Indian Tribe"),
    ("tribe-cow-creek", "Cow Creek Band of Umpqua Tribe of Indians"),
    ("tribe-klamath", "The Klamath Tribes"),
]

OUTSIDE_OREGON = "outside-oregon"

# Tribes' names are their own official names, in English on every page.
COUNTY_CHOICES = [
    (_("Oregon counties"), [(name.lower().replace(" ", "-"),
                             format_lazy(_("{name} County"), name=name))
                            for name in OREGON_COUNTIES]),
    (_("Federally recognized tribes"), OREGON_TRIBES),
    (OUTSIDE_OREGON, _("Outside Oregon")),
]  # fmt: skip


def new_access_token() -> str:
    return secrets.token_urlsafe(32)


# Reference numbers are read aloud and typed from paper: no 0/O, 1/I/L or U/V look-alikes.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
REFERENCE_PREFIX = "ECHO"


def new_reference() -> str:
    """A short reference the applicant can quote, like ECHO-7K3M-Q9 (29^6 possibilities)."""
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{REFERENCE_PREFIX}-{code[:4]}-{code[4:]}"


def unused_reference() -> str:
    """A new reference no request has yet (the unique constraint stays the last word)."""
    while True:
        reference = new_reference()
        if not RegistrationRequest.objects.filter(reference=reference).exists():
            return reference


class RegistrationRequestQuerySet(models.QuerySet):
    def holding_seats(self):
        """The requests that occupy a seat. Only approvals do; a request alone never does."""
        return self.filter(state__in=SEAT_HOLDING_STATES)

    def live(self):
        return self.filter(state__in=LIVE_STATES)

    def waitlist(self):
        """Waitlisted requests in the order seats are offered: first come, first served."""
        return self.filter(state=RequestState.WAITLISTED).order_by("submitted_at", "pk")

    def first_come(self):
        return self.order_by("submitted_at", "pk")


class RegistrationRequest(models.Model):
    """A request to join a series, with the applicant's answers. It holds no seat until approved.

    State changes only through `echo.services`, which also records each one as a
    `RequestEvent`.
    """

    series = models.ForeignKey(
        Series, on_delete=models.PROTECT, related_name="requests", verbose_name=_("series")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    organization = models.CharField(_("organization"), max_length=200)
    role_title = models.CharField(
        _("role or title"), max_length=200, help_text=_("Your job title or role in the program.")
    )
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    county = models.CharField(
        _("county or tribe"),
        max_length=40,
        choices=COUNTY_CHOICES,
        help_text=_("Where your program works."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    consent = models.BooleanField(_("consent to the privacy notice"), default=False)
    # The language of the pages it was made on: every email to this person is in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en", editable=False
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=RequestState.choices,
        default=RequestState.PENDING,
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    offer_expires_at = models.DateTimeField(
        _("offer expires"), null=True, blank=True, editable=False
    )
    is_demo = models.BooleanField(_("demo content"), default=False, editable=False)
    staff_note = models.TextField(
        _("staff note"), blank=True, help_text=_("Seen by staff only; never sent to the applicant.")
    )
    decision_reason = models.TextField(
        _("decision reason"),
        blank=True,
        editable=False,
        help_text=_("Sent to the applicant with the decision."),
    )
    access_token = models.CharField(
        max_length=64, unique=True, default=new_access_token, editable=False
    )
    reference = models.CharField(
        _("reference"),
        max_length=16,
        unique=True,
        default=new_reference,
        editable=False,
        help_text=_("Given to the applicant on the confirmation page and in every email."),
    )
    answers_edited_at = models.DateTimeField(
        _("answers last changed"), null=True, blank=True, editable=False
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    objects = RegistrationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("registration request")
        verbose_name_plural = _("registration requests")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "series",
                condition=Q(state__in=LIVE_STATES),
                name="one_live_request_per_email_per_series",
                violation_error_message=_("There is already a live request from this email."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values), name="request_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["series", "state", "submitted_at"], name="request_queue_idx"),
            models.Index(fields=["state", "submitted_at"], name="request_state_idx"),
            models.Index(fields=["sector"], name="request_sector_idx"),
            models.Index(fields=["state", "offer_expires_at"], name="request_offer_expiry_idx"),
            models.Index(fields=["county"], name="request_county_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.series}"

    def get_status_url(self) -> str:
        return reverse("echo:request-status", kwargs={"token": self.access_token})

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    def waitlist_position(self) -> int | None:
        """1 for the next request to be offered a seat; None when not waitlisted."""
        if self.state != RequestState.WAITLISTED:
            return None
        ahead = (
            RegistrationRequest.objects.waitlist()
            .filter(series_id=self.series_id)
            .filter(
                Q(submitted_at__lt=self.submitted_at)
                | Q(submitted_at=self.submitted_at, pk__lt=self.pk)
            )
        )
        return ahead.count() + 1


class Answer(models.Model):
    """An applicant's answer to one of the series' questions.

    Multiple-choice answers keep one chosen option per line.
    """

    request = models.ForeignKey(
        RegistrationRequest, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["question__order", "question__pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["request", "question"], name="one_answer_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value[:60]}"


class RequestEvent(models.Model):
    """One entry of a request's decision history: who, when, from, to and why. Append-only."""

    request = models.ForeignKey(
        RegistrationRequest, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("The staff member, when staff made the change."),
    )
    actor_kind = models.CharField(
        _("who"), max_length=12, choices=Actor.choices, default=Actor.STAFF
    )
    from_state = models.CharField(
        _("from"), max_length=20, choices=RequestState.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=RequestState.choices)
    reason = models.TextField(_("why"), blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("decision")
        verbose_name_plural = _("decision history")

    def __str__(self) -> str:
        return f"{self.from_state or '–'} → {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Decision history is append-only."))
        super().save(*args, **kwargs)

    @property
    def who(self) -> str:
        if self.actor is None:
            return str(self.get_actor_kind_display())
        if self.actor_kind == Actor.APPLICANT:
            return _("%(user)s, through the applicant's link") % {"user": self.actor.get_username()}
        return self.actor.get_username()


# --- Interest list ---------------------------------------------------------------------


class InterestSignup(models.Model):
    """Someone who wants to hear when the next run of a series opens. One per email per
    series. Leaving the list (the link in every email we send them) deletes the row."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="interest", verbose_name=_("series")
    )
    full_name = models.CharField(_("full name"), max_length=200)
    email = models.EmailField(_("email"), max_length=254)
    county = models.CharField(_("county or tribe"), max_length=40, choices=COUNTY_CHOICES)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    consent = models.BooleanField(_("consent to the privacy notice"), default=False)
    # The language of the pages it was made on: every email to this person is in it.
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en", editable=False
    )
    created_at = models.DateTimeField(_("signed up"), default=timezone.now, editable=False)
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_access_token, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("interest list entry")
        verbose_name_plural = _("interest list")
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "series", name="one_interest_signup_per_email_per_series"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} – {self.series}"

    def get_unsubscribe_url(self) -> str:
        return reverse("echo:interest-leave", kwargs={"token": self.token})


# --- Outgoing email ----------------------------------------------------------------------


class EmailKind(models.TextChoices):
    """What each stored email is, as staff read it in the email log."""

    RECEIVED = "received", _("Request received (to the applicant)")
    DUPLICATE = "duplicate", _("Second request from one address (to the applicant)")
    STAFF_REQUEST_EDITED = "staff_request_edited", _("Answers changed (to staff, daily at most)")
    STAFF_NEW_REQUEST = "staff_new_request", _("New request (to staff)")
    STAFF_SEAT_FREED = "staff_seat_freed", _("Seat freed (to staff)")
    APPROVED = "approved", _("Approved (to the applicant)")
    WAITLISTED = "waitlisted", _("Waitlisted (to the applicant)")
    DECLINED = "declined", _("Declined (to the applicant)")
    WITHDRAWN = "withdrawn", _("Withdrawn (to the applicant)")
    OFFERED = "offered", _("Seat offered (to the applicant)")
    OFFER_DECLINED = "offer_declined", _("Offer declined (to the applicant)")
    OFFER_EXPIRED = "offer_expired", _("Offer lapsed (to the applicant)")
    INTEREST_JOINED = "interest_joined", _("Joined the interest list")
    INTEREST_INVITE = "interest_invite", _("Next run invitation (interest list)")
    MESSAGE = "message", _("Message from staff (to the applicant)")
    CERTIFICATE = "certificate", _("Completion certificate (to the participant)")
    CASE_SCHEDULED = "case_scheduled", _("Case presentation scheduled (to the participant)")
    STAFF_INVITE = "staff_invite", _("Staff invitation or new second-factor link")


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, at=None):
        """Queued messages whose next attempt is due, oldest first."""
        return self.filter(
            status=EmailStatus.QUEUED, next_attempt_at__lte=at or timezone.now()
        ).order_by("next_attempt_at", "pk")


class OutgoingEmail(models.Model):
    """An email, stored in the same transaction as the change that causes it.

    The mail worker delivers it after commit and retries on failure, so an SMTP outage never
    loses a message and a rolled-back change never sends one.
    """

    kind = models.CharField(_("kind"), max_length=40, choices=EmailKind.choices)
    request = models.ForeignKey(
        RegistrationRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("request"),
    )
    interest_signup = models.ForeignKey(
        InterestSignup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="emails",
        verbose_name=_("interest list entry"),
    )
    to = models.TextField(_("to"))  # one address per line
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_content = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("stored email")
        verbose_name_plural = _("stored emails")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="email_due_idx"),
            models.Index(fields=["-created_at"], name="email_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to.replace(chr(10), ', ')}"

    @property
    def recipients(self) -> list[str]:
        return [line.strip() for line in self.to.splitlines() if line.strip()]


# --- Rubric scoring ----------------------------------------------------------------------


class Criterion(models.Model):
    """One thing reviewers score a request on, from 1 to 5 (e.g. team readiness)."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("series")
    )
    name = models.CharField(_("criterion"), max_length=120)
    description = models.TextField(
        _("what the scores mean"),
        blank=True,
        help_text=_("Guidance for reviewers, e.g. what a 1 and a 5 look like."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["series", "order", "pk"]
        verbose_name = _("scoring criterion")
        verbose_name_plural = _("scoring criteria")

    def __str__(self) -> str:
        return self.name


class Review(models.Model):
    """One reviewer's scores for one request. Scores inform a decision; they never change a
    request's state (decisions go through `echo.services`)."""

    request = models.ForeignKey(
        RegistrationRequest, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("reviewer"),
    )  # fmt: skip
    mean = models.DecimalField(_("mean score"), max_digits=3, decimal_places=2)
    note = models.TextField(_("note for other reviewers"), blank=True)
    scored_at = models.DateTimeField(_("scored"), default=timezone.now)

    class Meta:
        ordering = ["scored_at", "pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["request", "reviewer"], name="one_review_per_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} – {self.request}"


class Score(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["criterion__order", "criterion__pk"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=5), name="score_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


# --- Staff-written email texts -----------------------------------------------------------


class EmailText(models.Model):
    """A series' own wording for one kind of applicant email, replacing the default text.
    `{placeholders}` are substituted as plain text (see `echo.email_texts`)."""

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="email_texts", verbose_name=_("series")
    )
    kind = models.CharField(_("email"), max_length=40, choices=EmailKind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["series", "kind"]
        verbose_name = _("email text")
        verbose_name_plural = _("email texts")
        constraints = [
            models.UniqueConstraint(fields=["series", "kind"], name="one_email_text_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.series}: {self.get_kind_display()}"


class MessageBatch(models.Model):
    """A message staff sent to selected applicants: one stored email each. The token comes
    from the compose page, so a double-submitted form sends nothing twice."""

    token = models.CharField(max_length=64, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("message to applicants")
        verbose_name_plural = _("messages to applicants")

    def __str__(self) -> str:
        return self.subject


# --- Participation -----------------------------------------------------------------------
# What approved participants do once a series runs: attendance per session (from the meeting
# platform's report or marked by staff), completion certificates, the cases they present and
# their anonymous feedback. Only a certificate's verification page is public.


class AttendanceQuerySet(models.QuerySet):
    def attended(self):
        """Rows that count as attended: staff marked them so, or, unmarked, the report's
        minutes reach the series' threshold."""
        return self.filter(
            Q(marked=True)
            | Q(
                marked__isnull=True,
                report_minutes__gte=models.F("session__series__attended_minutes"),
            )
        )


class Attendance(models.Model):
    """Whether one approved participant attended one session.

    `report_minutes` comes from the session's current attendance report (summed over the
    person's rejoins); `marked` is staff's word, which wins over the report when set.
    """

    shown_on_public_pages = False  # saving one leaves cached public pages as they are

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("session")
    )
    request = models.ForeignKey(
        RegistrationRequest,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=_("participant"),
    )
    report_minutes = models.PositiveIntegerField(_("minutes in the report"), null=True, blank=True)
    marked = models.BooleanField(
        _("marked by staff"),
        null=True,
        blank=True,
        help_text=_("Attended or absent as staff marked it; empty: as the report says."),
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "request"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request} – {self.session}"

    @property
    def attended(self) -> bool:
        if self.marked is not None:
            return self.marked
        threshold = self.session.series.attended_minutes
        return self.report_minutes is not None and self.report_minutes >= threshold


class Platform(models.TextChoices):
    ZOOM = "zoom", _("Zoom participant report")
    TEAMS = "teams", _("Microsoft Teams attendance report")


class AttendanceReport(models.Model):
    """One attendance export uploaded for a session. The latest is the session's record;
    earlier ones are kept, marked as replaced."""

    shown_on_public_pages = False  # saving one leaves cached public pages as they are

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance_reports"
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    meeting_title = models.CharField(_("meeting"), max_length=300, blank=True)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    is_current = models.BooleanField(_("current"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("attendance report")
        verbose_name_plural = _("attendance reports")
        constraints = [
            models.UniqueConstraint(fields=["session", "sha256"], name="attendance_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.session})"


class ReportRow(models.Model):
    """One person in an attendance report: their rows (rejoins) summed, and who they are."""

    shown_on_public_pages = False  # saving one leaves cached public pages as they are

    report = models.ForeignKey(AttendanceReport, on_delete=models.CASCADE, related_name="rows")
    name = models.CharField(_("name"), max_length=300, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    minutes = models.PositiveIntegerField(_("minutes"))
    segments = models.PositiveSmallIntegerField(_("rows in the file"), default=1)
    request = models.ForeignKey(
        RegistrationRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("participant"),
    )
    matched_by_staff = models.BooleanField(default=False)
    ignored = models.BooleanField(_("ignored"), default=False)

    class Meta:
        ordering = ["name", "email", "pk"]
        verbose_name = _("report row")
        verbose_name_plural = _("report rows")

    def __str__(self) -> str:
        return f"{self.name} <{self.email}> {self.minutes} min"

    @property
    def key(self) -> tuple[str, str]:
        """Who the row is: the email when there is one, otherwise the name."""
        email = self.email.strip().lower()
        return (email, "") if email else ("", " ".join(self.name.split()).lower())


def new_certificate_code() -> str:
    return secrets.token_urlsafe(24)


class Certificate(models.Model):
    """A completion certificate: issued once when the participant first meets the series'
    completion rule; revoked (never deleted) by staff with a reason."""

    shown_on_public_pages = False  # saving one leaves cached public pages as they are

    request = models.OneToOneField(
        RegistrationRequest,
        on_delete=models.CASCADE,
        related_name="certificate",
        verbose_name=_("participant"),
    )
    code = models.CharField(max_length=64, unique=True, default=new_certificate_code)
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return f"{self.request.full_name} – {self.request.series}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    def get_verification_url(self) -> str:
        return reverse("echo:certificate-verify", kwargs={"code": self.code})


class CertificateAction(models.TextChoices):
    ISSUED = "issued", _("Issued")
    REVOKED = "revoked", _("Revoked")
    REINSTATED = "reinstated", _("Reinstated")


class CertificateEvent(models.Model):
    """One entry of a certificate's history. Append-only."""

    shown_on_public_pages = False  # saving one leaves cached public pages as they are

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("what"), max_length=20, choices=CertificateAction.choices)
    reason = models.TextField(_("why"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate history")

    def __str__(self) -> str:
        return self.get_action_display()

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Certificate history is append-only."))
        super().save(*args, **kwargs)


class CasePresentation(models.Model):
    """A de-identified case an approved participant brings to the faculty. Text that shows
    identifiers is refused before it reaches this table (`echo.deidentify`). Never public."""

    shown_on_public_pages = False  # saving one leaves cached public pages as they are

    request = models.ForeignKey(
        RegistrationRequest,
        on_delete=models.CASCADE,
        related_name="cases",
        verbose_name=_("presenter"),
    )
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question for the faculty"))
    background = models.TextField(_("background"))
    tried = models.TextField(_("what has been tried"))
    help_wanted = models.TextField(_("what would help"))
    confirmed_deidentified = models.BooleanField(_("presenter confirmed de-identification"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("scheduled for session"),
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("scheduled"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("case presentation")
        verbose_name_plural = _("case presentations")
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_deidentified=True), name="case_confirmed_deidentified"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SessionFeedback(models.Model):
    """One attendee's anonymous feedback on a session.

    `respondent` is a keyed hash of the participant and the session: it keeps one answer per
    person per session and lets them edit it, and staff cannot turn it back into a name.
    """

    shown_on_public_pages = False  # saving one leaves cached public pages as they are

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    respondent = models.CharField(max_length=64, editable=False)
    usefulness = models.PositiveSmallIntegerField(_("how useful (1-5)"))
    will_apply = models.BooleanField(_("will apply it"))
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("session feedback")
        verbose_name_plural = _("session feedback")
        constraints = [
            models.UniqueConstraint(fields=["session", "respondent"], name="feedback_once"),
            models.CheckConstraint(
                condition=Q(usefulness__gte=1, usefulness__lte=5), name="feedback_usefulness_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.usefulness}/5"


class AttendanceSheet(Session):
    """A session seen from its attendance: the admin page to import reports, mark attendance
    and read feedback (a proxy, so its permissions are separate from editing sessions)."""

    class Meta:
        proxy = True
        verbose_name = _("attendance and feedback")
        verbose_name_plural = _("attendance and feedback")
