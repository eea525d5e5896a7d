"""Merge: the producers' span groups -> ``doc.spans["attributions"]``.

- ``rules``: the rules' attributions as they are.
- ``model``: the tagger's attributions; where the rules found the same one (the contents
  share characters) the rules' attribution stands in for it.
- ``hybrid``: ``model``, plus the rule attributions whose content touches no tagger content
  (continuations, "reportedly", constructions PolNeAR does not label).

Where both found an attribution the rules' spans win: they follow the project's span
conventions, and the tagger's edges follow PolNeAR's even after `convention` has read them.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from claimtrace.pipeline.attribute.attribution import (
    RULES_KEY,
    TAGGER_KEY,
    Attribution,
    attributions_of,
    set_attributions,
)
from claimtrace.settings import ATTRIBUTION_METHODS


def merge(rules: list[Attribution], tagger: list[Attribution], method: str
          ) -> list[Attribution]:
    """The attributions ``method`` keeps, in text order (see module docstring)."""
    if method not in ATTRIBUTION_METHODS:
        raise ValueError(f"attribution method must be one of {ATTRIBUTION_METHODS}, "
                         f"got {method!r}")
    if method == "rules":
        return list(rules)
    used: set[int] = set()
    merged = []
    for found in tagger:
        overlap, best = max(((found.content.shared(rule.content), i)
                             for i, rule in enumerate(rules) if i not in used), default=(0, -1))
        if overlap:
            used.add(best)
            merged.append(replace(rules[best], method="hybrid",
                                  confidence=rules[best].confidence or found.confidence))
        else:
            merged.append(found)
    if method == "hybrid":
        # Against the merged contents: a matched pair now has the rule's (often shorter)
        # content, and rule attributions beside it must not be lost.
        kept = [a.content for a in merged]
        merged += [rule for i, rule in enumerate(rules)
                   if i not in used and not any(rule.content.overlaps(c) for c in kept)]
    return sorted(merged, key=lambda a: (a.content.start, a.content.end))


@Language.factory("claimtrace_attribute_merge", assigns=["doc.spans"],
                  default_config={"method": "rules"})
def make_attribute_merge(nlp: Language, name: str, method: str):
    merge([], [], method)  # validates the method when the pipeline is built

    def attribute_merge(doc: Doc) -> Doc:
        found = merge(attributions_of(doc, RULES_KEY), attributions_of(doc, TAGGER_KEY), method)
        set_attributions(doc, found)
        return doc

    return attribute_merge
