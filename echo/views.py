"""Public pages of the ECHO programs: series, sessions, the archive and calendar files.

Only published series are public. The private join link never reaches these templates or
the calendar files served here.
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView, TemplateView

from deflection_portal.markup import render_markdown

from . import calendar
from .models import Series, Session, SessionMaterial

ARCHIVE_PAGE_SIZE = 20


def public_materials() -> Prefetch:
    """Published library resources of each session, in the order staff chose: one query."""
    links = (
        SessionMaterial.objects.filter(resource__is_published=True)
        .select_related("resource")
        .order_by("order", "pk")
    )
    return Prefetch("material_links", queryset=links, to_attr="public_materials")


class SeriesListView(TemplateView):
    """ECHO home: current series (taking requests or with sessions to come), then past ones."""

    template_name = "echo/series_list.html"

    def get_context_data(self, **kwargs):
        series_list = list(Series.objects.published().with_seat_counts().with_session_dates())
        current = [series for series in series_list if series.is_current]
        past = [series for series in series_list if not series.is_current]
        now = timezone.now()
        current.sort(
            key=lambda series: (series.next_session_at is None, series.next_session_at or now)
        )
        past.sort(key=lambda series: series.last_session_ends_at or series.created_at, reverse=True)
        return super().get_context_data(current_series=current, past_series=past, **kwargs)


class PublishedSeriesMixin:
    """Find the published series named by the URL's slug (404 otherwise)."""

    @cached_property
    def series(self) -> Series:
        return get_object_or_404(Series.objects.published(), slug=self.kwargs["slug"])


class SeriesDetailView(DetailView):
    template_name = "echo/series_detail.html"
    context_object_name = "series"

    def get_queryset(self):
        return Series.objects.published().with_seat_counts().with_session_dates()

    def get_context_data(self, **kwargs):
        series = self.object
        upcoming = list(series.sessions.upcoming())
        for session in upcoming:
            session.series = series
        return super().get_context_data(
            about_html=render_markdown(series.about),
            upcoming_sessions=upcoming,
            has_past_sessions=series.session_count > len(upcoming),
            registration_status=series.registration_status(),
            accepts_requests=series.accepts_requests(),
            **kwargs,
        )


class ArchiveView(ListView):
    """Past sessions, newest first, with materials and take-homes; cancelled ones marked.

    With a slug: one series' archive. Without: every published series.
    """

    template_name = "echo/session_archive.html"
    context_object_name = "sessions"
    paginate_by = ARCHIVE_PAGE_SIZE

    @cached_property
    def series(self) -> Series | None:
        if "slug" not in self.kwargs:
            return None
        return get_object_or_404(Series.objects.published(), slug=self.kwargs["slug"])

    def get_queryset(self):
        sessions = Session.objects.past().filter(series__is_published=True)
        if self.series is not None:
            sessions = sessions.filter(series=self.series)
        return (
            sessions.select_related("series")
            .prefetch_related(public_materials())
            .order_by("-starts_at", "-pk")
        )

    def get_context_data(self, **kwargs):
        archived = []
        if self.series is None:  # the series that have past sessions, to look at one alone
            past = Session.objects.past().filter(series=OuterRef("pk"))
            archived = Series.objects.published().filter(Exists(past)).order_by("title")
        return super().get_context_data(series=self.series, archived_series=archived, **kwargs)


class SessionDetailView(PublishedSeriesMixin, DetailView):
    template_name = "echo/session_detail.html"
    context_object_name = "session"

    def get_object(self, queryset=None):
        sessions = self.series.sessions.prefetch_related(public_materials())
        session = get_object_or_404(sessions, number=self.kwargs["number"])
        session.series = self.series
        return session


@require_GET
def series_ics(request: HttpRequest, slug: str) -> HttpResponse:
    series = get_object_or_404(Series.objects.published(), slug=slug)
    content = calendar.series_calendar(series, base_url=_base_url(request))
    return _calendar_response(content, calendar.series_filename(series))


@require_GET
def session_ics(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    series = get_object_or_404(Series.objects.published(), slug=slug)
    session = series.sessions.filter(number=number).first()
    if session is None:
        raise Http404
    session.series = series
    content = calendar.session_calendar(session, base_url=_base_url(request))
    return _calendar_response(content, calendar.session_filename(session))


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
