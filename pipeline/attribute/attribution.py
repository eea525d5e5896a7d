"""The attribution record and where it lives on the `Doc`.

Every producer (the rules, the tagger) writes `Attribution`s into its own span group; the
merge writes the combined ones into ``doc.spans["attributions"]``, which the speaker resolver
updates in place and the exporter reads. Each span covers the content; ``span._.attribution``
holds the full record.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from claimtrace.pipeline.text import doc_text

ATTRIBUTIONS_KEY = "attributions"
RULES_KEY = "attributions_rules"
TAGGER_KEY = "attributions_tagger"

EDGE_PUNCT = " \t\n,;:.—–-"
QUOTE_MARKS = "\"“”‘’'«»„"

Span.set_extension("attribution", default=None, force=True)


ENTITIES_KEY = "claimtrace_entities"


def entities(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, built once per Doc: spaCy builds the tuple anew on every access by
    walking all the tokens, and the rules ask for it per attribution, which made long
    articles quadratic. The entity tagger runs before any claimtrace component, and none
    changes the entities."""
    cached = doc.user_data.get(ENTITIES_KEY)
    if cached is None or cached[0] != len(doc):
        cached = (len(doc), tuple(doc.ents))
        doc.user_data[ENTITIES_KEY] = cached
    return cached[1]


def entities_in(span: Span) -> list[Span]:
    """The entities wholly inside ``span``, as ``span.ents`` gives them, found by a binary
    search on `entities`: ``span.ents`` walks every entity of the Doc per call."""
    found = entities(span.doc)
    first = bisect_left(found, span.start, key=lambda ent: ent.start)
    inside = []
    for ent in found[first:]:
        if ent.start >= span.end:
            break
        if ent.end <= span.end:
            inside.append(ent)
    return inside


@dataclass(frozen=True)
class CharSpan:
    start: int
    end: int

    def text(self, doc: Doc) -> str:
        return doc_text(doc)[self.start:self.end]

    def tokens(self, doc: Doc) -> Span | None:
        """The tokens these characters touch (a token cut by an edge counts)."""
        return doc.char_span(self.start, self.end, alignment_mode="expand")

    def overlaps(self, other: CharSpan) -> bool:
        return self.start < other.end and other.start < self.end

    def shared(self, other: CharSpan) -> int:
        """Characters the two spans have in common."""
        return max(0, min(self.end, other.end) - max(self.start, other.start))


@dataclass(frozen=True)
class Attribution:
    """One attribution triple. Offsets index the article text; `source`/`cue` may be None
    (a continuation has neither: its speaker is carried in `resolved`)."""

    content: CharSpan
    source: CharSpan | None
    cue: CharSpan | None
    quote_type: str
    kind: str = "speech"
    resolved: str | None = None
    description: str | None = None
    source_type: str = "other"
    construction: str = ""
    method: str = "rules"
    sentence_index: int | None = None
    role: str | None = None  # "spokesman" in "a spokesman for the ministry"
    organization: str | None = None  # "the ministry" there, resolved where the text allows
    confidence: float | None = None  # tagger probability, or the rule construction's precision
    extra: dict = field(default_factory=dict, compare=False)

    def source_head(self, doc: Doc) -> Token | None:
        """The head token of the source phrase, where the producer recorded it."""
        return doc[self.extra["head"]] if "head" in self.extra else None


def trimmed(doc: Doc, start: int, end: int, strip: str = EDGE_PUNCT) -> CharSpan | None:
    """Shrink [start, end) past edge punctuation and whitespace; None if nothing is left."""
    text = doc_text(doc)
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return CharSpan(start, end) if end > start else None


def token_range(tokens: Iterable[Token]) -> CharSpan | None:
    tokens = sorted(tokens, key=lambda token: token.i)
    if not tokens:
        return None
    return CharSpan(tokens[0].idx, tokens[-1].idx + len(tokens[-1]))


def set_attributions(doc: Doc, attributions: list[Attribution],
                     key: str = ATTRIBUTIONS_KEY) -> None:
    spans = []
    for attribution in attributions:
        span = attribution.content.tokens(doc)
        if span is None:
            continue
        span._.attribution = attribution
        spans.append(span)
    doc.spans[key] = spans


def attributions_of(doc: Doc, key: str = ATTRIBUTIONS_KEY) -> list[Attribution]:
    if key not in doc.spans:
        return []
    return [span._.attribution for span in doc.spans[key] if span._.attribution is not None]
