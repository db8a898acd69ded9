"""The library search: one selector, `resource_search`, that the search page renders.

One pass over the matches. The query is matched once per request, into a materialized CTE
(PostgreSQL: the GIN index on the search vector; SQLite: the FTS5 index); the total, every
facet's counts and the page's ids all come from that set in the same statement. A second
query reads the page's 20 resources (with their snippets), a third the names of the facet
values that occur. Ranking reads only the small title-and-summary vector that stays in the
row, never each match's whole document. A query that finds little runs one more query, for
spelling suggestions from the library's own vocabulary.

The query language (library/query.py) means the same on PostgreSQL and SQLite.
"""

import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.core.paginator import Page, Paginator
from django.db import connection, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Left
from django.utils import translation

from deflection_portal.content_language import default_language, mark_english, translated_html

from .broad_search import WINDOW, probe_sample, scaled, walk_is_cheaper, window_sql
from .models import (
    FTS_TABLE,
    FTS_TABLE_ES,
    HIGHLIGHT_START,
    HIGHLIGHT_STOP,
    SEARCH_CONFIG,
    SEARCH_CONFIG_ES,
    Audience,
    Collection,
    Resource,
    ResourceType,
    Topic,
    normalize_query,
)
from .query import (
    Clause,
    ParsedQuery,
    excluded_part,
    parse,
    positive_part,
    spanish_stems,
    to_fts5_negative,
    to_fts5_positive,
    to_tsquery_text,
)

PAGE_SIZE = 20
# Pages beyond this are never asked for by the links; a larger number reads as the last page.
MAX_PAGE = 100_000
# A query with fewer results than this gets spelling suggestions.
SUGGEST_BELOW = 3
# How similar (pg_trgm's measure: shared trigrams over all trigrams) a word must be.
SUGGEST_SIMILARITY = 0.3
# PostgreSQL: only this many of the most similar words are checked for a published
# resource that uses them. A large vocabulary has hundreds of words above the similarity
# floor, and checking each took a quarter of a second.
SUGGEST_CANDIDATES = 20
# Ranking: each query word found whole in the title (an exact title or acronym match, so
# "LEAD" puts the LEAD model before texts that say "leads") outweighs any text score.
EXACT_TITLE_WEIGHT = 1000.0

# Snippets (PostgreSQL) are cut from the summary and this much of the start of the body:
# ts_headline parses all the text it is given, for each result on the page.
SNIPPET_BODY_CHARACTERS = 500

# PostgreSQL memory for one search's match set and aggregates (per statement, not shared).
SEARCH_WORK_MEM = "32MB"

SORT_RELEVANCE = "relevance"
SORT_DATE = "date"

FACETS = (
    ("topic", Topic),
    ("type", None),
    ("audience", Audience),
    ("collection", Collection),
)


@dataclass
class SearchResults:
    """What the search page shows. `facets`: one dict per facet (name, options with value,
    label, count and selected); `active_filters`: (name, value, label) of each filter set."""

    query: str
    parsed: ParsedQuery
    results: list
    total: int
    page: Page
    facets: list[dict]
    active_filters: list[dict]
    sort: str
    suggestion: str = ""
    ignored_everything: bool = False
    filters: dict = field(default_factory=dict)
    # A broad query (library/broad_search.py): facet counts are estimates from the sample,
    # the results a window of the newest matches; the total too unless the window held them.
    estimated: bool = False
    total_is_estimate: bool = False
    window: int = 0


