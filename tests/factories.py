"""Small make_* helpers that build valid objects with sensible defaults; override anything."""

import itertools
from datetime import timedelta

from django.utils import timezone

from echo.models import (
    Question,
    QuestionKind,
    RegistrationRequest,
    RegistrationState,
    RequestState,
    Sector,
    Series,
    Session,
)
from library.models import Audience, Collection, Resource, ResourceType, Topic

_seq = itertools.count(1)
# The session a new series has ahead by default: numbered out of the way of the sessions a
# test adds itself, and far enough ahead that a test's own sessions come first.
DAYS_AHEAD = timedelta(days=400)


def make_collection(**overrides) -> Collection:
    n = next(_seq)
    return Collection.objects.create(
        **{"title": f"Collection {n}", "slug": f"collection-{n}", **overrides}
    )


def make_topic(**overrides) -> Topic:
    n = next(_seq)
    return Topic.objects.create(**{"name": f"Topic {n}", "slug": f"topic-{n}", **overrides})


def make_audience(**overrides) -> Audience:
    n = next(_seq)
    return Audience.objects.create(
        **{"name": f"Audience {n}", "slug": f"audience-{n}", **overrides}
    )


def make_resource(*, topics=(), audiences=(), **overrides) -> Resource:
    n = next(_seq)
    if "collection" not in overrides:
        overrides["collection"] = make_collection()
    resource = Resource.objects.create(
        **{
            "title": f"Resource {n}",
            "slug": f"resource-{n}",
            "summary": f"Summary of resource {n}.",
            "resource_type": ResourceType.GUIDE,
            "external_url": f"https://example.org/resource-{n}",
            "is_published": True,
            **overrides,
        }
    )
    resource.topics.set(topics)
    resource.audiences.set(audiences)
    return resource


def make_series(*, sessions_ahead: int = 1, **overrides) -> Series:
    """A published series taking requests, with `sessions_ahead` sessions still to come (a
    series takes requests only while a session is ahead)."""
    n = next(_seq)
    series = Series.objects.create(
        **{
            "title": f"Series {n}",
            "slug": f"series-{n}",
            "about": "A series for testing.",
            "schedule": "Fridays 1-2 p.m. Pacific",
            "capacity": 10,
            "registration_state": RegistrationState.ACCEPTING,
            "is_published": True,
            **overrides,
        }
    )
    for number in range(90, 90 + sessions_ahead):
        make_session(series=series, number=number, title="", starts_at=timezone.now() + DAYS_AHEAD)
    return series


def make_session(**overrides) -> Session:
    if "series" not in overrides:
        overrides["series"] = make_series()
    series = overrides["series"]
    number = overrides.pop("number", None)
    if number is None:  # the lowest number not yet taken
        taken = set(series.sessions.values_list("number", flat=True))
        number = next(n for n in itertools.count(1) if n not in taken)
    starts_at = overrides.pop("starts_at", None) or timezone.now() + timedelta(days=7 * number)
    return Session.objects.create(
        **{
            "number": number,
            "title": f"Session {number}",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            **overrides,
        }
    )


def make_question(**overrides) -> Question:
    if "series" not in overrides:
        overrides["series"] = make_series()
    return Question.objects.create(
        **{"label": "Tell us about your program.", "kind": QuestionKind.LONG_TEXT, **overrides}
    )


def make_request(**overrides) -> RegistrationRequest:
    """A request row as stored; state changes in tests should go through echo.services."""
    n = next(_seq)
    if "series" not in overrides:
        overrides["series"] = make_series()
    return RegistrationRequest.objects.create(
        **{
            "full_name": f"Applicant {n}",
            "email": f"applicant{n}@example.org",
            "organization": "Lane County",
            "role_title": "Coordinator",
            "sector": Sector.COUNTY_GOVERNMENT,
            "county": "lane",
            "consent": True,
            "state": RequestState.PENDING,
            **overrides,
        }
    )


def make_resources(count: int, *, collection, topics=(), audiences=(), **overrides) -> None:
    """Many published resources at once (bulk inserts), for query-budget tests."""
    prefix = f"bulk-{next(_seq)}-"
    Resource.objects.bulk_create(
        Resource(
            **{
                "title": f"Bulk guide {prefix}{i}",
                "slug": f"{prefix}{i}",
                "summary": f"Summary of bulk guide {i}.",
                "body": "A body about deflection.",
                "resource_type": ResourceType.GUIDE,
                "external_url": f"https://example.org/{prefix}{i}",
                "collection": collection,
                "is_published": True,
                **overrides,
            }
        )
        for i in range(count)
    )
    ids = list(Resource.objects.filter(slug__startswith=prefix).values_list("pk", flat=True))
    topic_link, audience_link = Resource.topics.through, Resource.audiences.through
    topic_link.objects.bulk_create(
        topic_link(resource_id=pk, topic_id=topic.pk) for pk in ids for topic in topics
    )
    audience_link.objects.bulk_create(
        audience_link(resource_id=pk, audience_id=audience.pk)
        for pk in ids
        for audience in audiences
    )


def make_held_session(series, *, day, number=None, **overrides) -> Session:
    """A session that took place on `day` (a date), 1-2 p.m. in the series' time zone."""
    from datetime import datetime, time

    starts_at = datetime.combine(day, time(13, 0), tzinfo=series.zone)
    return make_session(series=series, number=number, starts_at=starts_at, **overrides)


def make_participant(series, **overrides) -> RegistrationRequest:
    """An approved request: a participant holding a seat."""
    return make_request(series=series, state=RequestState.APPROVED, **overrides)
