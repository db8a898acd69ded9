"""Broad searches: estimated counts from a fixed sample, results from a bounded window.

Exact counts for a word found in most of 100,000 resources mean visiting every match (and
its topic and audience links) on every request: about a second of PostgreSQL time. So the
search first looks at a fixed, deterministic sample of the library, the published
resources whose id is a multiple of SAMPLE_EVERY (a partial GIN index, migration 0006,
covers exactly those rows), and counts the query's matches there, with the same filters
and facets as the full search. When the sample says the query matches about BROAD_FROM
resources or more, the page shows that sample's counts scaled up and marked as estimates
("about 95,000 results"), and its results come from a bounded window: the WINDOW newest
matches (a walk down the newest-first index that stops early), ranked as usual. Narrower
queries, which are most of them, get the exact one-pass search (library/search.py).

Small libraries (and the tests' data) stay exact: their samples never reach the threshold.
"""

from dataclasses import dataclass

from django.db import connection

# The sample: published resources whose id is a multiple of this (1 in 128: about 740 of
# 95,000). Migration 0006's partial index has the same number written into its condition.
SAMPLE_EVERY = 128
# A query whose sample, scaled up, reaches this many matches (before filters) is broad.
BROAD_FROM = 1_500
# A broad query's results: this many of the newest matches, best first (10 pages).
WINDOW = 200


@dataclass
class Sample:
    """Counts over the sample. `total`: matches with every filter; `unfiltered`: matches of
    the query alone; `counts`: facet name -> {value: matches}."""

    total: int
    unfiltered: int
    counts: dict[str, dict[str, int]]
    library: int = 0  # published resources (the collections' stored counts)

    @property
    def is_broad(self) -> bool:
        return self.unfiltered * SAMPLE_EVERY >= BROAD_FROM


def sample_condition(alias: str) -> str:
    """SQL true for the sampled rows (written as migration 0006's index condition, so that
    PostgreSQL's planner proves the partial index applies). A literal %, escaped for the
    driver's parameter style."""
    return f"{alias}.id %% {SAMPLE_EVERY} = 0"


def probe_sample(match_sql: str, match_params: list, filters: dict, count_branches) -> Sample:
    """Run the search's counts (`count_branches(filters)`: the facet branches of
    library/search.py over a CTE named `matches`, and their parameters) on the sample only.
    The match set keeps only the columns the counts read, so no rank is computed."""
    sql, params = probe_statement(match_sql, match_params, filters, count_branches)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    total = unfiltered = library = 0
    counts: dict[str, dict[str, int]] = {}
    for kind, value, n in rows:
        if kind == "total":
            total = n
        elif kind == "unfiltered":
            unfiltered = n
        elif kind == "library":
            library = n or 0
        else:
            counts.setdefault(kind, {})[str(value)] = n
    return Sample(total=total, unfiltered=unfiltered, counts=counts, library=library)


def probe_statement(match_sql, match_params, filters, count_branches) -> tuple[str, list]:
    """`probe_sample`'s one statement and its parameters."""
    from .models import Collection
    from .search import filter_sql

    where_all, params_all = filter_sql(filters)
    branches, params = count_branches(filters)
    # PostgreSQL: with the topic and audience ids (migration 0010) that filters and counts read.
    facets = ", s.topic_ids, s.audience_ids" if connection.vendor == "postgresql" else ""
    sql = (
        f"WITH matches AS MATERIALIZED (SELECT s.id, s.resource_type, s.collection_id{facets} "
        f"FROM ({match_sql}) s WHERE {sample_condition('s')}), "
        f"total AS (SELECT COUNT(*) AS n FROM matches m WHERE {where_all}) "
        + " UNION ALL ".join(
            [
                "SELECT 'total' AS kind, NULL AS value, total.n AS n FROM total",
                "SELECT 'unfiltered', NULL, COUNT(*) FROM matches",
                f"SELECT 'library', NULL, SUM(published_count) FROM {Collection._meta.db_table}",
                *branches,
            ]
        )
    )
    return sql, [*match_params, *params_all, *params]


def scaled(sample: Sample) -> tuple[int, dict[str, dict[str, int]]]:
    """The sample's total and facet counts scaled up to the whole library, rounded."""
    counts = {
        name: {value: about(n * SAMPLE_EVERY) for value, n in values.items()}
        for name, values in sample.counts.items()
    }
    return about(sample.total * SAMPLE_EVERY), counts


def about(n: int) -> int:
    """A round figure for an estimate: two significant digits (95,040 -> 95,000; 1,344 ->
    1,300), tens below 100, and never 0 for something the sample found."""
    if n <= 0:
        return 0
    if n < 100:
        return max(10, round(n, -1))
    digits = len(str(n)) - 2
    return round(n, -digits)