def resource_search(*, query: str | None, filters: dict, page=1, sort=SORT_RELEVANCE):
    """Published resources matching `query` (library/query.py) and every filter in
    `filters` (topic, audience, collection: model instances or None; type: a ResourceType
    value or ""), `page` (any value: invalid reads as 1, too large as the last page) sorted
    by relevance or date (`sort`; a blank query is always newest first)."""
    text = normalize_query(query)
    parsed = parse(text)
    filters = {name: filters.get(name) or None for name, _ in FACETS}
    sort = SORT_DATE if sort == SORT_DATE or not parsed else SORT_RELEVANCE
    number = page_number(page)
    active = active_filters(filters)

    if text and not parsed:
        # Only common words or punctuation: nothing to look for, nothing found.
        return SearchResults(
            query=text,
            parsed=parsed,
            results=[],
            total=0,
            page=Paginator([], PAGE_SIZE).get_page(1),
            facets=build_facets({}, {}, filters),
            active_filters=active,
            sort=sort,
            ignored_everything=True,
            filters=filters,
        )

    match_sql, match_params = match_set_sql(parsed)
    offset = (number - 1) * PAGE_SIZE
    estimated = total_is_estimate = False
    with search_transaction():
        sample = probe_sample(match_sql, match_params, filters, count_branches)
        if sample.is_broad:
            # Estimated counts, and the page from the window of newest matches.
            estimated = True
            total, counts = scaled(sample)
            ids, window = window_sql(
                match_sql,
                match_params,
                filters,
                order_sql(sort, "c"),
                offset,
                PAGE_SIZE,
                walk=walk_is_cheaper(sample),
                filtered_match=filtered_match_set_sql(parsed, filters),
            )
            if window < WINDOW:
                total = window  # every filtered match is in the window: an exact total
            else:
                # A full window: at least that many, whatever a small sample says.
                total, total_is_estimate = max(total, window), True
            shown = window
        else:
            rows = run_one_pass(match_sql, match_params, filters, sort, offset)
            total = next((n for kind, _, n in rows if kind == "total"), 0)
            counts, ids = counts_and_ids(rows)
            shown = total
    # A page past the end shows the last page (the statement already read that one).
    number = min(number, max(1, math.ceil(shown / PAGE_SIZE)))

    results = page_resources(ids, parsed)
    labels = facet_labels(counts)
    suggestion = ""
    if total < SUGGEST_BELOW and parsed.words():
        suggestion = suggest(parsed)
    return SearchResults(
        query=text,
        parsed=parsed,
        results=results,
        total=total,
        page=Paginator(_KnownPage(shown, number, results), PAGE_SIZE).get_page(number),
        facets=build_facets(counts, labels, filters),
        active_filters=active,
        sort=sort,
        suggestion=suggestion,
        filters=filters,
        estimated=estimated,
        total_is_estimate=total_is_estimate,
        window=WINDOW if estimated else 0,
    )


def counts_and_ids(rows) -> tuple[dict[str, dict[str, int]], list[int]]:
    """The facet counts and the page's ids (in order) from `run_one_pass`'s rows."""
    counts: dict[str, dict[str, int]] = {}
    page_ids: list[tuple[int, int]] = []
    for kind, value, n in rows:
        if kind == "page":
            page_ids.append((n, int(value)))
        elif kind != "total":
            counts.setdefault(kind, {})[str(value)] = n
    return counts, [pk for _, pk in sorted(page_ids)]


def page_number(value) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


class _KnownPage:
    """A sequence of `total` items of which only page `number` is at hand: what Django's
    Paginator needs to build the page object, without a second count."""

    def __init__(self, total: int, number: int, items: list):
        self.total, self.items = total, items
        self.start = (number - 1) * PAGE_SIZE

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.items if index.start == self.start else []
        raise IndexError(index)


# --- The match set -----------------------------------------------------------------------

_COLUMNS = "r.id, r.resource_type, r.collection_id, r.published_on, r.title"
# PostgreSQL: and the resource's topic and audience ids (migration 0010), which the filters
# and the facet counts read instead of the link tables.
_FACET_COLUMNS = "r.topic_ids, r.audience_ids"


def match_columns() -> str:
    """The match set's columns, but for the rank."""
    if connection.vendor == "postgresql":
        return f"{_COLUMNS}, {_FACET_COLUMNS}"
    return _COLUMNS


def match_set_sql(parsed: ParsedQuery) -> tuple[str, list]:
    """SELECT of the published matches with the columns the facets and the order need
    (id, resource_type, collection_id, published_on, title, rank)."""
    return _match_set_sql(parsed, ("", []))


