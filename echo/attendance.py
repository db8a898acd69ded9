"""Attendance: reading the meeting platform's export, matching it to participants, marking.

Two exports are read, as the platforms publish them:

- Zoom's participant report (CSV): an optional meeting summary block (`Meeting ID`, `Topic`,
  `Start Time` ...), a blank line, then one row per join with `Name (Original Name)`,
  `User Email`, `Join Time`, `Leave Time`, `Duration (Minutes)`, `Guest`. Older exports have
  `Total Duration (Minutes)` instead of the join and leave times.
- Microsoft Teams' attendance report (UTF-16, tab-separated): a "Summary" section
  (`Meeting title`, `Start time` ...) and a "Participants" section with `Name`, `First Join`,
  `Last Leave`, `In-Meeting Duration`, `Email`, `Role`. The 2021 layout (`Full Name`,
  `Join Time`, `Leave Time`, `Duration`) is read too.

Parsing happens entirely before anything is written: a file that cannot be read gives a
`ReportError` naming what was expected, and nothing of it is stored. An import replaces the
session's previous report; the same file twice changes nothing.
"""

import csv
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import (
    Attendance,
    AttendanceReport,
    Platform,
    RegistrationRequest,
    ReportRow,
    RequestState,
    Session,
)

MAX_REPORT_BYTES = 8 * 1024 * 1024
MAX_ROWS = 100_000
LONGEST_MEETING_SECONDS = 48 * 3600  # longer than any meeting the platforms allow

EXPECTED = _(
    "Upload the attendance export as the meeting platform gives it: Zoom's participant report "
    "(CSV with the columns “Name (Original Name)”, “User Email” and “Duration (Minutes)” or "
    "“Total Duration (Minutes)”), or Microsoft Teams' attendance report (a tab-separated file "
    "with a “Participants” section: “Name”, “First Join”, “Last Leave”, “In-Meeting Duration”, "
    "“Email”)."
)


