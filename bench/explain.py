"""EXPLAIN ANALYZE of the library search on the benchmark's database.

Run by bench/run.py with the benchmark's environment: `explain.py <query> <topic-slug> <rare word>`.
Prints one JSON line (prefixed "BENCH-EXPLAIN ") with the plans of the first results page of
the benchmarked search (query and topic, as the search page runs it), of the query alone,
and of a rare word, and whether each uses the GIN index on the search vector.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deflection_portal.settings")

import django  # noqa: E402

django.setup()

from library.models import Resource  # noqa: E402
from library.views import PAGE_SIZE  # noqa: E402

GIN_INDEX = "library_resource_search_vector_gin"


def plan(queryset) -> dict:
    text = queryset.explain(analyze=True, buffers=True)
    return {"sql": str(queryset.query), "plan": text, "uses_gin": GIN_INDEX in text}


def main() -> None:
    q, topic, rare_word = sys.argv[1:4]
    search = Resource.objects.published().search(q)
    results = {
        "search_with_topic": {
            "title": f"First results page: q={q!r}, topic={topic}",
            "matches": search.filter(topics__slug=topic).count(),
            **plan(search.filter(topics__slug=topic).select_related("collection")[:PAGE_SIZE]),
        },
        "search_only": {
            "title": f"First results page: q={q!r}, no filter",
            "matches": search.count(),
            **plan(search.select_related("collection")[:PAGE_SIZE]),
        },
        "rare_word": {
            "title": f"First results page: q={rare_word!r} (a rare word)",
            "matches": Resource.objects.published().search(rare_word).count(),
            **plan(
                Resource.objects.published()
                .search(rare_word)
                .select_related("collection")[:PAGE_SIZE]
            ),
        },
    }
    print("BENCH-EXPLAIN " + json.dumps(results))


if __name__ == "__main__":
    main()
