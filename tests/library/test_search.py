"""Search: ranking, facets whose counts match the results, combined filters, pagination that
keeps the query, and hostile input that always answers a normal page."""

from urllib.parse import quote_from_bytes, urlencode

import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from library.models import Resource, ResourceType, SearchWord
from library.search import resource_search, similarity
from tests.factories import make_audience, make_collection, make_resource, make_topic

SEARCH = reverse("library:search")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)


def result_slugs(response) -> list[str]:
    return [resource.slug for resource in response.context["results"]]


def total(response) -> int:
    return response.context["page_obj"].paginator.count


@pytest.mark.django_db
def test_searching_lead_finds_the_lead_resource_first(client, demo_content):
    response = client.get(SEARCH, {"q": "LEAD"})
    assert response.status_code == 200
    assert result_slugs(response)[0] == "law-enforcement-assisted-diversion-lead-model"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "first"),
    [
        ("civil citation", "civil-citation-model"),
        ("officer intervention", "understand-officer-intervention-for-deflection"),
        ("naloxone", "naloxone-plus-pathway"),
        ("House Bill 4002", "oregon-house-bill-4002-2024"),
    ],
)
def test_the_resource_named_by_the_query_ranks_first(client, demo_content, q, first):
    assert result_slugs(client.get(SEARCH, {"q": q}))[0] == first


@pytest.mark.django_db
def test_title_match_outranks_summary_and_body_matches(client):
    collection = make_collection()
    body = make_resource(title="Alpha", body="Mentions outreach once.", collection=collection)
    summary = make_resource(title="Beta", summary="All about outreach.", collection=collection)
    title = make_resource(title="Outreach teams", collection=collection)
    assert result_slugs(client.get(SEARCH, {"q": "outreach"})) == [
        title.slug,
        summary.slug,
        body.slug,
    ]


@pytest.mark.django_db
def test_every_word_of_the_query_must_match(client):
    both = make_resource(title="Peer outreach", summary="Peers and outreach.")
    make_resource(title="Peer support only")
    assert result_slugs(client.get(SEARCH, {"q": "peer outreach"})) == [both.slug]


@pytest.mark.django_db
def test_unpublished_resources_never_appear_in_results_or_facet_counts(client):
    topic = make_topic(slug="hidden-topic")
    make_resource(title="Secret outreach plan", is_published=False, topics=[topic])
    response = client.get(SEARCH, {"q": "outreach"})
    assert total(response) == 0
    assert all(not facet["options"] for facet in response.context["facets"])
    assert b"Secret outreach plan" not in client.get(SEARCH).content
    browse = client.get(SEARCH, {"topic": "hidden-topic"})
    assert total(browse) == 0 and b"Secret" not in browse.content


@pytest.mark.django_db
@pytest.mark.parametrize("q", ["", "deflection", "treatment", "officer"])
def test_each_facet_count_equals_the_results_its_link_gives(client, demo_content, q):
    response = client.get(SEARCH, {"q": q})
    options = [option for facet in response.context["facets"] for option in facet["options"]]
    assert options, "the demo content should give facets for this query"
    for option in options:
        followed = client.get(SEARCH + option["url"])
        assert total(followed) == option["count"], option


@pytest.mark.django_db
def test_facet_counts_reflect_the_query_and_the_other_filters(client, demo_content):
    response = client.get(SEARCH, {"q": "treatment", "collection": "clinical-resources"})
    facets = {facet["name"]: facet for facet in response.context["facets"]}
    clinical = (
        Resource.objects.published()
        .search("treatment")
        .filter(collection__slug="clinical-resources")
    )
    assert facets["audience"]["options"]
    for option in facets["audience"]["options"]:
        assert option["count"] == clinical.filter(audiences__slug=option["value"]).count()
    collection_counts = {o["value"]: o["count"] for o in facets["collection"]["options"]}
    # The collection facet ignores its own choice, so the other library still shows a count.
    assert collection_counts["clinical-resources"] == total(response)
    assert "deflection-resources" in collection_counts


@pytest.mark.django_db
def test_filters_combine_across_facets(client):
    topic, audience = make_topic(slug="t-outreach"), make_audience(slug="a-peers")
    collection = make_collection(slug="c-main")
    everything = make_resource(
        topics=[topic], audiences=[audience], collection=collection, resource_type="guide"
    )
    make_resource(
        topics=[topic], audiences=[audience], collection=collection, resource_type="report"
    )
    make_resource(topics=[topic], collection=collection, resource_type="guide")
    make_resource(audiences=[audience], collection=collection, resource_type="guide")
    params = {"topic": "t-outreach", "audience": "a-peers", "collection": "c-main", "type": "guide"}
    response = client.get(SEARCH, params)
    assert result_slugs(response) == [everything.slug]
    assert len(response.context["active_filters"]) == 4


