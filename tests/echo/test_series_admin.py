"""Staff admin for series, sessions, materials and questions; the "duplicate series" action."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from echo.admin import SessionAdmin
from echo.models import Question, QuestionKind, RegistrationState, Series
from tests.factories import (
    make_question,
    make_request,
    make_resource,
    make_series,
    make_session,
)
from tests.helpers import login_staff

pytestmark = pytest.mark.django_db


def test_series_changelist_add_and_change_pages_open(admin_client):
    series = make_series(sessions_ahead=0, title="Leadership ECHO")
    make_session(series=series)
    make_question(series=series)
    assert admin_client.get(reverse("admin:echo_series_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:echo_series_add")).status_code == 200
    response = admin_client.get(reverse("admin:echo_series_change", args=[series.pk]))
    assert response.status_code == 200
    assert "Leadership ECHO" in response.content.decode()


def test_series_changelist_searches_and_filters_by_sessions(admin_client):
    running = make_series(sessions_ahead=0, title="Running ECHO")
    make_session(series=running, starts_at=timezone.now() + timedelta(days=3))
    finished = make_series(sessions_ahead=0, title="Finished ECHO")
    make_session(series=finished, starts_at=timezone.now() - timedelta(days=30))
    url = reverse("admin:echo_series_changelist")
    upcoming = admin_client.get(url, {"timing": "upcoming"}).content.decode()
    assert "Running ECHO" in upcoming and "Finished ECHO" not in upcoming
    past = admin_client.get(url, {"timing": "past"}).content.decode()
    assert "Finished ECHO" in past and "Running ECHO" not in past
    found = admin_client.get(url, {"q": "Finished"}).content.decode()
    assert "Finished ECHO" in found and "Running ECHO" not in found


def test_series_change_page_lists_its_sessions_by_number_with_links(admin_client):
    series = make_series(sessions_ahead=0)
    now = timezone.now()
    for number in (3, 1, 2):
        starts_at = now + timedelta(days=10 - number)
        make_session(series=series, number=number, title=f"Talk {number}", starts_at=starts_at)
    html = admin_client.get(reverse("admin:echo_series_change", args=[series.pk])).content.decode()
    assert (
        html.index('value="Talk 1"') < html.index('value="Talk 2"') < html.index('value="Talk 3"')
    )
    session = series.sessions.get(number=2)
    assert reverse("admin:echo_session_change", args=[session.pk]) in html


def test_adding_a_series_refuses_a_slug_used_by_a_fixed_page(admin_client):
    response = admin_client.post(
        reverse("admin:echo_series_add"),
        {
            "title": "Archive",
            "slug": "archive",
            "about": "About.",
            "time_zone": "America/Los_Angeles",
            "registration_state": RegistrationState.CLOSED,
            "retention_days": 365,
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
            "questions-TOTAL_FORMS": 0,
            "questions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "is used by another page" in response.content.decode()
    assert not Series.objects.filter(slug="archive").exists()


def test_session_admin_pages_open_and_are_ordered_by_series_then_number(admin_client):
    series = make_series(sessions_ahead=0)
    session = make_session(series=series, number=2)
    make_session(series=series, number=1)
    assert SessionAdmin.ordering == ["series__title", "number"]
    changelist = admin_client.get(reverse("admin:echo_session_changelist"))
    assert changelist.status_code == 200
    assert admin_client.get(reverse("admin:echo_session_add")).status_code == 200
    response = admin_client.get(reverse("admin:echo_session_change", args=[session.pk]))
    assert response.status_code == 200


def test_session_materials_are_chosen_from_the_library_with_autocomplete(admin_client):
    session = make_session()
    make_resource(title="Deflection 101 Presentation")
    make_resource(title="Something else")
    html = admin_client.get(reverse("admin:echo_session_change", args=[session.pk])).content
    assert b"admin-autocomplete" in html
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Deflection 101",
            "app_label": "echo",
            "model_name": "sessionmaterial",
            "field_name": "resource",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Deflection 101 Presentation"]


def test_session_change_form_refuses_an_end_before_the_start(admin_client):
    session = make_session()
    start = timezone.localtime(session.starts_at)
    end = start - timedelta(hours=1)  # may fall on the day before, near midnight
    response = admin_client.post(
        reverse("admin:echo_session_change", args=[session.pk]),
        {
            "series": session.series.pk,
            "number": session.number,
            "title": session.title,
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": start.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%Y-%m-%d"),
            "ends_at_1": end.strftime("%H:%M:%S"),
            "material_links-TOTAL_FORMS": 0,
            "material_links-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "A session must end after it starts." in response.content.decode()


def test_question_admin_pages_open(admin_client):
    question = make_question()
    assert admin_client.get(reverse("admin:echo_question_changelist")).status_code == 200
    response = admin_client.get(reverse("admin:echo_question_change", args=[question.pk]))
    assert response.status_code == 200


def test_duplicate_series_starts_the_next_run_with_questions_but_no_sessions_or_requests(
    admin_client,
):
    original = make_series(
        sessions_ahead=0,
        title="Leadership ECHO",
        slug="leadership-echo",
        about="About the run.",
        learning_objectives="One\nTwo",
        audience="County teams",
        schedule="Wednesdays 9-10 a.m. Pacific",
        capacity=24,
        join_url="https://meet.example.org/j/old-run",
        is_published=True,
        registration_state=RegistrationState.ACCEPTING,
    )
    make_session(series=original)
    make_request(series=original)
    make_question(series=original, label="Why join?", order=2, min_words=50)
    make_question(
        series=original,
        label="Your sector?",
        kind=QuestionKind.SINGLE_CHOICE,
        choices="Police\nHealth",
        required=False,
        order=1,
        section="About you",
    )

    response = admin_client.post(
        reverse("admin:echo_series_changelist"),
        {"action": "duplicate_selected", "_selected_action": [original.pk]},
    )
    assert "First session of the next run" in response.content.decode()  # asks first
    assert Series.objects.count() == 1
    response = admin_client.post(
        reverse("admin:echo_series_changelist"),
        {"action": "duplicate_selected", "_selected_action": [original.pk], "confirm": "yes"},
        follow=True,
    )

    copy = Series.objects.get(slug="leadership-echo-next")
    assert copy.title == "Leadership ECHO (next run)"
    assert copy.previous_run == original
    assert (copy.about, copy.learning_objectives, copy.audience, copy.schedule) == (
        "About the run.",
        "One\nTwo",
        "County teams",
        "Wednesdays 9-10 a.m. Pacific",
    )
    assert copy.capacity == 24
    assert copy.is_published is False
    assert copy.registration_state == RegistrationState.CLOSED
    assert copy.join_url == ""
    assert not copy.sessions.exists() and not copy.requests.exists()
    fields = ["label", "kind", "choices", "required", "min_words", "order", "section"]
    assert list(copy.questions.values_list(*fields)) == list(
        original.questions.values_list(*fields)
    )
    assert copy.questions.count() == 2
    assert Question.objects.filter(series=original).count() == 2  # the original keeps its own
    assert original.sessions.count() == 1 and original.requests.count() == 1
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Created 1 copy: Leadership ECHO (next run)" in message
    assert LogEntry.objects.filter(object_id=str(copy.pk), action_flag=ADDITION).exists()


def test_duplicating_twice_gives_each_copy_its_own_slug(admin_client):
    original = make_series(sessions_ahead=0, slug="run")
    for _ in range(2):
        admin_client.post(
            reverse("admin:echo_series_changelist"),
            {"action": "duplicate_selected", "_selected_action": [original.pk], "confirm": "yes"},
        )
    assert set(Series.objects.values_list("slug", flat=True)) == {"run", "run-next", "run-next-2"}


def test_duplicate_moves_the_sessions_to_the_new_first_date_keeping_weekday_and_local_time(
    admin_client,
):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    pacific = ZoneInfo("America/Los_Angeles")
    original = make_series(sessions_ahead=0, slug="fri", time_zone="America/Los_Angeles")
    # Fridays 1 p.m. Pacific, across the November DST change, one cancelled.
    for number, day in enumerate([date(2026, 10, 23), date(2026, 10, 30), date(2026, 11, 6),
                                  date(2026, 11, 13)], start=1):  # fmt: skip
        start = datetime(day.year, day.month, day.day, 13, tzinfo=pacific)
        make_session(series=original, number=number, starts_at=start, is_cancelled=number == 3)
    admin_client.post(
        reverse("admin:echo_series_changelist"),
        {
            "action": "duplicate_selected",
            "_selected_action": [original.pk],
            "confirm": "yes",
            f"first_day_{original.pk}": "2027-03-05",
        },
    )
    copy = Series.objects.get(slug="fri-next")
    local = [s.starts_at.astimezone(pacific) for s in copy.sessions.order_by("number")]
    assert [(t.date().isoformat(), t.hour, t.minute) for t in local] == [
        ("2027-03-05", 13, 0),
        ("2027-03-12", 13, 0),  # across the March DST change: still 1 p.m.
        (
            "2027-03-26",
            13,
            0,
        ),  # three weeks after the first, as before; the cancelled one is left out
    ]
    assert all(t.weekday() == 4 for t in local)
    assert list(copy.sessions.values_list("number", flat=True).order_by("number")) == [1, 2, 3]


def test_duplicate_keeps_the_length_of_a_session_that_began_in_the_repeated_hour():
    """1:16 a.m. on the night clocks go back: the session ends at 1:16 a.m. by the wall clock
    too (an hour later). The copy keeps its hour, not its wall-clock end."""
    from datetime import UTC, date, datetime

    original = make_series(sessions_ahead=0, slug="fold", time_zone="America/Los_Angeles")
    start = datetime(2026, 11, 1, 8, 16, tzinfo=UTC)  # 1:16 a.m. PDT
    make_session(series=original, starts_at=start)
    session = original.sessions.get()
    assert session.ends_at - session.starts_at == timedelta(hours=1)
    copy = original.duplicate(date(2026, 12, 15))
    moved = copy.sessions.get()
    assert moved.starts_at == datetime(2026, 12, 15, 9, 16, tzinfo=UTC)  # 1:16 a.m. PST
    assert moved.ends_at - moved.starts_at == timedelta(hours=1)


def test_duplicate_with_an_invalid_date_asks_again_and_creates_nothing(admin_client):
    original = make_series(sessions_ahead=0, slug="bad")
    response = admin_client.post(
        reverse("admin:echo_series_changelist"),
        {
            "action": "duplicate_selected",
            "_selected_action": [original.pk],
            "confirm": "yes",
            f"first_day_{original.pk}": "2027-02-31",
        },
    )
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()
    assert Series.objects.count() == 1


def test_duplicate_action_needs_the_add_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    staff = django_user_model.objects.create_user("viewer", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_series", "change_series"])
    )
    login_staff(client, staff)
    series = make_series(sessions_ahead=0)
    client.post(
        reverse("admin:echo_series_changelist"),
        {"action": "duplicate_selected", "_selected_action": [series.pk]},
    )
    assert Series.objects.count() == 1
