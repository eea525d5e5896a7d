"""Quotation-mark regions and paragraphs, computed once per `Doc` and read by every stage.

News text mixes straight and curly quotes, and often leaves a quote open at the end of a
paragraph when the quotation runs on into the next one. An article with no double mark at
all is read in British style, its quotations in single marks (`single_quote_style`).
Regions are found per paragraph; an unmatched opening mark yields a region that runs to the
paragraph's end, flagged as not closed, so one stray mark never derails the rest of the
article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from claimtrace.pipeline.text import doc_text

OPENING_CURLY = "“"
CLOSING_CURLY = "”"
STRAIGHT = '"'
SINGLE_OPENING = "\u2018"
SINGLE_CLOSING = "\u2019"
APOSTROPHE = "'"
SINGLE_MARKS = (SINGLE_OPENING, SINGLE_CLOSING, APOSTROPHE)
# Double marks that only open, with the marks that close them: English curly quotes,
# guillemets («…», as some English-language outlets print quotations from French, Russian or
# Spanish sources) and the German low-high pair („…“).
CLOSERS = {OPENING_CURLY: CLOSING_CURLY, "«": "»", "„": "“”"}
DOUBLE_MARKS = frozenset({STRAIGHT, CLOSING_CURLY, *CLOSERS, *"»"})


@dataclass(frozen=True)
class QuoteRegion:
    """Characters between the marks: ``text[inner_start:inner_end]`` excludes the marks."""

    open_at: int
    close_at: int  # index of the closing mark, or the paragraph end when not closed
    closed: bool

    @property
    def inner_start(self) -> int:
        return self.open_at + 1

    @property
    def inner_end(self) -> int:
        return self.close_at

    def contains(self, start: int, end: int) -> bool:
        return self.inner_start <= start and end <= self.inner_end


# A list item's marker at a line's start: a dash or bullet, or a number with "." or ")".
LIST_MARKER = re.compile(r"(?:[-*•·–—]|\d{1,2}[.)])[ \t]+(?=\S)")
# Line breaks in mid-sentence before a lower-case word that make a text hard-wrapped; the
# 171 Wikinews 2019 articles have none, and a headline on the line above the body is none.
WRAPPED_TEXT_BREAKS = 3
# A wrapped line is at least this long: headings, list items and captions that end without
# punctuation are shorter (the Wikinews articles have 2 such lines, of 21 and 35 characters).
WRAPPED_LINE = 50


def _mid_sentence_break(text: str, index: int, line_start: int) -> str | None:
    """How the line ending at the break ``index`` goes on, where it stops in mid-sentence (a
    letter, digit or comma last) and the next line goes on at once with a word: "lower" or
    "upper"; else None."""
    end = index - 1 if index > 0 and text[index - 1] == "\r" else index
    before = text[end - 1] if end > line_start else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if not (before.isalnum() or before in ",;") or not after.isalnum():
        return None
    if LIST_MARKER.match(text, index + 1):
        return None
    return "lower" if after.islower() else "upper"


def _wrapped_lines(text: str) -> set[int]:
    """The line breaks that wrap a sentence, where the text is hard-wrapped at a fixed width
    as some plain-text dumps are ("waiting times at the|new clinic"): a break before a
    lower-case word, and, once the text has `WRAPPED_TEXT_BREAKS` of those, a break after a
    line as long as a wrapped one ("the|Orwell Bank")."""
    breaks, line_start = [], 0
    for match in re.finditer(r"\n", text):
        kind = _mid_sentence_break(text, match.start(), line_start)
        if kind is not None:
            breaks.append((match.start(), kind, match.start() - line_start))
        line_start = match.end()
    lower = [i for i, kind, length in breaks if kind == "lower" and length >= 20]
    if len(lower) < WRAPPED_TEXT_BREAKS:
        return set(lower)
    return set(lower) | {i for i, kind, length in breaks if length >= WRAPPED_LINE}


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph; a paragraph ends at a line break that does
    not wrap a sentence (`_wrapped_lines`)."""
    bounds, start = [], 0
    wrapped = _wrapped_lines(text)
    for match in re.finditer(r"\n", text):
        if match.start() in wrapped:
            continue
        if text[start:match.start()].strip():
            bounds.append((start, match.start()))
        start = match.end()
    if text[start:].strip():
        bounds.append((start, len(text)))
    return bounds


def _is_opening_straight(text: str, index: int, start: int) -> bool:
    """A straight quote opens when nothing word-like stands right before it."""
    return index == start or not (text[index - 1].isalnum() or text[index - 1] in ".,!?;:%)")


def _regions_in_paragraph(text: str, start: int, end: int) -> list[QuoteRegion]:
    regions: list[QuoteRegion] = []
    open_at: int | None = None
    open_mark = ""
    for index in range(start, end):
        char = text[index]
        if char not in DOUBLE_MARKS:
            continue
        if open_at is None:
            opens = char in CLOSERS or (
                char == STRAIGHT and _is_opening_straight(text, index, start))
            if opens:
                open_at, open_mark = index, char
            continue
        if char in CLOSERS.get(open_mark, STRAIGHT):
            regions.append(QuoteRegion(open_at, index, True))
            open_at = None
        elif char == open_mark and char in CLOSERS:
            # A second opening mark: the first one was stray. Restart from here.
            open_at = index
    if open_at is not None:
        regions += _left_open(text, open_at, end)
    return regions


