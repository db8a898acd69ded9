"""The translation migrations keep what was stored: each `_en` column is filled from the
existing column, and the library's search finds the old rows afterwards."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("library", "0005_published_counts")]
AFTER = [("library", "0007_translations")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_library_migration_copies_the_english_text():
    old_apps = migrate(BEFORE)
    Collection = old_apps.get_model("library", "Collection")
    Resource = old_apps.get_model("library", "Resource")
    collection = Collection.objects.create(title="Old library", slug="old", description="Old.")
    Resource.objects.create(
        title="Old naloxone guide",
        slug="old-guide",
        summary="Stored before Spanish.",
        external_url="https://example.org/old",
        collection=collection,
        resource_type="guide",
        is_published=True,
    )
    try:
        new_apps = migrate(AFTER)
        resource = new_apps.get_model("library", "Resource").objects.get(slug="old-guide")
        assert resource.title_en == "Old naloxone guide"
        assert resource.summary_en == "Stored before Spanish."
        assert resource.title_es is None
        collection = new_apps.get_model("library", "Collection").objects.get(slug="old")
        assert (collection.title_en, collection.description_en) == ("Old library", "Old.")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from library.search import resource_search

    assert [r.slug for r in resource_search(query="naloxone", filters={}).results] == ["old-guide"]
