"""The attribution lexicon (``lexicon.json``): one data file, one loader, for every producer.

Cue words are matched by their spaCy lemma, so "says", "said" and "saying" need no
hand-written inflection rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc

from claimtrace.pipeline.text import doc_text

LEXICON_PATH = Path(__file__).with_name("lexicon.json")


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, str]  # reporting verbs the rules take as cues: lemma -> kind
    prepositional_cues: dict[str, list[str]]  # "spoke of", "called for": lemma -> preps
    speech_lemmas: frozenset[str]
    belief_lemmas: frozenset[str]
    default_kind: str
    lemma_fixes: dict[str, str]  # lemmatizer mistakes on cue words: "hoped" -> "hop"
    phrases: dict[str, str]
    anonymous_heads: frozenset[str]
    document_heads: frozenset[str]
    organization_heads: frozenset[str]
    honorifics: frozenset[str]
    courtesy_titles: frozenset[str]
    hedging_adverbs: frozenset[str]
    name_particles: frozenset[str]  # "van", "der", "dela": lower-case words inside names
    gendered_words: dict[str, frozenset[str]]  # "feminine"/"masculine" -> "Mrs.", "spokesman"
    quotation_only_verbs: frozenset[str]  # "continue": a clause it governs is not reported
    object_acts: frozenset[str]  # "declare": with a noun-phrase object, an act, not a report
    vehicle_heads: frozenset[str]  # "statement": the form a report takes, not its author
    addressee_verbs: frozenset[str]  # "tell": the first object is the person told
    norm_heads: frozenset[str]  # "plan": "according to plan" says how, not who says so
    catenative_verbs: frozenset[str]  # "seem": "seemed to say" is one verb group
    source_prepositions: frozenset[str]  # "per": "per the ministry, …" as "according to"
    report_nouns: frozenset[str]  # "claim": "Ruiz's claim that …" reports the clause
    intention_words: frozenset[str]  # "plan": "plans to widen the road" is no report
    view_nouns: frozenset[str]  # "view": "In Ruiz's view, …" is Ruiz's belief
    # Titles and words for people together ("minister", "Dr.", "spokesman"), built once:
    # speakers and roles ask for the union per token.
    people_words: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "people_words", self.honorifics | self.anonymous_heads)


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> Lexicon:
    data = json.loads(Path(path or LEXICON_PATH).read_text(encoding="utf-8"))
    sets = ("anonymous_heads", "document_heads", "organization_heads", "honorifics",
            "courtesy_titles", "hedging_adverbs", "name_particles", "quotation_only_verbs",
            "object_acts", "vehicle_heads", "addressee_verbs", "norm_heads",
            "catenative_verbs", "source_prepositions", "report_nouns", "intention_words",
            "view_nouns")
    return Lexicon(
        verbs=data["verbs"], prepositional_cues=data["prepositional_cues"],
        speech_lemmas=frozenset(data["cue_kinds"]["speech"]),
        belief_lemmas=frozenset(data["cue_kinds"]["belief"]), default_kind=data["default_kind"],
        lemma_fixes=data["lemma_fixes"],
        phrases=data["phrases"],
        gendered_words={kind: frozenset(words) for kind, words in data["gendered_words"].items()},
        **{name: frozenset(data[name]) for name in sets})


def cue_lemmas(doc: Doc, start: int, end: int, lexicon: Lexicon) -> set[str]:
    span = doc.char_span(start, end, alignment_mode="expand")
    lemmas = {(t.lemma_ or t.lower_).lower() for t in span} if span is not None else set()
    return {lexicon.lemma_fixes.get(lemma, lemma) for lemma in lemmas}


def is_lexicon_cue(doc: Doc, start: int, end: int, lexicon: Lexicon | None = None) -> bool:
    """Whether the cue at ``doc.text[start:end]`` has a reporting or belief word we list."""
    lexicon = lexicon or load_lexicon()
    lowered = doc_text(doc)[start:end].lower()
    if any(phrase in lowered for phrase in lexicon.phrases):
        return True
    known = lexicon.speech_lemmas | lexicon.belief_lemmas | lexicon.verbs.keys()
    return bool(cue_lemmas(doc, start, end, lexicon) & known)


def cue_kind(doc: Doc, start: int, end: int, lexicon: Lexicon | None = None) -> str:
    """``speech`` or ``belief`` for the cue at ``doc.text[start:end]``, by its words' lemmas."""
    lexicon = lexicon or load_lexicon()
    lowered = doc_text(doc)[start:end].lower()
    for phrase, kind in lexicon.phrases.items():
        if phrase in lowered:
            return kind
    lemmas = cue_lemmas(doc, start, end, lexicon)
    if lemmas & lexicon.speech_lemmas:
        return "speech"
    if lemmas & lexicon.belief_lemmas:
        return "belief"
    return lexicon.default_kind