def _left_open(text: str, open_at: int, end: int) -> list[QuoteRegion]:
    """The region of a mark nothing closed: to the paragraph's last non-space character.
    (Stripping from the mark, not from the text's start, keeps it linear in the paragraph.)"""
    inner_end = open_at + len(text[open_at:end].rstrip())
    return [QuoteRegion(open_at, inner_end, False)] if inner_end > open_at + 1 else []


def runs_on(text: str, region: QuoteRegion) -> bool:
    """A region left open at its paragraph's end whose next paragraph opens with a quotation
    mark: the news convention for a quotation over several paragraphs (each re-opens the
    mark, only the last one closes it), not a stray mark."""
    if region.closed:
        return False
    rest = text[region.inner_end:]
    after = rest.lstrip()
    return "\n" in rest[:len(rest) - len(after)] and after[:1] in (
        *CLOSERS, STRAIGHT, SINGLE_OPENING, APOSTROPHE)


def single_quote_style(text: str) -> bool:
    """British house style: quotations in single marks ('…,' she said), no double mark
    anywhere. An article with double marks uses single ones only inside them or for scare
    quotes, and keeps its apostrophes out of the regions."""
    return not any(mark in text for mark in DOUBLE_MARKS)


def _opens_single(text: str, index: int, start: int) -> bool:
    """‘ opens; so does ' with a space (or the paragraph's start, a bracket or a dash) before
    it and a word after it. An apostrophe inside a word ("don't") does neither."""
    if text[index] == SINGLE_OPENING:
        return True
    if text[index] != APOSTROPHE or index + 1 >= len(text) or text[index + 1].isspace():
        return False
    return index == start or text[index - 1].isspace() or text[index - 1] in "([—–-"


def _closes_single(text: str, index: int, end: int) -> bool:
    """’ or ' right after a word or punctuation and before a space, punctuation or the
    paragraph's end; a plural possessive ("the workers' union": after an "s", before a
    lower-case word) is an apostrophe."""
    if text[index] not in (SINGLE_CLOSING, APOSTROPHE) or text[index - 1].isspace():
        return False
    after = text[index + 1:end]
    if after and after[0].isalnum():
        return False  # "don't", "O’Neill"
    possessive = text[index - 1] == "s" and after[:1] == " " and after[1:2].islower()
    return not possessive


def _single_regions_in_paragraph(text: str, start: int, end: int) -> list[QuoteRegion]:
    regions: list[QuoteRegion] = []
    open_at: int | None = None
    for index in range(start, end):
        if text[index] not in SINGLE_MARKS:
            continue
        if open_at is None:
            if _opens_single(text, index, start):
                open_at = index
        elif index > open_at + 2 and _closes_single(text, index, end):  # not "rock 'n' roll"
            regions.append(QuoteRegion(open_at, index, True))
            open_at = None
    # Left open: a quotation running on into the next paragraph opens its paragraph; any
    # other unmatched mark is more likely an apostrophe ("rock 'n' roll").
    if open_at is not None and not text[start:open_at].strip():
        regions += _left_open(text, open_at, end)
    return regions


def find_quote_regions(text: str) -> list[QuoteRegion]:
    in_paragraph = (_single_regions_in_paragraph if single_quote_style(text)
                    else _regions_in_paragraph)
    regions: list[QuoteRegion] = []
    for start, end in paragraph_bounds(text):
        regions.extend(in_paragraph(text, start, end))
    return regions


# ---------------------------------------------------------------- on the Doc

QUOTES_KEY = "quotes"
PARAGRAPHS_KEY = "paragraphs"

Span.set_extension("quote_region", default=None, force=True)


def quote_regions(doc: Doc) -> list[QuoteRegion]:
    """The article's quote regions, computed once and kept in ``doc.spans["quotes"]``."""
    if QUOTES_KEY not in doc.spans:
        spans = []
        for region in find_quote_regions(doc_text(doc)):
            span = doc.char_span(region.open_at, region.close_at + int(region.closed),
                                 alignment_mode="expand")
            if span is not None:
                span._.quote_region = region
                spans.append(span)
        doc.spans[QUOTES_KEY] = spans
    return [span._.quote_region for span in doc.spans[QUOTES_KEY]
            if span._.quote_region is not None]


def paragraph_spans(doc: Doc) -> list[Span]:
    """The article's paragraphs, computed once and kept in ``doc.spans["paragraphs"]``."""
    if PARAGRAPHS_KEY not in doc.spans:
        spans = [doc.char_span(start, end, alignment_mode="expand")
                 for start, end in paragraph_bounds(doc_text(doc))]
        doc.spans[PARAGRAPHS_KEY] = [span for span in spans if span is not None]
    return list(doc.spans[PARAGRAPHS_KEY])
