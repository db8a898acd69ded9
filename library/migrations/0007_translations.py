"""Titles, summaries, names and descriptions in English and Spanish, and search in both.

django-modeltranslation adds `<field>_en` and `<field>_es` columns; the English ones are filled
from the existing columns here, so nothing stored is lost. The original columns stay (they
hold the text of the language that was active when the row was last saved, English from the
admin); the search reads the `_en` columns explicitly, falling back to the original.

PostgreSQL: the row trigger of 0002/0004 now reads the English columns for `search_vector`
and `head_vector`, and fills `search_vector_es` from the Spanish title (A) and summary (B)
with the `library_spanish` configuration: unaccent (a visitor may type "desviacion"), then
the Snowball Spanish stemmer; a GIN index makes it fast.

SQLite: the FTS5 triggers of 0004 read the English columns too (and fire when they change),
and a second FTS5 table, library_resource_fts_es, holds the Spanish title and summary as
stems computed in Python (library/spanish.py: the `library_spanish_stems` function that the
app registers on every connection). The English index is rebuilt from the English columns.

As migration 0005 warns, a later migration that makes SQLite rebuild library_resource must
create these triggers again.
"""

import django.contrib.postgres.search
from django.db import migrations, models
from django.db.models import F


TRANSLATED = {
    "collection": ("title", "description"),
    "topic": ("name", "description"),
    "resource": ("title", "summary"),
}


def copy_to_english(apps, schema_editor):
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model("library", model_name)
        model.objects.update(**{f"{field}_en": F(field) for field in fields})
    if schema_editor.connection.vendor == "postgresql":
        # The updates queued deferred foreign-key checks; PostgreSQL refuses to build the
        # index below while they are pending, so they run now.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE;")


PG_VECTORS = """
    CREATE OR REPLACE FUNCTION library_resource_search_vector_update() RETURNS trigger AS $$
    BEGIN
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
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
"""

PG_CREATE = [
    # Left in place on the way back: other things may use it (unaccent is a trusted extension).
    "CREATE EXTENSION IF NOT EXISTS unaccent;",
    "CREATE TEXT SEARCH CONFIGURATION library_spanish (COPY = pg_catalog.spanish);",
    """
    ALTER TEXT SEARCH CONFIGURATION library_spanish
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
    """,
    PG_VECTORS,
    "UPDATE library_resource SET search_vector = NULL;",
    """
    CREATE INDEX library_resource_search_vector_es_gin
    ON library_resource USING gin (search_vector_es);
    """,
]
PG_DROP = [
    "DROP INDEX IF EXISTS library_resource_search_vector_es_gin;",
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
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS library_spanish;",
]

_EN_NEW = "new.id, coalesce(new.title_en, new.title), coalesce(new.summary_en, new.summary), new.body, new.source"
_EN_OLD = "old.id, coalesce(old.title_en, old.title), coalesce(old.summary_en, old.summary), old.body, old.source"
_ES_NEW = "new.id, library_spanish_stems(new.title_es), library_spanish_stems(new.summary_es)"

