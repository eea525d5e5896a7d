"""Learned + rule-based attribution on one `Doc`: ``attribution_method`` = model | hybrid.

The tagger (`claimtrace_attribute_model`) leaves its triples on ``doc._.model_attributions``;
the rules (`claimtrace_attribute`) leave theirs on ``doc.spans["attributions"]``. This
component replaces the latter with the combination, then runs the rule stage's speaker
resolution over the result, so model-found sources get ``resolved``, descriptions and types
too. Where both find an attribution the rules' spans are kept: they follow the project's
span conventions and win on exact match on the gold set (model card, "Model, rules and
hybrids"), while the model adds what the rules miss — most reported speech.

- ``model``: the model's attributions only, with rule spans and labels where the rules
  found the same one.
- ``hybrid``: ``model`` plus the rule attributions the model did not touch (continuations,
  "reportedly", constructions PolNeAR does not label).
"""

from __future__ import annotations

import bisect
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from claimtrace.pipeline.attribute import (
    EDGE_PUNCT,
    QUOTE_MARKS,
    Attribution,
    CharSpan,
    attributions_of,
    classify_source,
    load_lexicon,
    noun_phrase_tokens,
    quote_type_of,
    resolve_speakers,
    set_attributions,
    source_mention,
    trimmed,
)
from claimtrace.pipeline.attribute_model import merge_with_rules
from claimtrace.pipeline.quotes import find_quote_regions
from claimtrace.pipeline.split import sentence_spans
from claimtrace.settings import ATTRIBUTION_METHODS

LEARNED_METHODS = tuple(m for m in ATTRIBUTION_METHODS if m != "rules")

def _fragments(span: CharSpan | None) -> list[list[int]] | None:
    return None if span is None else [[span.start, span.end]]


def _covering(fragments: list[list[int]] | None) -> CharSpan | None:
    if not fragments:
        return None
    return CharSpan(min(f[0] for f in fragments), max(f[1] for f in fragments))


def rule_to_dict(attribution: Attribution, index: int) -> dict:
    return {"source": _fragments(attribution.source), "cue": _fragments(attribution.cue),
            "content": _fragments(attribution.content), "kind": attribution.kind,
            "rule_index": index}


def _sentence_index(doc: Doc, start: int) -> int | None:
    sentences = sentence_spans(doc)
    starts = [s.start_char for s in sentences]
    position = bisect.bisect_right(starts, start) - 1
    return sentences[position]._.index if position >= 0 else None


def model_to_attribution(doc: Doc, item: dict, regions) -> Attribution | None:
    """A tagger triple as an `Attribution`; labels come from the rules' resolver later."""
    content = project_content(doc, _covering(item["content"]))
    if content is None:
        return None
    source, description, source_type, extra = _project_source(doc, _covering(item.get("source")))
    return Attribution(content=content, source=source, cue=_covering(item.get("cue")),
                       quote_type=quote_type_of(content, regions, doc),
                       kind=item.get("kind", "speech"), description=description,
                       source_type=source_type, construction="model", method="model",
                       sentence_index=_sentence_index(doc, content.start), extra=extra)


def project_content(doc: Doc, content: CharSpan | None) -> CharSpan | None:
    """PolNeAR contents keep quotation marks and a leading "that"; the project's do not."""
    if content is None:
        return None
    text = doc.text
    start, end = content.start, content.end
    if text[start:start + 5].lower() == "that " and end - start > 5:
        start += 5
    return trimmed(doc, start, end, EDGE_PUNCT + QUOTE_MARKS)


def _project_source(doc: Doc, source: CharSpan | None
                    ) -> tuple[CharSpan | None, str | None, str, dict]:
    """The tagger's source span ("Elena Marsh, the chief engineer …,") read the rules' way:
    the name as source, the apposition or title as description."""
    if source is None:
        return None, None, "other", {}
    span = doc.char_span(source.start, source.end, alignment_mode="expand")
    if span is None or not len(span):
        return source, None, "other", {}
    head = span.root
    mention = source_mention(doc, head, load_lexicon())
    if mention is None or not (source.start <= mention.span.start < source.end):
        return source, None, classify_source(doc, head, noun_phrase_tokens(head),
                                             load_lexicon()), {"head": head.i}
    return mention.span, mention.description, mention.source_type, {"head": head.i}


def combine(doc: Doc, rules: list[Attribution], model: list[dict], method: str
            ) -> list[Attribution]:
    regions = find_quote_regions(doc.text)
    merged = merge_with_rules(model, [rule_to_dict(a, i) for i, a in enumerate(rules)],
                              add_unmatched_rules=method == "hybrid", prefer="rules")
    # A matched pair carries the rule's content fragments (prefer="rules"): find its rule.
    by_content = {tuple(map(tuple, _fragments(a.content))): i for i, a in enumerate(rules)}
    combined = []
    for item in merged:
        index = item.get("rule_index")
        if index is None and item["method"] == "hybrid":
            index = by_content.get(tuple(map(tuple, item["content"])))
        if index is not None:  # the rules' own attribution (matched or rule-only)
            rule = rules[index]
            combined.append(replace(rule, method="hybrid" if item["method"] == "hybrid"
                                    else "rules"))
        else:
            attribution = model_to_attribution(doc, item, regions)
            if attribution is not None:
                combined.append(attribution)
    combined.sort(key=lambda a: (a.content.start, a.content.end))
    # Resolution needs text order and sees every source, whichever side found it.
    return resolve_speakers(doc, [_unresolved(a) for a in combined], load_lexicon())


def _unresolved(attribution: Attribution) -> Attribution:
    if attribution.construction == "continuation":
        return replace(attribution, resolved=None)
    return attribution


@Language.factory("claimtrace_attribute_hybrid", default_config={"method": "hybrid"})
def make_attribute_hybrid(nlp: Language, name: str, method: str):
    if method not in LEARNED_METHODS:
        raise ValueError(f"attribution method must be 'model' or 'hybrid', got {method!r}")

    def attribute_hybrid(doc: Doc) -> Doc:
        model = doc._.model_attributions or []
        set_attributions(doc, combine(doc, attributions_of(doc), model, method))
        return doc

    return attribute_hybrid
