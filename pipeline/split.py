"""Stage 2 — split: sentence units with character offsets into the original text.

Two small components around spaCy's parser:
- ``claimtrace_presplit`` (before the parser) fixes boundaries the parser gets wrong in news:
  line breaks (datelines, headings, bylines) always start a sentence, a wire dateline
  (``WASHINGTON (AP) —``) is cut off, and no sentence starts inside a closed quotation (or one
  that runs on into the next paragraph), so a multi-sentence quote stays with its attribution.
  The parser respects these presets.
- ``claimtrace_sentences`` (after the parser) stores the sentence units in
  ``doc.spans["sentences"]`` with ``span._.index`` and ``span._.paragraph``.
"""

from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from claimtrace.pipeline.quotes import LIST_MARKER, paragraph_spans, quote_regions, runs_on
from claimtrace.pipeline.text import doc_text

SENTENCES_KEY = "sentences"
# "WASHINGTON (AP) —", "LONDON, May 3 —": the place in capitals, a state or a day after it.
WIRE_DATELINE = re.compile(
    r"^[A-Z][A-Z.'\- ]{2,40}(?:, [A-Z][A-Za-z.]+(?: \d{1,2})?){0,2}\s*(?:\([^)]{1,30}\))?"
    r"\s*(?:—|–|--|-)\s+")


Span.set_extension("index", default=None, force=True)
Span.set_extension("paragraph", default=None, force=True)


def _token_starting_at(doc: Doc, char: int):
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def _mark_line_starts(doc: Doc) -> None:
    for paragraph in paragraph_spans(doc):
        start = paragraph.start_char
        first = len(doc_text(doc)[start:]) - len(doc_text(doc)[start:].lstrip())
        token = _token_starting_at(doc, start + first)
        if token is not None:
            token.is_sent_start = True
        marker = LIST_MARKER.match(doc_text(doc), start + first)
        if marker:  # the marker starts its item's sentence, it is not one of its own
            after = _token_starting_at(doc, marker.end())
            if after is not None and after.i > 0:
                after.is_sent_start = False
        dateline = WIRE_DATELINE.match(doc_text(doc), start + first)
        if dateline:
            after = _token_starting_at(doc, dateline.end())
            if after is not None and after.i > 0:
                after.is_sent_start = True


def _forbid_starts_inside_quotes(doc: Doc) -> None:
    token_starts = [token.idx for token in doc]
    text = doc_text(doc)
    for region in quote_regions(doc):
        if not (region.closed or runs_on(text, region)):
            continue  # an unbalanced mark: leave that stretch to the parser
        first = bisect.bisect_right(token_starts, region.inner_start)
        last = bisect.bisect_left(token_starts, region.inner_end)
        for token in doc[first:last + 1]:
            if token.idx > region.inner_start and not token.is_space and token.i > 0:
                if token.is_sent_start is None or not doc[token.i - 1].is_space:
                    token.is_sent_start = False


def _keep_restored_boundaries(doc: Doc) -> None:
    """A Doc rebuilt from the split stage's JSONL keeps exactly those sentences."""
    starts = {span.start for span in doc.spans[SENTENCES_KEY]}
    for token in doc[1:]:
        token.is_sent_start = token.i in starts or (
            doc[token.i - 1].is_space and not token.is_space)


@Language.component("claimtrace_presplit")
def presplit(doc: Doc) -> Doc:
    if SENTENCES_KEY in doc.spans:
        _keep_restored_boundaries(doc)
        return doc
    _forbid_starts_inside_quotes(doc)
    _mark_line_starts(doc)  # line breaks win over quote rules: a quote never spans a line
    return doc


def _trim(span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and span.doc[start].is_space:
        start += 1
    while end > start and span.doc[end - 1].is_space:
        end -= 1
    return span.doc[start:end] if end > start else None


# What a verb's own object or clause hangs by: "The mayor said nothing" is no speaker's tail.
OBJECT_DEPS = frozenset({"dobj", "ccomp", "xcomp", "attr", "dative", "oprd", "acomp"})


def _speaker_after_question(before: Span, unit: Span) -> bool:
    """'"Why now?" Ivo Marsh asked.': a sentence that is a quotation ending in "?" or "!"
    and, on its line, a short subject and a verb with no object of its own, the quotation's
    speaker. One sentence (GUIDELINES.md 2), though the parser starts a new one at the
    name's capital."""
    doc, text = unit.doc, doc_text(unit.doc)
    closing = before.end_char - 1
    if "\n" in text[closing:unit.start_char] or len(unit) > 10 or not any(
            region.closed and region.close_at == closing and region.open_at == before.start_char
            and text[region.inner_start:region.inner_end].rstrip()[-1:] in ("?", "!")
            for region in quote_regions(doc)):
        return False
    root = unit.root
    return (any(child.dep_ == "nsubj" and child.i < root.i for child in root.children)
            and not any(child.dep_ in OBJECT_DEPS for child in root.children))


@Language.component("claimtrace_sentences")
def collect_sentences(doc: Doc) -> Doc:
    if SENTENCES_KEY in doc.spans:
        return doc  # restored from an earlier stage: those units are the contract
    paragraph_starts = [paragraph.start_char for paragraph in paragraph_spans(doc)]
    units: list[Span] = []
    for sent in doc.sents:
        unit = _trim(sent)
        if unit is None:
            continue
        if units and _speaker_after_question(units[-1], unit):
            unit = doc[units.pop().start:unit.end]
        unit._.index = len(units)
        unit._.paragraph = max(bisect.bisect_right(paragraph_starts, unit.start_char) - 1, 0)
        units.append(unit)
    doc.spans[SENTENCES_KEY] = units
    return doc


def sentence_spans(doc: Doc) -> list[Span]:
    """The split stage's sentence units. A Doc the split stage never saw (a stage run on its
    own, a test's bare parse) falls back to spaCy's boundaries, then to the whole Doc."""
    if SENTENCES_KEY in doc.spans:
        return list(doc.spans[SENTENCES_KEY])
    if doc.has_annotation("SENT_START"):
        return list(doc.sents)
    return [doc[:]] if len(doc) else []


def sentence_at(doc: Doc, offset: int) -> Span | None:
    """The sentence unit that starts at or before a character offset. A binary search on
    the span group: listing every sentence per lookup made long articles quadratic."""
    if SENTENCES_KEY not in doc.spans:
        return None
    group = doc.spans[SENTENCES_KEY]
    position = bisect.bisect_right(group, offset, key=lambda s: s.start_char) - 1
    return group[position] if position >= 0 else None
