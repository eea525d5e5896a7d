"""Baseline beside the pipeline: textacy's rule-based ``direct_quotations``.

textacy (``pip install 'claimtrace[baseline]'``) is an optional extra; without it the
harness skips this system with a note. ``direct_quotations`` finds quoted passages with a
reporting verb and its subject nearby (loosely after Krestel, Bergler and Witte 2008), so it
sees direct quotes only: its recall on indirect speech is 0 by construction, which is part
of what the comparison shows.

Adapter choices (listed in the report):
- speaker and cue come back as token lists (a speaker with conjuncts and compounds, a verb
  with auxiliaries and negation); each is scored as its covering span, first token to last;
- content comes back with its quotation marks; the scorers' normalisation removes them;
- textacy gives up on a whole document with an odd number of quotation marks. News text
  often has one stray mark, so the adapter then runs it paragraph by paragraph and drops
  only the paragraphs that still fail (counted in the report as ``fallbacks``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from claimtrace.evaluation.scorers import Fragments, SpanAttribution
from claimtrace.settings import SPACY_MODEL

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

INSTALL_HINT = "pip install -c constraints.txt 'textacy==0.13.0' (the 'baseline' extra)"


class SystemUnavailable(RuntimeError):
    """A system that cannot run here (missing package or model); the harness skips it."""


def _covering(tokens: list[Token]) -> Fragments:
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    return ((start, end),)


def _shift(fragments: Fragments, offset: int) -> Fragments:
    return tuple((start + offset, end + offset) for start, end in fragments)


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, paragraph text) for each non-empty line block."""
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            yield offset, line
        offset += len(line) + 1


@dataclass
class TextacyQuotes:
    """``text -> attributions`` with textacy's direct quotations; counts its fall-backs."""

    nlp: Language
    fallbacks: int = 0  # articles re-run paragraph by paragraph
    dropped_paragraphs: int = 0
    notes: list[str] = field(default_factory=list)

    def _triples(self, doc: Doc, offset: int) -> list[SpanAttribution]:
        from textacy.extract.triples import direct_quotations

        found = []
        for speaker, cue, content in direct_quotations(doc):
            found.append(SpanAttribution(
                source=_shift(_covering(list(speaker)), offset),
                cue=_shift(_covering(list(cue)), offset),
                content=_shift(((content.start_char, content.end_char),), offset),
                quote_type="direct", kind="speech"))
        return found

    def __call__(self, text: str) -> list[SpanAttribution]:
        try:
            return self._triples(self.nlp(text), 0)
        except ValueError:  # unbalanced quotation marks: textacy refuses the whole document
            self.fallbacks += 1
        found: list[SpanAttribution] = []
        for offset, paragraph in _paragraphs(text):
            try:
                found.extend(self._triples(self.nlp(paragraph), offset))
            except ValueError:
                self.dropped_paragraphs += 1
        return found


def load_textacy(spacy_model: str = SPACY_MODEL) -> TextacyQuotes:
    """The textacy baseline on the same spaCy model as the pipeline (NER not needed)."""
    try:
        import textacy.extract.triples  # noqa: F401
    except ImportError as err:
        raise SystemUnavailable(f"textacy is not installed ({err}); {INSTALL_HINT}") from err
    import spacy

    return TextacyQuotes(spacy.load(spacy_model, exclude=["ner"]))
