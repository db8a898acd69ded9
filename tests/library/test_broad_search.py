"""Broad searches (library/broad_search.py): counted in a fixed sample and marked as
estimates, with results from a window of the newest matches; narrower ones stay exact. The
tests shrink the sample's step, the threshold and the window so that a few rows cross them;
they run on SQLite and PostgreSQL alike."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from library import broad_search
from library.broad_search import about
from library.models import Resource, ResourceType
from library.search import FACETS, order_sql, resource_search
from tests.factories import make_collection, make_resource, make_topic

SEARCH = reverse("library:search")


def make_outreach(n, **overrides):
    """`n` resources about outreach, the later ones newer."""
    collection = overrides.pop("collection", None) or make_collection()
    return [
        make_resource(
            title=f"Report {i}",
            summary="Notes on outreach.",
            published_on=date(2020, 1, 1) + timedelta(days=i),
            collection=collection,
            **overrides,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, 0), (3, 10), (64, 60), (128, 130), (1_344, 1_300), (95_040, 95_000), (99_968, 100_000)],
)
def test_estimates_are_round_figures(n, shown):
    assert about(n) == shown


@pytest.mark.django_db
def test_a_query_below_the_threshold_stays_exact(small_sample):
    make_outreach(4)
    found = resource_search(query="outreach", filters={})
    assert not found.estimated and not found.total_is_estimate
    assert found.total == 4 and len(found.results) == 4


@pytest.mark.django_db
def test_a_broad_query_shows_the_newest_matches_and_estimated_counts(small_sample):
    resources = make_outreach(6)
    found = resource_search(query="outreach", filters={}, sort="date")
    assert found.estimated and found.total_is_estimate
    # Six matches in a sample of everything: "about 10" (tens below 100), never fewer than
    # the full window shows.
    assert found.total == 10
    assert [r.pk for r in found.results] == [r.pk for r in reversed(resources[-3:])]
    assert found.page.paginator.count == 3  # the pages stop at the window
    (type_facet,) = [facet for facet in found.facets if facet["name"] == "type"]
    assert [option["count"] for option in type_facet["options"]] == [10]


@pytest.mark.django_db
def test_relevance_ranks_within_the_window_of_newest_matches(small_sample):
    older_title_match = make_resource(title="Outreach handbook", published_on=date(2019, 1, 1))
    newer = make_outreach(5)
    found = resource_search(query="outreach", filters={})
    assert found.estimated
    # The window holds the three newest; the old title match is outside it.
    assert {r.pk for r in found.results} == {r.pk for r in newer[-3:]}
    assert older_title_match.pk not in {r.pk for r in found.results}


@pytest.mark.django_db
def test_a_filter_that_leaves_fewer_than_a_window_gives_an_exact_total(small_sample):
    topic = make_topic(slug="street-outreach")
    make_outreach(4)
    tagged = make_outreach(2, topics=[topic])
    found = resource_search(query="outreach", filters={"topic": topic})
    assert found.estimated  # the query alone has 6 matches: broad
    assert not found.total_is_estimate and found.total == 2
    assert {r.pk for r in found.results} == {r.pk for r in tagged}


@pytest.mark.django_db
def test_the_sample_counts_only_published_resources_whose_id_is_a_multiple_of_its_step(
    monkeypatch,
):
    from library.query import parse
    from library.search import count_branches, match_set_sql

    monkeypatch.setattr(broad_search, "SAMPLE_EVERY", 2)
    resources = make_outreach(9)
    make_resource(title="Unrelated", summary="Nothing here.")
    make_outreach(2, is_published=False)
    match_sql, params = match_set_sql(parse("outreach"))
    filters = {name: None for name, _ in FACETS}
    sample = broad_search.probe_sample(match_sql, params, filters, count_branches)
    assert sample.unfiltered == sample.total == sum(1 for r in resources if r.pk % 2 == 0)
    assert sample.library == 10  # published resources, from the stored counts


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize("filtered", [False, "topic", "type"])
def test_walking_the_index_and_reading_the_bitmap_give_the_same_window(
    small_sample, sort, filtered
):
    from library.query import parse
    from library.search import filtered_match_set_sql, match_set_sql

    topic = make_topic()
    make_outreach(3)
    make_outreach(4, topics=[topic], resource_type=ResourceType.REPORT)
    filters = {name: None for name, _ in FACETS}
    if filtered:
        filters[filtered] = topic if filtered == "topic" else ResourceType.REPORT
    parsed = parse("outreach")
    match_sql, params = match_set_sql(parsed)
    # PostgreSQL's walk with the filters tested first (None elsewhere or without filters).
    filtered_match = filtered_match_set_sql(parsed, filters)
    assert (filtered_match is not None) == bool(filtered and connection.vendor == "postgresql")
    windows = [
        broad_search.window_sql(
            match_sql,
            params,
            filters,
            order_sql(sort, "c"),
            0,
            2,
            walk=walk,
            filtered_match=first,
        )
        for walk, first in ((True, None), (False, None), (True, filtered_match))
    ]
    assert windows[0] == windows[1] == windows[2]
    assert windows[0][1] == 3 and len(windows[0][0]) == 2


@pytest.mark.django_db
def test_the_page_says_the_numbers_are_estimates(client, small_sample):
    make_outreach(6, resource_type=ResourceType.GUIDE)
    response = client.get(SEARCH, {"q": "outreach"})
    html = response.content.decode()
    assert "About 10 results for “outreach”" in html
    assert 'class="search-estimate"' in html and "estimates" in html
    # Each facet count: "≈" on screen, "about" for screen readers.
    assert '<span aria-hidden="true">≈</span><span class="visually-hidden">about </span>' in html


@pytest.mark.django_db
def test_an_exact_page_does_not_say_about(client, small_sample):
    make_outreach(2)
    html = client.get(SEARCH, {"q": "outreach"}).content.decode()
    assert "2 results for “outreach”" in html
    assert "search-estimate" not in html and "≈" not in html


@pytest.mark.django_db
def test_a_blank_search_of_a_large_library_is_estimated_too(small_sample):
    make_outreach(6)
    found = resource_search(query="", filters={})
    assert found.estimated and found.total_is_estimate
    assert len(found.results) == 3
    assert Resource.objects.published().count() == 6


@pytest.mark.django_db
@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL's partial index")
def test_the_sample_is_read_through_its_own_partial_index():
    """Migration 0006's index condition and broad_search.sample_condition must agree, or the
    planner cannot use the index and the count in the sample reads every match."""
    from library.query import parse
    from library.search import POSTGRESQL_SETTINGS_SQL, SEARCH_WORK_MEM, match_set_sql
    from tests.factories import make_resources

    make_resources(3_000, collection=make_collection())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE library_resource")
    match_sql, params = match_set_sql(parse("deflection"))
    sql = f"SELECT COUNT(*) FROM ({match_sql}) s WHERE {broad_search.sample_condition('s')}"
    with connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_SETTINGS_SQL, [SEARCH_WORK_MEM])
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "library_resource_sample_search" in plan, plan
