"""Quotation-mark regions and paragraphs, computed once per `Doc` and read by every stage.

News text mixes straight and curly quotes, and often leaves a quote open at the end of a
paragraph when the quotation runs on into the next one. Regions are found per paragraph;
an unmatched opening mark yields a region that runs to the paragraph's end, flagged as not
closed, so one stray mark never derails the rest of the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from claimtrace.pipeline.text import doc_text

OPENING_CURLY = "“"
CLOSING_CURLY = "”"
STRAIGHT = '"'


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


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph; a paragraph ends at a line break."""
    bounds, start = [], 0
    for match in re.finditer(r"\n", text):
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
        if char not in (OPENING_CURLY, CLOSING_CURLY, STRAIGHT):
            continue
        if open_at is None:
            opens = char == OPENING_CURLY or (
                char == STRAIGHT and _is_opening_straight(text, index, start))
            if opens:
                open_at, open_mark = index, char
            continue
        closes = (open_mark == OPENING_CURLY and char == CLOSING_CURLY) or (
            open_mark == STRAIGHT and char == STRAIGHT)
        if closes:
            regions.append(QuoteRegion(open_at, index, True))
            open_at = None
        elif char == OPENING_CURLY and open_mark == OPENING_CURLY:
            # A second opening mark: the first one was stray. Restart from here.
            open_at = index
    if open_at is not None:
        inner_end = len(text[:end].rstrip())
        if inner_end > open_at + 1:
            regions.append(QuoteRegion(open_at, inner_end, False))
    return regions


def find_quote_regions(text: str) -> list[QuoteRegion]:
    regions: list[QuoteRegion] = []
    for start, end in paragraph_bounds(text):
        regions.extend(_regions_in_paragraph(text, start, end))
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
