"""On PostgreSQL the search uses the GIN index on the stored vector, even at 10,000 rows."""

import pytest
from django.db import connection

from library.models import Resource
from tests.factories import make_collection, make_resources

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL full-text search")
def test_search_at_ten_thousand_resources_uses_the_gin_index():
    collection = make_collection()
    make_resources(10_000, collection=collection)
    Resource.objects.filter(pk__in=Resource.objects.order_by("pk")[:20]).update(
        body="Naloxone plus pathway: officers carry naloxone and follow up after an overdose."
    )
    with connection.cursor() as cursor:
        # What autovacuum does in production: merge the index's pending list, then gather
        # statistics for the planner.
        cursor.execute("SELECT gin_clean_pending_list('library_resource_search_vector_gin')")
        cursor.execute("ANALYZE library_resource")
    queryset = Resource.objects.published().search("naloxone")
    plan = queryset.explain()
    assert "library_resource_search_vector_gin" in plan, plan
    assert queryset.count() == 20