SQLITE_CREATE = [
    "DROP TRIGGER IF EXISTS library_resource_fts_insert;",
    "DROP TRIGGER IF EXISTS library_resource_fts_delete;",
    "DROP TRIGGER IF EXISTS library_resource_fts_update;",
    f"""
    CREATE TRIGGER library_resource_fts_insert AFTER INSERT ON library_resource BEGIN
        INSERT INTO library_resource_fts (rowid, title, summary, body, source)
        VALUES ({_EN_NEW});
    END;
    """,
    f"""
    CREATE TRIGGER library_resource_fts_delete AFTER DELETE ON library_resource BEGIN
        INSERT INTO library_resource_fts (library_resource_fts, rowid, title, summary, body, source)
        VALUES ('delete', {_EN_OLD});
    END;
    """,
    f"""
    CREATE TRIGGER library_resource_fts_update
    AFTER UPDATE OF title, summary, title_en, summary_en, body, source ON library_resource
    BEGIN
        INSERT INTO library_resource_fts (library_resource_fts, rowid, title, summary, body, source)
        VALUES ('delete', {_EN_OLD});
        INSERT INTO library_resource_fts (rowid, title, summary, body, source)
        VALUES ({_EN_NEW});
    END;
    """,
    "INSERT INTO library_resource_fts (library_resource_fts) VALUES ('delete-all');",
    f"""
    INSERT INTO library_resource_fts (rowid, title, summary, body, source)
    SELECT {_EN_NEW.replace("new.", "")} FROM library_resource;
    """,
    """
    CREATE VIRTUAL TABLE library_resource_fts_es USING fts5(
        title, summary, tokenize='unicode61 remove_diacritics 0'
    );
    """,
    f"""
    CREATE TRIGGER library_resource_fts_es_insert AFTER INSERT ON library_resource BEGIN
        INSERT INTO library_resource_fts_es (rowid, title, summary) VALUES ({_ES_NEW});
    END;
    """,
    """
    CREATE TRIGGER library_resource_fts_es_delete AFTER DELETE ON library_resource BEGIN
        DELETE FROM library_resource_fts_es WHERE rowid = old.id;
    END;
    """,
    f"""
    CREATE TRIGGER library_resource_fts_es_update
    AFTER UPDATE OF title_es, summary_es ON library_resource BEGIN
        DELETE FROM library_resource_fts_es WHERE rowid = old.id;
        INSERT INTO library_resource_fts_es (rowid, title, summary) VALUES ({_ES_NEW});
    END;
    """,
    f"""
    INSERT INTO library_resource_fts_es (rowid, title, summary)
    SELECT {_ES_NEW.replace("new.", "")} FROM library_resource;
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS library_resource_fts_es_update;",
    "DROP TRIGGER IF EXISTS library_resource_fts_es_delete;",
    "DROP TRIGGER IF EXISTS library_resource_fts_es_insert;",
    "DROP TABLE IF EXISTS library_resource_fts_es;",
    "DROP TRIGGER IF EXISTS library_resource_fts_insert;",
    "DROP TRIGGER IF EXISTS library_resource_fts_delete;",
    "DROP TRIGGER IF EXISTS library_resource_fts_update;",
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
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0006_search_sample_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='collection',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='collection',
            name='description_es',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='collection',
            name='title_en',
            field=models.CharField(max_length=200, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='collection',
            name='title_es',
            field=models.CharField(max_length=200, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='resource',
            name='summary_en',
            field=models.TextField(help_text='One or two plain sentences shown in lists.', max_length=1000, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='resource',
            name='summary_es',
            field=models.TextField(help_text='One or two plain sentences shown in lists.', max_length=1000, null=True, verbose_name='summary'),
        ),
        migrations.AddField(
            model_name='resource',
            name='title_en',
            field=models.CharField(max_length=250, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='resource',
            name='title_es',
            field=models.CharField(max_length=250, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='topic',
            name='description_en',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='topic',
            name='description_es',
            field=models.TextField(blank=True, null=True, verbose_name='description'),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_en',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='topic',
            name='name_es',
            field=models.CharField(max_length=120, null=True, verbose_name='name'),
        ),
        migrations.AddIndex(
            model_name='resource',
            index=models.Index(fields=['is_published', 'title_en'], name='resource_pub_title_idx-en'),
        ),
        migrations.AddIndex(
            model_name='resource',
            index=models.Index(fields=['is_published', 'title_es'], name='resource_pub_title_idx-es'),
        ),
        migrations.RunPython(copy_to_english, migrations.RunPython.noop),
        migrations.AddField(
            model_name="resource",
            name="search_vector_es",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": PG_DROP, "sqlite": SQLITE_DROP}),
            elidable=False,
        ),
    ]
