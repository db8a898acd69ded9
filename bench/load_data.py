"""Load the benchmark's large data set into an empty, migrated database (bulk inserts).

BENCH_RESOURCES resources (default 10,000) over 60 topics and 12 audiences in both
collections, 20 series of 20 sessions with materials, four questions per series, and 5,000
registration requests with their answers. Run by bench/run.py with the benchmark's
environment (DATABASE_URL etc.); prints one JSON line (prefixed "BENCH-DATA ") naming the
pages and forms to drive, and the varied search URLs (different words, pairs, filters and
pages) for bench/wrk/varied.lua.

BENCH_VOCABULARY picks the text: "dense" (the default, and the worst case for search: 150
domain words, so most words are in 50-100 % of the resources) or "zipf" (20,000 words whose
frequencies fall off as 1/rank, as in real text: a few words are everywhere, most are rare).

Deterministic: the same seed gives the same rows on every machine.
"""

import itertools
import json
import os
import random
import sys
import time
import urllib.parse
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deflection_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from echo.models import (  # noqa: E402
    Answer,
    Question,
    QuestionKind,
    RegistrationRequest,
    RegistrationState,
    RequestEvent,
    RequestState,
    Sector,
    Series,
    Session,
    SessionMaterial,
)
from library.models import (  # noqa: E402
    Audience,
    Collection,
    Resource,
    ResourceType,
    Topic,
)

RESOURCES = int(os.environ.get("BENCH_RESOURCES", "10000"))
VOCABULARY = os.environ.get("BENCH_VOCABULARY", "dense")
VARIED_URLS = 3_000
TOPICS = 60
AUDIENCES = 12
SERIES = 20
SESSIONS_PER_SERIES = 20
MATERIALS_PER_SESSION = 3
REQUESTS = 5_000
OPEN_SERIES = 6  # the first ones accept requests; their sessions are still to come
BATCH = 2_000

# The search the benchmark drives: two less common words (about 8% of the resources match
# both), narrowed by the topic most of the matches carry.
SEARCH_QUERY = "buprenorphine telehealth"
# A word in 40 resources only, for the EXPLAIN of a selective search (bench/explain.py).
RARE_WORD = "klamath"

# Domain words, most common first: drawn with Zipf-like weights so that some words are in
# most resources and others in a few, as in real text.
WORDS = """
deflection program county community treatment recovery officer referral crisis response
peer support services police health behavioral substance use data training partners
outreach naloxone overdose housing case management navigator pathway court jail youth
family harm reduction medication opioid stimulant alcohol rural tribal clinic evaluation
grant policy funding prosecutor diversion reentry mobile team dispatch hospital emergency
screening assessment engagement retention outcomes survey interview consent privacy
equity trauma informed culturally specific workforce supervision coordination agreement
memorandum sharing dashboard metrics baseline quarterly annual report toolkit template
checklist curriculum webinar session presenter facilitator stakeholder council planning
implementation sustainability budget procurement contract legislation statute rule
guidance standard protocol workflow handoff warm transfer follow-up contact attempt
enrollment eligibility intake discharge continuity care coordination telehealth
buprenorphine methadone naltrexone fentanyl methamphetamine cannabis tobacco gambling
homelessness shelter transitional supportive employment education transportation
childcare benefits insurance medicaid reimbursement billing coding documentation
""".split()
if VOCABULARY == "zipf":
    # The domain words first, then made-up words from syllables, 20,000 in all; a word's
    # frequency falls off as 1/rank (Zipf's law, exponent 1).
    _SYLLABLES = "ba be bi bo bu da de di do du ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu".split()  # noqa: E501
    _made_up = (
        a + b + c + "n" for a in _SYLLABLES for b in _SYLLABLES for c in _SYLLABLES if a != b
    )
    WORDS = WORDS + [w for w, _ in zip(_made_up, range(20_000 - len(WORDS)), strict=False)]
    WEIGHTS = [1 / (rank + 1) for rank in range(len(WORDS))]
