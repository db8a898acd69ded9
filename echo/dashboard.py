"""What needs attention, for the admin's home page: a selector that reads everything in three
queries whatever the number of series, requests or emails, and says it in words with links to
the filtered lists."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import EmailStatus, OutgoingEmail, RegistrationState, RequestState, Series

JOIN_LINK_NOTICE = timedelta(days=7)
OFFER_NOTICE = timedelta(hours=24)
STUCK_AFTER = timedelta(minutes=15)


@dataclass
class Attention:
    text: str
    url: str


@dataclass
class SeriesRow:
    series: Series
    pending: int
    oldest_pending_days: int | None
    waitlisted: int
    offered: int
    seats_left: int | None
    links: dict = field(default_factory=dict)


@dataclass
class Dashboard:
    rows: list[SeriesRow]
    warnings: list[Attention]


def requests_url(series: Series | None = None, **filters) -> str:
    params = {**({"series__id__exact": series.pk} if series else {}), **filters}
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("admin:echo_registrationrequest_changelist") + (f"?{query}" if query else "")


def staff_dashboard(at=None) -> Dashboard:
    now = at or timezone.now()
    series_list = (
        Series.objects.with_seat_counts()
        .with_session_dates(at=now)
        .annotate(
            offered_count=Count("requests", filter=Q(requests__state=RequestState.OFFERED)),
            offers_ending=Count(
                "requests",
                filter=Q(
                    requests__state=RequestState.OFFERED,
                    requests__offer_expires_at__lte=now + OFFER_NOTICE,
                ),
            ),
            oldest_pending=Min(
                "requests__submitted_at", filter=Q(requests__state=RequestState.PENDING)
            ),
        )
        .filter(
            Q(next_session_at__isnull=False)
            | Q(pending_count__gt=0)
            | Q(waitlisted_count__gt=0)
            | Q(offered_count__gt=0)
            | Q(registration_state=RegistrationState.ACCEPTING)
        )
        .order_by("title")
    )
    rows, warnings = [], []
    for series in series_list:
        pending = requests_url(series, state__exact=RequestState.PENDING)
        rows.append(
            SeriesRow(
                series=series,
                pending=series.pending_count,
                oldest_pending_days=(now - series.oldest_pending).days
                if series.oldest_pending
                else None,
                waitlisted=series.waitlisted_count,
                offered=series.offered_count,
                seats_left=series.seats_remaining,
                links={
                    "pending": pending,
                    "waitlisted": requests_url(series, state__exact=RequestState.WAITLISTED),
                    "offered": requests_url(series, state__exact=RequestState.OFFERED),
                    "series": reverse("admin:echo_series_change", args=[series.pk]),
                },
            )
        )
        warnings += _series_warnings(series, now, pending)
    warnings += _email_warnings(now)
    return Dashboard(rows=rows, warnings=warnings)


def _series_warnings(series: Series, now, pending_url: str) -> list[Attention]:
    found = []
    series_url = reverse("admin:echo_series_change", args=[series.pk])
    open_for_requests = series.registration_state == RegistrationState.ACCEPTING
    if open_for_requests and series.is_published and series.next_start_at is None:
        found.append(
            Attention(
                _("%(series)s is set to take requests but has no session ahead: add sessions "
                  "or close it.") % {"series": series.title},
                series_url,
            )
        )  # fmt: skip
    starts = series.next_start_at
    if starts is not None and not series.join_url and starts - now <= JOIN_LINK_NOTICE:
        found.append(
            Attention(
                _("%(series)s has no join link and its next session starts within 7 days.")
                % {"series": series.title},
                series_url,
            )
        )
    if series.is_full and series.pending_count:
        found.append(
            Attention(
                ngettext(
                    "%(series)s is full with %(count)d request pending.",
                    "%(series)s is full with %(count)d requests pending.",
                    series.pending_count,
                )
                % {"series": series.title, "count": series.pending_count},
                pending_url,
            )
        )
    if series.offers_ending:
        found.append(
            Attention(
                ngettext(
                    "%(series)s: %(count)d seat offer lapses within 24 hours.",
                    "%(series)s: %(count)d seat offers lapse within 24 hours.",
                    series.offers_ending,
                )
                % {"series": series.title, "count": series.offers_ending},
                requests_url(series, state__exact=RequestState.OFFERED),
            )
        )
    return found


def _email_warnings(now) -> list[Attention]:
    counts = OutgoingEmail.objects.aggregate(
        failed=Count("pk", filter=Q(status=EmailStatus.FAILED)),
        stuck=Count(
            "pk",
            filter=Q(status=EmailStatus.QUEUED, created_at__lte=now - STUCK_AFTER)
            & (Q(attempts__gt=0) | Q(next_attempt_at__lte=now - STUCK_AFTER)),
        ),
    )
    log = reverse("admin:echo_outgoingemail_changelist")
    found = []
    if counts["failed"]:
        found.append(
            Attention(
                ngettext(
                    "%(count)d email failed for good: resend it from the email log.",
                    "%(count)d emails failed for good: resend them from the email log.",
                    counts["failed"],
                )
                % {"count": counts["failed"]},
                f"{log}?status__exact={EmailStatus.FAILED}",
            )
        )
    if counts["stuck"]:
        found.append(
            Attention(
                ngettext(
                    "%(count)d email has waited more than 15 minutes: is the worker running?",
                    "%(count)d emails have waited more than 15 minutes: is the worker running?",
                    counts["stuck"],
                )
                % {"count": counts["stuck"]},
                f"{log}?status__exact={EmailStatus.QUEUED}",
            )
        )
    return found
