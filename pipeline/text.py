"""The article text of a Doc, built once per Doc.

spaCy's ``Doc.text`` joins every token's text each time it is read, so one read costs a pass
over the whole article. Attribution spans, quote regions, paragraphs and stand-alone claim
texts slice it thousands of times per article (on 40 Wikinews articles those reads took half
of a rules-only run), so the string is kept in ``doc.user_data``: a Doc's text never changes
after tokenisation.
"""

from __future__ import annotations

from spacy.tokens import Doc

_KEY = "claimtrace.text"


def doc_text(doc: Doc) -> str:
    text = doc.user_data.get(_KEY)
    if text is None:
        text = doc.user_data[_KEY] = doc.text
    return text
