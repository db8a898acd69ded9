"""EXPLAIN ANALYZE of the library search on the benchmark's database.

Run by bench/run.py with the benchmark's environment:
`explain.py <broad word> <narrow word> <query> <topic-slug>`. Prints one JSON line (prefixed
"BENCH-EXPLAIN ") with the plan of the one statement the search page runs
(library/search.py: the match set, the total, the facets and the page's ids) for a broad
word (in most resources), a narrow one (in a few) and the benchmarked query with its topic,
each with its match count, its time and whether the GIN index on the search vector is used.
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

from library.models import Resource, Topic  # noqa: E402
from library.query import parse  # noqa: E402
from library.search import (  # noqa: E402
    POSTGRESQL_SETTINGS_SQL,
    SEARCH_WORK_MEM,
    SORT_RELEVANCE,
    match_set_sql,
    one_pass_sql,
    resource_search,
)

GIN_INDEX = "library_resource_search_vector_gin"


def plan(title: str, q: str, filters: dict) -> dict:
    match_sql, match_params = match_set_sql(parse(q))
    sql, params = one_pass_sql(match_sql, match_params, filters, SORT_RELEVANCE, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(POSTGRESQL_SETTINGS_SQL, [SEARCH_WORK_MEM])
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    started = time.perf_counter()
    found = resource_search(query=q, filters=filters, page=1)
    elapsed = (time.perf_counter() - started) * 1000
    return {
        "title": title,
        "matches": found.total,
        "search_ms": round(elapsed, 1),
        "plan": text,
        "uses_gin": GIN_INDEX in text,
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
