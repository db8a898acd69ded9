"""The library's search language, parsed once and compiled for each database.

What a visitor may type (the same on PostgreSQL and SQLite):

- words: every word must match (`peer outreach`), stemmed (`deflecting` finds "deflection");
- `"a phrase"`: the words next to each other, in that order;
- `OR` between two words or phrases: either will do (`naloxone OR narcan`);
- `-word` or `-"a phrase"`: leave out resources that match it.

Everything else is ignored rather than refused: punctuation, operators with nothing to act
on, unterminated quotes, very common words ("the", "and"). PostgreSQL receives a `tsquery`
built here (never the visitor's text), SQLite an FTS5 expression built here; both contain only
letters and digits between the operators, so nothing a visitor types can change their syntax.
"""

import re
from dataclasses import dataclass, field

# At most this many clauses (words, phrases or OR groups) and words in one phrase.
MAX_CLAUSES = 8
MAX_PHRASE_WORDS = 8
# A word longer than this is not a word anyone searches for.
MAX_WORD_LENGTH = 60

# Very common English words, which PostgreSQL's "english" configuration leaves out of its
# index. Dropping them here too gives the same results on SQLite, whose index keeps them.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can did do does doing don down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other
    our ours ourselves out over own s same she should so some such t than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with you your yours
    yourself yourselves
    """.split()
)

# A token: an optional minus, then a quoted phrase (closing quote optional) or a bare word.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
# Letters and digits in any script; everything else (including "_") separates words, as in
# both databases' tokenizers.
_WORD = re.compile(r"[^\W_]+")
_OR = {"or", "|"}
# Words joined by hyphens or dots: one token for PostgreSQL's parser.
_JOINED = re.compile(r"[^\W_]+(?:[.-][^\W_]+)*")


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several words in order (lower-cased, not stemmed).

    `tokens` are the same text as PostgreSQL's parser should see it: words joined by a
    hyphen or a dot stay one token ("covid-19", "4.5"), because that parser indexes such a
    token whole (and its parts), where SQLite's tokenizer indexes only the parts (`words`)."""

    words: tuple[str, ...]
    tokens: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self):
        if not self.tokens:
            object.__setattr__(self, "tokens", self.words)

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class Clause:
    """Any of `terms` must match; a negated clause (one term) must not."""

    terms: tuple[Term, ...]
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...] = ()

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    def words(self) -> list[str]:
        """The single words the visitor asked for (not excluded, not in a phrase), in order:
        the ones a title can match exactly and a spelling suggestion can replace."""
        return [
            term.words[0] for clause in self.positive for term in clause.terms if not term.is_phrase
        ]

    def to_text(self) -> str:
        """The query written back in the search language (used for suggestions)."""
        parts = []
        for clause in self.clauses:
            terms = " OR ".join(_term_text(term) for term in clause.terms)
            parts.append(f"-{terms}" if clause.negated else terms)
        return " ".join(parts)

    def replace_words(self, replacements: dict[str, str]) -> "ParsedQuery":
        def swap(term: Term) -> Term:
            if term.is_phrase:
                return term
            word = replacements.get(term.words[0], term.words[0])
            return Term((word,))

        return ParsedQuery(
            tuple(
                Clause(tuple(swap(term) for term in clause.terms), clause.negated)
                for clause in self.clauses
            )
        )


def _term_text(term: Term) -> str:
    text = " ".join(term.tokens)
    return f'"{text}"' if len(term.tokens) > 1 else text


def _term(text: str) -> Term | None:
    """A word or phrase from a bare token or a quoted phrase's text. A bare token with inner
    punctuation ("covid-19", "don't") is a phrase of its parts, as both databases index it."""
    words: list[str] = []
    tokens: list[str] = []
    for chunk in text.lower().split():
        pieces = [w for w in _WORD.findall(chunk) if len(w) <= MAX_WORD_LENGTH]
        if not pieces or len(words) + len(pieces) > MAX_PHRASE_WORDS:
            continue
        words += pieces
        joined = chunk.strip("-.")
        tokens += [joined] if _JOINED.fullmatch(joined) else pieces
    if not words or all(word in STOP_WORDS for word in words):
        return None
    return Term(tuple(words), tuple(tokens))