# Cost model for choosing how to read the window, in units of one row's match test (which
# unpacks the row's stored search vector, about 8 µs at 100,000 resources on the benchmark's
# machine): reading a match from the GIN bitmap without that test costs about a third of it.
BITMAP_ROW_COST = 0.35


def walk_is_cheaper(sample: "Sample") -> bool:
    """Whether walking the newest-first index (testing each row until WINDOW pass) costs
    less than reading every match from the GIN bitmap and keeping the newest WINDOW. The
    walk tests about WINDOW / (share of the library that passes) rows; the bitmap reads every
    match of the query (filters are tested after)."""
    library = max(sample.library, 1)
    passing = max(sample.total * SAMPLE_EVERY, 1)
    walked = min(WINDOW * library / passing, library)
    return walked <= BITMAP_ROW_COST * sample.unfiltered * SAMPLE_EVERY


def window_sql(
    match_sql, match_params, filters, order, offset, page_size, *, walk=True, filtered_match=None
):
    """The page's ids (in `order`, library/search.py's order_sql for the alias `c`) and
    the window's size: the WINDOW newest matches with every filter. An offset past the
    window reads its last page. `walk`: read them by walking the newest-first index
    (topic and audience filters tested before the match), or else from the GIN bitmap.
    `filtered_match`: PostgreSQL's (sql, params) of the matches with the filters tested
    first (library/search.py's filtered_match_set_sql), which the walk then reads."""
    sql, params = window_statement(
        match_sql,
        match_params,
        filters,
        order,
        offset,
        page_size,
        walk=walk,
        filtered_match=filtered_match,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [pk for pk, _ in rows], (rows[0][1] if rows else 0)


def window_statement(
    match_sql, match_params, filters, order, offset, page_size, *, walk=True, filtered_match=None
):
    """`window_sql`'s one statement and its parameters."""
    from .models import Resource
    from .search import SORT_DATE, filter_sql, order_sql

    table = Resource._meta.db_table
    newest = order_sql(SORT_DATE, "m")
    # On PostgreSQL the topic and audience ids are in the row itself (migration 0010), and
    # the filtered walk reads `filtered_match` instead.
    links = connection.vendor != "postgresql" and (filters.get("topic") or filters.get("audience"))
    if walk and links:
        # SQLite. Filters first: the newest published resources that pass the filters, each
        # tested for the match only then, so that a row's index entry is read only when the
        # filters already hold.
        where_all, params_all = filter_sql(filters, alias="f")
        window = (
            f"SELECT m.id, m.rank, m.published_on, m.title FROM (SELECT f.id, f.published_on, "
            f"f.title FROM {table} f WHERE f.is_published AND {where_all} "
            f"ORDER BY {order_sql(SORT_DATE, 'f')}) f JOIN ({match_sql}) m ON m.id = f.id "
            f"ORDER BY {order_sql(SORT_DATE, 'f')} LIMIT {WINDOW}"
        )
        params = [*params_all, *match_params]
    elif walk and filtered_match:
        # The filters are in the match set, before the match: tested first on each row.
        filtered_sql, filtered_params = filtered_match
        window = (
            f"SELECT m.id, m.rank, m.published_on, m.title FROM ({filtered_sql}) m "
            f"ORDER BY {newest} LIMIT {WINDOW}"
        )
        params = [*filtered_params]
    elif walk:
        where_all, params_all = filter_sql(filters)
        window = (
            f"SELECT m.id, m.rank, m.published_on, m.title FROM ({match_sql}) m "
            f"WHERE {where_all} ORDER BY {newest} LIMIT {WINDOW}"
        )
        params = [*match_params, *params_all]
    else:
        # From the bitmap: the newest WINDOW ids first (no rank: PostgreSQL would compute
        # it for every match before sorting), then the rank of those only. On PostgreSQL,
        # ordering by an expression no index gives keeps the planner from walking the index.
        where_all, params_all = filter_sql(filters)
        date = "m.published_on + 0" if connection.vendor == "postgresql" else "m.published_on"
        window = (
            f"SELECT m.id, m.rank, m.published_on, m.title FROM ({match_sql}) m "
            f"WHERE m.id IN (SELECT w.id FROM (SELECT m.id FROM ({match_sql}) m "
            f"WHERE {where_all} ORDER BY {date} DESC NULLS LAST, m.title, m.id "
            f"LIMIT {WINDOW}) w)"
        )
        params = [*match_params, *match_params, *params_all]
    sql = (
        f"WITH c AS MATERIALIZED ({window}), size AS (SELECT COUNT(*) AS n FROM c) "
        f"SELECT c.id, size.n FROM c, size ORDER BY {order} LIMIT %s OFFSET "
        "(SELECT CASE WHEN size.n > %s THEN %s WHEN size.n = 0 THEN 0 "
        "ELSE ((size.n - 1) / %s) * %s END FROM size)"
    )
    params += [page_size, offset, offset, page_size, page_size]
    return sql, params