class ReportError(Exception):
    """The file is not an attendance report we can read; the message says why, for staff."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ParsedRow:
    name: str
    email: str
    seconds: int


@dataclass
class ParsedReport:
    platform: str
    meeting_title: str = ""
    meeting_dates: set[date] = field(default_factory=set)  # candidates (day/month order)
    rows: list[ParsedRow] = field(default_factory=list)


# --- Decoding ----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode_report(data: bytes) -> str:
    """The file's text: UTF-16 (with or without its BOM), UTF-8 (with or without one), or
    Windows-1252 as Excel's "CSV (Comma delimited)" writes it. Anything else is refused."""
    if data.startswith(b"PK\x03\x04"):
        raise ReportError(
            _("This is an Excel workbook (.xlsx), not the CSV export. ")
            + _("Upload the file exactly as exported, or save the sheet as CSV.")
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReportError(_("This is an old Excel workbook (.xls), not the CSV export."))
    if data.startswith(b"%PDF"):
        raise ReportError(_("This is a PDF, not the attendance export."))
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        elif data.startswith(b"\xef\xbb\xbf"):
            text = data.decode("utf-8-sig")
        elif data[:4000].count(b"\x00") > len(data[:4000]) // 4:
            # UTF-16 without its byte-order mark: the zero bytes say which half is ASCII.
            head = data[:4000]
            little = head[1::2].count(0) > head[0::2].count(0)
            text = data.decode("utf-16-le" if little else "utf-16-be")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise ReportError(
            _("The file's characters could not be read as UTF-8, UTF-16 or Windows-1252 text.")
            + " "
            + str(EXPECTED)
        ) from None
    if _CONTROL.search(text):
        raise ReportError(
            _("This is not a text file (it contains binary data).") + " " + str(EXPECTED)
        )
    return text


# --- Parsing -----------------------------------------------------------------------------


def _cell(value: str) -> str:
    return " ".join(value.replace("\ufeff", "").split())


def _key(value: str) -> str:
    return _cell(value).lower()


def _rows(text: str, delimiter: str) -> list[list[str]]:
    try:
        return [
            [_cell(value) for value in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        ]
    except csv.Error as error:
        raise ReportError(_("The file is not valid CSV: %(error)s") % {"error": error}) from None


def _is_blank(row: list[str]) -> bool:
    return not any(row)


ZOOM_NAME = ("name (original name)", "name")
ZOOM_EMAIL = ("user email", "email")
ZOOM_DURATION = ("duration (minutes)", "total duration (minutes)")
TEAMS_NAME = ("name", "full name")
TEAMS_DURATION = ("in-meeting duration", "duration")
TEAMS_EMAIL = ("email",)


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [_key(value) for value in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def parse_report(data: bytes) -> ParsedReport:
    """Read a Zoom or Teams attendance export. Raises ReportError with a readable reason."""
    if not data.strip():
        raise ReportError(_("The file is empty.") + " " + str(EXPECTED))
    text = decode_report(data)
    # Teams writes tabs; Zoom writes commas; Excel in some locales saves with semicolons.
    for delimiter in ("\t", ",", ";"):
        rows = _rows(text, delimiter)
        for index, row in enumerate(rows):
            if _find(row, TEAMS_DURATION) is not None and (
                _find(row, ("first join",)) is not None or _find(row, ("join time",)) is not None
            ):
                if _find(row, TEAMS_NAME) is not None and _find(row, ZOOM_DURATION) is None:
                    return _parse_teams(rows, index)
            if _find(row, ZOOM_DURATION) is not None and _find(row, ZOOM_NAME) is not None:
                return _parse_zoom(rows, index)
    raise ReportError(
        _("This file has none of the columns of an attendance report.") + " " + str(EXPECTED)
    )


def _parse_zoom(rows: list[list[str]], header_index: int) -> ParsedReport:
    header = rows[header_index]
    name_at = _find(header, ZOOM_NAME)
    email_at = _find(header, ZOOM_EMAIL)
    duration_at = _find(header, ZOOM_DURATION)
    report = ParsedReport(platform=Platform.ZOOM)
    # The meeting summary block: a header row with "Topic" and "Start Time", then its values.
    for index in range(header_index):
        summary = rows[index]
        topic_at, start_at = _find(summary, ("topic",)), _find(summary, ("start time",))
        if start_at is not None and index + 1 < header_index:
            values = rows[index + 1]
            if topic_at is not None and topic_at < len(values):
                report.meeting_title = values[topic_at]
            if start_at < len(values):
                report.meeting_dates = candidate_dates(values[start_at])
            break
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if _is_blank(row):
            continue
        minutes = _value(row, duration_at)
        if not re.fullmatch(r"\d+(\.\d+)?", minutes.replace(",", "")):
            raise ReportError(
                _("Line %(line)d: “%(value)s” is not a number of minutes (column “%(column)s”).")
                % {"line": number, "value": minutes[:40], "column": header[duration_at]}
            )
        report.rows.append(
            ParsedRow(
                name=_value(row, name_at),
                email=_value(row, email_at),
                seconds=round(float(minutes.replace(",", "")) * 60),
            )
        )
        _check_size(report)
    return report


TEAMS_SECTION = re.compile(r"^\d+\.\s")
DURATION_PART = re.compile(r"(\d+)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\b")


def _parse_teams(rows: list[list[str]], header_index: int) -> ParsedReport:
    header = rows[header_index]
    name_at = _find(header, TEAMS_NAME)
    email_at = _find(header, TEAMS_EMAIL)
    duration_at = _find(header, TEAMS_DURATION)
    upn_at = _find(header, ("participant id (upn)",))
    report = ParsedReport(platform=Platform.TEAMS)
    for row in rows[:header_index]:
        if len(row) >= 2 and _key(row[0]) in {"meeting title", "title"}:
            report.meeting_title = row[1]
        if len(row) >= 2 and _key(row[0]) in {"start time", "meeting start time"}:
            report.meeting_dates = candidate_dates(row[1])
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if _is_blank(row):
            break  # the participants section ends at the blank line before the next one
        if len(row) == 1 and TEAMS_SECTION.match(row[0]):
            break
        duration = _value(row, duration_at)
        seconds = teams_seconds(duration)
        if seconds is None:
            raise ReportError(
                _("Line %(line)d: “%(value)s” is not a duration such as “1h 2m 3s”.")
                % {"line": number, "value": duration[:40]}
            )
        email = _value(row, email_at)
        if not email and "@" in _value(row, upn_at):
            email = _value(row, upn_at)  # some tenants leave Email empty but fill the UPN
        report.rows.append(ParsedRow(name=_value(row, name_at), email=email, seconds=seconds))
        _check_size(report)
    return report


def teams_seconds(value: str) -> int | None:
    """Seconds in a Teams duration: "1h 2m 3s", "45m 10s", "58s", or "01:02:03"."""
    value = value.strip().lower()
    clock = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", value)
    if clock:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        return hours * 3600 + minutes * 60 + seconds
    parts = DURATION_PART.findall(value)
    if not parts or DURATION_PART.sub("", value).strip():
        return None
    units = {"h": 3600, "m": 60, "s": 1}
    return sum(int(amount) * units[unit[0]] for amount, unit in parts)


def _value(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index]


def _check_size(report: ParsedReport) -> None:
    if report.rows and report.rows[-1].seconds > LONGEST_MEETING_SECONDS:
        raise ReportError(
            _("Row %(row)d: %(minutes)d minutes is longer than any meeting.")
            % {"row": len(report.rows), "minutes": report.rows[-1].seconds // 60}
        )
    if len(report.rows) > MAX_ROWS:
        raise ReportError(
            _("The file has more than %(count)d rows; no meeting report is that long.")
            % {"count": MAX_ROWS}
        )


MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip


def candidate_dates(value: str) -> set[date]:
    """The dates a report's timestamp may mean. "03/01/2024" is March 1 in a US export and
    January 3 elsewhere, so both are candidates; "2024-03-01" and "Mar 1, 2024" are one."""
    value = value.strip().lower()
    found: set[date] = set()

    def add(year: int, month: int, day: int) -> None:
        if year < 100:
            year += 2000
        try:
            found.add(date(year, month, day))
        except ValueError:
            pass

    iso = re.search(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b", value)
    if iso:
        add(int(iso[1]), int(iso[2]), int(iso[3]))
        return found
    numeric = re.search(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\b", value)
    if numeric:
        first, second, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
        add(year, first, second)
        add(year, second, first)
        return found
    named = re.search(r"\b([a-z]{3,9})\.? (\d{1,2}),? (\d{4})\b", value)
    if named and named[1] in MONTHS:
        add(int(named[3]), MONTHS[named[1]], int(named[2]))
    return found


# --- Importing ---------------------------------------------------------------------------


@dataclass
class ImportResult:
    report: AttendanceReport | None
    already_imported: bool = False
    matched: int = 0
    unmatched: int = 0
    attended: int = 0

    def summary(self) -> str:
        if self.already_imported:
            return _(
                "This file was already imported for this session on %(when)s; nothing changed."
            ) % {
                "when": date_format(timezone.localtime(self.report.uploaded_at), "DATETIME_FORMAT")
            }
        return _(
            "Imported %(file)s: %(matched)d participants matched, %(attended)d of them attended; "
            "%(unmatched)d rows not matched (listed below to match or ignore)."
        ) % {
            "file": self.report.file_name,
            "matched": self.matched,
            "attended": self.attended,
            "unmatched": self.unmatched,
        }


def normalise_email(value: str) -> str:
    return value.strip().lower()


def session_local_date(session: Session) -> date:
    return session.starts_at.astimezone(session.series.zone).date()


def check_session_date(session: Session, parsed: ParsedReport) -> None:
    """Refuse a report of another day's meeting (within a day, for time-zone differences)."""
    if not parsed.meeting_dates:
        return
    held = session_local_date(session)
    if any(abs((candidate - held).days) <= 1 for candidate in parsed.meeting_dates):
        return
    meeting = min(parsed.meeting_dates, key=lambda candidate: abs((candidate - held).days))
    raise ReportError(
        _(
            "This report is of a meeting on %(meeting)s%(title)s, but %(session)s was held on "
            "%(held)s. Choose the session the report belongs to; nothing was imported."
        )
        % {
            "meeting": date_format(meeting, "DATE_FORMAT"),
            "title": f" (“{parsed.meeting_title}”)" if parsed.meeting_title else "",
            "session": session,
            "held": date_format(held, "DATE_FORMAT"),
        }
    )


def approved_participants(series_id: int):
    return RegistrationRequest.objects.filter(series_id=series_id, state=RequestState.APPROVED)


def import_report(
    *, session: Session, file_name: str, data: bytes, actor: AbstractBaseUser | None
) -> ImportResult:
    """Import a session's attendance export. Rules: only Zoom or Teams reports, of this
    session's date; matched to approved participants by email (case-insensitive, trimmed),
    a person's rows summed; the new report replaces the session's previous one (keeping
    staff's matches and ignores); the same file twice changes nothing; all or nothing."""
    if len(data) > MAX_REPORT_BYTES:
        raise ReportError(
            _("The file is %(size)d MB; an attendance report is at most %(limit)d MB.")
            % {"size": len(data) // (1024 * 1024), "limit": MAX_REPORT_BYTES // (1024 * 1024)}
        )
    digest = hashlib.sha256(data).hexdigest()
    existing = AttendanceReport.objects.filter(session=session, sha256=digest).first()
    if existing is not None:
        return ImportResult(existing, already_imported=True)
    parsed = parse_report(data)
    check_session_date(session, parsed)
    if not parsed.rows:
        raise ReportError(_("The report lists no participants; nothing was imported."))

    totals: dict[tuple[str, str], list] = {}
    for row in parsed.rows:
        email = normalise_email(row.email)
        key = (email, "") if email else ("", " ".join(row.name.split()).lower())
        entry = totals.setdefault(key, [row.name, email, 0, 0])
        entry[2] += row.seconds
        entry[3] += 1

    try:
        with transaction.atomic():
            staff_decisions = ReportRow.objects.filter(
                Q(matched_by_staff=True) | Q(ignored=True),
                report__session=session,
                report__is_current=True,
            )
            previous = {row.key: row for row in staff_decisions}
            AttendanceReport.objects.filter(session=session, is_current=True).update(
                is_current=False
            )
            report = AttendanceReport.objects.create(
                session=session,
                platform=parsed.platform,
                file_name=file_name[:255],
                sha256=digest,
                meeting_title=parsed.meeting_title[:300],
                meeting_date=_closest(parsed.meeting_dates, session),
                row_count=len(parsed.rows),
                uploaded_by=actor if actor is not None and actor.is_authenticated else None,
            )
            by_email = {
                normalise_email(request.email): request.pk
                for request in approved_participants(session.series_id).only("pk", "email")
            }
            rows = []
            for (email, _name_key), (name, _email, seconds, segments) in totals.items():
                row = ReportRow(
                    report=report,
                    name=name[:300],
                    email=email[:254],
                    minutes=seconds // 60,
                    segments=min(segments, 32767),
                    request_id=by_email.get(email) if email else None,
                )
                earlier = previous.get(row.key)
                if row.request_id is None and earlier is not None:
                    row.request_id = earlier.request_id
                    row.matched_by_staff = earlier.matched_by_staff
                    row.ignored = earlier.ignored
                rows.append(row)
            ReportRow.objects.bulk_create(rows, batch_size=2000)
            attended = recompute_session(session)
    except IntegrityError:
        # The same file, imported at the same moment by someone else.
        existing = AttendanceReport.objects.filter(session=session, sha256=digest).first()
        if existing is None:
            raise
        return ImportResult(existing, already_imported=True)
    matched = sum(1 for row in rows if row.request_id and not row.ignored)
    unmatched = sum(1 for row in rows if not row.request_id and not row.ignored)
    return ImportResult(report, matched=matched, unmatched=unmatched, attended=attended)


def _closest(candidates: set[date], session: Session) -> date | None:
    if not candidates:
        return None
    held = session_local_date(session)
    return min(candidates, key=lambda candidate: abs((candidate - held).days))


def recompute_session(session: Session) -> int:
    """Write each participant's report minutes for the session from its current report, then
    issue the certificates that became due. Returns how many attended."""
    from .certificates import issue_due_certificates

    minutes: dict[int, int] = defaultdict(int)
    has_report = AttendanceReport.objects.filter(session=session, is_current=True).exists()
    for request_id, row_minutes in ReportRow.objects.filter(
        report__session=session,
        report__is_current=True,
        request__isnull=False,
        ignored=False,
    ).values_list("request_id", "minutes"):
        minutes[request_id] += row_minutes
    existing = {row.request_id: row for row in Attendance.objects.filter(session=session)}
    participants = set(approved_participants(session.series_id).values_list("pk", flat=True)) | set(
        minutes
    )
    create, update = [], []
    for request_id in participants:
        value = minutes.get(request_id, 0) if has_report else None
        row = existing.get(request_id)
        if row is None:
            if value is not None:
                create.append(
                    Attendance(session=session, request_id=request_id, report_minutes=value)
                )
        elif row.report_minutes != value:
            row.report_minutes = value
            update.append(row)
    for request_id, row in existing.items():
        if request_id not in participants and row.report_minutes is not None:
            row.report_minutes = None
            update.append(row)
    Attendance.objects.bulk_create(create, batch_size=2000)
    Attendance.objects.bulk_update(update, ["report_minutes"], batch_size=2000)
    issue_due_certificates(series=session.series)
    return Attendance.objects.filter(session=session).attended().count()


def resolve_row(
    *, row: ReportRow, request: RegistrationRequest | None, ignore: bool = False
) -> None:
    """Staff's decision on an unmatched report row: it is this participant, or ignore it.
    Rules: only an approved participant of the session's series; the row's minutes then
    count for them."""
    session = row.report.session
    if request is not None and (
        request.series_id != session.series_id or request.state != RequestState.APPROVED
    ):
        raise ReportError(_("Only an approved participant of this series can be chosen."))
    with transaction.atomic():
        row.request = None if ignore else request
        row.matched_by_staff = request is not None and not ignore
        row.ignored = ignore
        row.save(update_fields=["request", "matched_by_staff", "ignored"])
        recompute_session(session)


def mark_attendance(
    *,
    session: Session,
    request: RegistrationRequest,
    attended: bool | None,
    actor: AbstractBaseUser | None,
) -> None:
    """Staff mark a participant attended or absent (None: as the report says). Rules: only
    approved participants of the session's series; certificates that become due are issued."""
    if request.series_id != session.series_id or request.state != RequestState.APPROVED:
        raise ReportError(_("Only an approved participant of this series can be marked."))
    with transaction.atomic():
        row, _created = Attendance.objects.get_or_create(session=session, request=request)
        row.marked = attended
        row.marked_by = actor if attended is not None else None
        row.marked_at = timezone.now() if attended is not None else None
        row.save(update_fields=["marked", "marked_by", "marked_at"])
        from .certificates import issue_due_certificates

        issue_due_certificates(series=session.series)


# --- Reading (selectors) -----------------------------------------------------------------


def held_sessions(series_id: int, at=None):
    """Sessions of the series that have taken place (ended, not cancelled)."""
    return Session.objects.filter(
        series_id=series_id, is_cancelled=False, ends_at__lte=at or timezone.now()
    )


def attended_count(request: RegistrationRequest) -> int:
    return (
        Attendance.objects.filter(request=request, session__is_cancelled=False).attended().count()
    )
