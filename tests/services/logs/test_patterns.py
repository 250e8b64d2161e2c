"""The filter-pattern matcher on its own: terms, phrases, exclusions, alternatives."""

from __future__ import annotations

import pytest

from lamina.services.logs.patterns import MATCH_ALL, UnsupportedPattern, parse


@pytest.mark.parametrize("pattern", ["", "   ", None])
def test_an_empty_pattern_matches_every_event(pattern):
    assert parse(pattern) is MATCH_ALL
    assert parse(pattern).matches("anything at all")


def test_every_plain_term_must_occur():
    pattern = parse("ERROR Exception")
    assert pattern.matches("ERROR: NullPointerException at line 3")
    assert not pattern.matches("ERROR: all good")
    assert not pattern.matches("Exception swallowed")


def test_terms_are_case_sensitive():
    assert parse("ERROR").matches("[ERROR] bad")
    assert not parse("ERROR").matches("[error] bad")


def test_a_quoted_phrase_must_occur_exactly():
    pattern = parse('"INTERNAL SERVER ERROR"')
    assert pattern.matches("500 INTERNAL SERVER ERROR for /x")
    assert not pattern.matches("INTERNAL ERROR SERVER")
    assert pattern.required == ("INTERNAL SERVER ERROR",)


def test_phrases_and_terms_combine():
    pattern = parse('GET "status 500"')
    assert pattern.matches("GET /a status 500")
    assert not pattern.matches("POST /a status 500")


def test_a_minus_term_excludes_events():
    pattern = parse("ERROR -Exiting")
    assert pattern.matches("ERROR: disk full")
    assert not pattern.matches("ERROR: Exiting now")


def test_question_mark_terms_match_any_of_them():
    pattern = parse("?ERROR ?WARN")
    assert pattern.matches("WARN: slow")
    assert pattern.matches("ERROR: bad")
    assert not pattern.matches("INFO: fine")


@pytest.mark.parametrize(
    "pattern",
    ["{ $.x = 1 }", "[ip, user, ...]", "%ERR[0-9]%", '"unclosed', "?ERROR WARN", 'a"b'],
)
def test_patterns_lamina_cannot_evaluate_are_refused(pattern):
    with pytest.raises(UnsupportedPattern):
        parse(pattern)