@pytest.mark.django_db
def test_pagination_keeps_the_query_and_filters(client):
    topic = make_topic(slug="pathways")
    collection = make_collection()
    for n in range(45):
        make_resource(title=f"Pathway guide {n:02}", topics=[topic], collection=collection)
    make_resource(title="Pathway guide without the topic", collection=collection)
    first = client.get(SEARCH, {"q": "pathway", "topic": "pathways"})
    html = first.content.decode()
    assert total(first) == 45
    assert '<nav aria-label="Pagination"' in html
    assert 'href="?q=pathway&amp;topic=pathways&amp;page=2"' in html
    assert 'aria-current="page"' in html
    second = client.get(SEARCH, {"q": "pathway", "topic": "pathways", "page": 2})
    assert second.context["page_obj"].number == 2
    assert set(result_slugs(first)).isdisjoint(result_slugs(second))
    assert 'value="pathway"' in second.content.decode()


@pytest.mark.django_db
def test_sort_by_date_puts_newest_first(client):
    old = make_resource(title="Outreach old", published_on="2019-05-01")
    new = make_resource(title="Outreach new", published_on="2024-05-01")
    best = make_resource(title="Outreach outreach outreach", published_on="2010-01-01")
    by_date = result_slugs(client.get(SEARCH, {"q": "outreach", "sort": "date"}))
    assert by_date == [new.slug, old.slug, best.slug]


@pytest.mark.django_db
def test_empty_query_lists_every_published_resource_newest_first(client):
    older = make_resource(published_on="2020-01-01")
    newer = make_resource(published_on="2023-01-01")
    response = client.get(SEARCH)
    assert response.status_code == 200 and result_slugs(response) == [newer.slug, older.slug]


@pytest.mark.django_db
def test_search_form_is_a_labelled_search_landmark(client):
    html = client.get(SEARCH, {"q": "x"}).content.decode()
    assert "<search" in html
    assert '<label class="form-label fw-semibold" for="id_q">Search the library</label>' in html
    assert 'id="id_q"' in html and 'name="q"' in html


