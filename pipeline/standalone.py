"""Stand-alone claim text: a claim's verbatim span, readable without the article around it."""

from __future__ import annotations

from spacy.tokens import Doc

from claimtrace.pipeline.attribute import CharSpan


def standalone_text(doc: Doc, span: CharSpan) -> str:
    return span.text(doc)
