"""The tagger's PolNeAR-style triples read in the project's span conventions.

PolNeAR contents keep quotation marks and a leading "that", and its sources are whole noun
phrases ("Elena Marsh, the chief engineer at the port,"). The project's contents drop both,
and its source is the name, with the title or apposition kept as the description — exactly
what the rules produce, so the merge can compare like with like.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Doc, Span, Token

from claimtrace.pipeline.attribute.attribution import (
    EDGE_PUNCT,
    QUOTE_MARKS,
    Attribution,
    CharSpan,
    trimmed,
)
from claimtrace.pipeline.attribute.lexicon import cue_kind, load_lexicon
from claimtrace.pipeline.attribute.rules import (
    classify_source,
    clause_content,
    cue_span,
    noun_phrase_tokens,
    quote_type_of,
    source_mention,
)
from claimtrace.pipeline.quotes import quote_regions
from claimtrace.pipeline.split import sentence_at
from claimtrace.pipeline.text import doc_text


def covering(fragments: list[list[int]] | None) -> CharSpan | None:
    if not fragments:
        return None
    return CharSpan(min(f[0] for f in fragments), max(f[1] for f in fragments))


def project_content(doc: Doc, content: CharSpan | None) -> CharSpan | None:
    """Without a leading "that" and without the quotation marks around it, and within one
    line: a line break ends every sentence (GUIDELINES.md 2), but a window's content can run
    on into the next list item or paragraph. Of a content over several lines the longest
    line's part is kept (the item it opened, or most of a clause a hard wrap cut)."""
    if content is None:
        return None
    start, end = content.start, content.end
    if doc_text(doc)[start:start + 5].lower() == "that " and end - start > 5:
        start += 5
    lines = [trimmed(doc, start + match.start(), start + match.end(),
                     EDGE_PUNCT + QUOTE_MARKS + "\r")
             for match in re.finditer(r"[^\n]+", doc_text(doc)[start:end])]
    return max((line for line in lines if line), key=lambda line: line.end - line.start,
               default=None)


def project_source(doc: Doc, source: CharSpan | None
                   ) -> tuple[CharSpan | None, str | None, str, dict]:
    """(source span, description, source type, extra) for the tagger's source phrase."""
    if source is None:
        return None, None, "other", {}
    span = source.tokens(doc)
    if span is None or not len(span):
        return source, None, "other", {}
    head, lexicon = span.root, load_lexicon()
    mention = source_mention(doc, head, lexicon)
    if mention is None or not (source.start <= mention.span.start < source.end):
        source_type = classify_source(doc, head, noun_phrase_tokens(head), lexicon)
        return trimmed(doc, source.start, source.end, EDGE_PUNCT), None, source_type, {
            "head": head.i}
    return mention.span, mention.description, mention.source_type, {"head": mention.head.i}


def project_cue(doc: Doc, cue: CharSpan | None) -> CharSpan | None:
    """The verb group, as the rules read it: "also warned of" -> "warned", "told Reuters" ->
    "told", "released a statement saying" -> "saying" (the reporting verb the lexicon lists
    before any other); fixed phrases ("according to") stay whole."""
    if cue is None:
        return None
    lexicon = load_lexicon()
    lowered = cue.text(doc).lower()
    if any(phrase in lowered for phrase in lexicon.phrases):
        return trimmed(doc, cue.start, cue.end, EDGE_PUNCT)
    span = cue.tokens(doc)
    verbs = [t for t in span if t.pos_ == "VERB"] if span is not None else []
    if not verbs:
        return trimmed(doc, cue.start, cue.end, EDGE_PUNCT)
    listed = [v for v in verbs if lexicon.lemma_fixes.get(v.lemma_, v.lemma_) in lexicon.verbs]
    if listed:
        return cue_span(listed[0])
    return with_governed_words(span, verbs[0])


def with_governed_words(span: Span, verb: Token) -> CharSpan:
    """A verb the lexicon does not list reports through the words it governs in the tagger's
    cue ("expressed concern", "made clear", "made the claim", "chimed in"): without them the
    verb alone is no cue (GUIDELINES.md 3: the verb group or the fixed phrase). The cue runs
    on to the last of them where all hang on the verb and none is a verb, a person told
    ("informed them": a name or a pronoun other than the "it" of "made it very clear") or a
    preposition whose object lies outside ("filed a lawsuit against", "was condemned by":
    who is sued, who condemns)."""
    group = cue_span(verb)
    tail = [t for t in span if t.i > verb.i and not t.is_punct]
    subtree = {t.i for t in verb.subtree}
    if not tail or any(t.i not in subtree or t.pos_ in {"VERB", "AUX", "PROPN"}
                       or t.pos_ == "PRON" and t.lower_ != "it"
                       or t.pos_ == "ADP" and any(c.dep_ == "pobj" for c in t.children)
                       for t in tail):
        return group
    return CharSpan(group.start, max(group.end, tail[-1].idx + len(tail[-1])))


def sentence_index(doc: Doc, start: int) -> int | None:
    sentence = sentence_at(doc, start)
    return sentence._.index if sentence is not None else None


def parsed_content(doc: Doc, cue: CharSpan | None, content: CharSpan) -> CharSpan:
    """The cue verb's reported clause, read as the rules read it, where it overlaps the
    tagger's content: the parse knows where a clause ends better than PolNeAR's edges. Not a
    clause that starts inside the cue ("made clear that …", "made it clear that …": the
    parser read "clear" or "it clear" as the clause), which is the cue's own words."""
    if cue is None:
        return content
    span = cue.tokens(doc)
    verbs = [t for t in span if t.pos_ in {"VERB", "AUX"}] if span is not None else []
    clause = clause_content(doc, verbs[-1]) if verbs else None
    if clause is None or not clause.overlaps(content) or cue.start <= clause.start < cue.end:
        return content
    return clause


def past_own_cue(doc: Doc, content: CharSpan, cue: CharSpan | None,
                 source: CharSpan | None = None) -> CharSpan:
    """A content that runs over its own cue ("which local radio said were contained",
    "These whales, she suggested, hunt at night") is what follows the cue: the source
    and the cue are not what is attributed. Where a single word at most follows the cue
    ("…, he said, too."), the content is what precedes the source and the cue."""
    if cue is None or not content.start < cue.start < cue.end < content.end:
        return content
    after = trimmed(doc, cue.end, content.end, EDGE_PUNCT + QUOTE_MARKS)
    if after is not None and len(after.text(doc).split()) >= 2:
        return after
    end = cue.start
    if source is not None and content.start < source.start < cue.start:
        end = source.start
    return trimmed(doc, content.start, end, EDGE_PUNCT + QUOTE_MARKS) or content


def tagger_attribution(doc: Doc, item: dict[str, Any]) -> Attribution | None:
    """One linked tagger triple as an `Attribution` in the project's conventions."""
    content = project_content(doc, covering(item["content"]))
    if content is None:
        return None
    source, description, source_type, extra = project_source(doc, covering(item.get("source")))
    cue = project_cue(doc, covering(item.get("cue")))
    content = past_own_cue(doc, parsed_content(doc, cue, content), cue, source)
    kind = cue_kind(doc, cue.start, cue.end) if cue else "speech"
    return Attribution(content=content, source=source, cue=cue,
                       quote_type=quote_type_of(content, quote_regions(doc)), kind=kind,
                       description=description, source_type=source_type, construction="tagger",
                       method="model", sentence_index=sentence_index(doc, content.start),
                       confidence=item.get("confidence"), extra=extra)
