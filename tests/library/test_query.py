"""The search language: how a visitor's text is read, and what each database receives."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from library.query import (
    MAX_CLAUSES,
    Clause,
    ParsedQuery,
    Term,
    parse,
    to_fts5_negative,
    to_fts5_positive,
    to_tsquery_text,
)


def words(*w):
    return Term(tuple(w))


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("peer outreach", (Clause((words("peer"),)), Clause((words("outreach"),)))),
        ('"warm handoff"', (Clause((words("warm", "handoff"),)),)),
        ('"warm handoff', (Clause((words("warm", "handoff"),)),)),
        ("naloxone OR narcan", (Clause((words("naloxone"), words("narcan"))),)),
        ("naloxone or narcan", (Clause((words("naloxone"), words("narcan"))),)),
        (
            "deflection -naloxone",
            (Clause((words("deflection"),)), Clause((words("naloxone"),), True)),
        ),
        ('-"warm handoff"', (Clause((words("warm", "handoff"),), True),)),
        ("covid-19", (Clause((words("covid", "19"),)),)),
        ("LEAD", (Clause((words("lead"),)),)),
        ("Café", (Clause((words("café"),)),)),
        ("the and of", ()),
        ("- -- OR or |", ()),
        ("OR naloxone", (Clause((words("naloxone"),)),)),
        ("naloxone OR", (Clause((words("naloxone"),)),)),
        ("lead lead LEAD", (Clause((words("lead"),)),)),
        ("a & b | !c <-> d", (Clause((words("b"), words("c"))), Clause((words("d"),)))),
        ("foo_bar", (Clause((words("foo", "bar"),)),)),
    ],
)
def test_parse_reads_words_phrases_or_and_exclusions(text, clauses):
    assert parse(text).clauses == clauses


def test_an_exclusion_never_joins_an_or_group():
    parsed = parse("naloxone OR -narcan")
    assert parsed.positive == (Clause((words("naloxone"),)),)
    assert parsed.negative == (Clause((words("narcan"),), True),)


def test_a_long_query_keeps_its_first_clauses():
    parsed = parse(" ".join(f"word{n}" for n in range(50)))
    assert len(parsed.clauses) == MAX_CLAUSES
    assert parsed.clauses[0] == Clause((words("word0"),))


def test_hyphenated_words_stay_one_token_for_postgresql_and_split_for_sqlite():
    parsed = parse('covid-19 "don\'t stop"')
    assert to_tsquery_text(parsed) == "'covid-19' & ('don' <-> 't' <-> 'stop')"
    assert to_fts5_positive(parsed) == '"covid 19" AND "don t stop"'


def test_postgresql_receives_quoted_lexemes_and_operators_built_here():
    parsed = parse('deflection "warm handoff" naloxone OR narcan -jail')
    assert to_tsquery_text(parsed) == (
        "'deflection' & ('warm' <-> 'handoff') & ('naloxone' | 'narcan') & !'jail'"
    )


def test_sqlite_receives_quoted_strings_and_a_not_for_exclusions():
    parsed = parse('deflection "warm handoff" naloxone OR narcan -jail -"county jail"')
    assert to_fts5_positive(parsed) == (
        '("deflection" AND "warm handoff" AND ("naloxone" OR "narcan")) '
        'NOT ("jail" OR "county jail")'
    )
    assert to_fts5_negative(parsed) == '"jail" OR "county jail"'


def test_a_query_of_exclusions_only_has_no_positive_part():
    parsed = parse("-jail")
    assert to_fts5_positive(parsed) == ""
    assert to_fts5_negative(parsed) == '"jail"'
    assert to_tsquery_text(parsed) == "!'jail'"


def test_words_and_replacements_write_the_query_back():
    parsed = parse('defelction "warm handoff" -jail')
    assert parsed.words() == ["defelction"]
    fixed = parsed.replace_words({"defelction": "deflection"})
    assert fixed.to_text() == 'deflection "warm handoff" -jail'
    assert parse(fixed.to_text()) == fixed


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=300))
def test_compiled_queries_hold_only_letters_digits_and_our_operators(text):
    parsed = parse(text)
    assert isinstance(parsed, ParsedQuery)
    for compiled in (to_tsquery_text(parsed), to_fts5_positive(parsed), to_fts5_negative(parsed)):
        # Strip what this module writes; what is left are the visitor's letters and digits.
        for operator in ("<->", "&", "|", "!", "(", ")", " AND ", " OR ", " NOT ", "'", '"'):
            compiled = compiled.replace(operator, " ")
        # Hyphens and dots only ever join two words ("covid-19") inside a quoted token.
        assert all(ch.isalnum() or ch in " -." for ch in compiled), compiled
        assert not any(ch in compiled for ch in "'\"\\:*")