def filtered_match_set_sql(parsed: ParsedQuery, filters: dict) -> tuple[str, list] | None:
    """PostgreSQL (English): `match_set_sql` of the matches that pass every filter, the
    filters (tests of the row's own columns, migration 0010) written before the match, so
    that a walk down the newest-first index tests a row's search vector only when the
    filters already hold (PostgreSQL keeps that order for tests it prices alike). None
    elsewhere, and without a filter."""
    if connection.vendor != "postgresql" or searches_spanish() or not any(filters.values()):
        return None
    where, params = filter_sql(filters, alias="r", in_order=True)
    return _match_set_sql(parsed, (f" AND {where}", params))


def _match_set_sql(parsed: ParsedQuery, first: tuple[str, list]) -> tuple[str, list]:
    table = Resource._meta.db_table
    columns = match_columns()
    first_sql, first_params = first
    if not parsed:
        return (
            f"SELECT {columns}, 0.0 AS rank FROM {table} r WHERE r.is_published{first_sql}",
            [*first_params],
        )
    if searches_spanish():
        return bilingual_match_set_sql(parsed)
    boost_sql, boost_params = exact_title_boost(parsed)
    if connection.vendor == "postgresql":
        tsquery = to_tsquery_text(parsed)
        config = f"'pg_catalog.{SEARCH_CONFIG}'::regconfig"
        if not parsed.positive:
            rank_sql, rank_params = "0.0", []
        else:
            rank_sql = f"ts_rank(r.head_vector, to_tsquery({config}, %s)){boost_sql}"
            rank_params = [tsquery, *boost_params]
        where_sql, where_params = postgresql_match_sql(parsed)
        return (
            f"SELECT {columns}, {rank_sql} AS rank FROM {table} r WHERE r.is_published"
            f"{first_sql} AND {where_sql}",
            [*rank_params, *first_params, *where_params],
        )
    positive = to_fts5_positive(parsed)
    if not positive:
        return (
            f"SELECT {_COLUMNS}, 0.0 AS rank FROM {table} r WHERE r.is_published AND r.id "
            f"NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
            [to_fts5_negative(parsed)],
        )
    # bm25 is lower for better matches; columns: title, summary, body, source.
    return (
        f"SELECT {_COLUMNS}, (-bm25({FTS_TABLE}, 8.0, 4.0, 1.0, 0.5){boost_sql}) AS rank "
        f"FROM {FTS_TABLE} JOIN {table} r ON r.id = {FTS_TABLE}.rowid "
        f"WHERE {FTS_TABLE} MATCH %s AND r.is_published",
        [*boost_params, positive],
    )


def postgresql_match_sql(parsed: ParsedQuery) -> tuple[str, list]:
    """The condition a match meets on PostgreSQL. The GIN index on the search vector keeps
    no word positions: for a phrase it gives every resource with the phrase's words, each
    then tested by reading its whole vector (most of the library when the words are
    common). So each clause made only of phrases is tested on the pairs of adjacent words
    (`search_pairs`, migration 0009), whose index gives about the resources that have the
    phrase: a phrase of two words matches exactly when the pair is there, so nothing else
    is read; a longer one (or one with common words left out) is then tested on the
    vector, as is one with no two words next to each other. The other clauses (words, OR
    groups with a word, exclusions) form one query on the vector, as before. The
    library_phrase_* functions of a constant are computed once, when the statement is
    planned, so the planner sees only the conditions that apply."""
    config = f"'pg_catalog.{SEARCH_CONFIG}'::regconfig"
    conditions, params, on_vector = [], [], []
    for clause in parsed.clauses:
        if clause.negated or not all(term.is_phrase for term in clause.terms):
            on_vector.append(clause)
            continue
        alternatives = []
        for term in clause.terms:
            text = " ".join(term.tokens)
            alternatives.append(
                "((library_phrase_pairs(%s) = '{}' OR r.search_pairs @> library_phrase_pairs(%s))"
                " AND (library_phrase_is_pair(%s) "
                f"OR r.search_vector @@ to_tsquery({config}, %s)))"
            )
            params += [text, text, text, to_tsquery_text(ParsedQuery((Clause((term,)),)))]
        conditions.append(
            alternatives[0] if len(alternatives) == 1 else f"({' OR '.join(alternatives)})"
        )
    if on_vector:
        conditions.insert(0, f"r.search_vector @@ to_tsquery({config}, %s)")
        params.insert(0, to_tsquery_text(ParsedQuery(tuple(on_vector))))
    return " AND ".join(conditions), params


