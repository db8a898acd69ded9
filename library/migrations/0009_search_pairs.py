"""Phrase searches at scale (PostgreSQL only; SQLite's FTS5 index keeps word positions).

The GIN index on the search vector stores no positions, so a phrase query ("peer support")
gets every resource with both words from the index and then reads each one's whole vector
to test the positions: most of the library when both words are common. `search_pairs`
holds every pair of words next to each other in the search vector ("peer support" as the
stemmed "peer support"), taken from the vector's own positions by the same trigger, with
a GIN index. A phrase's pairs (library_phrase_pairs, the same stemming) must all be in a
resource's pairs for the phrase to match, so the search adds that condition: the index
then gives about the resources that have the phrase, and only those are tested against
the vector. Not a model field: nothing but the search reads it.
"""

from django.db import migrations

PG_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION library_adjacent_pairs(vector tsvector) RETURNS text[] AS $$
        SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}')
        FROM (SELECT t.lexeme, p FROM unnest(vector) t, unnest(t.positions) p) a
        JOIN (SELECT t.lexeme, p FROM unnest(vector) t, unnest(t.positions) p) b
          ON b.p = a.p + 1
    $$ LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE;
    """,
    # The pairs a phrase's words make, stemmed as to_tsquery stems them; none (an empty
    # array, which every row contains) when the phrase has no two words next to each other
    # once common words are left out.
    """
    CREATE OR REPLACE FUNCTION library_phrase_pairs(phrase text) RETURNS text[] AS $$
        SELECT library_adjacent_pairs(to_tsvector('pg_catalog.english', phrase))
    $$ LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE;
    """,
    # Whether the phrase is two words, one next to the other, and nothing else: then a
    # resource has the phrase exactly when its pairs have that pair, and the search needs
    # no other test.
    """
    CREATE OR REPLACE FUNCTION library_phrase_is_pair(phrase text) RETURNS boolean AS $$
        SELECT count(*) = 2 AND min(p) = 1 AND max(p) = 2
        FROM unnest(to_tsvector('pg_catalog.english', phrase)) t, unnest(t.positions) p
    $$ LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE;
    """,
]


def _vectors(pairs: bool) -> str:
    keep_pairs = "NEW.search_pairs := library_adjacent_pairs(NEW.search_vector);" if pairs else ""
    return f"""
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
        {keep_pairs}
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """


PG_CREATE = [
    *PG_FUNCTIONS,
    "ALTER TABLE library_resource ADD COLUMN search_pairs text[] NOT NULL DEFAULT '{}';",
    _vectors(pairs=True),
    # Without the row triggers' other work: only the pairs change.
    "ALTER TABLE library_resource DISABLE TRIGGER USER;",
    "UPDATE library_resource SET search_pairs = library_adjacent_pairs(search_vector) "
    "WHERE search_vector IS NOT NULL;",
    # The deferred foreign key checks the update queued run now: a table with pending
    # trigger events cannot be altered.
    "SET CONSTRAINTS ALL IMMEDIATE;",
    "ALTER TABLE library_resource ENABLE TRIGGER USER;",
    "SET CONSTRAINTS ALL DEFERRED;",
    "CREATE INDEX library_resource_search_pairs_gin ON library_resource USING gin (search_pairs);",
    # The sample's (migration 0006), for counting a phrase's matches in the sample.
    """
    CREATE INDEX library_resource_sample_pairs ON library_resource
    USING gin (search_pairs) WHERE is_published AND id % 128 = 0;
    """,
    "ANALYZE library_resource;",
]
PG_DROP = [
    "DROP INDEX IF EXISTS library_resource_sample_pairs;",
    "DROP INDEX IF EXISTS library_resource_search_pairs_gin;",
    _vectors(pairs=False),
    "ALTER TABLE library_resource DROP COLUMN IF EXISTS search_pairs;",
    "DROP FUNCTION IF EXISTS library_phrase_is_pair(text);",
    "DROP FUNCTION IF EXISTS library_phrase_pairs(text);",
    "DROP FUNCTION IF EXISTS library_adjacent_pairs(tsvector);",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0008_audience_translation"),
    ]

    operations = [
        migrations.RunPython(_run(PG_CREATE), _run(PG_DROP), elidable=False),
    ]
