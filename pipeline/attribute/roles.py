"""The speaker's role and organisation, where the text gives them.

"a spokesman for the Northern Medical Association" -> role "spokesman", organisation
"Northern Medical Association"; "the Kremlin's press secretary" -> "press secretary",
"Kremlin"; "Maria Lopez, a senior expert at the USIP," -> "senior expert", "USIP". Read off
the parse of the source phrase for unnamed sources, of the description for named ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from spacy.tokens import Doc, Span, Token

from claimtrace.pipeline.attribute.attribution import Attribution
from claimtrace.pipeline.attribute.lexicon import load_lexicon
from claimtrace.pipeline.attribute.rules import (
    AFFILIATION_PREPS,
    ORGANIZATION_ENTS,
    PEOPLE_GROUPS,
)
from claimtrace.pipeline.text import doc_text

# The organisation the article named that a token stands for ("the society", "its"):
# speaker resolution knows the article's organisations (`speakers.ResolutionContext`).
OrganizationLookup = Callable[[Token], str | None]


def role_and_organization(doc: Doc, attribution: Attribution,
                          named: OrganizationLookup | None = None) -> Attribution:
    """``named`` finds the organisation a definite description or "its" stands for
    (`affiliation`)."""
    head = attribution.source_head(doc)
    if head is None or attribution.source_type == "organization":
        return attribution  # the organisation is the speaker itself
    if attribution.source_type == "other" and not _for_people(head):
        # "a study published in ...", "the hospital trust", "both sides": what speaks is no
        # person, so it has no role; whose it is stays ("a statement from the ministry")
        return replace(attribution, role=None, organization=affiliation(head, named))
    if head.pos_ == "NOUN" and not _name_of_speaker(head, attribution):
        role, organization = role_phrase(head), affiliation(head, named)
    else:
        role, organization = _described_role(doc, attribution, named)
        # "Dr. Lena Marsh of Keller University": the name's own affiliation, where the
        # description (here the bare title) names none.
        organization = organization or affiliation(head, named)
    if role and role.lower() in {"people", "person", "they", "someone"}:
        role = None  # a plain plural or pronoun is no role
    return replace(attribution, role=role, organization=organization)


PEOPLE_SUFFIXES = ("er", "or", "ist", "ian", "ant", "ent", "ee", "mate")  # "interviewee"


def _for_people(head: Token) -> bool:
    """A word for people or a person, whatever type the producer gave the source ("One
    interviewee", "many generals", "the couple", "eyewitnesses", "her classmates"); not a
    document or an organisation."""
    lexicon, lemma = load_lexicon(), head.lemma_.lower()
    if lemma in lexicon.document_heads or lemma in lexicon.organization_heads:
        return False
    return (lemma in PEOPLE_GROUPS or lemma.endswith(PEOPLE_SUFFIXES)
            or any(lemma.endswith(word) for word in lexicon.people_words if len(word) > 3))


def _name_of_speaker(head: Token, attribution: Attribution) -> bool:
    """A capitalised word the tagger made a common noun that is the person's own name
    ('"…," Reyes said' after "Martin Reyes"): no role."""
    return (attribution.source_type == "person" and head.text[:1].isupper()
            and head.text in (attribution.resolved or "").split())


def _described_role(doc: Doc, attribution: Attribution, named: OrganizationLookup | None
                    ) -> tuple[str | None, str | None]:
    """(role, organisation) of a named source, read off its description."""
    described = description_span(doc, attribution)
    if described is None:
        return None, None
    return described_role(described, named)


def described_role(described: Span, named: OrganizationLookup | None = None
                   ) -> tuple[str | None, str | None]:
    """(role, organisation) a description of a named person gives: "Finance Minister",
    "a senior expert at the USIP", "Tessa Moray of the NCA"'s "the NCA"."""
    doc, root = described.doc, described.root
    if root.pos_ == "PROPN" and _title(root):  # "Finance Minister Ana Ruiz", "Dr. Ruiz"
        served = _named_organization_after(root)
        if served is not None:  # "Chief Executive of Orion Motors": the title, the company
            return _title_role(doc, described[:served.i - described.start]), _phrase_of(
                next(g for g in served.children if g.dep_ == "pobj"))
        return _title_role(doc, described), None
    if root.pos_ == "PROPN" and root.ent_type_ in ORGANIZATION_ENTS | {""}:
        # "Tessa Moray of the NCA": the description names the organisation.
        return None, _without_article(doc, list(described))
    if (root.dep_ == "pobj" and root.head.dep_ == "prep" and root.head.i < described.start
            and root.head.head.pos_ == "PROPN"):
        # "Anna Lenz of the support group": the group she belongs to, not her role
        return None, _phrase_of(root)
    role = role_phrase(root) if root.pos_ == "NOUN" else None
    return role, affiliation(root, named) or _organization_entity(described)


def _named_organization_after(title: Token) -> Token | None:
    """The preposition after a capitalised title whose object is an organisation's name of
    two words or more: "of" in "Director General of the Keller Institute"; not the one-word
    name a title holds ("Secretary of State")."""
    for child in title.rights:
        objects = [g for g in child.children if g.dep_ == "pobj"]
        if (child.dep_ == "prep" and child.lower_ in AFFILIATION_PREPS and objects
                and objects[0].ent_type_ == "ORG"
                and sum(t.ent_type_ == "ORG" and not t.is_punct and t.dep_ != "det"
                        for t in objects[0].subtree) >= 2):
            return child
    return None


def _title(token: Token) -> bool:
    """A title or a word for people ("Minister", "Senator", "Dr.") heads the description:
    capitalised, it is a role all the same, not an organisation's name."""
    return token.lower_ in load_lexicon().people_words


def _title_role(doc: Doc, title: Span) -> str | None:
    """The title as a role, except a bare courtesy or abbreviated one ("Mr.", "Dr.") that
    says no role: an earlier mention's ("the chief medical officer") then carries over."""
    word = title.root
    courtesy = word.lower_ in load_lexicon().courtesy_titles
    if len(title) == 1 and (word.text.endswith(".") or courtesy):
        return None
    return _without_article(doc, list(title))


NON_ROLE_ENTS = {"DATE", "TIME", "CARDINAL", "QUANTITY", "ORDINAL", "MONEY", "PERCENT"}


def role_phrase(head: Token) -> str | None:
    """The head noun with the modifiers that make it a role: "senior police spokesman",
    "climate change activist"; not an age or other number ("a 41-year-old teacher")."""
    words = [head]
    for child in reversed(list(head.lefts)):
        if child.i != words[0].i - 1 or child.dep_ not in {"compound", "amod"}:
            break
        modifier = list(child.doc[child.left_edge.i:child.i + 1])
        # "climate change" of "climate change activist"; of "Keller University pop culture",
        # only "pop culture": a name ("Kremlin spokesman": the organisation), a number or
        # an age ends the role
        cut = [k for k, t in enumerate(modifier) if t.is_punct
               or t.ent_type_ in NON_ROLE_ENTS | ORGANIZATION_ENTS]
        words[:0] = modifier[cut[-1] + 1:] if cut else modifier
        if cut:
            break
    return " ".join(t.text for t in words) if head.pos_ in {"NOUN", "PROPN"} else None


ORGANIZATION_POSSESSIVES = {"its", "their"}  # "Its president, Tom Hale,"


def affiliation(head: Token, named: OrganizationLookup | None = None) -> str | None:
    """"… for the Northern Medical Association", "the ministry's …", "Kremlin …". Of several
    prepositional phrases the one that names an organisation: "a professor of virology at
    Keller University" -> "Keller University", not "virology". With ``named``, "the
    society" and "its" are the organisation it finds for them, the one the article named
    ("British Heart Society"); "the society" stays where it finds none."""
    found: list[Token] = []
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in AFFILIATION_PREPS:
            objects = [g for g in child.children if g.dep_ == "pobj"]
            if not any(_in_full_name(g) for g in objects):  # "of singer and activist Lina
                found += objects[:1]  # Tahir", the name a second object of a broken parse
        if child.dep_ == "poss" and (child.pos_ in {"PROPN", "NOUN"} or (
                named is not None and child.lower_ in ORGANIZATION_POSSESSIVES)):
            found.append(child)
    found = [t for t in found if _may_be_organization(t)]
    named_here = [t for t in found if _names_organization(t)]
    if found:
        chosen = named_here[0] if named_here else found[0]
        if named is not None and _refers_back(chosen):
            meant = named(chosen)
            return meant if meant or chosen.pos_ == "PRON" else _phrase_of(chosen)
        return _phrase_of(chosen)
    entities = [c for c in head.lefts if c.dep_ == "compound" and c.ent_type_ in ORGANIZATION_ENTS]
    if entities:  # "Keller University virologist": the whole name, not its last word
        return _without_article(head.doc, [t for c in entities for t in c.subtree])
    return None


def _refers_back(token: Token) -> bool:
    """"its", or a common noun after "the" ("the society"): an organisation said before."""
    return token.lower_ in ORGANIZATION_POSSESSIVES or (
        token.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ == "the"
                                     for c in token.children))


