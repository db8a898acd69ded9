"""EXPLAIN ANALYZE of the library search on the benchmark's database.

Run by bench/run.py with the benchmark's environment:
`explain.py <broad word> <narrow word> <query> <topic-slug>`. Prints one JSON line (prefixed
"BENCH-EXPLAIN ") with the plans of the statements the search page runs for a broad word
(in most resources), a narrow one (in a few) and the benchmarked query with its topic: the
count in the library's sample (library/broad_search.py), then either the window of newest
matches (a broad query: estimated counts) or the exact one-pass statement (library/search.py:
the match set, the total, the facets and the page's ids); each with its match count (or
estimate), its time and whether a GIN index on the search vector is used.
"""

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deflection_portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from library.broad_search import (  # noqa: E402
    probe_sample,
    probe_statement,
    walk_is_cheaper,
    window_statement,
)
from library.models import Resource, Topic  # noqa: E402
from library.query import parse  # noqa: E402
from library.search import (  # noqa: E402
    FACETS,
    PAGE_SIZE,
    POSTGRESQL_SETTINGS_SQL,
    SEARCH_WORK_MEM,
    SORT_RELEVANCE,
    count_branches,
    match_set_sql,
    one_pass_sql,
    order_sql,
    resource_search,
)

GIN_INDEX = "library_resource_search_vector_gin"


def plan(title: str, q: str, filters: dict) -> dict:
    filters = {name: filters.get(name) for name, _ in FACETS}
    match_sql, match_params = match_set_sql(parse(q))
    texts = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_SETTINGS_SQL, [SEARCH_WORK_MEM])
        sample = probe_sample(match_sql, match_params, filters, count_branches)
        statements = [
            (
                "The count in the sample",
                probe_statement(match_sql, match_params, filters, count_branches),
            )
        ]
        if sample.is_broad:
            walk = walk_is_cheaper(sample)
            how = "walking the newest-first index" if walk else "from the GIN bitmap"
            statements.append(
                (
                    f"Broad: the window of newest matches, read {how}",
                    window_statement(
                        match_sql,
                        match_params,
                        filters,
                        order_sql(SORT_RELEVANCE, "c"),
                        0,
                        PAGE_SIZE,
                        walk=walk,
                    ),
                )
            )
        else:
            statements.append(
                (
                    "Narrow: the exact one-pass statement",
                    one_pass_sql(match_sql, match_params, filters, SORT_RELEVANCE, 0),
                )
            )
        for heading, (sql, params) in statements:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            texts.append(f"-- {heading}\n" + "\n".join(row[0] for row in cursor.fetchall()))
    text = "\n\n".join(texts)
    started = time.perf_counter()
    found = resource_search(query=q, filters=filters, page=1)
    elapsed = (time.perf_counter() - started) * 1000
    return {
        "title": title,
        "matches": found.total,
        "estimated": found.total_is_estimate,
        "search_ms": round(elapsed, 1),
        "plan": text,
        "uses_gin": "_search" in text or GIN_INDEX in text,
    }


def main() -> None:
    broad, narrow, q, topic_slug = sys.argv[1:5]
    topic = Topic.objects.get(slug=topic_slug)
    published = Resource.objects.published().count()
    results = {
        "broad": plan(f"A broad word: q={broad!r} (of {published:,} published)", broad, {}),
        "narrow": plan(f"A narrow word: q={narrow!r}", narrow, {}),
        "search_with_topic": plan(f"q={q!r}, topic={topic_slug}", q, {"topic": topic}),
    }
    print("BENCH-EXPLAIN " + json.dumps(results))


if __name__ == "__main__":
    main()