@pytest.mark.django_db
def test_results_escape_html_in_the_query_and_in_resources(client):
    make_resource(title="<img src=x onerror=alert(1)> outreach")
    html = client.get(SEARCH, {"q": '"><script>alert(1)</script> outreach'}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html


@pytest.mark.django_db
def test_very_long_query_is_cut_to_200_characters(client):
    response = client.get(SEARCH, {"q": "outreach " * 500})
    assert response.status_code == 200
    assert len(response.context["q"]) <= 200


HOSTILE_QUERIES = [
    '"',
    '"unterminated phrase',
    "'; DROP TABLE library_resource; --",
    "1' OR '1'='1",
    "a & b | !c <-> d",
    "-",
    "--",
    "or or or",
    "-lead -",
    "*:*",
    "\\",
    "%",
    "_",
    "lead:*",
    "<script>alert(1)</script>",
    "\x00",
    "lead\x00model",
    "\ue000mark\ue001",
    "\u202e\u200b\ufeff",
    "😀 deflection",
    "the",
    "   ",
    "(" * 300,
]


@pytest.mark.django_db
@pytest.mark.parametrize("q", HOSTILE_QUERIES)
def test_hostile_queries_answer_a_normal_page(client, q):
    make_resource(title="LEAD model", summary="Law enforcement assisted diversion.")
    response = client.get(SEARCH, {"q": q, "sort": q, "topic": q, "type": q, "page": q})
    assert response.status_code == 200
    assert b"<h1>Search the library</h1>" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query_string",
    [
        "q=%ff%fe%fd",
        "q=%c3%28&page=%80",
        "q=%00&topic=%00&audience=%00&collection=%00&type=%00",
        "q=lead&page=0",
        "q=lead&page=-1",
        "q=lead&page=99999999999999999999999",
        "q=lead&page=1.5",
        "q=lead&page=last",
        "topic=no-such-topic&audience=nobody&collection=none&type=spaceship",
        "topic=../../etc&type=%3Cscript%3E",
        "q=a&q=b&topic=x&topic=y",
        "q",
        "&&&=&=",
    ],
)
def test_malformed_urls_answer_a_normal_page(client, query_string):
    make_resource(title="LEAD model")
    response = client.get(f"{SEARCH}?{query_string}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_unknown_facet_values_are_ignored(client):
    make_resource(title="Outreach")
    response = client.get(SEARCH, {"topic": "no-such-topic", "type": "spaceship"})
    assert total(response) == 1 and response.context["active_filters"] == []


@on_postgresql
@pytest.mark.django_db
def test_postgresql_highlights_matches_in_snippets_and_escapes_the_rest(client):
    make_resource(
        title="Peers",
        summary="Peer mentors <b>meet</b> people & families after an overdose.",
        body="They stay with the person through the first steps.",
    )
    html = client.get(SEARCH, {"q": "overdose"}).content.decode()
    assert "<mark>overdose</mark>" in html
    assert "people &amp; families" in html
    assert "<b>meet" not in html


@on_postgresql
@pytest.mark.django_db
def test_snippets_come_from_the_summary_and_the_start_of_the_body():
    from library.search import SNIPPET_BODY_CHARACTERS, resource_search

    filler = "Officers and peers work together. " * (SNIPPET_BODY_CHARACTERS // 30)
    early = make_resource(summary="A short note.", body="Naloxone first. " + filler)
    late = make_resource(summary="Naloxone training.", body=filler + " Methadone at the end.")
    headlines = {r.pk: r.headline for r in resource_search(query="naloxone", filters={}).results}
    assert "\ue000Naloxone\ue001" in headlines[early.pk]
    assert "\ue000Naloxone\ue001" in headlines[late.pk]
    # A word only past the start of the body still finds the resource; its snippet is the
    # start of the text, unmarked.
    found = resource_search(query="methadone", filters={}).results
    assert [r.pk for r in found] == [late.pk]
    assert "\ue000" not in found[0].headline and found[0].headline.startswith("Naloxone")


@pytest.mark.django_db
def test_resource_types_shown_as_facets_use_their_labels(client):
    make_resource(resource_type=ResourceType.POLICY)
    facets = {f["name"]: f for f in client.get(SEARCH).context["facets"]}
    assert facets["type"]["options"] == [
        {
            "value": "policy",
            "label": "Policy or legislation",
            "count": 1,
            "selected": False,
            "url": "?type=policy",
        }
    ]


hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(HOSTILE_QUERIES),
    st.text(alphabet=st.sampled_from("\"'-&|!():*<>\\%_ orAND\x00"), max_size=40),
)
raw_bytes = st.binary(max_size=80).map(quote_from_bytes)


@pytest.mark.django_db
@settings(
    max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=hostile_text,
    raw=st.one_of(st.none(), raw_bytes),
    page=st.one_of(st.none(), st.text(max_size=12), st.integers(-5, 10**12).map(str)),
    facet=st.sampled_from(["topic", "type", "audience", "collection", "sort"]),
    facet_value=st.text(max_size=40),
)
def test_random_and_hostile_search_inputs_never_cause_a_server_error(
    client, search_corpus, q, raw, page, facet, facet_value
):
    params = {"q": q, facet: facet_value}
    if page is not None:
        params["page"] = page
    url = f"{SEARCH}?{urlencode(params)}"
    if raw is not None:
        url += f"&q={raw}"
    response = client.get(url)
    assert response.status_code == 200


@pytest.fixture
def search_corpus(db):
    topic, audience = make_topic(slug="corpus-topic"), make_audience(slug="corpus-audience")
    collection = make_collection(slug="corpus-collection")
    for n in range(25):
        make_resource(
            title=f"LEAD outreach guide {n}",
            summary="Deflection, treatment and peers.",
            body="**Warm handoff** to treatment.",
            topics=[topic],
            audiences=[audience],
            collection=collection,
        )


@pytest.mark.django_db
def test_facet_options_follow_the_staff_chosen_order(client):
    later = make_topic(name="Alpha", slug="alpha", order=2)
    first = make_topic(name="Zulu", slug="zulu", order=1)
    make_resource(topics=[later, first])
    facets = {f["name"]: f for f in client.get(SEARCH).context["facets"]}
    assert [o["value"] for o in facets["topic"]["options"]] == ["zulu", "alpha"]


# --- The query language, the same on both databases ---------------------------------------
# One corpus and one table of expected result sets: the suite runs on SQLite and on
# PostgreSQL (DATABASE_URL), and the same expectations must hold on each.


@pytest.fixture
def semantics_corpus(db):
    collection = make_collection(slug="semantics")
    rows = {
        "warm-handoff": ("Warm handoff guide", "How to make a warm handoff to treatment."),
        "handoff-checklist": ("Handoff checklist", "Keep the line warm for callers."),
        "deflecting": ("Deflecting people to treatment", "Officers refer people to care."),
        "naloxone-kits": ("Naloxone kits", "Each patrol car carries naloxone."),
        "narcan": ("Narcan training", "A nasal spray that reverses an overdose."),
        "deflection-naloxone": ("Deflection and naloxone", "Deflection teams carry naloxone."),
        "unicode": ("Café résumé for Señora Müller", "A 日本語 handout and an ümlaut."),
        "lead-model": ("LEAD model", "Law Enforcement Assisted Diversion."),
        "outreach-leads": ("Outreach leads", "Peers follow up leads from dispatch."),
        "covid": ("Covid-19 guidance", "Keeping programs open in a pandemic."),
    }
    for slug, (title, summary) in rows.items():
        make_resource(slug=slug, title=title, summary=summary, collection=collection)
    make_resource(
        slug="draft",
        title="Draft naloxone handoff deflection LEAD café",
        summary="Unpublished warm handoff.",
        is_published=False,
        collection=collection,
    )
    return set(rows)


EVERYTHING = {
    "warm-handoff",
    "handoff-checklist",
    "deflecting",
    "naloxone-kits",
    "narcan",
    "deflection-naloxone",
    "unicode",
    "lead-model",
    "outreach-leads",
    "covid",
}
SEMANTICS = [
    # words: every one must match, stemmed
    ("handoff", {"warm-handoff", "handoff-checklist"}),
    ("warm handoff", {"warm-handoff", "handoff-checklist"}),
    ("deflection", {"deflecting", "deflection-naloxone"}),
    ("deflected", {"deflecting", "deflection-naloxone"}),
    ("officer", {"deflecting"}),
    ("leads", {"lead-model", "outreach-leads"}),
    ("LEAD", {"lead-model", "outreach-leads"}),
    # phrases: the words side by side, in order
    ('"warm handoff"', {"warm-handoff"}),
    ('"handoff warm"', set()),
    ('"warm handoff', {"warm-handoff"}),
    ("covid-19", {"covid"}),
    ('"reverses an overdose"', {"narcan"}),
    # OR
    ("naloxone OR narcan", {"naloxone-kits", "narcan", "deflection-naloxone"}),
    ("narcan OR nothingmatchesthis", {"narcan"}),
    ('"warm handoff" OR narcan', {"warm-handoff", "narcan"}),
    # exclusion
    ("handoff -checklist", {"warm-handoff"}),
    ("deflection -naloxone", {"deflecting"}),
    ('handoff -"warm handoff"', {"handoff-checklist"}),
    ("-naloxone -narcan", EVERYTHING - {"naloxone-kits", "narcan", "deflection-naloxone"}),
    ("-nothingmatchesthis", EVERYTHING),
    # unicode: case folds, accents count
    ("café", {"unicode"}),
    ("CAFÉ", {"unicode"}),
    ("cafe", set()),
    ("müller", {"unicode"}),
    ("日本語", {"unicode"}),
    # operators and common words alone find nothing (and never fail)
    ("the", set()),
    ("-", set()),
    ("OR", set()),
    ('""', set()),
    ("- OR -", set()),
    ("&|!()", set()),
    ("OR naloxone", {"naloxone-kits", "deflection-naloxone"}),
    ("naloxone OR", {"naloxone-kits", "deflection-naloxone"}),
]


def found_slugs(q: str, **filters) -> set[str]:
    found = resource_search(query=q, filters=filters, page=1)
    slugs = {resource.slug for resource in found.results}
    assert found.total == len(slugs)  # the corpus fits on one page
    return slugs


@pytest.mark.parametrize(("q", "expected"), SEMANTICS)
def test_query_semantics_are_the_same_on_every_database(semantics_corpus, q, expected):
    assert found_slugs(q) == expected
    assert set(Resource.objects.published().search(q).values_list("slug", flat=True)) == expected


def test_blank_query_lists_every_published_resource(semantics_corpus):
    assert found_slugs("") == EVERYTHING


def test_exact_title_and_acronym_matches_rank_first(semantics_corpus):
    found = resource_search(query="LEAD", filters={}, page=1)
    assert [r.slug for r in found.results] == ["lead-model", "outreach-leads"]


def test_the_search_index_follows_edits_unpublishing_and_deletes(semantics_corpus):
    resource = Resource.objects.get(slug="narcan")
    resource.title = "Nasal spray training"
    resource.save()
    assert found_slugs("narcan") == set()
    assert found_slugs("nasal spray") == {"narcan"}
    Resource.objects.filter(slug="narcan").update(summary="Peer support after an overdose.")
    assert found_slugs("reverses") == set()
    assert found_slugs("peer support") == {"narcan"}
    Resource.objects.filter(slug="narcan").update(is_published=False)
    assert found_slugs("nasal") == set()
    Resource.objects.filter(slug="warm-handoff").delete()
    assert found_slugs("handoff") == {"handoff-checklist"}


# --- Spelling suggestions --------------------------------------------------------------------


def test_similarity_is_pg_trgm_s_measure():
    assert similarity("deflection", "deflection") == 1.0
    assert similarity("defelction", "deflection") == pytest.approx(
        7 / 15
    )  # as PostgreSQL computes it
    assert similarity("abc", "xyz") == 0.0


@pytest.mark.django_db
def test_a_misspelt_query_suggests_the_library_s_own_word(client):
    make_resource(title="Deflection basics", summary="What deflection programs do.")
    response = client.get(SEARCH, {"q": "defelction"})
    html = response.content.decode()
    assert total(response) == 0
    assert response.context["suggestion"] == "deflection"
    assert 'Did you mean <a href="?q=deflection">deflection</a>?' in html
    assert "remove a filter" not in html
    followed = client.get(SEARCH + response.context["suggestion_url"])
    assert total(followed) == 1


@pytest.mark.django_db
def test_a_suggestion_keeps_the_filters_and_the_rest_of_the_query(client):
    topic = make_topic(slug="basics")
    make_resource(title="Deflection basics", summary="Programs for counties.", topics=[topic])
    response = client.get(SEARCH, {"q": 'defelction -jail "for counties"', "topic": "basics"})
    assert response.context["suggestion"] == 'deflection -jail "for counties"'
    assert "topic=basics" in response.context["suggestion_url"]
    assert "remove a filter" in response.content.decode()


@pytest.mark.django_db
def test_no_suggestion_when_the_words_are_the_library_s_own(client):
    make_resource(title="Deflection basics", summary="Programs for counties.")
    make_resource(title="Treatment referrals", summary="Warm handoffs.")
    response = client.get(SEARCH, {"q": "deflection treatment"})
    assert total(response) == 0
    assert response.context["suggestion"] == ""


@pytest.mark.django_db
def test_drafts_never_feed_suggestions(client):
    make_resource(title="Confidential merger plan", summary="Draft.", is_published=False)
    response = client.get(SEARCH, {"q": "confidentail"})
    assert response.context["suggestion"] == ""
    assert "Confidential" not in response.content.decode()


@pytest.mark.django_db
def test_a_query_of_common_words_says_so(client):
    make_resource(title="The guide")
    response = client.get(SEARCH, {"q": "the of and"})
    assert total(response) == 0
    assert "only very common words" in response.content.decode()


@on_postgresql
@pytest.mark.django_db
def test_postgresql_collects_published_words_for_suggestions():
    make_resource(title="Deflection basics", summary="Programs.")
    make_resource(title="Secretive draft", summary="Hidden.", is_published=False)
    words = set(SearchWord.objects.values_list("word", flat=True))
    assert {"deflection", "basics", "programs"} <= words
    assert "secretive" not in words


# --- Pages at any size ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_past_the_end_shows_the_last_page(client):
    collection = make_collection()
    for n in range(25):
        make_resource(title=f"Outreach guide {n}", collection=collection)
    response = client.get(SEARCH, {"q": "outreach", "page": "999999999999"})
    assert response.context["page_obj"].number == 2
    assert len(result_slugs(response)) == 5


@pytest.mark.django_db
def test_the_filter_panel_is_a_native_disclosure_closed_before_the_results(client):
    make_resource(title="Outreach")
    html = client.get(SEARCH, {"q": "outreach"}).content.decode()
    assert '<details class="filter-panel">' in html
    assert html.index("<summary") < html.index('id="results-heading"')