def _may_be_organization(token: Token) -> bool:
    """Not a pronoun ("one of them"), a time or number ("her editor of 30 years"), a person
    ("the fiancée of journalist Ana Ruiz") or people ("one of the organisers"): whom or how
    long someone serves is no organisation."""
    return ((token.pos_ not in {"PRON", "NUM"} or token.lower_ in ORGANIZATION_POSSESSIVES)
            and token.ent_type_ not in NON_ROLE_ENTS and not _in_full_name(token)
            and not (token.tag_ == "NNS" and _for_people(token)))  # "one of the organisers"


def _in_full_name(token: Token) -> bool:
    """A phrase that ends with a PERSON entity of two words or more (a one-word one is often
    a place or a body the tagger did not know: "Arland's foreign minister"): "journalist
    Ana Ruiz", "singer and activist Lina Tahir"; not a council whose place name before it
    the tagger called a person."""
    words = [t for t in _phrase_tokens(token) if not t.is_punct]
    last = words[-1] if words else token
    return (last.ent_type_ == "PERSON" and last.ent_iob_ == "I"
            and last.doc[last.i - 1].ent_type_ == "PERSON")


def _names_organization(token: Token) -> bool:
    return token.pos_ == "PROPN" or token.ent_type_ in ORGANIZATION_ENTS


