"""Each collection and topic stores how many published resources it has, kept by triggers.

The library home, the collection and topic pages read these numbers instead of counting
every resource (or every topic link) of the library on each visit. Triggers on resources
(insert, delete, a change of publication or collection) and on topic links (insert, delete)
keep them exact, however the rows change: forms, the admin, queryset.update(), bulk loads or
SQL. PostgreSQL uses statement triggers (one update per statement, not per row: a bulk
insert does not pile up versions of the same counter row); SQLite uses row triggers.
Existing rows are counted once here.

Note for later migrations on SQLite: rebuilding library_resource or its link table (which
Django does for some column changes) drops these triggers and those of migration 0004; such
a migration must create them again.
"""

from django.db import migrations, models

BACKFILL = [
    """
    UPDATE library_collection SET published_count = (
        SELECT count(*) FROM library_resource AS r
        WHERE r.collection_id = library_collection.id AND r.is_published
    );
    """,
    """
    UPDATE library_topic SET published_count = (
        SELECT count(*) FROM library_resource_topics AS l
        JOIN library_resource AS r ON r.id = l.resource_id
        WHERE l.topic_id = library_topic.id AND r.is_published
    );
    """,
]


def _pg_function(name: str, body: str) -> str:
    return f"""
    CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
    BEGIN
        {body}
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql;
    """


# Net change per collection: +1 for each published row in `plus`, -1 in `minus`.
def _pg_collection_delta(plus: str | None, minus: str | None) -> str:
    parts = []
    if plus:
        parts.append(f"SELECT collection_id, 1 AS n FROM {plus} WHERE is_published")
    if minus:
        parts.append(f"SELECT collection_id, -1 AS n FROM {minus} WHERE is_published")
    return f"""
        UPDATE library_collection AS c SET published_count = c.published_count + d.n
        FROM (SELECT collection_id, sum(n) AS n FROM ({" UNION ALL ".join(parts)}) AS x
              GROUP BY collection_id) AS d
        WHERE c.id = d.collection_id AND d.n <> 0;
    """


def _pg_link_delta(sign: int) -> str:
    return f"""
        UPDATE library_topic AS t SET published_count = t.published_count + d.n
        FROM (SELECT l.topic_id, {sign} * count(*) AS n FROM changed_links AS l
              JOIN library_resource AS r ON r.id = l.resource_id AND r.is_published
              GROUP BY l.topic_id) AS d
        WHERE t.id = d.topic_id;
    """


PG_CREATE = [
    _pg_function(
        "library_counts_resource_insert", _pg_collection_delta("new_rows", None)
    ),
    _pg_function(
        "library_counts_resource_delete", _pg_collection_delta(None, "old_rows")
    ),
    _pg_function(
        "library_counts_resource_update",
        _pg_collection_delta("new_rows", "old_rows")
        + """
        UPDATE library_topic AS t SET published_count = t.published_count + d.n
        FROM (SELECT l.topic_id,
                     sum(CASE WHEN nr.is_published THEN 1 ELSE -1 END) AS n
              FROM new_rows AS nr
              JOIN old_rows AS o ON o.id = nr.id AND o.is_published <> nr.is_published
              JOIN library_resource_topics AS l ON l.resource_id = nr.id
              GROUP BY l.topic_id) AS d
        WHERE t.id = d.topic_id AND d.n <> 0;
        """,
    ),
    _pg_function("library_counts_link_insert", _pg_link_delta(1)),
    _pg_function("library_counts_link_delete", _pg_link_delta(-1)),
    """
    CREATE TRIGGER library_counts_resource_insert AFTER INSERT ON library_resource
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION library_counts_resource_insert();
    """,
    """
    CREATE TRIGGER library_counts_resource_delete AFTER DELETE ON library_resource
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION library_counts_resource_delete();
    """,
    """
    CREATE TRIGGER library_counts_resource_update AFTER UPDATE ON library_resource
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION library_counts_resource_update();
    """,
    """
    CREATE TRIGGER library_counts_link_insert AFTER INSERT ON library_resource_topics
    REFERENCING NEW TABLE AS changed_links
    FOR EACH STATEMENT EXECUTE FUNCTION library_counts_link_insert();
    """,
    """
    CREATE TRIGGER library_counts_link_delete AFTER DELETE ON library_resource_topics
    REFERENCING OLD TABLE AS changed_links
    FOR EACH STATEMENT EXECUTE FUNCTION library_counts_link_delete();
    """,
    # Newest-first lists (a topic's page, related resources) walk published resources in
    # their order and stop after a page, testing each one's topic links by index.
    """
    CREATE INDEX library_resource_newest
    ON library_resource (published_on DESC NULLS LAST, title, id)
    WHERE is_published;
    """,
    # The collection page: its published resources newest first, straight from an index.
    """
    CREATE INDEX library_resource_collection_newest
    ON library_resource (collection_id, published_on DESC NULLS LAST, title, id)
    WHERE is_published;
    """,
    *BACKFILL,
]
PG_DROP = [
    "DROP INDEX IF EXISTS library_resource_collection_newest;",
    "DROP INDEX IF EXISTS library_resource_newest;",
    "DROP TRIGGER IF EXISTS library_counts_link_delete ON library_resource_topics;",
    "DROP TRIGGER IF EXISTS library_counts_link_insert ON library_resource_topics;",
    "DROP TRIGGER IF EXISTS library_counts_resource_update ON library_resource;",
    "DROP TRIGGER IF EXISTS library_counts_resource_delete ON library_resource;",
    "DROP TRIGGER IF EXISTS library_counts_resource_insert ON library_resource;",
    "DROP FUNCTION IF EXISTS library_counts_link_delete();",
    "DROP FUNCTION IF EXISTS library_counts_link_insert();",
    "DROP FUNCTION IF EXISTS library_counts_resource_update();",
    "DROP FUNCTION IF EXISTS library_counts_resource_delete();",
    "DROP FUNCTION IF EXISTS library_counts_resource_insert();",
]

