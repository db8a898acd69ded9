"""The search's sample (library/broad_search.py): a partial GIN index on the search vector
of the published resources whose id is a multiple of 128, so that counting a query's matches
in the sample reads 1 in 64 of its matches (and never unpacks a row's vector). The
condition must stay written as broad_search.sample_condition writes it, with the same
number (SAMPLE_EVERY), for PostgreSQL's planner to use the index. PostgreSQL only; SQLite
counts the sample from its FTS5 index.
"""

from django.db import migrations

PG_CREATE = """
    CREATE INDEX library_resource_sample_search ON library_resource
    USING gin (search_vector) WHERE is_published AND id % 128 = 0;
"""
PG_DROP = "DROP INDEX IF EXISTS library_resource_sample_search;"


def _run(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0005_published_counts"),
    ]

    operations = [
        migrations.RunPython(_run(PG_CREATE), _run(PG_DROP), elidable=False),
    ]