def searches_spanish() -> bool:
    """On the Spanish pages the search reads the Spanish titles and summaries as well."""
    return (translation.get_language() or "").split("-")[0] == "es"


def bilingual_match_set_sql(parsed: ParsedQuery) -> tuple[str, list]:
    """`match_set_sql` for the Spanish pages: a resource matches when its English text
    matches (English stemming, so "naloxone" still finds English resources) or its Spanish
    title and summary match (Spanish stemming, accents optional: "desviacion" finds
    "desviación", "tratamientos" finds "tratamiento"), and neither language has an
    excluded word. The rank adds both languages' scores."""
    table = Resource._meta.db_table
    positive, excluded = positive_part(parsed), excluded_part(parsed)
    boost_sql, boost_params = exact_title_boost(parsed)
    if connection.vendor == "postgresql":
        en = f"to_tsquery('pg_catalog.{SEARCH_CONFIG}'::regconfig, %s)"
        es = f"to_tsquery('{SEARCH_CONFIG_ES}'::regconfig, %s)"
        where, params, rank_sql, rank_params = "r.is_published", [], "0.0", []
        if positive:
            text = to_tsquery_text(positive)
            rank_sql = (
                f"ts_rank(r.head_vector, {en}) + ts_rank(r.search_vector_es, {es}){boost_sql}"
            )
            rank_params = [text, text, *boost_params]
            where += f" AND (r.search_vector @@ {en} OR r.search_vector_es @@ {es})"
            params += [text, text]
        if excluded:
            text = to_tsquery_text(excluded)
            where += f" AND NOT (r.search_vector @@ {en} OR r.search_vector_es @@ {es})"
            params += [text, text]
        return (
            f"SELECT {match_columns()}, {rank_sql} AS rank FROM {table} r WHERE {where}",
            [*rank_params, *params],
        )
    # SQLite: the English FTS5 index and the Spanish one (stems computed in Python).
    joins, where, params, scores = "", "r.is_published", [], []
    if positive:
        english = to_fts5_positive(positive)
        spanish = to_fts5_positive(spanish_stems(positive))
        joins += (
            f" LEFT JOIN (SELECT rowid AS id, bm25({FTS_TABLE}, 8.0, 4.0, 1.0, 0.5) AS score "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) en ON en.id = r.id"
        )
        params.append(english)
        found = "en.id IS NOT NULL"
        scores.append("coalesce(-en.score, 0)")
        if spanish:
            joins += (
                f" LEFT JOIN (SELECT rowid AS id, bm25({FTS_TABLE_ES}, 8.0, 4.0) AS score "
                f"FROM {FTS_TABLE_ES} WHERE {FTS_TABLE_ES} MATCH %s) es ON es.id = r.id"
            )
            params.append(spanish)
            found += " OR es.id IS NOT NULL"
            scores.append("coalesce(-es.score, 0)")
        where += f" AND ({found})"
    if excluded:
        where += f" AND r.id NOT IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"
        params.append(to_fts5_positive(excluded))
        spanish_excluded = to_fts5_positive(spanish_stems(excluded))
        if spanish_excluded:
            where += (
                f" AND r.id NOT IN (SELECT rowid FROM {FTS_TABLE_ES} WHERE {FTS_TABLE_ES} MATCH %s)"
            )
            params.append(spanish_excluded)
    rank_sql = f"({' + '.join(scores)}{boost_sql})" if scores else "0.0"
    return (
        f"SELECT {_COLUMNS}, {rank_sql} AS rank FROM {table} r{joins} WHERE {where}",
        [*(boost_params if scores else []), *params],
    )


def exact_title_boost(parsed: ParsedQuery) -> tuple[str, list]:
    """SQL adding EXACT_TITLE_WEIGHT for each query word found whole (unstemmed) in the
    title, case-insensitively."""
    parts, params = [], []
    for word in parsed.words():
        if connection.vendor == "postgresql":
            parts.append(f"CASE WHEN r.title ~* %s THEN {EXACT_TITLE_WEIGHT} ELSE 0 END")
            params.append(rf"\m{word}\M")
        else:
            parts.append(f"CASE WHEN r.title REGEXP %s THEN {EXACT_TITLE_WEIGHT} ELSE 0 END")
            params.append(rf"(?i)\b{re.escape(word)}\b")
    return "".join(f" + {part}" for part in parts), params


