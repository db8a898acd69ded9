"""Topic and audience filters at scale (PostgreSQL only).

Each resource keeps the ids of its topics and of its audiences in arrays (`topic_ids`,
`audience_ids`), kept by statement triggers on the link tables, with GIN indexes. A topic
or audience filter is then a test of the row itself (or an index the planner can combine
with the search vector's in one bitmap) instead of a probe of the link table for every
candidate, and the facet counts unnest the arrays of the matches. Not model fields:
nothing but the search reads them; the link tables stay the truth (tests compare them).

The search vector trigger now leaves the vectors alone when an update changes none of the
texts they are made of (these arrays, a publication date…), unless the vector was set to
NULL, which still asks for a fresh one.
"""

from django.db import migrations

LINKS = (("topic", "library_resource_topics"), ("audience", "library_resource_audiences"))


def _keep(name: str, link: str) -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION library_resource_{name}_ids_update() RETURNS trigger AS $$
        BEGIN
            UPDATE library_resource r SET {name}_ids = coalesce((
                SELECT array_agg(l.{name}_id ORDER BY l.{name}_id) FROM {link} l
                WHERE l.resource_id = r.id
            ), '{{}}')
            WHERE r.id IN (SELECT resource_id FROM changed_links);
            RETURN NULL;
        END
        $$ LANGUAGE plpgsql;
        """,
        f"""
        CREATE TRIGGER library_resource_{name}_ids_insert AFTER INSERT ON {link}
        REFERENCING NEW TABLE AS changed_links
        FOR EACH STATEMENT EXECUTE FUNCTION library_resource_{name}_ids_update();
        """,
        f"""
        CREATE TRIGGER library_resource_{name}_ids_delete AFTER DELETE ON {link}
        REFERENCING OLD TABLE AS changed_links
        FOR EACH STATEMENT EXECUTE FUNCTION library_resource_{name}_ids_update();
        """,
    ]


def _vectors(*, skip_unchanged: bool) -> str:
    skip = (
        """
        IF TG_OP = 'UPDATE' AND NEW.search_vector IS NOT NULL
           AND (NEW.title, NEW.title_en, NEW.title_es, NEW.summary, NEW.summary_en,
                NEW.summary_es, NEW.body, NEW.source)
               IS NOT DISTINCT FROM
               (OLD.title, OLD.title_en, OLD.title_es, OLD.summary, OLD.summary_en,
                OLD.summary_es, OLD.body, OLD.source) THEN
            RETURN NEW;
        END IF;
        """
        if skip_unchanged
        else ""
    )
    return f"""
    CREATE OR REPLACE FUNCTION library_resource_search_vector_update() RETURNS trigger AS $$
    BEGIN
        {skip}
        NEW.head_vector :=
            setweight(to_tsvector('pg_catalog.english',
                                  coalesce(NEW.title_en, NEW.title, '')), 'A')
            || setweight(to_tsvector('pg_catalog.english',
                                     coalesce(NEW.summary_en, NEW.summary, '')), 'B');
        NEW.search_vector :=
            NEW.head_vector
            || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.body, '')), 'C')
            || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.source, '')), 'D');
        NEW.search_vector_es :=
            setweight(to_tsvector('library_spanish', coalesce(NEW.title_es, '')), 'A')
            || setweight(to_tsvector('library_spanish', coalesce(NEW.summary_es, '')), 'B');
        NEW.search_pairs := library_adjacent_pairs(NEW.search_vector);
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """


PG_CREATE = [
    "ALTER TABLE library_resource ADD COLUMN topic_ids bigint[] NOT NULL DEFAULT '{}', "
    "ADD COLUMN audience_ids bigint[] NOT NULL DEFAULT '{}';",
    _vectors(skip_unchanged=True),
    *(statement for name, link in LINKS for statement in _keep(name, link)),
    # Without the row triggers' work: only the arrays change.
    "ALTER TABLE library_resource DISABLE TRIGGER USER;",
    """
    UPDATE library_resource r
    SET topic_ids = coalesce((
            SELECT array_agg(l.topic_id ORDER BY l.topic_id) FROM library_resource_topics l
            WHERE l.resource_id = r.id
        ), '{}'),
        audience_ids = coalesce((
            SELECT array_agg(l.audience_id ORDER BY l.audience_id)
            FROM library_resource_audiences l WHERE l.resource_id = r.id
        ), '{}');
    """,
    # The deferred foreign key checks the update queued run now: a table with pending
    # trigger events cannot be altered.
    "SET CONSTRAINTS ALL IMMEDIATE;",
    "ALTER TABLE library_resource ENABLE TRIGGER USER;",
    "SET CONSTRAINTS ALL DEFERRED;",
    "CREATE INDEX library_resource_topic_ids_gin ON library_resource USING gin (topic_ids);",
    "CREATE INDEX library_resource_audience_ids_gin ON library_resource "
    "USING gin (audience_ids);",
    "ANALYZE library_resource;",
]
PG_DROP = [
    *(
        statement
        for name, link in LINKS
        for statement in (
            f"DROP TRIGGER IF EXISTS library_resource_{name}_ids_insert ON {link};",
            f"DROP TRIGGER IF EXISTS library_resource_{name}_ids_delete ON {link};",
            f"DROP FUNCTION IF EXISTS library_resource_{name}_ids_update();",
        )
    ),
    _vectors(skip_unchanged=False),
    "ALTER TABLE library_resource DROP COLUMN IF EXISTS topic_ids, "
    "DROP COLUMN IF EXISTS audience_ids;",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0009_search_pairs"),
    ]

    operations = [
        migrations.RunPython(_run(PG_CREATE), _run(PG_DROP), elidable=False),
    ]
