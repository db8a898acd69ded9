"""iCalendar (RFC 5545) files for ECHO series and sessions.

Public downloads never carry the private join link. Only the email sent to approved
participants may ask for it, with `include_join_link=True`.
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.sites.models import Site
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from .models import Series, Session

# UIDs must stay the same on every download, whatever host served it, so calendar apps update
# an event instead of adding a copy: they derive from the primary key and this fixed domain.
UID_DOMAIN = "echo.deflection-portal"
PRODID = "-//Deflection Portal//ECHO series//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def session_uid(session: Session) -> str:
    return f"echo-session-{session.pk}@{UID_DOMAIN}"


def series_uid(series: Series) -> str:
    return f"echo-series-{series.pk}@{UID_DOMAIN}"


def default_base_url() -> str:
    """The portal's public address, for links in calendars built outside a request (emails):
    the PORTAL_BASE_URL setting when there is one, else the current Site's domain."""
    configured = getattr(settings, "PORTAL_BASE_URL", "")
    if configured:
        return configured
    return f"https://{Site.objects.get_current().domain}"


def series_calendar(
    series: Series,
    *,
    include_join_link: bool = False,
    base_url: str | None = None,
    upcoming: bool = False,
) -> bytes:
    """A calendar of every session of the series that is not cancelled; with `upcoming`,
    only those that have not started (what an approved participant is sent)."""
    if upcoming:
        sessions = series.upcoming_sessions()
    else:
        sessions = series.sessions.not_cancelled().order_by("starts_at")
    return _build(series, sessions, include_join_link=include_join_link, base_url=base_url)


def session_calendar(
    session: Session, *, include_join_link: bool = False, base_url: str | None = None
) -> bytes:
    """A calendar with one session (marked cancelled when it is)."""
    return _build(session.series, [session], include_join_link=include_join_link, base_url=base_url)


def series_filename(series: Series) -> str:
    return f"{series.slug}.ics"


def session_filename(session: Session) -> str:
    return f"{session.series.slug}-session-{session.number}.ics"


def _build(
    series: Series,
    sessions: Iterable[Session],
    *,
    include_join_link: bool,
    base_url: str | None,
) -> bytes:
    base_url = (base_url if base_url is not None else default_base_url()).rstrip("/")
    calendar = Calendar.new(
        prodid=PRODID,
        uid=series_uid(series),
        method="PUBLISH",
        name=series.title,
        url=base_url + series.get_absolute_url(),
    )
    starts = []
    for session in sessions:
        session.series = series  # already loaded: no query per session for its URL or zone
        event = Event.new(
            uid=session_uid(session),
            start=session.local_starts_at,
            end=session.local_ends_at,
            summary=f"{series.title}: {session.display_title}",
            url=base_url + session.get_absolute_url(),
            description=_event_description(session, include_join_link=include_join_link) or None,
            status="CANCELLED" if session.is_cancelled else "CONFIRMED",
        )
        if include_join_link and series.join_url:
            event.add("location", series.join_url)
        calendar.add_component(event)
        starts.append(session.local_starts_at)
    if starts:
        # Transitions around the sessions' own dates only, not the zone's whole history.
        first, last = min(starts), max(starts)
        calendar.add_missing_timezones(
            first_date=first.date().replace(day=1, month=1),
            last_date=last.date().replace(day=31, month=12),
        )
    return calendar.to_ical()


def _event_description(session: Session, *, include_join_link: bool) -> str:
    lines = []
    if session.summary:
        lines.append(session.summary)
    if include_join_link and session.series.join_url:
        lines.append(_("Join: %(url)s") % {"url": session.series.join_url})
    return "\n\n".join(lines)