def filter_sql(
    filters: dict, skip: str | None = None, alias: str = "m", *, in_order: bool = False
) -> tuple[str, list]:
    """WHERE conditions on the match set (`alias`) for every chosen filter except `skip`.
    `in_order` (PostgreSQL): each condition wrapped as `(…) IS TRUE`, which no index
    answers and the planner neither reorders nor turns into an equivalence (tested after
    the other conditions): tested where it is written, on each row a walk reads."""
    conditions, params = [], []
    links = {"topic": Resource.topics.through, "audience": Resource.audiences.through}
    for name, link in links.items():
        if name != skip and filters.get(name):
            if connection.vendor == "postgresql":
                conditions.append(f"{alias}.{name}_ids @> ARRAY[%s]::bigint[]")
            else:
                conditions.append(
                    f"EXISTS (SELECT 1 FROM {link._meta.db_table} x "
                    f"WHERE x.resource_id = {alias}.id AND x.{name}_id = %s)"
                )
            params.append(filters[name].pk)
    if skip != "collection" and filters.get("collection"):
        conditions.append(f"{alias}.collection_id = %s")
        params.append(filters["collection"].pk)
    if skip != "type" and filters.get("type"):
        conditions.append(f"{alias}.resource_type = %s")
        params.append(filters["type"])
    if in_order:
        conditions = [f"({condition}) IS TRUE" for condition in conditions]
    return (" AND ".join(conditions) or "1 = 1"), params


def order_sql(sort: str, alias: str) -> str:
    newest = f"{alias}.published_on DESC NULLS LAST, {alias}.title, {alias}.id"
    return newest if sort == SORT_DATE else f"{alias}.rank DESC, {newest}"


