"""Public ECHO pages: home, series, archive, session page; 404s, headings and query budgets."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone

from echo.models import RegistrationState, RequestState, Series, Session, SessionMaterial
from library.models import ResourceType
from tests.factories import make_collection, make_resource, make_series, make_session
from tests.helpers import PROGRAM_SETTINGS_QUERIES, assert_one_h1, h1_count

pytestmark = pytest.mark.django_db

JOIN_URL = "https://meet.example.org/j/secret-room-4471"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def past(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def future(days: int) -> datetime:
    return timezone.now() + timedelta(days=days)


def main_html(response) -> str:
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


def assert_headings_do_not_skip(html: str) -> None:
    levels = heading_levels(html)
    assert levels and levels[0] == 1, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, f"heading skips from h{before} to h{after}: {levels}"


# --- Acceptance: the 2024 archive and session 1 (demo content) ---------------------------


def test_archive_shows_the_eleven_2024_sessions_newest_first_in_pacific_time(client, demo_content):
    response = client.get(reverse("echo:series-archive", kwargs={"slug": "deflection-echo-2024"}))
    assert response.status_code == 200
    html = main_html(response)
    expected_days = [
        "Friday, August 23, 2024",
        "Friday, August 9, 2024",
        "Friday, July 26, 2024",
        "Friday, July 12, 2024",
        "Friday, June 28, 2024",
        "Friday, June 14, 2024",
        "Friday, May 31, 2024",
        "Friday, May 17, 2024",
        "Friday, May 10, 2024",
        "Friday, May 3, 2024",
        "Friday, April 26, 2024",
    ]
    shown = re.findall(r"<time datetime=\"([^\"]+)\">([^<]+)</time>", html)
    assert [text for _, text in shown] == [f"{day}, 1:00–2:00 p.m. PDT" for day in expected_days]
    assert all(stamp.endswith("T13:00:00-07:00") for stamp, _ in shown)
    assert "Session 1: Deflection 101" in html and "Session 11" in html


def test_session_one_shows_presentation_recording_and_take_homes(client, demo_content):
    series = Series.objects.get(slug="deflection-echo-2024")
    session = series.sessions.get(number=1)
    response = client.get(session.get_absolute_url())
    assert response.status_code == 200
    html = main_html(response)
    assert "<h1>Session 1: Deflection 101</h1>" in html
    assert "Friday, April 26, 2024, 1:00–2:00 p.m. PDT" in html
    presentation = session.materials.get(resource_type=ResourceType.PRESENTATION)
    recording = session.materials.get(resource_type=ResourceType.RECORDING)
    assert f'href="{presentation.get_file_url()}">Deflection 101 Presentation</a>' in html
    assert f'href="{recording.video_url}">Session 1 Recording: Deflection 101</a>' in html
    assert "Key take-homes" in html
    assert 3 <= len(session.take_home_list) <= 5
    for take_home in session.take_home_list:
        assert take_home in html


def test_archive_entry_of_session_one_carries_its_materials_and_take_homes(client, demo_content):
    html = main_html(
        client.get(reverse("echo:series-archive", kwargs={"slug": "deflection-echo-2024"}))
    )
    assert "Deflection 101 Presentation" in html
    assert "Session 1 Recording: Deflection 101" in html
    assert html.count("Key take-homes") == 1  # only session 1 has take-homes


# --- Home ----------------------------------------------------------------------------------


def test_home_lists_current_series_before_past_ones(client):
    finished = make_series(
        title="Finished run", registration_state=RegistrationState.CLOSED, sessions_ahead=0
    )
    make_session(series=finished, starts_at=past(30))
    running = make_series(title="Running series", registration_state=RegistrationState.CLOSED)
    make_session(series=running, starts_at=future(3))
    taking_requests = make_series(title="Taking requests")
    make_series(title="Hidden draft", is_published=False)

    html = main_html(client.get(reverse("echo:home")))
    current, _, past_part = html.partition('id="past-series"')
    assert "Running series" in current and "Taking requests" in current
    assert "Finished run" in past_part and "Finished run" not in current
    assert "Hidden draft" not in html
    assert taking_requests.get_absolute_url() in current


def test_home_orders_current_series_by_next_session(client):
    later = make_series(title="Later series")
    make_session(series=later, starts_at=future(20))
    sooner = make_series(title="Sooner series")
    make_session(series=sooner, starts_at=future(2))
    html = main_html(client.get(reverse("echo:home")))
    assert html.index("Sooner series") < html.index("Later series")


# --- Series page ---------------------------------------------------------------------------


def test_series_page_shows_about_objectives_audience_schedule_and_upcoming_sessions(client):
    series = make_series(
        title="Leadership ECHO",
        about="A **virtual** program.\n\n# Not a second h1",
        learning_objectives="Share good ideas\nLearn the models\n",
        audience="County teams.",
        schedule="Fridays 1-2 p.m. Pacific",
    )
    make_session(series=series, number=1, title="Already happened", starts_at=past(7))
    make_session(
        series=series, number=2, title="Coming up", starts_at=datetime(2099, 1, 9, 21, tzinfo=UTC)
    )
    response = client.get(series.get_absolute_url())
    assert response.status_code == 200
    assert_one_h1(response)
    html = main_html(response)
    assert "<strong>virtual</strong>" in html
    assert "<li>Share good ideas</li>" in html and "<li>Learn the models</li>" in html
    assert "County teams." in html and "Fridays 1-2 p.m. Pacific" in html
    assert "America/Los_Angeles" in html
    assert "Coming up" in html and "Friday, January 9, 2099, 1:00–2:00 p.m. PST" in html
    assert "Already happened" not in html
    assert reverse("echo:series-archive", kwargs={"slug": series.slug}) in html
    assert reverse("echo:series-calendar", kwargs={"slug": series.slug}) in html
    assert "Add to calendar" in html


def test_series_page_open_for_requests_links_to_the_request_form(client):
    series = make_series(capacity=3)
    html = main_html(client.get(series.get_absolute_url()))
    assert "Requests to join this series are open." in html
    assert "3 seats are free." in html
    assert f'href="{reverse("echo:request", args=[series.slug])}"' in html
    assert "Request a place" in html


def test_series_page_at_capacity_still_takes_requests_counting_only_approvals(client):
    from tests.factories import make_request

    series = make_series(capacity=2)
    make_request(series=series, state=RequestState.APPROVED)
    make_request(series=series, state=RequestState.PENDING)
    make_request(series=series, state=RequestState.WAITLISTED)
    html = main_html(client.get(series.get_absolute_url()))
    assert "1 seat is free." in html  # pending and waitlisted requests hold no seat

    make_request(series=series, state=RequestState.APPROVED)
    html = main_html(client.get(series.get_absolute_url()))
    assert (
        "This series is at capacity. You can still request a place; requests are reviewed as "
        "seats open." in html
    )
    assert "Request a place" in html


def test_series_page_closed_says_so_and_offers_no_request_link(client):
    series = make_series(registration_state=RegistrationState.CLOSED)
    html = main_html(client.get(series.get_absolute_url()))
    assert "Registration for this series is closed." in html
    assert "Request a place" not in html
    assert reverse("echo:request", args=[series.slug]) not in html


def test_series_page_outside_its_window_is_closed_or_not_yet_open(client):
    not_yet = make_series(registration_opens_at=future(10))
    html = main_html(client.get(not_yet.get_absolute_url()))
    assert "Requests to join this series open on" in html and "Request a place" not in html

    window_over = make_series(registration_opens_at=past(20), registration_closes_at=past(1))
    html = main_html(client.get(window_over.get_absolute_url()))
    assert "its deadline has passed" in html and "Request a place" not in html
    assert "Join the interest list" in html

    closed = make_series(registration_state=RegistrationState.CLOSED)
    html = main_html(client.get(closed.get_absolute_url()))
    assert "Registration for this series is closed." in html and "Request a place" not in html


def test_unlimited_series_does_not_mention_seats(client):
    series = make_series(capacity=None)
    html = main_html(client.get(series.get_absolute_url()))
    assert "Requests to join this series are open." in html and "seat" not in html


# --- Archive -------------------------------------------------------------------------------


def test_archive_marks_cancelled_sessions_instead_of_hiding_them(client):
    series = make_series()
    make_session(series=series, number=1, title="Held", starts_at=past(14))
    make_session(series=series, number=2, title="Snowed out", starts_at=past(7), is_cancelled=True)
    html = main_html(client.get(reverse("echo:series-archive", kwargs={"slug": series.slug})))
    assert "Held" in html and "Snowed out" in html
    snowed_out = html[html.index("Snowed out") :]
    assert "Cancelled" in snowed_out[: snowed_out.index("</article>")]
    held = html[html.index("Held") :]
    assert "Cancelled" not in held[: held.index("</article>")]


def test_archive_excludes_upcoming_sessions_and_lists_newest_first(client):
    series = make_series()
    make_session(series=series, number=1, title="Oldest", starts_at=past(21))
    make_session(series=series, number=2, title="Newest", starts_at=past(2))
    make_session(series=series, number=3, title="Not yet", starts_at=future(5))
    html = main_html(client.get(reverse("echo:series-archive", kwargs={"slug": series.slug})))
    assert html.index("Newest") < html.index("Oldest")
    assert "Not yet" not in html


def test_archive_shows_only_published_materials(client):
    series = make_series()
    session = make_session(series=series, starts_at=past(3))
    shown = make_resource(title="Public slides")
    hidden = make_resource(title="Draft handout", is_published=False)
    SessionMaterial.objects.create(session=session, resource=shown, order=1)
    SessionMaterial.objects.create(session=session, resource=hidden, order=0)
    for url in [
        reverse("echo:series-archive", kwargs={"slug": series.slug}),
        reverse("echo:archive"),
        session.get_absolute_url(),
    ]:
        html = main_html(client.get(url))
        assert "Public slides" in html and "Draft handout" not in html, url


def test_global_archive_lists_past_sessions_of_every_published_series(client):
    first = make_series(title="First program")
    make_session(series=first, title="From the first", starts_at=past(10))
    second = make_series(title="Second program")
    make_session(series=second, title="From the second", starts_at=past(5))
    draft = make_series(title="Draft program", is_published=False)
    make_session(series=draft, title="From the draft", starts_at=past(4))
    html = main_html(client.get(reverse("echo:archive")))
    assert html.index("From the second") < html.index("From the first")
    assert "First program" in html and "Second program" in html
    assert "From the draft" not in html


def test_archive_is_paginated_with_labelled_navigation(client):
    series = make_series()
    for number in range(1, 26):
        make_session(series=series, number=number, starts_at=past(100 - number))
    url = reverse("echo:series-archive", kwargs={"slug": series.slug})
    first_page = main_html(client.get(url))
    assert first_page.count("<article") == 20
    assert '<nav aria-label="Pagination">' in first_page and 'aria-current="page"' in first_page
    second_page = main_html(client.get(url, {"page": 2}))
    assert second_page.count("<article") == 5
    assert client.get(url, {"page": 9}).status_code == 404


# --- Session page --------------------------------------------------------------------------


def test_upcoming_session_page_offers_its_calendar_file(client):
    series = make_series()
    session = make_session(series=series, number=4, starts_at=future(9), presenters="Dr. A\nB C")
    html = main_html(client.get(session.get_absolute_url()))
    assert reverse("echo:session-calendar", kwargs={"slug": series.slug, "number": 4}) in html
    assert "Add to calendar" in html
    assert "<li>Dr. A</li>" in html


def test_cancelled_session_page_says_so_and_offers_no_calendar(client):
    session = make_session(starts_at=future(9), is_cancelled=True)
    html = main_html(client.get(session.get_absolute_url()))
    assert "This session is cancelled." in html and "Add to calendar" not in html


# --- 404s, published state, private link -------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("echo:series", {"slug": "no-such-series"}),
        ("echo:series-archive", {"slug": "no-such-series"}),
        ("echo:series-calendar", {"slug": "no-such-series"}),
        ("echo:session", {"slug": "no-such-series", "number": 1}),
        ("echo:session", {"slug": "SERIES", "number": 99}),
        ("echo:session-calendar", {"slug": "SERIES", "number": 99}),
    ],
)
def test_unknown_slugs_and_numbers_answer_the_branded_404(client, name, kwargs):
    series = make_series()
    make_session(series=series, number=1)
    kwargs = {key: series.slug if value == "SERIES" else value for key, value in kwargs.items()}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can't find that page" in html and h1_count(html) == 1


def test_unpublished_series_is_not_public_anywhere(client):
    series = make_series(title="Secret draft", is_published=False)
    session = make_session(series=series, number=1, starts_at=past(3))
    for url in [
        series.get_absolute_url(),
        reverse("echo:series-archive", kwargs={"slug": series.slug}),
        reverse("echo:series-calendar", kwargs={"slug": series.slug}),
        session.get_absolute_url(),
        reverse("echo:session-calendar", kwargs={"slug": series.slug, "number": 1}),
    ]:
        assert client.get(url).status_code == 404, url
    for url in [reverse("echo:home"), reverse("echo:archive")]:
        assert "Secret draft" not in client.get(url).content.decode()


def test_join_link_never_appears_on_a_public_page(client):
    series = make_series(join_url=JOIN_URL)
    make_session(series=series, number=1, starts_at=past(3))
    upcoming = make_session(series=series, number=2, starts_at=future(3))
    for url in [
        reverse("echo:home"),
        reverse("echo:archive"),
        series.get_absolute_url(),
        reverse("echo:series-archive", kwargs={"slug": series.slug}),
        upcoming.get_absolute_url(),
        series.sessions.get(number=1).get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "secret-room" not in response.content.decode(), url


# --- Routes ----------------------------------------------------------------------------


def test_fixed_paths_are_not_taken_by_series_slugs():
    assert resolve("/echo/archive/").url_name == "archive"
    assert resolve("/echo/privacy/").url_name == "privacy"
    assert resolve("/echo/requests/abc/").url_name == "request-status"
    assert resolve("/echo/some-series/request/").url_name == "request"
    assert resolve("/echo/some-series/").url_name == "series"


@pytest.mark.parametrize("slug", ["archive", "privacy", "requests"])
def test_series_slug_that_a_fixed_page_uses_is_refused(slug):
    from django.core.exceptions import ValidationError

    series = Series(title="Clash", slug=slug, about="About.")
    with pytest.raises(ValidationError) as error:
        series.full_clean()
    assert "slug" in error.value.message_dict


# --- Markup --------------------------------------------------------------------------------


def test_every_echo_page_has_one_h1_and_headings_that_do_not_skip(client, demo_content):
    series = Series.objects.get(slug="deflection-echo-2024")
    leadership = Series.objects.get(slug="deflection-implementation-leadership-echo")
    make_session(series=leadership, number=50, starts_at=future(10))
    urls = [
        reverse("echo:home"),
        reverse("echo:archive"),
        series.get_absolute_url(),
        leadership.get_absolute_url(),
        reverse("echo:series-archive", kwargs={"slug": series.slug}),
        series.sessions.get(number=1).get_absolute_url(),
        series.sessions.get(number=2).get_absolute_url(),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_one_h1(response)
        assert_headings_do_not_skip(main_html(response))
        html = response.content.decode()
        assert "<script>" not in html and " style=" not in html, url


# --- Query budgets -------------------------------------------------------------------------

# Queries per page, whatever the number of sessions and materials:
QUERY_BUDGET = {
    "echo:home": 1,  # published series with session dates (subqueries)
    "echo:archive": 4,  # count, a page of sessions with series, materials, series with a past
    "echo:series": 2,  # series with seat counts and session dates, upcoming sessions
    "echo:series-archive": 4,  # series, then the archive's three
    "echo:session": 3,  # series, session, materials with resources
    "echo:series-calendar": 2,  # series, its sessions
}


def build_series_with_sessions(count: int) -> Series:
    """A series with `count` sessions, half past and half upcoming, two materials each."""
    series = make_series(title=f"Series of {count}", sessions_ahead=0)
    collection = make_collection()
    resources = [make_resource(collection=collection) for _ in range(4)]
    now = timezone.now()
    sessions = Session.objects.bulk_create(
        Session(
            series=series,
            number=number,
            title=f"Talk {number}",
            starts_at=now + timedelta(days=number - count // 2 - 1),
            ends_at=now + timedelta(days=number - count // 2 - 1, hours=1),
            take_homes="One\nTwo",
            is_cancelled=number % 7 == 0,
        )
        for number in range(1, count + 1)
    )
    SessionMaterial.objects.bulk_create(
        SessionMaterial(session=session, resource=resources[(session.number + k) % 4], order=k)
        for session in sessions
        for k in range(2)
    )
    return series


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("name", list(QUERY_BUDGET))
def test_echo_pages_use_a_constant_number_of_queries(client, name):
    counts = {}
    for size in (10, 200):
        series = build_series_with_sessions(size)
        session = series.sessions.order_by("number").first()
        kwargs = {
            "echo:home": {},
            "echo:archive": {},
            "echo:series": {"slug": series.slug},
            "echo:series-archive": {"slug": series.slug},
            "echo:session": {"slug": series.slug, "number": session.number},
            "echo:series-calendar": {"slug": series.slug},
        }[name]
        counts[size] = count_queries(client, reverse(name, kwargs=kwargs))
    html_page = name != "echo:series-calendar"
    assert counts[10] == counts[200] <= QUERY_BUDGET[name] + PROGRAM_SETTINGS_QUERIES * html_page, (
        counts
    )


# --- The library's resource page lists the sessions using a resource ---------------------


def _resource_route_exists() -> bool:
    try:
        reverse("library:resource", kwargs={"slug": "x"})
    except NoReverseMatch:
        return False
    return True


@pytest.mark.skipif(
    not _resource_route_exists(),
    reason="library:resource is not routed yet (library work not merged)",
)
def test_resource_page_lists_the_sessions_that_use_it(client):
    series = make_series(title="Deflection ECHO test run")
    session = make_session(series=series, number=3, title="Models", starts_at=past(4))
    resource = make_resource(title="Models slides")
    SessionMaterial.objects.create(session=session, resource=resource)
    response = client.get(reverse("library:resource", kwargs={"slug": resource.slug}))
    assert response.status_code == 200
    assert f'href="{session.get_absolute_url()}"' in response.content.decode()
