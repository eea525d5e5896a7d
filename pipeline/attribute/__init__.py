"""Stage 3 — attribute: who said what, as (source, cue, content) triples on the `Doc`.

One module per job, one span group per producer:

- `rules` — constructions on the dependency parse -> ``doc.spans["attributions_rules"]``;
- `tagger` — the learned BIO tagger (constrained decoding), `linking` into triples and
  `convention` for the project's span edges -> ``doc.spans["attributions_tagger"]``;
- `merge` — the configured combination -> ``doc.spans["attributions"]``;
- `speakers` — one speaker-resolution pass over the merged attributions;
- `lexicon` — the one cue lexicon (``lexicon.json``) and its loader.

Importing this package registers every component factory; nothing here imports
``claimtrace.training`` or ``claimtrace.evaluation``.
"""

from claimtrace.pipeline.attribute import merge, rules, speakers, tagger  # noqa: F401
from claimtrace.pipeline.attribute.attribution import (
    ATTRIBUTIONS_KEY,
    RULES_KEY,
    TAGGER_KEY,
    Attribution,
    CharSpan,
    attributions_of,
    set_attributions,
)
from claimtrace.pipeline.attribute.lexicon import Lexicon, cue_kind, load_lexicon
from claimtrace.pipeline.attribute.rules import find_attributions
from claimtrace.pipeline.attribute.speakers import resolve_speakers

COMPONENTS = ("claimtrace_attribute_rules", "claimtrace_attribute_tagger",
              "claimtrace_attribute_merge", "claimtrace_speakers")

__all__ = [
    "ATTRIBUTIONS_KEY", "COMPONENTS", "RULES_KEY", "TAGGER_KEY", "Attribution", "CharSpan",
    "Lexicon", "attributions_of", "cue_kind", "find_attributions", "load_lexicon",
    "resolve_speakers", "set_attributions",
]