def run_one_pass(match_sql, match_params, filters, sort, offset) -> list[tuple]:
    """Run `one_pass_sql` (inside `search_transaction`); rows: (kind, value, number)."""
    sql, params = one_pass_sql(match_sql, match_params, filters, sort, offset)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def search_transaction():
    """On PostgreSQL, one transaction with the search's planner settings. For a broad query
    the planner prefers reading the whole table, which unpacks every row's search vector;
    the GIN bitmap gives the same rows without reading a vector. The match set stays in
    memory instead of spilling to disk. No JIT compilation: a table scan the first setting
    prices out makes a plan look costly enough to compile, which takes longer than these
    statements run. No parallel workers: starting them costs more than these statements
    save, and the other requests need the cores. The settings last until the end of this
    transaction (no savepoint: nothing here needs one)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_SETTINGS_SQL, [SEARCH_WORK_MEM])
        yield


POSTGRESQL_SETTINGS_SQL = (
    "SELECT set_config('enable_seqscan', 'off', true), set_config('work_mem', %s, true), "
    "set_config('jit', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)"
)


def count_branches(filters) -> tuple[list[str], list]:
    """SELECTs over the match set `matches` giving each facet's counts: (kind, value, n)
    rows, where each facet applies every chosen filter except its own."""
    topic_link = Resource.topics.through._meta.db_table
    audience_link = Resource.audiences.through._meta.db_table
    branches, params = [], []
    for name, link in (("topic", topic_link), ("audience", audience_link)):
        where, where_params = filter_sql(filters, skip=name)
        if connection.vendor == "postgresql":
            branches.append(
                f"SELECT '{name}', CAST(l.id AS TEXT), COUNT(*) FROM matches m "
                f"CROSS JOIN unnest(m.{name}_ids) AS l(id) WHERE {where} GROUP BY l.id"
            )
        else:
            branches.append(
                f"SELECT '{name}', CAST(l.{name}_id AS TEXT), COUNT(*) FROM matches m "
                f"JOIN {link} l ON l.resource_id = m.id WHERE {where} GROUP BY l.{name}_id"
            )
        params += where_params
    where, where_params = filter_sql(filters, skip="type")
    branches.append(
        f"SELECT 'type', m.resource_type, COUNT(*) FROM matches m WHERE {where} "
        "GROUP BY m.resource_type"
    )
    params += where_params
    where, where_params = filter_sql(filters, skip="collection")
    branches.append(
        "SELECT 'collection', CAST(m.collection_id AS TEXT), COUNT(*) FROM matches m "
        f"WHERE {where} GROUP BY m.collection_id"
    )
    params += where_params
    return branches, params


def one_pass_sql(match_sql, match_params, filters, sort, offset) -> tuple[str, list]:
    """One statement: the total, each facet's counts and the page's ids (with their place),
    all from one materialized match set. An offset past the end reads the last page."""
    where_all, params_all = filter_sql(filters)
    branches, params = count_branches(filters)
    branches.insert(0, "SELECT 'total' AS kind, NULL AS value, total.n AS n FROM total")
    branches.append(
        f"SELECT 'page', CAST(p.id AS TEXT), ROW_NUMBER() OVER (ORDER BY {order_sql(sort, 'p')}) "
        "FROM (SELECT m.id, m.rank, m.published_on, m.title FROM matches m "
        f"WHERE {where_all} ORDER BY {order_sql(sort, 'm')} LIMIT %s OFFSET "
        "(SELECT CASE WHEN total.n > %s THEN %s WHEN total.n = 0 THEN 0 "
        "ELSE ((total.n - 1) / %s) * %s END FROM total)) p"
    )
    params += [*params_all, PAGE_SIZE, offset, offset, PAGE_SIZE, PAGE_SIZE]

    sql = (
        f"WITH matches AS MATERIALIZED ({match_sql}), "
        f"total AS (SELECT COUNT(*) AS n FROM matches m WHERE {where_all}) "
        + " UNION ALL ".join(branches)
    )
    return sql, [*match_params, *params_all, *params]


# --- What the page shows -----------------------------------------------------------------


def page_resources(ids: list[int], parsed: ParsedQuery) -> list[Resource]:
    """The page's resources in order, each with a `headline`: on PostgreSQL a snippet with
    the matched words marked (from the summary and the start of the body), elsewhere the
    summary. The search vectors are not read: the page never shows them."""
    if not ids:
        return []
    resources = (
        Resource.objects.filter(pk__in=ids)
        .select_related("collection")
        .defer("search_vector", "head_vector", "search_vector_es")
    )
    if connection.vendor == "postgresql" and parsed.positive:
        query = SearchQuery(to_tsquery_text(parsed), search_type="raw", config=SEARCH_CONFIG)
        resources = resources.annotate(
            headline=SearchHeadline(
                Concat(
                    "summary",
                    Value(" "),
                    Left("body", SNIPPET_BODY_CHARACTERS),
                    output_field=models.TextField(),
                ),
                query,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=40,
                min_words=20,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
    else:
        resources = resources.annotate(headline=F("summary"))
    by_id = {resource.pk: resource for resource in resources}
    return [by_id[pk] for pk in ids if pk in by_id]


def facet_labels(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, tuple]]:
    """Slug, label (in the page's language, English when there is no translation yet),
    staff-chosen order and whether the label is the English stand-in, of each facet value
    that occurs (one query)."""
    quote = connection.ops.quote_name
    language = content_language()
    branches, params = [], []
    for name, model in FACETS:
        ids = [int(value) for value in counts.get(name, {})] if model else []
        if not ids:
            continue
        field = "title" if model is Collection else "name"
        english = f"{field}_{default_language()}"
        own = f"{field}_{language}"
        branches.append(
            f"SELECT '{name}', id, {english}, {own}, slug, {quote('order')} FROM "
            f"{model._meta.db_table} WHERE id IN ({', '.join(['%s'] * len(ids))})"
        )
        params += ids
    labels: dict[str, dict[str, tuple]] = {}
    if branches:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(branches), params)
            for name, pk, english, own, slug, order in cursor.fetchall():
                stand_in = not (own or "").strip() or own == english
                label = english if stand_in else own
                marked = stand_in and language != default_language()
                labels.setdefault(name, {})[str(pk)] = (slug, label or "", order, marked)
    return labels


def content_language() -> str:
    """The page's language, as modeltranslation names its columns (en, es)."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else default_language()


def build_facets(counts, labels, filters) -> list[dict]:
    facets = []
    type_labels = dict(ResourceType.choices)
    for name, model in FACETS:
        found = counts.get(name, {})
        options = []
        if model is None:
            for value, _label in ResourceType.choices:
                if found.get(value):
                    options.append(
                        {
                            "value": value,
                            "label": str(type_labels[value]),
                            "count": found[value],
                            "selected": value == filters.get("type"),
                        }
                    )
        else:
            selected = filters.get(name)
            rows = sorted(
                (
                    (order, label, slug, found[pk], int(pk), english)
                    for pk, (slug, label, order, english) in labels.get(name, {}).items()
                ),
                key=lambda row: (row[0], row[1], row[4]),
            )
            for _order, label, slug, count, pk, english in rows:
                options.append(
                    {
                        "value": slug,
                        "label": mark_english(label) if english else label,
                        "count": count,
                        "selected": selected is not None and selected.pk == pk,
                    }
                )
        facets.append({"name": name, "options": options})
    return facets


def active_filters(filters: dict) -> list[dict]:
    active = []
    for name, _ in FACETS:
        value = filters.get(name)
        if not value:
            continue
        if name == "type":
            active.append({"name": name, "value": value, "label": str(ResourceType(value).label)})
        else:
            field = "title" if isinstance(value, Collection) else "name"
            active.append(
                {"name": name, "value": value.slug, "label": translated_html(value, field)}
            )
    return active


# --- Spelling suggestions ----------------------------------------------------------------


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: lower-cased, two spaces before and one after."""
    padded = f"  {word.lower()} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity: shared trigrams over all trigrams of the two words."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta or tb else 0.0


def suggest(parsed: ParsedQuery) -> str:
    """The query with each word that the library does not use replaced by the closest word
    it does use ("defelction" -> "deflection"), or "" when nothing better is known."""
    words = list(dict.fromkeys(parsed.words()))
    if connection.vendor == "postgresql":
        best = _closest_words_postgresql(words)
    else:
        best = _closest_words_sqlite(words)
    replacements = {w: best[w] for w in words if best.get(w) and best[w] != w}
    if not replacements:
        return ""
    return parsed.replace_words(replacements).to_text()


def _closest_words_postgresql(words: list[str]) -> dict[str, str]:
    config = f"'pg_catalog.{SEARCH_CONFIG}'::regconfig"
    sql = f"""
        SELECT q.word, best.word FROM unnest(%s::text[]) AS q(word)
        CROSS JOIN LATERAL (
            SELECT c.word FROM (
                SELECT w.word, similarity(w.word, q.word) AS score FROM library_searchword w
                WHERE w.word %% q.word
                ORDER BY score DESC, w.word
                LIMIT {SUGGEST_CANDIDATES}
            ) c
            WHERE EXISTS (
                SELECT 1 FROM {Resource._meta.db_table} r
                WHERE r.is_published AND r.search_vector @@ plainto_tsquery({config}, c.word)
            )
            ORDER BY c.score DESC, c.word
            LIMIT 1
        ) AS best
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [words])
        return dict(cursor.fetchall())


def _closest_words_sqlite(words: list[str]) -> dict[str, str]:
    # fts5vocab answers a range of terms from its index: the words that start with the same
    # letter and are about as long. The similarity is pg_trgm's, computed here.
    branches, params = [], []
    for word in words:
        branches.append(
            "SELECT %s, term FROM library_resource_words_vocab "
            "WHERE term >= %s AND term < %s AND length(term) BETWEEN %s AND %s"
        )
        params += [word, word[0], word[0] + "\U0010ffff", len(word) - 2, len(word) + 2]
    best: dict[str, tuple[float, str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(branches), params)
        for word, term in cursor.fetchall():
            score = similarity(word, term)
            if score < SUGGEST_SIMILARITY or term.isdigit():
                continue
            current = best.get(word)
            if current is None or (-score, term) < (-current[0], current[1]):
                best[word] = (score, term)
    return {word: term for word, (_score, term) in best.items()}
