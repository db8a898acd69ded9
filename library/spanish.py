"""Spanish words for the library's search: folded and stemmed the same way for the index and
for the query.

PostgreSQL does this itself with the `library_spanish` text-search configuration (migration
0007: `unaccent`, then the Snowball Spanish stemmer, common words left out). SQLite has no
Spanish stemmer, so the same steps run here, in Python (snowballstemmer, the same Snowball
algorithm): the triggers of the Spanish FTS5 table call `library_spanish_stems()`, which
`register_sqlite_functions` adds to every SQLite connection Django opens, and the query's words
go through `stem` before they reach FTS5. A connection without the function (the sqlite3 shell)
can read the library but not change a resource's Spanish title or summary.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

SQLITE_FUNCTION = "library_spanish_stems"

# Very common Spanish words, left out of the index and the query as PostgreSQL's "spanish"
# configuration does (a short list of its most frequent ones).
STOP_WORDS = frozenset(
    """
    a al algo algunas algunos ante antes como con contra cual cuando de del desde donde
    durante e el ella ellas ellos en entre era es esa esas ese eso esos esta estas este esto
    estos fue ha hay la las le les lo los mas me mi mis mucho muy nada ni no nos o os otra
    otras otro otros para pero poco por porque que quien quienes se sea ser si sin sobre su
    sus tambien te tiene todo todos tu tus un una unas uno unos y ya yo
    """.split()
)

_WORD = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("spanish")


def fold(word: str) -> str:
    """Lower-cased, accents and tildes removed ("Desviación" -> "desviacion"), as
    PostgreSQL's unaccent does before stemming: a visitor may type either."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """The stem of one word ("tratamientos" -> "tratamient"), or "" for a common word."""
    folded = fold(word)
    if not folded or folded in STOP_WORDS:
        return ""
    return _stemmer.stemWord(folded)


def stems(text: str | None) -> str:
    """The stems of every word of `text`, in order, separated by spaces (for the index)."""
    return " ".join(s for s in (stem(w) for w in _WORD.findall(text or "")) if s)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: the index function the Spanish FTS5 triggers call."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, stems, deterministic=True)
