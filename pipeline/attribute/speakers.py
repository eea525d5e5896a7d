"""Speaker resolution: one pass over the merged attributions, whichever producers ran.

"he added", "Mr. Valle said" and "the ministry said" need what the article said before, so
this runs after the rules, the tagger and the merge, over ``doc.spans["attributions"]`` in
text order, and fills ``resolved``, ``description``, ``role`` and ``organization``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc

from claimtrace.pipeline.attribute.attribution import (
    Attribution,
    attributions_of,
    set_attributions,
)
from claimtrace.pipeline.attribute.lexicon import Lexicon, load_lexicon

PERSON_PRONOUNS = {"he", "she", "him", "her"}
GROUP_PRONOUNS = {"they", "them", "we", "it"}


def strip_honorifics(words: list[str], lexicon: Lexicon) -> list[str]:
    while len(words) > 1 and words[0].lower() in lexicon.honorifics:
        words = words[1:]
    return words


def known_people(doc: Doc, lexicon: Lexicon) -> list[tuple[int, str]]:
    """(position, full name) of each multi-word PERSON mention, in text order."""
    people = []
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        words = strip_honorifics(ent.text.replace("’s", "").replace("'s", "").split(), lexicon)
        if len(words) >= 2:
            people.append((ent.start_char, " ".join(words)))
    return people


def _full_name(mention: str, position: int, people: list[tuple[int, str]],
               lexicon: Lexicon) -> str:
    words = strip_honorifics(mention.split(), lexicon)
    if len(words) >= 2:
        return " ".join(words)
    surname = words[-1] if words else mention
    # Nearest earlier full name with that surname; a later one if the article names it late.
    earlier = [name for pos, name in people if pos <= position and name.split()[-1] == surname]
    later = [name for pos, name in people if pos > position and name.split()[-1] == surname]
    if earlier or later:
        return (earlier or later)[-1 if earlier else 0]
    return mention  # "Pope Francis" stays whole: the title is part of how he is known


def person_subjects(doc: Doc, people: list[tuple[int, str]], lexicon: Lexicon
                    ) -> list[tuple[int, str]]:
    """(position, full name) of people mentioned as a clause subject: pronoun antecedents."""
    found = []
    for ent in doc.ents:
        if ent.label_ == "PERSON" and ent.root.dep_ in {"nsubj", "nsubjpass"}:
            found.append((ent.start_char, _full_name(ent.text, ent.start_char, people, lexicon)))
    return found


def organizations(doc: Doc) -> list[tuple[int, str]]:
    return [(ent.start_char, ent.text) for ent in doc.ents if ent.label_ == "ORG"]


def resolve_speakers(doc: Doc, attributions: list[Attribution], lexicon: Lexicon
                     ) -> list[Attribution]:
    """Fill `resolved` and carry descriptions from earlier mentions of the same speaker."""
    context = ResolutionContext(people=known_people(doc, lexicon), orgs=organizations(doc))
    context.subjects = person_subjects(doc, context.people, lexicon)
    descriptions: dict[str, str] = {}
    last_any: Attribution | None = None
    resolved_list = []
    for attribution in attributions:
        if attribution.construction == "continuation":
            resolved = _continue_from(attribution, last_any)
        elif attribution.source is None:
            resolved = attribution  # reported without a named source: nobody to resolve
        else:
            resolved = _resolve_mention(doc, attribution, context, lexicon)
        name = resolved.resolved
        if name and resolved.description:
            descriptions.setdefault(name, resolved.description)
        elif name in descriptions:
            resolved = replace(resolved, description=descriptions[name])
        if resolved.source is not None and resolved.resolved:
            context.remember(resolved)
        last_any = resolved
        resolved_list.append(resolved)
    return resolved_list


@dataclass
class ResolutionContext:
    """What the article has said so far about who is who."""

    people: list[tuple[int, str]]  # multi-word PERSON names by position
    orgs: list[tuple[int, str]]  # ORG entities by position
    subjects: list[tuple[int, str]] = field(default_factory=list)
    sources: list[Attribution] = field(default_factory=list)

    def remember(self, attribution: Attribution) -> None:
        self.sources.append(attribution)

    def nearest_person(self, position: int) -> Attribution | str | None:
        """The closest earlier person: a resolved source or a person as clause subject."""
        best: tuple[int, Attribution | str] | None = None
        for source in self.sources:
            if source.source_type == "person" and source.source.start < position:
                best = max(best or (-1, source), (source.source.start, source), key=_first)
        for start, name in self.subjects:
            if start < position:
                best = max(best or (-1, name), (start, name), key=_first)
        return best[1] if best else None

    def last_group(self) -> Attribution | None:
        groups = [s for s in self.sources if s.source_type != "person"]
        return groups[-1] if groups else None

    def earlier_organization(self, head_word: str, position: int) -> str | None:
        """"the court" -> the nearest earlier organisation whose name has that word."""
        names = [name for start, name in self.orgs if start < position]
        names += [s.resolved for s in self.sources
                  if s.source_type == "organization" and s.source.start < position]
        matching = [n for n in names if head_word in n.lower().split()]
        return matching[-1] if matching else None


def _first(pair: tuple) -> int:
    return pair[0]


def _continue_from(attribution: Attribution, previous: Attribution | None) -> Attribution:
    if previous is None:
        return attribution
    return replace(attribution, resolved=previous.resolved, description=previous.description,
                   source_type=previous.source_type)


def _resolve_mention(doc: Doc, attribution: Attribution, context: ResolutionContext,
                     lexicon: Lexicon) -> Attribution:
    mention = attribution.source.text(doc)
    lower = mention.lower()
    if lower in PERSON_PRONOUNS | {"i"}:
        antecedent = context.nearest_person(attribution.source.start)
        if isinstance(antecedent, Attribution):
            return replace(attribution, resolved=antecedent.resolved,
                           description=attribution.description or antecedent.description)
        return replace(attribution, resolved=antecedent)
    if lower in GROUP_PRONOUNS:
        previous = context.last_group()
        if previous is None:
            return replace(attribution, resolved=None)
        return replace(attribution, resolved=previous.resolved, source_type=previous.source_type,
                       description=attribution.description or previous.description)
    people = context.people
    if attribution.source_type == "person":
        name = _full_name(mention, attribution.source.start, people, lexicon)
        return replace(attribution, resolved=name)
    if attribution.source_type == "organization" and _is_known_surname(mention, people, lexicon):
        # The tagger missed a repeated surname ("Okoye said"): the article named this person.
        name = _full_name(mention, attribution.source.start, people, lexicon)
        return replace(attribution, resolved=name, source_type="person")
    head = doc[attribution.extra["head"]] if "head" in attribution.extra else None
    if (attribution.source_type == "organization" and head is not None
            and lower.startswith("the ") and head.pos_ == "NOUN"):
        earlier = context.earlier_organization(head.lower_, attribution.source.start)
        if earlier:
            return replace(attribution, resolved=earlier)
    return replace(attribution, resolved=mention)


def _is_known_surname(mention: str, people: list[tuple[int, str]], lexicon: Lexicon) -> bool:
    words = strip_honorifics(mention.split(), lexicon)
    return len(words) == 1 and any(name.split()[-1] == words[0] for _, name in people)


@Language.factory("claimtrace_speakers", assigns=["doc.spans"],
                  default_config={"lexicon_path": None})
def make_speakers(nlp: Language, name: str, lexicon_path: str | None):
    lexicon = load_lexicon(lexicon_path)

    def speakers(doc: Doc) -> Doc:
        ordered = sorted(attributions_of(doc), key=lambda a: (a.content.start, a.content.end))
        set_attributions(doc, resolve_speakers(doc, ordered, lexicon))
        return doc

    return speakers