def parse(text: str | None) -> ParsedQuery:
    """The query's clauses, in the visitor's order, common words and noise removed."""
    clauses: list[Clause] = []
    pending_or = False
    for match in _TOKEN.finditer(text or ""):
        minus, phrase, bare = match.groups()
        if bare is not None:
            if bare.lower() in _OR:
                pending_or = bool(clauses) and not clauses[-1].negated
                continue
            negated = bare.startswith("-")
            term = _term(bare.lstrip("-"))
        else:
            negated = minus == "-"
            term = _term(phrase)
        if term is None:
            continue
        if pending_or and not negated and clauses and not clauses[-1].negated:
            previous = clauses.pop()
            if term not in previous.terms:
                clauses.append(Clause(previous.terms + (term,)))
            else:
                clauses.append(previous)
        else:
            clause = Clause((term,), negated)
            if clause not in clauses:
                clauses.append(clause)
        pending_or = False
    return ParsedQuery(tuple(clauses[:MAX_CLAUSES]))


# --- PostgreSQL --------------------------------------------------------------------------


def _ts_term(term: Term) -> str:
    # Tokens hold only letters, digits, inner hyphens and dots: quoting them keeps
    # to_tsquery from reading any character as an operator. to_tsquery stems each word,
    # drops common ones and turns a hyphenated token into the phrase its parser indexes.
    lexemes = " <-> ".join(f"'{token}'" for token in term.tokens)
    return f"({lexemes})" if len(term.tokens) > 1 else lexemes


def to_tsquery_text(query: ParsedQuery) -> str:
    """The text for `to_tsquery('english', …)`: AND of clauses, | inside a clause, ! for
    exclusions."""
    parts = []
    for clause in query.clauses:
        terms = [_ts_term(term) for term in clause.terms]
        if clause.negated:
            parts.append(f"!{terms[0]}")
        elif len(terms) == 1:
            parts.append(terms[0])
        else:
            parts.append("(" + " | ".join(terms) + ")")
    return " & ".join(parts)


# --- SQLite FTS5 -------------------------------------------------------------------------


def _fts_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"'


def _fts_clause(clause: Clause) -> str:
    terms = [_fts_term(term) for term in clause.terms]
    return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


def to_fts5_positive(query: ParsedQuery) -> str:
    """The FTS5 expression every match must satisfy: the positive clauses ANDed, then NOT
    the exclusions. Empty when the query only excludes (FTS5 cannot match "everything but";
    the caller subtracts `to_fts5_negative` instead)."""
    positive = [_fts_clause(clause) for clause in query.positive]
    if not positive:
        return ""
    expression = " AND ".join(positive)
    negative = to_fts5_negative(query)
    if negative:
        expression = f"({expression}) NOT ({negative})"
    return expression


def to_fts5_negative(query: ParsedQuery) -> str:
    """The FTS5 expression of everything the query excludes (OR of its exclusions)."""
    return " OR ".join(_fts_clause(clause) for clause in query.negative)


# --- Both languages (the Spanish pages) --------------------------------------------------


def positive_part(query: ParsedQuery) -> ParsedQuery:
    """What a match must contain, without the exclusions."""
    return ParsedQuery(query.positive)


def excluded_part(query: ParsedQuery) -> ParsedQuery:
    """Every exclusion as one clause of alternatives: a match must contain none of them."""
    terms = tuple(term for clause in query.negative for term in clause.terms)
    return ParsedQuery((Clause(terms),)) if terms else ParsedQuery()


def spanish_stems(query: ParsedQuery) -> ParsedQuery:
    """The query with each word replaced by its Spanish stem (library/spanish.py), as the
    SQLite Spanish index stores them; common Spanish words leave their phrase, and a term or
    clause left with no word leaves the query."""
    from .spanish import stem

    clauses = []
    for clause in query.clauses:
        terms = []
        for term in clause.terms:
            words = tuple(s for s in (stem(word) for word in term.words) if s)
            if words:
                terms.append(Term(words))
        if terms:
            clauses.append(Clause(tuple(terms), clause.negated))
    return ParsedQuery(tuple(clauses))
