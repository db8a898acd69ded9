"""Search that means the same on both databases, and spelling suggestions.

PostgreSQL: the trigger of migration 0002 also fills `head_vector` (title and summary, for
ranking); statement triggers collect the words of published titles and summaries into
`library_searchword`, which pg_trgm (enabled here) matches for "Did you mean …?".

SQLite: an FTS5 index of title, summary, body and source (Porter stemming, accents kept, as
PostgreSQL's "english" configuration does), and a second, unstemmed FTS5 index of published
titles and summaries whose vocabulary gives the suggestions; triggers keep both in step with
every insert, update and delete. Each half is a no-op on the other database.
"""

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

PG_CREATE = [
    """
    CREATE OR REPLACE FUNCTION library_resource_search_vector_update() RETURNS trigger AS $$
    BEGIN
        NEW.head_vector :=
            setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.summary, '')), 'B');
        NEW.search_vector :=
            NEW.head_vector
            || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.body, '')), 'C')
            || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.source, '')), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE OR REPLACE FUNCTION library_searchword_collect() RETURNS trigger AS $$
    BEGIN
        INSERT INTO library_searchword (word)
        SELECT DISTINCT word
        FROM changed_rows AS r,
             regexp_split_to_table(lower(r.title || ' ' || r.summary), '[^[:alnum:]]+') AS word
        WHERE r.is_published AND length(word) BETWEEN 3 AND 60 AND word !~ '^[0-9]+$'
        ON CONFLICT (word) DO NOTHING;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER library_searchword_insert_trigger
    AFTER INSERT ON library_resource REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION library_searchword_collect();
    """,
    """
    CREATE TRIGGER library_searchword_update_trigger
    AFTER UPDATE ON library_resource REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION library_searchword_collect();
    """,
    # Recompute both vectors (the row trigger fires) and collect the words.
    "UPDATE library_resource SET search_vector = NULL;",
    """
    CREATE INDEX library_searchword_trgm
    ON library_searchword USING gin (word gin_trgm_ops);
    """,
]
PG_DROP = [
    "DROP INDEX IF EXISTS library_searchword_trgm;",
    "DROP TRIGGER IF EXISTS library_searchword_insert_trigger ON library_resource;",
    "DROP TRIGGER IF EXISTS library_searchword_update_trigger ON library_resource;",
    "DROP FUNCTION IF EXISTS library_searchword_collect();",
    """
    CREATE OR REPLACE FUNCTION library_resource_search_vector_update() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('pg_catalog.english', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.summary, '')), 'B')
            || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.body, '')), 'C')
            || setweight(to_tsvector('pg_catalog.english', coalesce(NEW.source, '')), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
]

# External-content FTS5 tables read the text from library_resource; the triggers tell them
# what changed. The words index holds published rows only, so its vocabulary never shows a
# draft's words.
SQLITE_CREATE = [
    """
    CREATE VIRTUAL TABLE library_resource_fts USING fts5(
        title, summary, body, source,
        content='library_resource', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 0'
    );
    """,
    """
    CREATE TRIGGER library_resource_fts_insert AFTER INSERT ON library_resource BEGIN
        INSERT INTO library_resource_fts (rowid, title, summary, body, source)
        VALUES (new.id, new.title, new.summary, new.body, new.source);
    END;
    """,
    """
    CREATE TRIGGER library_resource_fts_delete AFTER DELETE ON library_resource BEGIN
        INSERT INTO library_resource_fts (library_resource_fts, rowid, title, summary, body, source)
        VALUES ('delete', old.id, old.title, old.summary, old.body, old.source);
    END;
    """,
    """
    CREATE TRIGGER library_resource_fts_update
    AFTER UPDATE OF title, summary, body, source ON library_resource BEGIN
        INSERT INTO library_resource_fts (library_resource_fts, rowid, title, summary, body, source)
        VALUES ('delete', old.id, old.title, old.summary, old.body, old.source);
        INSERT INTO library_resource_fts (rowid, title, summary, body, source)
        VALUES (new.id, new.title, new.summary, new.body, new.source);
    END;
    """,
    "INSERT INTO library_resource_fts (library_resource_fts) VALUES ('rebuild');",
    """
    CREATE VIRTUAL TABLE library_resource_words USING fts5(
        title, summary,
        content='library_resource', content_rowid='id',
        tokenize='unicode61 remove_diacritics 0'
    );
    """,
    """
    CREATE VIRTUAL TABLE library_resource_words_vocab
    USING fts5vocab(library_resource_words, 'row');
    """,
    """
    CREATE TRIGGER library_resource_words_insert AFTER INSERT ON library_resource
    WHEN new.is_published BEGIN
        INSERT INTO library_resource_words (rowid, title, summary)
        VALUES (new.id, new.title, new.summary);
    END;
    """,
    """
    CREATE TRIGGER library_resource_words_delete AFTER DELETE ON library_resource
    WHEN old.is_published BEGIN
        INSERT INTO library_resource_words (library_resource_words, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
    END;
    """,
    """
    CREATE TRIGGER library_resource_words_update
    AFTER UPDATE OF title, summary, is_published ON library_resource BEGIN
        INSERT INTO library_resource_words (library_resource_words, rowid, title, summary)
        SELECT 'delete', old.id, old.title, old.summary WHERE old.is_published;
        INSERT INTO library_resource_words (rowid, title, summary)
        SELECT new.id, new.title, new.summary WHERE new.is_published;
    END;
    """,
    """
    INSERT INTO library_resource_words (rowid, title, summary)
    SELECT id, title, summary FROM library_resource WHERE is_published;
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS library_resource_words_update;",
    "DROP TRIGGER IF EXISTS library_resource_words_delete;",
    "DROP TRIGGER IF EXISTS library_resource_words_insert;",
    "DROP TABLE IF EXISTS library_resource_words_vocab;",
    "DROP TABLE IF EXISTS library_resource_words;",
    "DROP TRIGGER IF EXISTS library_resource_fts_update;",
    "DROP TRIGGER IF EXISTS library_resource_fts_delete;",
    "DROP TRIGGER IF EXISTS library_resource_fts_insert;",
    "DROP TABLE IF EXISTS library_resource_fts;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0003_indexes_for_filters_and_ordering"),
    ]

    operations = [
        TrigramExtension(),
        migrations.AddField(
            model_name="resource",
            name="head_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.CharField(max_length=60, primary_key=True, serialize=False)),
            ],
            options={"verbose_name": "search word", "verbose_name_plural": "search words"},
        ),
        migrations.RunPython(
            _run({"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": PG_DROP, "sqlite": SQLITE_DROP}),
            elidable=False,
        ),
    ]
