"""Phrase searches: on PostgreSQL a clause of phrases is tested on the pairs of adjacent
words (migration 0009) before (or, for a phrase of two words, instead of) the search
vector. The results must be exactly the phrase's matches on both databases, on the exact
path and on the broad one (a window of the newest matches), with filters too."""

from datetime import date, timedelta

import pytest
from django.db import connection

from library.models import Resource
from library.query import parse, to_tsquery_text
from library.search import match_set_sql, resource_search
from tests.factories import make_collection, make_resource, make_topic

pytestmark = pytest.mark.django_db

# Near misses on purpose: the words apart, in the other order, across a common word, at
# the end of the title and the start of the summary, hyphenated, repeated.
TEXTS = {
    "side-by-side": ("Peer support programs", "Peer support in the county."),
    "reversed": ("Support for peers meeting", "Support peer networks."),
    "apart": ("Peer networks", "Support for the peer who calls."),
    "across-common-word": ("Peer and support", "A peer of support staff."),
    "across-fields": ("Notes on the peer", "Support staff read them."),
    "three-words": ("Warm handoff checklist", "A warm handoff checklist for officers."),
    "two-of-three": ("Warm handoff", "A checklist for a warm day."),
    "hyphen": ("Follow-up calls", "Officers follow-up after an overdose."),
    "follow-up-apart": ("Follow calls", "Officers follow up after an overdose."),
    "repeated": ("Peer peer review", "Reviews by a peer."),
    "stemmed": ("Supporting peers today", "Peers supporting peers in recovery."),
}
PHRASES = [
    '"peer support"',
    '"support peer"',
    '"peer the support"',
    '"peer of support"',
    '"the peer support"',
    '"warm handoff checklist"',
    '"handoff checklist"',
    '"follow-up"',
    "follow-up",
    '"follow up"',
    '"peer peer"',
    '"supporting peers"',
    '"peers supporting peers"',
    '"peer support" OR "warm handoff"',
    '"peer support" OR checklist',
    'peer "support staff"',
    '"peer support" -county',
    'peer -"peer support"',
    '"peer support" "support programs"',
    '"nothing like this"',
]


@pytest.fixture
def phrase_corpus():
    collection = make_collection()
    topic = make_topic()
    for i, (slug, (title, summary)) in enumerate(TEXTS.items()):
        make_resource(
            slug=slug,
            title=title,
            summary=summary,
            collection=collection,
            published_on=date(2021, 1, 1) + timedelta(days=i),
            topics=[topic] if i % 2 == 0 else [],
        )
    return topic


def reference(q: str, topic=None) -> set[str]:
    """The slugs a query finds by the model's own search (the search vector alone, or
    FTS5), without the pairs."""
    found = Resource.objects.published().search(q)
    if topic is not None:
        found = found.filter(topics=topic)
    return set(found.values_list("slug", flat=True))


@pytest.mark.parametrize("q", PHRASES)
def test_a_phrase_finds_exactly_its_matches(phrase_corpus, q):
    found = resource_search(query=q, filters={})
    slugs = {resource.slug for resource in found.results}
    assert not found.estimated
    assert found.total == len(slugs)
    assert slugs == reference(q)


def test_phrase_results_are_the_ones_expected(phrase_corpus):
    def slugs(q):
        found = {resource.slug for resource in resource_search(query=q, filters={}).results}
        # PostgreSQL's positions run on from the title into the summary; FTS5's do not.
        return found - {"across-fields"}

    assert slugs('"peer support"') == {"side-by-side", "stemmed"}
    assert slugs('"support peer"') == {"reversed", "stemmed"}
    assert slugs('"warm handoff checklist"') == {"three-words"}
    assert slugs('"peer peer"') == {"repeated"}
    assert slugs('"peer support" OR "warm handoff"') == {
        "side-by-side",
        "stemmed",
        "three-words",
        "two-of-three",
    }


@pytest.mark.parametrize("q", PHRASES)
def test_a_broad_phrase_shows_its_newest_matches_with_a_filter_too(
    phrase_corpus, small_sample, monkeypatch, q
):
    """Broad from one match: a window of the 3 newest matches, with or without a filter."""
    monkeypatch.setattr("library.broad_search.BROAD_FROM", 1)
    topic = phrase_corpus
    for filters, expected in (({}, reference(q)), ({"topic": topic}, reference(q, topic))):
        found = resource_search(query=q, filters=filters, sort="date")
        newest = Resource.objects.filter(slug__in=expected).order_by("-published_on")[:3]
        assert [resource.slug for resource in found.results] == [r.slug for r in newest]
        assert found.estimated == bool(reference(q))
        if len(expected) < 3:
            assert found.total == len(expected)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL pairs")
@pytest.mark.parametrize("q", PHRASES)
def test_the_pairs_never_change_what_the_search_vector_matches(phrase_corpus, q):
    parsed = parse(q)
    sql, params = match_set_sql(parsed)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.id FROM ({sql}) s", params)
        with_pairs = {pk for (pk,) in cursor.fetchall()}
        cursor.execute(
            "SELECT id FROM library_resource WHERE is_published AND "
            "search_vector @@ to_tsquery('pg_catalog.english', %s)",
            [to_tsquery_text(parsed)],
        )
        on_vector = {pk for (pk,) in cursor.fetchall()}
    assert with_pairs == on_vector


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL pairs")
def test_the_pairs_follow_edits():
    resource = make_resource(title="Notes", summary="Nothing here.")
    assert not resource_search(query='"peer support"', filters={}).results
    resource.summary = "Peer support at last."
    resource.save()
    assert [r.pk for r in resource_search(query='"peer support"', filters={}).results] == [
        resource.pk
    ]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL pairs")
def test_a_two_word_phrase_is_read_from_the_pairs_alone(phrase_corpus):
    sql, params = match_set_sql(parse('"peer support"'))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "search_pairs" in plan and "search_vector @@" not in plan, plan
    sql, params = match_set_sql(parse('"warm handoff checklist"'))
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row for (row,) in cursor.fetchall())
    assert "search_pairs" in plan and "search_vector @@" in plan, plan