SQLITE_CREATE = [
    """
    CREATE TRIGGER library_counts_resource_insert AFTER INSERT ON library_resource
    WHEN new.is_published BEGIN
        UPDATE library_collection SET published_count = published_count + 1
        WHERE id = new.collection_id;
    END;
    """,
    """
    CREATE TRIGGER library_counts_resource_delete AFTER DELETE ON library_resource
    WHEN old.is_published BEGIN
        UPDATE library_collection SET published_count = published_count - 1
        WHERE id = old.collection_id;
    END;
    """,
    """
    CREATE TRIGGER library_counts_resource_update
    AFTER UPDATE OF is_published, collection_id ON library_resource
    WHEN old.is_published IS NOT new.is_published OR old.collection_id IS NOT new.collection_id
    BEGIN
        UPDATE library_collection SET published_count = published_count - 1
        WHERE old.is_published AND id = old.collection_id;
        UPDATE library_collection SET published_count = published_count + 1
        WHERE new.is_published AND id = new.collection_id;
        UPDATE library_topic
        SET published_count = published_count + (CASE WHEN new.is_published THEN 1 ELSE -1 END)
        WHERE old.is_published IS NOT new.is_published
          AND id IN (SELECT topic_id FROM library_resource_topics WHERE resource_id = new.id);
    END;
    """,
    """
    CREATE TRIGGER library_counts_link_insert AFTER INSERT ON library_resource_topics BEGIN
        UPDATE library_topic SET published_count = published_count + 1
        WHERE id = new.topic_id
          AND (SELECT is_published FROM library_resource WHERE id = new.resource_id);
    END;
    """,
    """
    CREATE TRIGGER library_counts_link_delete AFTER DELETE ON library_resource_topics BEGIN
        UPDATE library_topic SET published_count = published_count - 1
        WHERE id = old.topic_id
          AND (SELECT is_published FROM library_resource WHERE id = old.resource_id);
    END;
    """,
    *BACKFILL,
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name};"
    for name in (
        "library_counts_resource_insert",
        "library_counts_resource_delete",
        "library_counts_resource_update",
        "library_counts_link_insert",
        "library_counts_link_delete",
    )
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0004_search_on_both_databases"),
    ]

    operations = [
        migrations.AddField(
            model_name="collection",
            name="published_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="published resources"
            ),
        ),
        migrations.AddField(
            model_name="topic",
            name="published_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="published resources"
            ),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": PG_DROP, "sqlite": SQLITE_DROP}),
            elidable=False,
        ),
    ]
