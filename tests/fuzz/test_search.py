"""Fuzzing library search: random queries (search syntax, NUL bytes, huge and odd unicode),
facet values, sort orders and page numbers, repeated and unknown parameters, raw query
strings with broken percent-encoding. Always a page, never a 500."""

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from library.models import ResourceType
from tests.factories import make_audience, make_collection, make_resources, make_topic

from .conftest import FUZZ, FUZZ_RAW, HOSTILE_FRAGMENTS, hostile_text

pytestmark = pytest.mark.django_db

SEARCH = "/library/search/"


@pytest.fixture
def library():
    topics = [make_topic(slug="housing"), make_topic(slug="treatment")]
    audiences = [make_audience(slug="police")]
    collection = make_collection(slug="guides")
    make_resources(25, collection=collection, topics=topics, audiences=audiences)
    assert reverse("library:search") == SEARCH
    return {"topic": ["housing", "treatment"], "audience": ["police"], "collection": ["guides"]}


query_text = st.one_of(
    hostile_text,
    st.lists(
        st.sampled_from(
            ["deflection", "housing", '"warm handoff"', "-jail", "OR", "AND", "NOT", "*", ":",
             "&", "|", "!", "(", ")", "<->", "'", '"', "\\", "bulk", "guide", "%", "_"]
            + HOSTILE_FRAGMENTS
        ),
        max_size=12,
    ).map(" ".join),
)  # fmt: skip

page_value = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(["", "1", "2", "3", "last", "0", "-1", "1e9", "NaN", "٣", "²", " 2 "]),
    hostile_text,
)

facet_value = st.one_of(
    st.sampled_from(["housing", "treatment", "police", "guides", "HOUSING", "none", ""]),
    st.sampled_from([value for value, _ in ResourceType.choices]),
    hostile_text,
)

params = st.fixed_dictionaries(
    {},
    optional={
        "q": st.one_of(query_text, st.lists(query_text, min_size=2, max_size=3)),
        "topic": facet_value,
        "type": facet_value,
        "audience": facet_value,
        "collection": facet_value,
        "sort": st.one_of(st.sampled_from(["relevance", "date", "", "DATE", "-"]), hostile_text),
        "page": st.one_of(page_value, st.lists(page_value, min_size=2, max_size=3)),
        "extra": st.dictionaries(st.text(min_size=1, max_size=10), hostile_text, max_size=3),
    },
)


@FUZZ
@given(query=params)
def test_search_always_answers_with_a_page(client, library, query):
    extra = query.pop("extra", {})
    response = client.get(SEARCH + "?" + urlencode({**extra, **query}, doseq=True))
    assert response.status_code == 200, response.status_code
    assert b"<h1" in response.content


raw_query = st.lists(
    st.sampled_from(
        ["q=", "page=", "topic=", "type=", "sort=", "&", "=", "%", "%0", "%00", "%ff", "%C3%28",
         "%E2%80%AE", "+", "deflection", "housing", "9" * 30, "-1", ";", "?", "#", "%2F", "[]"]
    ),
    max_size=30,
).map("".join)  # fmt: skip


@FUZZ_RAW
@given(raw=raw_query)
def test_search_survives_raw_query_strings(client, library, raw):
    response = client.get(SEARCH + "?" + raw)
    assert response.status_code == 200, response.status_code
