"""Quote regions and paragraphs (claimtrace.pipeline.quotes): golden cases, stored once."""

from __future__ import annotations

import pytest

from claimtrace.pipeline.quotes import (
    PARAGRAPHS_KEY,
    QUOTES_KEY,
    QuoteRegion,
    find_quote_regions,
    paragraph_bounds,
    paragraph_spans,
    quote_regions,
)


def inner(text: str) -> list[tuple[str, bool]]:
    return [(text[r.inner_start:r.inner_end], r.closed) for r in find_quote_regions(text)]


@pytest.mark.parametrize("text, expected", [
    ('He said "we will win" today.', [("we will win", True)]),
    ("He said \u201cwe will win\u201d today.", [("we will win", True)]),
    ('"One," she said, "two."', [("One,", True), ("two.", True)]),
    # a quotation that runs on past the paragraph's end: open, flagged as not closed
    ("She said: \u201cthe plan fails\nIt was late.", [("the plan fails", False)]),
    # the 5'10" height mark after a digit does not open a quote
    ('He is 5\'10" tall and said "yes".', [("yes", True)]),
    # a second opening curly mark: the first one was stray
    ("\u201cstray \u201creal words\u201d end", [("real words", True)]),
    ("No quotes at all.", []),
    # British style (no double mark in the text): single marks quote, apostrophes do not
    ("'We will win,' said Ruiz. 'It is over.'", [("We will win,", True), ("It is over.", True)]),
    ("The students' union was 'deeply concerned' about it.", [("deeply concerned", True)]),
    ("She said: \u2018We don\u2019t know.\u2019", [("We don\u2019t know.", True)]),
    ("It's rock 'n' roll, isn't it?", []),
    ("'It goes on\n'and ends here.'", [("It goes on", False), ("and ends here.", True)]),
    # ... but beside double marks, single ones are nested or scare quotes
    ('He said "the \'plan\' failed".', [("the 'plan' failed", True)]),
    # guillemets and the German low-high pair quote too (and make no British style)
    ("«Exports rose», said Karl Weber.", [("Exports rose", True)]),
    ("\u201eDebt fell\u201c, Dupont said.", [("Debt fell", True)]),
    ("He called it \u00abthe 'final' offer\u00bb.", [("the 'final' offer", True)]),
])
def test_quote_regions(text, expected):
    assert inner(text) == expected


def test_region_contains_only_inner_characters():
    region = QuoteRegion(open_at=3, close_at=10, closed=True)
    assert region.contains(4, 10) and not region.contains(3, 10) and not region.contains(4, 11)


@pytest.mark.parametrize("text, expected", [
    ("One.\n\nTwo.\n", [(0, 4), (6, 10)]),
    ("  \n\nOnly.", [(4, 9)]),
    ("", []),
])
def test_paragraph_bounds_skip_blank_lines(text, expected):
    assert paragraph_bounds(text) == expected


def test_regions_and_paragraphs_are_computed_once_and_kept_on_the_doc(nlp):
    doc = nlp.make_doc('The mayor said "it works".\n\nCritics said "it does not."')
    assert QUOTES_KEY not in doc.spans and PARAGRAPHS_KEY not in doc.spans
    regions = quote_regions(doc)
    assert [doc.text[r.inner_start:r.inner_end] for r in regions] == [
        "it works", "it does not."]
    assert [s.text for s in doc.spans[QUOTES_KEY]] == ['"it works"', '"it does not."']
    assert [s.text for s in paragraph_spans(doc)] == [
        'The mayor said "it works".', 'Critics said "it does not."']
    doc.spans[QUOTES_KEY] = []  # what is stored is what is read back: no second computation
    assert quote_regions(doc) == []