elif VOCABULARY == "dense":
    WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(WORDS))]
else:
    raise SystemExit(f"BENCH_VOCABULARY must be dense or zipf, not {VOCABULARY!r}")
CUM_WEIGHTS = list(itertools.accumulate(WEIGHTS))
TOPIC_WORDS = """
Pre-arrest Post-arrest Self-referral Active-outreach Naloxone-plus Officer-intervention
Community-response Evaluation Policy Funding Treatment Recovery Housing Youth Tribal Rural
Data-sharing Training Harm-reduction Medications Peer-support Crisis Courts Reentry Family
Workforce Equity Privacy Telehealth Employment
""".split()


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(WORDS, cum_weights=CUM_WEIGHTS, k=n))


def sentence(rng: random.Random, n: int) -> str:
    text = words(rng, n)
    return text[0].upper() + text[1:] + "."


def load_resources(rng: random.Random) -> dict:
    collections = list(Collection.objects.order_by("order", "pk")[:2])
    while len(collections) < 2:
        n = len(collections) + 1
        collections.append(
            Collection.objects.create(title=f"Bench collection {n}", slug=f"bench-collection-{n}")
        )
    topics = Topic.objects.bulk_create(
        Topic(
            name=f"{TOPIC_WORDS[i % len(TOPIC_WORDS)].replace('-', ' ')} "
            f"{i // len(TOPIC_WORDS) + 1}",
            slug=f"bench-topic-{i + 1}",
            order=100 + i,
        )
        for i in range(TOPICS)
    )
    audiences = Audience.objects.bulk_create(
        Audience(name=f"Bench audience {i + 1}", slug=f"bench-audience-{i + 1}", order=100 + i)
        for i in range(AUDIENCES)
    )
    types = list(ResourceType.values)
    start = date(2015, 1, 1)
    rows = []
    # Each resource's topics and audiences, chosen first so that the resource rows carry the
    # id arrays the link tables' triggers keep (migration 0010); the links are then copied
    # with those triggers off, instead of rewriting every resource row once per link table.
    chosen = [
        (
            sorted(topic.pk for topic in rng.sample(topics, rng.randint(1, 4))),
            sorted(audience.pk for audience in rng.sample(audiences, rng.randint(1, 3))),
        )
        for _ in range(RESOURCES)
    ]
    for i in range(RESOURCES):
        title = sentence(rng, rng.randint(4, 9))[:-1].title()
        rows.append(
            Resource(
                title=title,
                slug=f"bench-resource-{i + 1:05d}",
                summary=" ".join(sentence(rng, rng.randint(10, 18)) for _ in range(2))
                + (f" {RARE_WORD.title()} County pilot." if i % 250 == 0 else ""),
                body="\n\n".join(sentence(rng, rng.randint(30, 60)) for _ in range(3)),
                resource_type=types[i % len(types)],
                collection=collections[i % 2],
                source=f"Bench publisher {i % 40 + 1}",
                published_on=start + timedelta(days=rng.randint(0, 3650)),
                external_url=f"https://example.org/bench/{i + 1}",
                is_published=i % 20 != 19,  # 5% are drafts
                is_featured=i % 500 == 0,
            )
        )
    phase("resource text")
    copy_rows(
        Resource,
        rows,
        extra={
            "topic_ids": [topic_ids for topic_ids, _ in chosen],
            "audience_ids": [audience_ids for _, audience_ids in chosen],
        },
    )
    phase("resources")
    ids = list(
        # In the order they were copied (and so numbered), the order of `chosen`.
        Resource.objects.filter(slug__startswith="bench-resource-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    topic_link, audience_link = Resource.topics.through, Resource.audiences.through
    topic_rows, audience_rows = [], []
    for pk, (topic_ids, audience_ids) in zip(ids, chosen, strict=True):
        topic_rows += [topic_link(resource_id=pk, topic_id=topic_id) for topic_id in topic_ids]
        audience_rows += [
            audience_link(resource_id=pk, audience_id=audience_id) for audience_id in audience_ids
        ]
    with connection.cursor() as cursor:
        for link in (topic_link, audience_link):
            cursor.execute(f"ALTER TABLE {link._meta.db_table} DISABLE TRIGGER USER")
    copy_rows(topic_link, topic_rows)
    copy_rows(audience_link, audience_rows)
    with connection.cursor() as cursor:
        # The foreign keys' checks the copies queued run first: a table with pending
        # trigger events cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for link in (topic_link, audience_link):
            cursor.execute(f"ALTER TABLE {link._meta.db_table} ENABLE TRIGGER USER")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return {"resource_ids": ids, "topics": topics, "audiences": audiences}


def copy_rows(model, objects, extra: dict[str, list] | None = None) -> None:
    """Insert `objects` with one COPY: the rows' values as Django would save them (auto_now
    dates, defaults), without building an INSERT statement per batch, which is most of the
    time a bulk_create of 100,000 resources takes in Python. Database triggers fire as they
    do for inserts. `extra`: columns that are no model field, with one value per object."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.name.endswith("_vector")
    ]
    extra = extra or {}
    columns = ", ".join(
        [connection.ops.quote_name(f.column) for f in fields]
        + [connection.ops.quote_name(name) for name in extra]
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
            for i, obj in enumerate(objects):
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                    + [values[i] for values in extra.values()]
                )


def load_series(rng: random.Random, resource_ids: list[int]) -> list[Series]:
    now = timezone.now()
    series_list = Series.objects.bulk_create(
        Series(
            title=f"Bench ECHO series {i + 1}",
            slug=f"bench-series-{i + 1}",
            about="\n\n".join(sentence(rng, 40) for _ in range(3)),
            learning_objectives="\n".join(sentence(rng, 10) for _ in range(4)),
            audience=sentence(rng, 20),
            schedule="Fridays 1-2 p.m. Pacific",
            capacity=400,
            registration_state=RegistrationState.ACCEPTING
            if i < OPEN_SERIES
            else RegistrationState.CLOSED,
            is_published=True,
        )
        for i in range(SERIES)
    )
    sessions = []
    for i, series in enumerate(series_list):
        # Open series: two sessions behind them, the rest to come. Closed ones: all past,
        # each series a year further back.
        if i < OPEN_SERIES:
            first = now - timedelta(days=14)
        else:
            first = now - timedelta(days=365 * (i - OPEN_SERIES + 1) + 7 * SESSIONS_PER_SERIES)
        for number in range(1, SESSIONS_PER_SERIES + 1):
            starts = first + timedelta(days=7 * (number - 1))
            sessions.append(
                Session(
                    series=series,
                    number=number,
                    title=sentence(rng, 6)[:-1].title(),
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                    summary=sentence(rng, 30),
                    presenters="Dr. Bench Presenter\nBench Panelist",
                    take_homes="\n".join(sentence(rng, 12) for _ in range(3)),
                    is_cancelled=number == 7,
                )
            )
    sessions = Session.objects.bulk_create(sessions, batch_size=BATCH)
    materials = []
    for session in sessions:
        for order, pk in enumerate(rng.sample(resource_ids, MATERIALS_PER_SESSION)):
            materials.append(SessionMaterial(session=session, resource_id=pk, order=order))
    SessionMaterial.objects.bulk_create(materials, batch_size=BATCH)
    return series_list


def load_questions(series_list: list[Series]) -> dict[int, list[Question]]:
    rows = []
    for series in series_list:
        rows += [
            Question(
                series=series,
                label="Tell us about your deflection program.",
                kind=QuestionKind.LONG_TEXT,
                min_words=5,
                order=1,
            ),
            Question(
                series=series,
                label="Which pathway does your program use most?",
                kind=QuestionKind.SINGLE_CHOICE,
                choices="Self-referral\nActive outreach\nNaloxone plus\nOfficer intervention",
                order=2,
            ),
            Question(
                series=series,
                label="Does your program work with a treatment provider?",
                kind=QuestionKind.YES_NO,
                order=3,
            ),
            Question(
                series=series,
                label="Anything else we should know?",
                kind=QuestionKind.SHORT_TEXT,
                required=False,
                order=4,
            ),
        ]
    by_series: dict[int, list[Question]] = {}
    for question in Question.objects.bulk_create(rows):
        by_series.setdefault(question.series_id, []).append(question)
    return by_series


def answer_for(question: Question, rng: random.Random) -> str:
    if question.kind == QuestionKind.LONG_TEXT:
        return sentence(rng, rng.randint(12, 40))
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return rng.choice(question.choice_list)
    if question.kind == QuestionKind.YES_NO:
        return rng.choice(["Yes", "No"])
    return sentence(rng, 5)


def load_requests(rng: random.Random, series_list, questions) -> None:
    sectors = list(Sector.values)
    now = timezone.now()
    rows = []
    approved: dict[int, int] = {}
    for i in range(REQUESTS):
        series = series_list[i % len(series_list)]
        state = rng.choices(
            [
                RequestState.PENDING,
                RequestState.APPROVED,
                RequestState.WAITLISTED,
                RequestState.DECLINED,
                RequestState.WITHDRAWN,
            ],
            weights=[40, 35, 10, 10, 5],
        )[0]
        if state == RequestState.APPROVED:
            if approved.get(series.pk, 0) >= series.capacity:
                state = RequestState.WAITLISTED
            else:
                approved[series.pk] = approved.get(series.pk, 0) + 1
        rows.append(
            RegistrationRequest(
                series=series,
                full_name=f"Bench Applicant {i + 1}",
                email=f"applicant{i + 1}@bench.example.org",
                organization=f"Bench County {i % 36 + 1}",
                role_title="Coordinator",
                sector=sectors[i % len(sectors)],
                county="lane",
                consent=True,
                state=state,
                submitted_at=now - timedelta(minutes=i * 7),
                reviewed_at=None if state == RequestState.PENDING else now,
                # Unique by construction (random ones collide now and then at this count);
                # the digit 0 keeps them apart from the references the portal draws.
                reference=f"ECHO-{i // 100:04d}-{i % 100:02d}",
            )
        )
    requests = RegistrationRequest.objects.bulk_create(rows, batch_size=BATCH)
    answers, events = [], []
    for request in requests:
        for question in questions[request.series_id]:
            answers.append(
                Answer(request=request, question=question, value=answer_for(question, rng))
            )
        events.append(RequestEvent(request=request, to_state=request.state, reason="Submitted"))
    Answer.objects.bulk_create(answers, batch_size=BATCH * 2)
    RequestEvent.objects.bulk_create(events, batch_size=BATCH)


def submission_forms(rng: random.Random, series_list, questions) -> list[dict]:
    """For each series that accepts requests: its form's path and valid question answers."""
    forms = []
    for series in series_list[:OPEN_SERIES]:
        answers = {}
        for question in questions[series.pk]:
            value = answer_for(question, rng)
            if question.kind == QuestionKind.LONG_TEXT:
                value = "We run a county program with peers, officers and clinicians together."
            answers[f"question_{question.pk}"] = value
        forms.append({"path": f"/echo/{series.slug}/request/", "answers": answers})
    return forms


def varied_urls(rng: random.Random, topics: list[Topic], audiences: list[Audience]) -> list:
    """Distinct search URLs: words from the whole vocabulary (the most common ones match
    most resources, the rare ones a few), pairs, OR, exclusions and phrases, a quarter with a
    filter and a fifth past the first page. The benchmark sends each once, or nearly."""
    pool = WORDS[:2000]
    types = list(ResourceType.values)
    urls: set[str] = set()
    while len(urls) < VARIED_URLS:
        a, b = rng.choice(pool), rng.choice(pool)
        form = rng.random()
        if form < 0.5:
            q = a
        elif form < 0.85:
            q = f"{a} {b}"
        elif form < 0.9:
            q = f"{a} OR {b}"
        elif form < 0.95:
            q = f"{a} -{b}"
        else:
            q = f'"{a} {b}"'
        params = {"q": q}
        pick = rng.random()
        if pick < 0.15:
            params["topic"] = rng.choice(topics).slug
        elif pick < 0.2:
            params["audience"] = rng.choice(audiences).slug
        elif pick < 0.25:
            params["type"] = rng.choice(types)
        if rng.random() < 0.2:
            params["page"] = str(rng.randint(2, 5))
        urls.add("/library/search/?" + urllib.parse.urlencode(params))
    return sorted(urls)


# The full-text and array indexes (GIN) of the resource table: a bulk load builds each once
# at the end, several times faster than adding each new row's entries (and the link tables'
# triggers rewrite every row once more, which would add them twice).
GIN_INDEXES_SQL = (
    "SELECT indexname, indexdef FROM pg_indexes "
    "WHERE tablename = 'library_resource' AND indexdef ILIKE '% USING gin %' "
    "ORDER BY indexname"
)
_clock = [time.monotonic()]


def phase(name: str) -> None:
    """How long each part of the load took, on stderr (run.py reads only stdout)."""
    now = time.monotonic()
    print(f"load_data: {name}: {now - _clock[0]:.1f} s", file=sys.stderr, flush=True)
    _clock[0] = now


def main() -> None:
    started = time.monotonic()
    rng = random.Random(9)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo_content", verbosity=0, stdout=quiet)
    phase("demo content")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(GIN_INDEXES_SQL)
            gin_indexes = cursor.fetchall()
            for name, _definition in gin_indexes:
                cursor.execute(f"DROP INDEX {name}")
        library = load_resources(rng)
        phase("resources and links")
        with connection.cursor() as cursor:
            # Check the rows' deferred foreign keys now: an index cannot be built on a
            # table with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for _name, definition in gin_indexes:  # as the migrations wrote them
                cursor.execute(definition)
        phase(f"search indexes ({len(gin_indexes)})")
        series_list = load_series(rng, library["resource_ids"])
        questions = load_questions(series_list)
        load_requests(rng, series_list, questions)
        forms = submission_forms(rng, series_list, questions)
        phase("series, sessions, requests")
    # What autovacuum does soon after a load this size: merge the GIN index's pending list
    # (until then the planner prices the index scan too high and reads the whole table) and
    # gather fresh planner statistics.
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f'VACUUM ANALYZE "{table}"')
    phase("vacuum and analyze")

    # The search row: a topic that many of the query's matches carry.
    matches = Resource.objects.published().search(SEARCH_QUERY)
    topic = (
        Topic.objects.filter(slug__startswith="bench-topic-", resources__in=matches.values("pk"))
        .values("slug")
        .annotate(n=Count("resources"))
        .order_by("-n", "slug")
        .first()
    )
    material = SessionMaterial.objects.filter(session__series=series_list[0]).first()
    info = {
        "seconds": round(time.monotonic() - started, 1),
        "counts": {
            "resources": Resource.objects.count(),
            "published_resources": Resource.objects.published().count(),
            "topics": Topic.objects.count(),
            "audiences": Audience.objects.count(),
            "series": Series.objects.count(),
            "sessions": Session.objects.count(),
            "session_materials": SessionMaterial.objects.count(),
            "questions": Question.objects.count(),
            "requests": RegistrationRequest.objects.count(),
            "answers": Answer.objects.count(),
        },
        "search": {
            "q": SEARCH_QUERY,
            "topic": topic["slug"],
            "matches": matches.count(),
            "matches_in_topic": matches.filter(topics__slug=topic["slug"]).count(),
        },
        "vocabulary": VOCABULARY,
        "explain_words": {"broad": WORDS[0], "narrow": RARE_WORD},
        "varied": varied_urls(rng, library["topics"], library["audiences"]),
        "resource_slug": material.resource.slug,
        "series_slug": series_list[0].slug,
        "forms": forms,
    }
    print("BENCH-DATA " + json.dumps(info))


if __name__ == "__main__":
    main()