def _phrase_of(token: Token) -> str | None:
    """The noun phrase ``token`` heads, without a possessive's "'s" and without a name in
    apposition to it: "chief executive of Orion Motors, Tom Hale," -> "Orion Motors"."""
    return _without_article(token.doc, _phrase_tokens(token))


def _phrase_tokens(token: Token) -> list[Token]:
    """``token``'s subtree without a possessive's "'s" and what a comma sets off in
    apposition ("Orion Motors, Tom Hale,"); an apposition the parser made of the last words
    with no comma ("activist Lina Tahir") stays."""
    doc = token.doc
    apposed = {t.i for c in token.children if c.dep_ == "appos" and c.left_edge.i > 0
               and doc[c.left_edge.i - 1].is_punct for t in c.subtree}
    return [t for t in token.subtree if t.dep_ != "case" and t.i not in apposed]


def description_span(doc: Doc, attribution: Attribution) -> Span | None:
    """Where the description stands in the text, near its source."""
    if not attribution.description:
        return None
    window_start = max(0, attribution.source.start - 300)
    found = doc_text(doc).find(attribution.description, window_start, attribution.source.end + 300)
    if found < 0:
        return None
    return doc.char_span(found, found + len(attribution.description), alignment_mode="expand")


def _organization_entity(span: Span) -> str | None:
    ents = [ent for ent in span.ents if ent.label_ == "ORG"]
    return _without_article(span.doc, list(ents[-1])) if ents else None


def _without_article(doc: Doc, tokens: list[Token]) -> str | None:
    tokens = sorted(tokens, key=lambda t: t.i)
    while tokens and (tokens[0].dep_ == "det" or tokens[0].is_punct):
        tokens = tokens[1:]
    while tokens and (tokens[-1].is_punct or tokens[-1].tag_ == "POS"):
        tokens = tokens[:-1]  # "the Green Party's" -> "Green Party"
    if not tokens:
        return None
    return doc_text(doc)[tokens[0].idx:tokens[-1].idx + len(tokens[-1])]
