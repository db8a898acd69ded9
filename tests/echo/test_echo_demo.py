"""ECHO demo content: the 2024 archive and the Implementation and Leadership ECHO."""

from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from echo.models import RegistrationState, RequestState, Series, SessionMaterial
from library.models import Collection, Resource, ResourceType

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")

SEED_OBJECTIVES = [
    "Discuss deflection best practices with a multidisciplinary expert faculty team and your peers",
    "Discuss multiple models of deflection and contextualize these to Oregon counties",
    "Learn to apply a healthcare approach to substance use disorders and treatment",
    "Share good ideas across county boundaries",
    "Gain access to a deflection resources library",
]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def load_demo() -> None:
    call_command("load_demo_content", stdout=StringIO())


def local_schedule(series: Series) -> list[tuple[date, time, time]]:
    return [
        (s.starts_at.astimezone(PACIFIC).date(), s.starts_at.astimezone(PACIFIC).time(),
         s.ends_at.astimezone(PACIFIC).time())
        for s in series.sessions.order_by("number")
    ]  # fmt: skip


def test_2024_deflection_echo_has_eleven_friday_sessions_1_to_2_pm_pacific():
    load_demo()
    series = Series.objects.get(slug="deflection-echo-2024")
    assert series.is_published and series.registration_state == RegistrationState.CLOSED
    assert "virtual, interactive program" in series.about
    days = [
        date(2024, 4, 26), date(2024, 5, 3), date(2024, 5, 10), date(2024, 5, 17),
        date(2024, 5, 31), date(2024, 6, 14), date(2024, 6, 28), date(2024, 7, 12),
        date(2024, 7, 26), date(2024, 8, 9), date(2024, 8, 23),
    ]  # fmt: skip
    assert local_schedule(series) == [(day, time(13), time(14)) for day in days]
    assert all(day.weekday() == 4 for day in days)
    assert list(series.sessions.values_list("number", flat=True)) == list(range(1, 12))


def test_2024_session_one_is_deflection_101_with_presentation_recording_and_take_homes():
    load_demo()
    session = Series.objects.get(slug="deflection-echo-2024").sessions.get(number=1)
    assert session.title == "Deflection 101"
    assert 3 <= len(session.take_home_list) <= 5
    materials = [link.resource for link in session.material_links.order_by("order")]
    assert [(r.title, r.resource_type) for r in materials] == [
        ("Deflection 101 Presentation", ResourceType.PRESENTATION),
        ("Session 1 Recording: Deflection 101", ResourceType.RECORDING),
    ]
    presentation, recording = materials
    assert all(r.is_published and r.collection.slug == "deflection-resources" for r in materials)
    with presentation.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert recording.video_url.startswith("https://")
    others = session.series.sessions.exclude(number=1)
    # An untitled session has no English title: blank, or NULL in its translation column.
    assert not any(other.title for other in others)
    assert not SessionMaterial.objects.filter(session__in=others).exists()


def test_leadership_echo_has_the_seed_objectives_schedule_dates_and_capacity():
    load_demo()
    series = Series.objects.get(slug="deflection-implementation-leadership-echo")
    assert series.is_published
    assert series.registration_state == RegistrationState.ACCEPTING and series.accepts_requests()
    assert series.capacity == 24
    assert series.objectives == SEED_OBJECTIVES
    assert series.schedule == "Fridays 1-2 p.m. Pacific"
    # A live run dated from the day the demo is loaded: ten Fridays ahead, 1-2 p.m. Pacific.
    today = datetime.now(PACIFIC).date()
    schedule = local_schedule(series)
    assert len(schedule) == 10
    assert all(day.weekday() == 4 and (start, end) == (time(13), time(14))
               for day, start, end in schedule)  # fmt: skip
    assert today < schedule[0][0] <= today + timedelta(days=7)
    assert [b[0] - a[0] for a, b in zip(schedule, schedule[1:], strict=False)] == [
        timedelta(weeks=1)
    ] * 9
    assert series.is_demo and series.previous_run.slug == "deflection-echo-2024"
    counts = {state: series.requests.filter(state=state).count() for state in RequestState}
    assert counts[RequestState.OFFERED] == 1 and counts[RequestState.PENDING] > 0
    assert counts[RequestState.WAITLISTED] > 0
    assert counts[RequestState.APPROVED] + counts[RequestState.OFFERED] == 24
    assert not series.requests.filter(is_demo=False).exists()
    offer = series.requests.get(state=RequestState.OFFERED)
    assert offer.offer_expires_at > timezone.now()
    assert series.join_url == ""


def test_loading_again_adds_nothing_and_keeps_staff_edits():
    load_demo()
    series = Series.objects.get(slug="deflection-echo-2024")
    session = series.sessions.get(number=1)
    session.title = "Deflection 101, revised by staff"
    session.save()
    session.material_links.filter(resource__resource_type=ResourceType.RECORDING).delete()
    Series.objects.filter(pk=series.pk).update(about="Edited about.")
    counts = (Series.objects.count(), Resource.objects.count(), SessionMaterial.objects.count())

    load_demo()

    assert (
        Series.objects.count(),
        Resource.objects.count(),
        SessionMaterial.objects.count(),
    ) == counts
    assert series.sessions.count() == 11
    session.refresh_from_db()
    assert session.title == "Deflection 101, revised by staff"
    assert session.material_links.count() == 1  # staff removed the recording; it stays removed
    assert Series.objects.get(pk=series.pk).about == "Edited about."


def test_echo_demo_works_whether_or_not_the_library_demo_made_its_collection_first():
    Collection.objects.create(slug="deflection-resources", title="Staff-named library")
    from echo import demo

    demo.load(StringIO())
    collection = Collection.objects.get(slug="deflection-resources")
    assert collection.title == "Staff-named library"
    assert collection.resources.filter(slug="deflection-101-presentation").exists()


def test_the_2024_program_is_one_series_and_each_session_is_in_the_archive_once(client):
    load_demo()
    load_demo()
    html = client.get(reverse("echo:archive")).content.decode()
    assert html.count("Deflection 101") >= 1
    series = Series.objects.get(slug="deflection-echo-2024")
    for session in series.sessions.all():
        assert html.count(f'href="{session.get_absolute_url()}"') == 1, session.number
    # The first page names the series and links to its own archive.
    assert reverse("echo:series-archive", kwargs={"slug": series.slug}) in html
    assert "Materials not yet posted." in html
    # The 2024 run has ended and says so; the live run takes requests.
    page = client.get(series.get_absolute_url()).content.decode()
    assert "This run has ended" in page and "Request a place" not in page
    live = client.get(
        reverse("echo:series", kwargs={"slug": "deflection-implementation-leadership-echo"})
    )
    assert "Request a place" in live.content.decode()
