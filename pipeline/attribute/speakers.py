"""Speaker resolution: one pass over the merged attributions, whichever producers ran.

"he added", "Mr. Valle said" and "the ministry said" need what the article said before, so
this runs after the rules, the tagger and the merge, over ``doc.spans["attributions"]`` in
text order. It fills ``resolved`` (the full name as the article introduces it, following the
gold guidelines), carries ``description`` to later mentions of the same speaker, and sets
``role`` and ``organization`` (`roles`).

The article's names are indexed once (`NameIndex`): multi-word PERSON and ORG entities and
the acronyms the text defines ("National Hurricane Center (NHC)"). A mention then resolves to
the nearest indexed name that ends with its words ("Jackson" -> "Amy Berman Jackson",
"de Blasio" -> "Bill de Blasio"), or to what its acronym stands for.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from claimtrace.pipeline.attribute.attribution import (
    Attribution,
    CharSpan,
    attributions_of,
    entities,
    entities_in,
    set_attributions,
)
from claimtrace.pipeline.attribute.lexicon import Lexicon, load_lexicon
from claimtrace.pipeline.attribute.roles import (
    affiliation,
    described_role,
    description_span,
    role_and_organization,
)
from claimtrace.pipeline.attribute.rules import (
    AFFILIATION_PREPS,
    POST_NOMINALS,
    affiliation_of,
    apposition_of,
    content_from_tokens,
    name_particle,
    name_word,
    preposition_object,
    source_mention,
    untitled,
    with_given_names,
    with_name_particles,
)
from claimtrace.pipeline.quotes import quote_regions
from claimtrace.pipeline.split import sentence_spans
from claimtrace.pipeline.text import doc_text

PERSON_PRONOUNS = {"he", "she", "him", "her", "i"}
PERSON_POSSESSIVES = {"his", "her"}  # "his office", "her memoirs"
PRONOUN_GENDERS = {"she": "feminine", "her": "feminine", "he": "masculine", "him": "masculine",
                   "his": "masculine"}
GROUP_PRONOUNS = {"they", "them", "we", "it"}
PLURAL_PRONOUNS = {"they", "them", "we"}
RELATIVE_PRONOUNS = {"who", "which", "that"}
NON_REFERRING = {"there"}  # existential "there" names no speaker
# Heads that stand for two or more people named together: "the couple", "both officers".
COLLECTIVE_HEADS = {"couple", "pair", "duo", "trio"}
PLURAL_DETERMINERS = {"the", "both", "two", "three", "all"}
NAMED_LABELS = {"PERSON", "ORG"}
# Entity types of a modifier that says whose an organisation is: "Syrian state media".
NAMING_ENTS = {"NORP", "GPE", "ORG", "LOC"}
# Labels of `NameIndex.names` that name a person: PERSON entities and runs of proper nouns
PERSON_NAME_LABELS = {"PERSON", "NAME"}
AGE_MENTION = re.compile(r"the (\d+)-year-old(?: \w+)?")
ORGANIZATION_PREPOSITIONS = {"of", "in", "for", "on"}  # "Court of Appeal", "Embassy in Oslo"
ACRONYM = re.compile(r"[A-Z][A-Za-z&.-]+")  # "NHC", "Phivolcs", "PG&E"
# Heads of descriptions that stand for the organisation named last, whatever its name:
# "the company" after "Hasbro". Other organisation heads must share a word with the name
# ("the court" -> "Court of Session").
GENERIC_ORGANIZATION_HEADS = {"company", "firm", "group", "organisation", "organization",
                              "agency", "network", "newspaper", "channel", "airline",
                              "carrier", "club", "team", "bank", "lender", "insurer",
                              "retailer", "carmaker", "charity"}

# Words for a news outlet: "the publication" is the outlet quoted before it, not the
# organisation named last (which is often what the outlet reported on).
MEDIA_HEADS = {"publication", "broadcaster", "outlet", "magazine", "paper", "daily",
               "tabloid", "journal", "website", "site", "station"}
# Lower-case words after an outlet's name that the article makes part of it: "Time magazine"
OUTLET_KINDS = {"magazine", "newspaper", "tabloid", "broadcaster", "website"}

# ---------------------------------------------------------------- names


def _common_noun(head: Token) -> bool:
    """A common noun, or a lower-case word the tagger made a proper noun ("the defence
    ministry"): no name either way."""
    return head.pos_ == "NOUN" or (head.pos_ == "PROPN" and head.text.islower())


def clean_name(text: str, lexicon: Lexicon, person: bool = False) -> str:
    """"the Mr. Ted Scambos QC's" -> "Ted Scambos": no article, title, possessive or
    post-nominal letters -- unless that would leave a single word ("Pope Francis", "One MP")
    or a title that does not precede a name ("State press agency PAP"). For a ``person``, a
    title of several capitalised words goes too ("Crown Prince Ali bin Omar" -> "Ali bin
    Omar"); an organisation keeps them ("New York State Department of Health")."""
    for ending in ("’s", "'s"):
        text = text.removesuffix(ending)
    words = text.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    if person:
        words = words[_title_length(words, lexicon):]
    while (len(words) > 2 and words[0].lower().rstrip(",") in lexicon.people_words
           and words[1][:1].isupper()):
        words = words[1:]
    while len(words) > 2 and words[-1].lower().rstrip(",") in POST_NOMINALS:
        words = words[:-1]
    return " ".join(words)


TITLE_RUN = 3  # capitalised words a title before a person's name may have: "Crown Prince"


def _title_length(words: list[str], lexicon: Lexicon) -> int:
    """How many leading words of a person's name are a title: the capitalised words up to
    the last title word among the first `TITLE_RUN`, where two words or more follow."""
    length = 0
    for i, word in enumerate(words[:TITLE_RUN]):
        if not word[:1].isupper():
            break
        if word.lower().rstrip(",") in lexicon.people_words and len(words) - i - 1 >= 2:
            length = i + 1
    return length


@dataclass
class NameIndex:
    """The article's full names by position, and the acronyms it defines."""

    names: list[tuple[int, str, str]] = field(default_factory=list)  # (start, name, label)
    acronyms: dict[str, str] = field(default_factory=dict)
    # (start, name, lower-cased words of the title around it) of each PERSON entity
    titles: list[tuple[int, str, set[str]]] = field(default_factory=list)
    # (start, text) of people named together: "Ana and Paul Kowalski", "Ann Cole and Bo Li"
    groups: list[tuple[int, str]] = field(default_factory=list)
    # lower-cased word -> where it stands alone, capitalised, as a surname may ("Hale said")
    alone: dict[str, list[int]] = field(default_factory=dict)
    # (number of names it was built from, last word -> names): see `_ending_with`
    _by_last_word: tuple[int, dict] | None = field(default=None, repr=False, compare=False)

    def expand(self, mention: str, position: int) -> tuple[str, str | None]:
        """(full name, its entity label) for a mention; the mention itself when unknown.
        A mention of two words or more ("Nicola Sturgeon") only grows into a PERSON entity:
        a longer run of proper nouns may have swallowed a place ("Scotland Nicola Sturgeon")."""
        if mention in self.acronyms:
            return self.acronyms[mention], "ORG"
        words = mention.lower().split()
        first_alone = self.alone.get(words[0], []) if len(words) == 1 else []
        if first_alone and first_alone[0] < position:
            # The surname alone keeps the person it first stood for: "Hale" after "Tom
            # Hale ... Hale had chaired ... his father, Paul Hale," is still Tom (relatives
            # are given their full names).
            position = first_alone[0]
        longer = [item for item, lowered in self._ending_with(words)
                  if len(lowered) > len(words) and (len(words) == 1 or item[2] == "PERSON")
                  and lowered[-len(words):] == words] if words else []
        earlier = [item for item in longer if item[0] <= position]
        chosen = earlier[-1] if earlier else (longer[0] if longer else None)
        if chosen is None and len(words) == 1:
            chosen = self._first_word_of(words[0], position)
        if chosen is None and len(words) == 1 and (shared := self._sharing(mention, position)):
            return shared, "PERSON"
        if chosen is None:
            return mention, None
        return self._fullest(chosen[1], position), chosen[2]

    def _ending_with(self, words: list[str]) -> list[tuple[tuple[int, str, str], list[str]]]:
        """(name, its lower-cased words) for the names whose last word is the mention's, in
        text order: an index by last word, built once the names are, since scanning every
        name per mention made long articles quadratic."""
        if not words:
            return []
        if self._by_last_word is None or self._by_last_word[0] != len(self.names):
            table: dict[str, list] = {}
            for item in self.names:
                lowered = item[1].lower().split()
                table.setdefault(lowered[-1], []).append((item, lowered))
            self._by_last_word = (len(self.names), table)
        return self._by_last_word[1].get(words[-1], [])

    def people_until(self, position: int) -> list[tuple[int, str, str]]:
        """The names of people said at or before ``position``, in text order."""
        return [item for item in self.names
                if item[0] <= position and item[2] in PERSON_NAME_LABELS]

    def _first_word_of(self, word: str, position: int) -> tuple[int, str, str] | None:
        """"Tuilaepa" -> "Tuilaepa Aiono Sailele", said before: where no name ends with the
        word, a person's name that starts with it (names that put the family name first)."""
        found = [item for item in self.people_until(position)
                 if item[1].lower().split()[0] == word]
        return found[-1] if found else None

    def _sharing(self, given: str, position: int) -> str | None:
        """"Ana" -> "Ana Kowalski" after "Ana and Paul Kowalski": a given name first in a
        group of people who share the family name at its end."""
        for start, group in reversed(self.groups):
            first, _, rest = group.partition(" and ")
            if start <= position and first == given and len(rest.split()) == 2:
                return f"{given} {rest.split()[-1]}"
        return None

    def _fullest(self, name: str, position: int) -> str:
        """The longest person's name said up to here that continues ``name``: "Ana Ruiz"
        -> "Ana Ruiz Soto" (a second family name)."""
        longer = [full for _, full, _ in self.people_until(position)
                  if full.startswith(name + " ")]
        return max(longer, key=len) if longer else name


Doc.set_extension("names", default=None, force=True)


def article_names(doc: Doc, lexicon: Lexicon) -> NameIndex:
    """The article's name index, built once per `Doc`: speaker resolution and the
    stand-alone claim text both read it, the latter once per pronoun."""
    if doc._.names is None:
        doc._.names = name_index(doc, lexicon)
    return doc._.names


def name_index(doc: Doc, lexicon: Lexicon) -> NameIndex:
    index = NameIndex()
    for ent in doc.ents:
        if ent.label_ in NAMED_LABELS:
            ent = _past_title(ent) if ent.label_ == "PERSON" else ent
            name = clean_name(ent.text, lexicon, person=ent.label_ == "PERSON")
            if len(name.split()) >= 2:
                index.names.append((ent.start_char, name, ent.label_))
    for run in proper_name_runs(doc, lexicon):  # names the entity tagger missed or split
        # "Lawyer Petra Vance": a word for people before the name is her title
        run = untitled(_past_title(run), lexicon)
        if len(run) >= 2:
            index.names.append((run.start_char, run.text,
                                "PERSON" if run.root.ent_type_ == "PERSON" else "NAME"))
    # By position; at one position the longer name last, so that the nearest is the fullest
    # whatever order the set holds them in.
    index.names = sorted(set(name_past_place(index.names)),
                         key=lambda item: (item[0], len(item[1]), item[1], item[2]))
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            name = index.expand(clean_name(ent.text, lexicon, person=True), ent.start_char)[0]
            index.titles.append((ent.start_char, name, title_words(ent, lexicon)))
    for start, name, label in index.names:
        if label == "NAME":  # a name the entity tagger missed: "Princess Ubolratana Mahidol"
            run = doc.char_span(start, start + len(name))
            if run is not None and (words := title_words(run, lexicon)):
                index.titles.append((start, name, words))
    for token in doc:
        acronym = _defined_acronym(doc, token, lexicon)
        if acronym is not None:
            index.acronyms[acronym[0]] = acronym[1]
    for token in doc:
        if _standing_alone(token):
            index.alone.setdefault(token.lower_, []).append(token.idx)
    index.groups = [group for token in doc
                    if (group := coordinated_names(doc, token, lexicon, index)) is not None]
    return index


def _standing_alone(token: Token) -> bool:
    """A capitalised name word with no other proper noun beside it: "Hale" in "Hale said"."""
    doc = token.doc
    return (token.text[:1].isupper() and token.pos_ in {"PROPN", "NOUN"}
            and not any(doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper()
                        for j in (token.i - 1, token.i + 1) if 0 <= j < len(doc)))


def name_past_place(names: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """A run of proper nouns that ends with a person's name the entity tagger found
    elsewhere in the article is that name: "Kong Ana Lim" (after "Hong") -> "Ana Lim"."""
    people = {name for _, name, label in names if label == "PERSON"}
    result = []
    for start, name, label in names:
        if label == "NAME":
            words = name.split()
            tails = [" ".join(words[i:]) for i in range(1, len(words) - 1)]
            person = next((tail for tail in tails if tail in people), None)
            if person is not None:
                start, name = start + len(name) - len(person), person
        result.append((start, name, label))
    return result


def _ends_title(token: Token) -> bool:
    """The last word of a title "X of Y" before a name: "Guest of Honour| Ana Ruiz",
    "Secretary of State| Tom Reed"."""
    doc = token.doc
    return (token.i > 1 and doc[token.i - 1].lower_ == "of"
            and doc[token.i - 2].text[:1].isupper())


def _past_title(name: Span) -> Span:
    return name.doc[name.start + 1:name.end] if _ends_title(name[0]) else name


def coordinated_names(doc: Doc, token: Token, lexicon: Lexicon,
                      index: NameIndex | None = None) -> tuple[int, str] | None:
    """(start, text) of the people named together from ``token`` on, when it heads a
    coordination of personal names: "Ann Cole and Bo Li", "Ana and Paul Kowalski". Where
    something else stands between the names ("Cole of NASA and Bo Li of ESA"), the text is
    the names alone, each the full name ``index`` knows: "Ann Cole and Bo Li"."""
    members = coordinated_members(token)
    if members is None:
        return None
    last = members[-1]
    start = token.i
    while (start > 0 and doc[start - 1].head.i == token.i and doc[start - 1].pos_ == "PROPN"
           and doc[start - 1].dep_ in {"compound", "flat"}
           and not _title_word(doc[start - 1], lexicon) and not _ends_title(doc[start - 1])):
        start -= 1
    between = doc[start:last.i + 1]
    plain = all(t.i in {m.i for m in members} or t.head in members or t.dep_ == "cc"
                or t.is_punct for t in between)
    if plain or index is None:
        return doc[start].idx, doc_text(doc)[doc[start].idx:last.idx + len(last)]
    names = [_member_name(member, lexicon, index) for member in members]
    return doc[start].idx, ", ".join(names[:-1]) + " and " + names[-1]


def coordinated_members(token: Token) -> list[Token] | None:
    """The heads of the names coordinated from ``token`` on, when all are proper nouns and
    one at least is a person."""
    if token.pos_ != "PROPN" or token.dep_ == "conj":
        return None
    members = [token]
    while (conj := next((c for c in members[-1].children if c.dep_ == "conj"), None)):
        if conj.pos_ != "PROPN":
            return None  # "Cole, Li and a third officer": not only names
        members.append(conj)
    # One person among them is enough: the entity tagger often calls a rarer name an ORG.
    if len(members) < 2 or not any(t.ent_type_ == "PERSON" for t in members):
        return None
    return members


def _member_name(member: Token, lexicon: Lexicon, index: NameIndex) -> str:
    """A coordinated name without what hangs on it, as ``index`` knows it: "Sam Wilson" of
    "Wilson of NASA" (a person, the affiliation dropped); an organisation keeps its
    entity ("University of Lund")."""
    words = [member]
    for child in reversed(list(member.lefts)):
        if (child.i != words[0].i - 1 or child.pos_ != "PROPN"
                or child.dep_ not in {"compound", "flat"} or _title_word(child, lexicon)):
            break
        words.insert(0, child)
    name, label = index.expand(" ".join(t.text for t in words), member.idx)
    if label in PERSON_NAME_LABELS:
        return name
    entity = next((ent for ent in entities(member.doc) if ent.root.i == member.i
                   and ent.label_ in NAMED_LABELS), None)
    return clean_name(entity.text, lexicon) if entity is not None else name


TITLE_WINDOW = 4  # words before a name, or in an apposition right after it, that title it
TITLE_POS = {"NOUN", "PROPN", "ADJ", "CCONJ", "PART"}  # "trade and industry commissioner"


def title_words(ent: Span, lexicon: Lexicon) -> set[str]:
    """"Mexican Foreign Minister Marcelo Ebrard" / "Dee Margo, the El Paso mayor," / "King
    Tomas Varga" (the title inside the entity) -> the lower-cased words that title the
    person."""
    doc, sentence = ent.doc, ent.sent
    inside = set()
    for token in ent:
        if token.lower_ not in lexicon.honorifics:
            break
        inside.add(token.lower_)
    before = []
    for token in reversed(doc[max(sentence.start, ent.start - TITLE_WINDOW):ent.start]):
        if token.pos_ not in TITLE_POS or token.ent_type_ == "PERSON":
            break  # "commissioner Ann Cole announced Benin": a verb ends the title
        before.append(token)
    after = [t for t in ent.root.children if t.dep_ == "appos"]
    words = {t.lower_ for t in before if t.pos_ in {"NOUN", "PROPN"}} | inside
    for appos in after:
        # The apposition's own phrase, not what follows its head: "Ivo Brand, head of the
        # Water Authority," is titled "head"; "the authority" is the organisation.
        words |= {t.lower_ for t in doc[appos.left_edge.i:appos.i + 1]
                  if t.pos_ in {"NOUN", "PROPN"}}
        if appos.like_num and appos.text.isdigit():  # "Tom Hart, 45," -> "the 45-year-old"
            words.add(f"{appos.text}-year-old")
    if ent.root.dep_ == "appos" and ent.root.head.i < ent.start:
        # "The president, Joe Martin,": the name is in apposition to its title
        described = ent.root.head
        words |= {t.lower_ for t in doc[described.left_edge.i:described.i + 1]
                  if t.pos_ in {"NOUN", "PROPN"}}
    return words


def proper_name_runs(doc: Doc, lexicon: Lexicon) -> list[Span]:
    """Runs of two or more capitalised proper nouns, titles left out: "Amy Berman Jackson".
    A new entity starts a new run: "Germany | Richard Grenell"."""
    runs: list[Span] = []
    start: int | None = None
    for token in doc:
        inside = (name_word(token, lexicon) or _name_hyphen(token)
                  or (start is not None and _inner_particle(token, lexicon)))
        if start is not None and (not inside or _new_entity_type(token)):
            runs.append(doc[start:token.i])
            start = None
        if inside and start is None:
            start = token.i
    if start is not None:
        runs.append(doc[start:])
    return [run for run in runs if len(run) >= 2]


def _new_entity_type(token: Token) -> bool:
    """A token that starts an entity of another type than the one before it."""
    return token.ent_iob_ == "B" and token.i > 0 and token.nbor(-1).ent_type_ != token.ent_type_


def _inner_particle(token: Token, lexicon: Lexicon) -> bool:
    """"van", "der" in "Ludwig van der Berg": a particle followed by the rest of the name."""
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return (following is not None and name_particle(token, lexicon)
            and (name_word(following, lexicon) or name_particle(following, lexicon)))


def _name_hyphen(token: Token) -> bool:
    """The hyphen of "Tak-Sing Wong", with no space on either side."""
    return (token.text == "-" and token.i > 0 and not token.nbor(-1).whitespace_
            and not token.whitespace_)


def _defined_acronym(doc: Doc, token: Token, lexicon: Lexicon) -> tuple[str, str] | None:
    """"Northern Medical Association (NorMed)" -> (NorMed, …)."""
    if token.text != "(" or token.i + 2 >= len(doc) or doc[token.i + 2].text != ")":
        return None
    short = doc[token.i + 1]
    if not (ACRONYM.fullmatch(short.text) and len(short) >= 2):
        return None
    # The entity before the bracket (the tagger sometimes takes "(NHC" into it).
    before = next((ent for ent in entities(doc) if ent.start < token.i <= ent.end), None)
    if before is None or before.label_ not in NAMED_LABELS | {"GPE", "FAC", "NORP"}:
        return None
    return short.text, spelled_out(short.text, clean_name(doc[before.start:token.i].text,
                                                          lexicon))


def spelled_out(acronym: str, name: str) -> str:
    """The words of ``name`` the acronym spells: "Leaders of African Union", "AU" -> "African
    Union"; the name as it is when no ending of it spells the acronym."""
    words = name.split()
    for start in range(len(words)):
        initials = "".join(w[0] for w in words[start:] if w[:1].isupper())
        if initials == acronym and words[start][:1].isupper():
            return " ".join(words[start:])
    return name


# ---------------------------------------------------------------- context


@dataclass
class ResolutionContext:
    """What the article has said so far about who is who."""

    index: NameIndex
    orgs: list[tuple[int, str]]  # ORG entities by position
    subjects: list[tuple[int, str]] = field(default_factory=list)  # people as clause subjects
    sources: list[Attribution] = field(default_factory=list)
    # Two or more people: names given together ("Ana and Paul Kowalski") and plural sources
    plurals: list[tuple[int, str]] = field(default_factory=list)

    # Plural sources that are words for people: "scientists from the Lund Institute"
    people_groups: list[tuple[int, str]] = field(default_factory=list)
    # Person's name -> "feminine" / "masculine", where a title, a description or a pronoun
    # resolved to them says it; no pronoun goes to a person of the other one.
    genders: dict[str, str] = field(default_factory=dict)
    # Where unnamed single people were sources ("a police spokeswoman"): candidates for
    # "he"/"she" beside the sources of type person.
    unnamed_people: set[int] = field(default_factory=set)
    # Where plural common nouns were sources ("Unions said"): no one organisation that a
    # later "the company" or "it" means.
    plural_nouns: set[int] = field(default_factory=set)
    # Salience for "he"/"she" (`nearest_person`): where sentences start, which `subjects`
    # are main-clause subjects, and people named in other roles outside quotations.
    sentence_starts: list[int] = field(default_factory=list)
    sentences: list[Span] = field(default_factory=list)
    main_subjects: set[int] = field(default_factory=set)
    mentions: list[tuple[int, str]] = field(default_factory=list)
    # Every person's name span (`person_spans`) with the full name it stands for, built once:
    # an earlier introduction of a speaker is looked up here (`_apposition`).
    people: list[tuple[Span, str]] = field(default_factory=list)
    # Runs of proper nouns no PERSON or ORG entity covers (`untagged_runs`)
    untagged_runs: list[tuple[int, str]] = field(default_factory=list)
    # The lexicon's words for kinds of organisation: "department", "court", "police"
    organization_words: frozenset[str] = frozenset()

    def remember(self, attribution: Attribution, plural: bool = False,
                 people: bool = False, someone: bool = False,
                 plural_noun: bool = False) -> None:
        """``people``: a plural word for people heads the source (`_people_head`);
        ``someone``: it is one unnamed person (`_someone`); ``plural_noun``: a plural
        common noun heads it."""
        self.sources.append(attribution)
        if someone:
            self.unnamed_people.add(attribution.source.start)
        if plural_noun:
            self.plural_nouns.add(attribution.source.start)
        if plural and attribution.resolved:
            self.plurals.append((attribution.source.start, attribution.resolved))
        if people and attribution.resolved:
            self.people_groups.append((attribution.source.start, attribution.resolved))

    def nearest_people_group(self, position: int) -> str | None:
        found = [(start, name) for start, name in self.people_groups if start < position]
        return max(found, key=_first)[1] if found else None

    def nearest_plural(self, position: int, names_only: bool = False) -> str | None:
        """The closest earlier group of people: names given together or, unless
        ``names_only``, a plural source."""
        found = [(start, name) for start, name in self.plurals if start < position
                 and (not names_only or start in self.named_groups)]
        return max(found, key=_first)[1] if found else None

    @property
    def named_groups(self) -> set[int]:
        return {start for start, _ in self.index.groups}

    def nearest_person(self, position: int, gender: str | None = None
                       ) -> Attribution | str | None:
        """The most salient earlier person of a compatible `gender` ("feminine" for "she";
        None: any): a resolved source or a person as clause subject, or a person named in
        another role in the sentence before. The latest sentence with one wins; within it a
        speaker or a main-clause subject comes before an embedded subject ("Ruiz accepted
        a plan under which Soto became treasurer. ... he declared": Ruiz), and
        all before a person named as an object ("Police spoke with Ana Ruiz. She said")."""
        here = self.sentence_of(position)
        found: list[tuple[int, int, Attribution | str]] = []
        for source in self.sources:
            if source.source_type == "person" or source.source.start in self.unnamed_people:
                found.append((source.source.start, 1, source))
        found += [(start, 1, name) for start, name in self.subjects]
        found += [(start, 0, name) for start, name in self.mentions
                  if self.sentence_of(start) == here - 1]
        best: tuple[tuple[int, int, int], Attribution | str] | None = None
        for start, rank, person in found:
            name = person.resolved if isinstance(person, Attribution) else person
            if start >= position or not self.compatible(name, gender):
                continue
            if isinstance(person, Attribution) or start in self.main_subjects:
                rank = 2  # a speaker is as salient as a main-clause subject
            key = (self.sentence_of(start), rank, start)
            if best is None or key > best[0]:
                best = (key, person)
        return best[1] if best else None

    def sentence_of(self, position: int) -> int:
        return bisect_right(self.sentence_starts, position)

    def compatible(self, name: str | None, gender: str | None) -> bool:
        known = self.genders.get(name or "")
        return gender is None or known is None or known == gender

    def learn_gender(self, name: str, gender: str | None) -> None:
        if gender is not None:
            self.genders.setdefault(name, gender)

    def last_group(self, position: int, singular: bool = False) -> Attribution | None:
        """The nearest earlier source that is no person; ``singular`` ("it"): not one a
        plural noun heads ("Unions said")."""
        groups = [s for s in self.sources if s.source_type != "person"
                  and s.source.start < position
                  and not (singular and s.source.start in self.plural_nouns)]
        return max(groups, key=lambda s: s.source.start) if groups else None

    def earlier_organization(self, head_word: str, position: int) -> str | None:
        """"the court" -> the nearest earlier organisation whose name has that word;
        "the company" -> the nearest earlier organisation."""
        names = [(start, name) for start, name in self.orgs if start < position]
        names += [(s.source.start, s.resolved) for s in self.sources
                  if s.source_type == "organization" and s.source.start < position
                  and s.source.start not in self.plural_nouns]
        # A run of proper nouns the entity tagger missed ("British Heart Society", where
        # it tagged "British" alone) is an organisation when it ends with the word.
        runs = [(start, name) for start, name in self.untagged_runs
                if start < position and head_word and name.lower().split()[-1] == head_word]
        matching = [(start, n) for start, n in sorted(names + runs, key=_first)
                    if head_word in n.lower().split()]
        generic = not head_word or head_word in GENERIC_ORGANIZATION_HEADS
        if matching and generic and _indefinite(matching[-1][1]):
            # "A Danish shipping firm agreed ... Maersborg said ... The firm said": the name
            # said after the indefinite description is the firm it introduced
            # (not one whose name says it is another kind: "the US Justice Department")
            named = [n for start, n in sorted(names, key=_first)
                     if start > matching[-1][0] and not _indefinite(n)
                     and not self._another_kind(n, head_word)]
            matching += [(0, n) for n in named[-1:]]
        if not matching and generic:
            # "Borealis Air said ... The ministry said ... The carrier said": the carrier is
            # no organisation whose name says it is another kind
            matching = [(start, n) for start, n in sorted(names, key=_first)
                        if not head_word or not self._another_kind(n, head_word)]
        return matching[-1][1] if matching else None

    def _another_kind(self, name: str, head_word: str) -> bool:
        """"Ministry of Transport" for "the carrier": the name has another kind's word."""
        return bool(set(name.lower().split()) & self.organization_words - {head_word})

    def organization_meant(self, token: Token) -> str | None:
        """"the society" (a spokesman for it), "its" (president) -> the organisation named
        before, as a source "the society" is resolved (`earlier_organization`)."""
        word = "" if token.pos_ == "PRON" else token.lemma_.lower()
        return self.earlier_organization(word, token.idx)

    def earlier_source_organization(self, position: int) -> Attribution | None:
        """The nearest earlier source that is a named organisation."""
        found = [s for s in self.sources if s.source_type == "organization"
                 and s.source.start < position]
        return max(found, key=lambda s: s.source.start) if found else None

    def longer_organization(self, name: str, position: int) -> str | None:
        """The nearest organisation named up to here (a source cut short starts where the
        entity does) that is ``name`` and a prepositional phrase or the kind of outlet it is:
        "Royal Academy" -> "Royal Academy of Arts", "US Embassy" -> "US Embassy in Oslo",
        "Time" -> "Time magazine"."""
        found = [full for start, full in self.orgs if start <= position
                 and full.startswith(name + " ")
                 and (full[len(name) + 1:].split()[0] in ORGANIZATION_PREPOSITIONS
                      or full[len(name) + 1:] in OUTLET_KINDS)]
        return found[-1] if found else None

    def titled_person(self, modifiers: set[str], position: int, lexicon: Lexicon
                      ) -> str | None:
        """The nearest earlier person whose title has all ``modifiers`` and a title word:
        "Foreign Secretary Ana Ruiz" for "the foreign minister"."""
        if not modifiers:
            return None
        found = [(start, name) for start, name, words in self.index.titles
                 if start < position and modifiers <= words
                 and words - modifiers & lexicon.honorifics]
        return max(found, key=_first)[1] if found else None

    def described_person(self, head_word: str, position: int) -> Attribution | str | None:
        """"the actress" -> the nearest earlier person whose description or title has that
        word: a source's description, or the words around a name in the text ("Foreign
        Minister Marcelo Ebrard" for "the foreign minister")."""
        described: list[tuple[int, Attribution | str]] = [
            (s.source.start, s) for s in self.sources if s.source_type == "person"
            and s.source.start < position and s.description
            and head_word in _role_words(s.description)]
        described += [(start, name) for start, name, words in self.index.titles
                      if start < position and head_word in words]
        return max(described, key=_first)[1] if described else None


# Words that open the part of a description saying whom or where the person serves.
_SERVED_PREPOSITIONS = AFFILIATION_PREPS | {"in", "on", "to", "by"}


def _role_words(description: str) -> list[str]:
    """The words of a description up to its first preposition: "the chief engineer" of "the
    chief engineer of the Harbour Department". "the department" names the organisation,
    not the engineer who works there, so only the role's own words say who a later "the
    engineer" is."""
    words = description.lower().split()
    cut = next((i for i, w in enumerate(words) if w in _SERVED_PREPOSITIONS), len(words))
    return words[:cut]


def _first(pair: tuple) -> int:
    return pair[0]


def _indefinite(name: str) -> bool:
    """An unnamed source as the article introduced it: "a Danish shipping firm"."""
    return name.lower().startswith(("a ", "an "))


PLACE_PREPOSITIONS = {"of", "in"}  # "Supreme Court of Puerto Rico", "US Embassy in Oslo"


def _with_place(ent: Span) -> Span:
    """An organisation with the place that follows it, which the entity tagger leaves out
    of the name: "Supreme Court| of Puerto Rico", "US Embassy| in Oslo"."""
    doc = ent.doc
    if ent.end + 1 >= len(doc) or doc[ent.end].lower_ not in PLACE_PREPOSITIONS:
        return ent
    place = doc[ent.end + 1]
    if place.ent_iob_ != "B" or place.ent_type_ != "GPE":
        return ent
    end = place.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[ent.start:end]


def _with_kind(ent: Span) -> Span:
    """An outlet with the word for its kind after it: "Time| magazine" (the entity tagger
    leaves the word out; the article introduces the outlet with it)."""
    doc = ent.doc
    if ent.end >= len(doc):
        return ent
    kind = doc[ent.end]
    if kind.lower_ in OUTLET_KINDS and kind.text.islower() and ent.root.head.i == kind.i:
        return doc[ent.start:ent.end + 1]
    return ent


def build_context(doc: Doc, lexicon: Lexicon) -> ResolutionContext:
    index = article_names(doc, lexicon)
    orgs = [(ent.start_char, clean_name(_with_kind(_with_place(ent)).text, lexicon))
            for ent in doc.ents if ent.label_ == "ORG" and not _surname_said(ent[0], index)]
    people = person_spans(doc, index)
    subjects = [(ent.start_char,
                 index.expand(clean_name(ent.text, lexicon, person=True), ent.start_char)[0])
                for ent in people if _subject_person(ent.root)]
    context = ResolutionContext(index, orgs, subjects, plurals=list(index.groups))
    context.sentences = list(sentence_spans(doc))
    context.sentence_starts = [s.start_char for s in context.sentences]
    context.untagged_runs = untagged_runs(doc, index)
    context.organization_words = lexicon.organization_heads
    context.main_subjects = {ent.start_char for ent in people if _main_clause_subject(ent.root)}
    context.people = [(ent, index.expand(clean_name(ent.text, lexicon, person=True),
                                         ent.start_char)[0]) for ent in people]
    # A sentence about someone already called "he" / "she" ("she was attacked by Ruiz and
    # Soto"): the people it names in other roles are not the next pronoun's antecedents.
    about_someone = {context.sentence_of(t.idx) for t in doc
                     if t.lower_ in PRONOUN_GENDERS and t.dep_ in {"nsubj", "nsubjpass"}}
    quoted = [(region.open_at, region.close_at) for region in quote_regions(doc)]
    context.mentions = [
        (ent.start_char, index.expand(clean_name(ent.text, lexicon, person=True),
                                      ent.start_char)[0])
        for ent in doc.ents if ent.label_ == "PERSON" and not _subject_person(ent.root)
        and not any(left <= ent.start_char < right for left, right in quoted)
        and context.sentence_of(ent.start_char) not in about_someone]
    for _, name, words in index.titles:  # "Mrs. Ana Ruiz", "Ana Ruiz, a spokeswoman,"
        context.learn_gender(name, words_gender(words, lexicon))
    return context


def untagged_runs(doc: Doc, index: NameIndex) -> list[tuple[int, str]]:
    """(start, text) of the runs of proper nouns where the entity tagger found no person
    and no organisation: "British Heart Society" with "British" tagged alone."""
    found = []
    for start, name, label in index.names:
        run = doc.char_span(start, start + len(name)) if label == "NAME" else None
        if run is not None and not any(t.ent_type_ in NAMED_LABELS for t in run):
            found.append((start, name))
    return found


def person_spans(doc: Doc, index: NameIndex) -> list[Span]:
    """The PERSON entities, the names of two words or more the entity tagger missed where
    it tagged nothing ("Ana Ruiz spoke to reporters" at an article's start), and a surname
    alone that it missed or took for an organisation ("Kovac met the directors" after
    "Irena Kovac"): people a later "he" / "she" may mean."""
    people = [ent for ent in doc.ents if ent.label_ == "PERSON"]
    for start, name, label in index.names:
        run = doc.char_span(start, start + len(name)) if label == "NAME" else None
        if run is not None and all(t.ent_type_ == "" for t in run):
            people.append(run)
    people += [doc[t.i:t.i + 1] for t in doc if _surname_said(t, index)]
    return sorted(people, key=lambda span: span.start)


def _surname_said(token: Token, index: NameIndex) -> bool:
    """A capitalised word standing alone, outside any PERSON entity and any longer name,
    that is the last word of a person's full name said before it: "Kovac" after "Irena
    Kovac", which the entity tagger may leave untagged or call an organisation ("Vasquez"
    in "put Vasquez two points ahead")."""
    if token.ent_type_ == "PERSON" or not _standing_alone(token):
        return False
    word = [token.lower_]
    return any(start < token.idx and lowered[-1:] == word and len(lowered) >= 2
               and label in PERSON_NAME_LABELS
               for (start, _, label), lowered in index._ending_with(word))


def _main_clause_subject(token: Token) -> bool:
    """The subject of a sentence's main verb, or of a verb coordinated with it, or a name in
    apposition to that subject."""
    if token.dep_ == "appos":
        token = token.head
    verb = token.head
    while verb.dep_ == "conj":
        verb = verb.head
    return token.dep_ in {"nsubj", "nsubjpass"} and verb.dep_ == "ROOT"


def _subject_person(root: Token) -> bool:
    """A clause's subject, or the name in apposition to it ("Her colleague, Tom Berg,
    disagreed")."""
    subject = {"nsubj", "nsubjpass"}
    return root.dep_ in subject or (root.dep_ == "appos" and root.head.dep_ in subject)


def words_gender(words: Iterable[str], lexicon: Lexicon) -> str | None:
    """"feminine" / "masculine" when the lower-cased words say one and not the other."""
    found = {gender for gender, marked in lexicon.gendered_words.items()
             if not marked.isdisjoint(words)}
    return found.pop() if len(found) == 1 else None


def mention_gender(doc: Doc, attribution: Attribution, lexicon: Lexicon) -> str | None:
    """What a resolved source says of its person's gender: its pronoun, or the words of its
    mention, the title right before it and its description ("Mr. Valle", "the
    spokeswoman")."""
    mention = attribution.source.text(doc)
    if mention.lower() in PRONOUN_GENDERS:
        return PRONOUN_GENDERS[mention.lower()]
    span = attribution.source.tokens(doc)
    before = doc[span.start - 1].text if span is not None and span.start > 0 else ""
    words = f"{before} {mention} {attribution.description or ''}".lower().split()
    return words_gender(words, lexicon)


def gender_evidence(doc: Doc, attribution: Attribution, lexicon: Lexicon
                    ) -> tuple[str, str] | None:
    """(resolved name, gender) where a resolved person's mention says the gender
    (`mention_gender`): a named or pronominal person, or one unnamed person ("the
    spokeswoman")."""
    if attribution.source is None or not attribution.resolved:
        return None
    if attribution.source_type != "person" and not _someone(doc, attribution, lexicon):
        return None
    gender = mention_gender(doc, attribution, lexicon)
    return (attribution.resolved, gender) if gender is not None else None


Doc.set_extension("speaker_genders", default=None, force=True)


def speaker_genders(doc: Doc, lexicon: Lexicon) -> dict[str, str]:
    """Each speaker's gender as the article's resolved attributions say it, the first
    evidence winning as in `resolve_speakers`; built once per `Doc`, after resolution."""
    if doc._.speaker_genders is None:
        genders: dict[str, str] = {}
        for attribution in attributions_of(doc):
            if (evidence := gender_evidence(doc, attribution, lexicon)) is not None:
                genders.setdefault(*evidence)
        doc._.speaker_genders = genders
    return doc._.speaker_genders


# ---------------------------------------------------------------- resolution


def resolve_speakers(doc: Doc, attributions: list[Attribution], lexicon: Lexicon
                     ) -> list[Attribution]:
    """Fill `resolved`, `role`, `organization`; carry descriptions to later mentions."""
    context = build_context(doc, lexicon)
    known: dict[str, Attribution] = {}  # what each speaker's mentions said of them
    last_any: Attribution | None = None
    resolved_list: list[Attribution] = []
    for attribution in attributions:
        if attribution.construction == "continuation":
            resolved = _continue_from(attribution, _quiet_speaker(
                doc, attribution, resolved_list[-LOOKBACK:], context, lexicon) or last_any)
        elif attribution.source is None:
            resolved = attribution  # reported without a named source: nobody to resolve
        else:
            resolved = role_and_organization(
                doc, _resolve_mention(doc, attribution, context, lexicon),
                context.organization_meant)
        resolved = _no_person_as_organization(
            _introduced_role(doc, _as_known(resolved, known), context, lexicon), context)
        if resolved.resolved:  # what the introduction gave, for later mentions too
            known[resolved.resolved] = _filled(known[resolved.resolved], resolved)
        if resolved.source is not None and resolved.resolved:
            someone = _someone(doc, resolved, lexicon)
            head = resolved.source_head(doc)
            context.remember(resolved, plural=_plural(doc, resolved),
                             people=_people_head(doc, resolved, lexicon), someone=someone,
                             plural_noun=head is not None and head.tag_ == "NNS")
            if (evidence := gender_evidence(doc, resolved, lexicon)) is not None:
                context.learn_gender(*evidence)
        if not _nested(resolved, resolved_list):
            last_any = resolved  # a quotation after a nested report is the outer speaker's
        resolved_list.append(resolved)
    return resolved_list


# The attributions just before one in text order that hold what it depends on: the outer
# report of a nested one, a report in the sentence before a continuation.
LOOKBACK = 5


def _nested(attribution: Attribution, before: list[Attribution]) -> bool:
    """A report inside another's content ("Hale said the minister, Ana Ruiz, had told him
    the plan was safe"): its source lies in an earlier attribution's content."""
    source = attribution.source
    return source is not None and any(
        other.content.start <= source.start and source.end <= other.content.end
        for other in before[-LOOKBACK:])


# Verbs of a reaction that a quotation right after may carry: "Mia Lund disagreed. '…'"
REACTION_VERBS = {"disagree", "object"}


def _quiet_speaker(doc: Doc, continued: Attribution, before_it: list[Attribution],
                   context: ResolutionContext, lexicon: Lexicon) -> Attribution | None:
    """The person whose reporting verb has no content of its own in the sentence right
    before a continuation ("His first officer, Mia Lund, agreed. 'It happened so fast.'"):
    the quotation is theirs, not the speaker quoted before (``before_it``: the attributions
    just before the continuation)."""
    here = context.sentence_of(continued.content.start)
    if here < 2:
        return None
    before = context.sentences[here - 2]
    if any(a.content.start < before.end_char and before.start_char < a.content.end
           or (a.cue is not None and before.start_char <= a.cue.start < before.end_char)
           for a in before_it):
        return None  # a report of its own there: the usual previous speaker
    verb = before.root
    lemma = verb.lemma_.lower()
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or (lemma not in lexicon.verbs and lemma not in REACTION_VERBS):
        return None
    mention = source_mention(doc, subject, lexicon)
    if mention is None or mention.source_type != "person":
        return None
    speaker = replace(continued, source=mention.span, source_type="person",
                      description=mention.description,
                      extra={**continued.extra, "head": mention.head.i})
    speaker = role_and_organization(doc, _resolve_mention(doc, speaker, context, lexicon),
                                    context.organization_meant)
    return replace(speaker, source=None)


def _no_person_as_organization(attribution: Attribution, context: ResolutionContext
                               ) -> Attribution:
    """Whom a person serves is no organisation when it is a person or people the article
    names: "Whitcombe's lawyer" after "Gerald Whitcombe" (the entity tagger may miss the
    name), "Lina and Omar Tahir's mother"."""
    organization = attribution.organization
    if (organization and attribution.source_type == "person" and attribution.resolved
            and set(organization.split()) <= set(attribution.resolved.split())):
        # "Ilse" of "Ilse Brant", whose name the entity tagger called an organisation
        return replace(attribution, organization=None)
    where = (attribution.source or attribution.content).start  # a continuation has no source
    people = [context.index.expand(part, where)[1] == "PERSON"  # "Lina and Omar Tahir"
              for part in re.split(r",\s*|\s+and\s+", organization or "") if part]
    if people and all(people):
        return replace(attribution, organization=None)
    return attribution


def _as_known(attribution: Attribution, known: dict[str, Attribution]) -> Attribution:
    """The mention with the description, role and organisation an earlier mention of the
    same speaker gave ("Lopez" after "Maria Lopez, a senior analyst at the Lima
    Institute,"), and what it gives itself remembered for later ones."""
    name = attribution.resolved
    if not name:
        return attribution
    before = known.setdefault(name, attribution)
    known[name] = _filled(before, attribution)
    return _filled(attribution, before)


def _introduced_role(doc: Doc, attribution: Attribution, context: ResolutionContext,
                     lexicon: Lexicon) -> Attribution:
    """"She said" after "Ana Ruiz, a lawyer for the family, spoke": a person's mention with
    no description of its own takes the description the article introduced them with, and
    the role and organisation it gives (GUIDELINES.md: "use the earlier description"),
    where that introduction was not itself a source `_as_known` carries from."""
    if (attribution.description or attribution.source is None
            or attribution.source_type != "person" or not attribution.resolved):
        return attribution
    found = _introduction(doc, attribution.resolved, attribution.source.start, context,
                          lexicon)
    if found is None:
        return attribution
    described, name = found
    role, organization = described_role(described, context.organization_meant)
    return replace(attribution, description=_phrase_text(doc, list(described)),
                   role=attribution.role or role,
                   organization=attribution.organization or organization
                   or affiliation(name, context.organization_meant))


def _introduction(doc: Doc, name: str, position: int, context: ResolutionContext,
                  lexicon: Lexicon) -> tuple[Span, Token] | None:
    """(description, name's head) of the nearest mention of the person ``name`` up to
    ``position`` that describes them, as a source's description is read
    (`source_mention`)."""
    for ent, full_name in reversed(context.people):  # the mention itself too: "His
        # lawyer, Sandra Pike, told reporters" where the tagger gave no description
        if ent.start_char <= position and full_name == name and (
                described := _describing_phrase(ent, lexicon)) is not None:
            if _phrase_text(doc, list(described)):
                return described, ent.root
    return None


def _describing_phrase(name: Span, lexicon: Lexicon) -> Span | None:
    """What describes a person's name where it stands: an apposition ("Ana Ruiz, a lawyer
    for the family,"), the title the name is apposed to, up to the name ("Her rival, Ana
    Ruiz of the Greens," -> "Her rival"), a title before it ("Senator Ana Ruiz"), or the
    organisation after it ("Ana Ruiz of the Greens")."""
    doc, root = name.doc, name.root
    after = apposition_of(root)
    if after is not None and (after.pos_ == "NOUN" or (after.pos_ == "PROPN"
                                                       and after.ent_type_ != "PERSON")):
        return doc[after.left_edge.i:after.right_edge.i + 1]
    head = root.head
    if root.dep_ == "appos" and head.pos_ == "NOUN" and head.i < name.start:
        title = doc[head.left_edge.i:name.start]
        # not a quotation the parser hung the name on ('Calling it "a hollow
        # gesture", Ana Ruiz told ...')
        return None if any(t.is_quote for t in title) else title
    start = name.start  # "Turkish President" of "Ana Ruiz and Turkish President Tom Hale"
    while start > 0 and _title_before(doc[start - 1], name, lexicon):
        start -= 1
    if start < name.start:
        return doc[start:name.start]
    served = affiliation_of(root, lexicon)
    if served is None:
        return None
    place = preposition_object(served)
    end = min([c.left_edge.i for c in place.rights if c.dep_ in {"appos", "relcl", "punct"}]
              + [served.right_edge.i + 1]) if place is not None else served.right_edge.i + 1
    return doc[served.i + 1:end]  # "of Apex Ltd" without ", a company that ..."


def _title_before(token: Token, name: Span, lexicon: Lexicon) -> bool:
    """A word of the title right before a person's name: a modifier that hangs on a later
    word up to the name ("Prime" and "Minister" of "Prime Minister Ana Ruiz"), not an
    article, a courtesy title, a conjunction, another person's name, a day or an age."""
    return (token.dep_ in {"compound", "amod", "nmod"} and token.pos_ in {"NOUN", "PROPN", "ADJ"}
            and token.ent_type_ not in NOT_TITLE_ENTS
            and token.lower_ not in lexicon.courtesy_titles
            and token.i < token.head.i < name.end)


# Entity types no title word has: another person, a day or an age ("28-year-old Ana Ruiz")
NOT_TITLE_ENTS = {"PERSON", "DATE", "TIME", "CARDINAL", "QUANTITY", "MONEY", "PERCENT"}


def _phrase_text(doc: Doc, tokens: list[Token]) -> str:
    span = content_from_tokens(doc, tokens)
    return span.text(doc) if span is not None else ""


KNOWN_FIELDS = ("description", "role", "organization")


def _filled(attribution: Attribution, other: Attribution) -> Attribution:
    """`attribution` with `other`'s description, role and organisation where it has none."""
    return replace(attribution, **{name: getattr(attribution, name) or getattr(other, name)
                                   for name in KNOWN_FIELDS})


def _someone(doc: Doc, attribution: Attribution, lexicon: Lexicon) -> bool:
    """An unnamed single person ("a police spokeswoman", "A spokesman for the ministry"):
    a later "he" or "she" may be them."""
    head = attribution.source_head(doc)
    return (head is not None and attribution.source_type != "person" and head.tag_ == "NN"
            and _people_word(head, lexicon) and head.lower_ not in {"people", "staff"})


def _continue_from(attribution: Attribution, previous: Attribution | None) -> Attribution:
    if previous is None:
        return attribution
    return replace(attribution, resolved=previous.resolved, description=previous.description,
                   source_type=previous.source_type, role=previous.role,
                   organization=previous.organization)


def _from(attribution: Attribution, antecedent: Attribution | str | None,
          context: ResolutionContext) -> Attribution:
    """The mention takes the antecedent's name (expanded) and what is known about it."""
    if isinstance(antecedent, Attribution):
        return replace(attribution, resolved=antecedent.resolved,
                       source_type=antecedent.source_type,
                       description=attribution.description or antecedent.description)
    if antecedent is None:
        return replace(attribution, resolved=None)
    name, _ = context.index.expand(antecedent, attribution.source.start)
    return replace(attribution, resolved=name)


def _resolve_mention(doc: Doc, attribution: Attribution, context: ResolutionContext,
                     lexicon: Lexicon) -> Attribution:
    mention = attribution.source.text(doc)
    position = attribution.source.start
    lower = mention.lower()
    if lower in NON_REFERRING:  # "there were reports that …": nobody is named
        return replace(attribution, resolved=None)
    if lower in PERSON_PRONOUNS:
        antecedent = context.nearest_person(position, PRONOUN_GENDERS.get(lower))
        if isinstance(antecedent, Attribution):
            return replace(_from(attribution, antecedent, context), source_type="person")
        return _from(attribution, antecedent, context)
    age = AGE_MENTION.fullmatch(lower)
    aged = context.described_person(f"{age[1]}-year-old", position) if age else None
    if aged is not None:  # "the 45-year-old" -> the person introduced as "Tom Hart, 45,"
        return replace(_from(attribution, aged, context), source_type="person")
    head = attribution.source_head(doc)
    owner = _document_owner(head, lexicon)
    if owner is not None:  # "Judge Miller's statement" -> "Gray Miller": whose words they are
        by_owner = _resolve_mention(doc, replace(attribution, source=owner[0],
                                                 extra={**attribution.extra, "head": owner[1]}),
                                    context, lexicon)
        named = doc[owner[1]].pos_ == "PROPN" or by_owner.resolved != owner[0].text(doc)
        if by_owner.resolved and named:  # "the company's statement" with no company named
            return replace(attribution, resolved=by_owner.resolved)
    owner, _, owned = mention.partition(" ")
    if owner.lower() in PERSON_POSSESSIVES and owned and head is not None and head.pos_ == "NOUN":
        # "his office" -> "Ana Ruiz's office": the possessive names whose it is
        antecedent = _from(attribution, context.nearest_person(
            position, PRONOUN_GENDERS.get(owner.lower())), context)
        if antecedent.resolved:
            return replace(attribution, resolved=f"{antecedent.resolved}'s {owned}")
    owned_by = _person_owner(doc, head, context, lexicon)
    if owned_by is not None:  # "Dunmore's office" -> "Rachel Dunmore's office", as "his office"
        return replace(attribution, resolved=owned_by)
    if lower in PLURAL_PRONOUNS and (people := context.nearest_plural(position)):
        return replace(attribution, resolved=people)  # "they" -> the people named together
    if lower in GROUP_PRONOUNS:
        group = context.last_group(position, singular=lower == "it")
        if group is None and lower == "it":  # "It said": the organisation named last
            return _from(attribution, context.earlier_organization("", position), context)
        return _from(attribution, group, context)
    if lower in RELATIVE_PRONOUNS and head is not None:
        return _resolve_relative(doc, attribution, head, context, lexicon)
    if (lower.startswith("the ") and _plural(doc, attribution)
            and _people_head(doc, attribution, lexicon)
            and (group := context.nearest_people_group(position))):
        # "the researchers" -> "scientists from the Lund Institute", said before
        return replace(attribution, resolved=group)
    if _plural(doc, attribution) and (people := context.nearest_plural(position, True)):
        return replace(attribution, resolved=people)  # "the couple" -> "Ana and Paul Kowalski"
    if (head is not None and head.pos_ == "NOUN" and not _people_word(head, lexicon)
            and (organization := _named_organization(doc, attribution))):
        # "television broadcaster PBS", "the network, NBC,": the description is the name
        return replace(attribution, resolved=organization, source_type="organization")
    if head is not None and _common_noun(head) and (lower.startswith("the ") or any(
            c.dep_ == "poss" and c.pos_ == "PROPN" for c in head.children)):
        # "the ministry", "the foreign minister", "Niger's president"
        return _resolve_description(attribution, head, context, lexicon)
    if head is not None and _capitalised_title(doc, attribution, head):
        # "The President", "The Senate Minority Leader": a title, not a name
        return _resolve_description(attribution, head, context, lexicon)
    group = _group_of(doc, head, lexicon, context) if head is not None else None
    if group is not None:  # "Wilson and Nick Hawco said" -> both
        return replace(attribution, resolved=group)
    titled = _titled_name(mention, position, context, lexicon)
    if titled is not None:  # "Princess Ubolratana" -> "Ubolratana Mahidol"
        return replace(attribution, resolved=titled, source_type="person")
    if _is_name(attribution, head):
        person = _person_in(doc, attribution, lexicon)
        name, label = context.index.expand(
            clean_name(person or mention, lexicon, person=person is not None), position)
        if label == "PERSON":
            name = _of_mention_gender(doc, name, attribution, context, lexicon)
        if label is None:  # "the Royal Academy" after "the Royal Academy of Arts"
            name = context.longer_organization(name, position) or name
        if label is None and head is not None and head.pos_ == "NOUN":
            name = _named_before(head, attribution, lexicon) or name  # "Police said"
        source_type = ("person" if label == "PERSON" or _surname_of_run(label, mention, head)
                       else attribution.source_type)
        return replace(attribution, resolved=name, source_type=source_type)
    if mention[:1].isupper() and len(mention.split()) == 1:
        # A capitalised word the parser did not tag as a name: a surname all the same when
        # the article introduced a full name ending with it.
        name, label = context.index.expand(mention, position)
        if label in PERSON_NAME_LABELS:
            return replace(attribution, resolved=name, source_type="person")
    if head is not None and head.pos_ == "NOUN":  # "Police said" after "Lancashire police"
        return replace(attribution, resolved=_named_before(head, attribution, lexicon) or mention)
    return replace(attribution, resolved=mention)


def _of_mention_gender(doc: Doc, name: str, attribution: Attribution,
                       context: ResolutionContext, lexicon: Lexicon) -> str:
    """"Ms. Ruiz" after "Ana Ruiz and her husband, Paul Ruiz ... Mr. Ruiz said": not the
    person of that family name the article has shown to be of the other gender, but the
    nearest one who may be of the mention's."""
    gender = mention_gender(doc, attribution, lexicon)
    if context.compatible(name, gender):
        return name
    family = name.split()[-1]
    others = [full for _, full, _ in context.index.people_until(attribution.source.start)
              if full.split()[-1] == family and context.compatible(full, gender)]
    return others[-1] if others else name


def _person_owner(doc: Doc, head: Token | None, context: ResolutionContext,
                  lexicon: Lexicon) -> str | None:
    """"Rachel Dunmore's office" for "Dunmore's office": a thing (no word for people, no
    document, which `_document_owner` reads) whose possessor is one name of a person the
    article named, written as "his office" is resolved."""
    if head is None or head.pos_ != "NOUN" or _people_word(head, lexicon):
        return None
    owner = next((c for c in head.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
    if owner is None or head.lemma_.lower() in lexicon.document_heads:
        return None
    name, label = context.index.expand(owner.text, owner.idx)
    if label not in PERSON_NAME_LABELS or name == owner.text:
        return None
    owned = doc_text(doc)[owner.idx + len(owner):head.idx + len(head)]
    return name + owned


def _surname_of_run(label: str | None, mention: str, head: Token | None) -> bool:
    """"Ruiz" after "Tom Hale met Ana Ruiz", a name the entity tagger missed: one untagged
    word standing for a longer run of proper nouns is a person's surname (organisations are
    not called by their last word), whatever type the producer guessed."""
    return (label == "NAME" and len(mention.split()) == 1 and head is not None
            and not head.ent_type_)


def _document_owner(head: Token | None, lexicon: Lexicon) -> tuple[CharSpan, int] | None:
    """(span, head index) of the named or described owner of a document source: "Olsen" in
    "Olsen's statement", "the judge" in "the judge's ruling"; not a pronoun ("his
    statement" is resolved as a possessive pronoun)."""
    if head is None or head.pos_ != "NOUN" or head.lemma_.lower() not in lexicon.document_heads:
        return None
    owner = next((c for c in head.children if c.dep_ == "poss"), None)
    if owner is None or owner.pos_ not in {"NOUN", "PROPN"}:
        return None
    words = [t for t in owner.subtree if t.dep_ != "case"]
    return CharSpan(words[0].idx, words[-1].idx + len(words[-1])), owner.i


def _group_of(doc: Doc, head: Token, lexicon: Lexicon, context: ResolutionContext
              ) -> str | None:
    """The people named together with a source's name: "Sam Wilson and Nick Hawco" for
    the source "Nick Hawco" in "Wilson and Nick Hawco said"."""
    first = head
    while first.dep_ == "conj" and first.head.pos_ == "PROPN":
        first = first.head
    if first.i == head.i and not any(c.dep_ == "conj" for c in head.children):
        return None
    found = coordinated_names(doc, first, lexicon, context.index)
    return found[1] if found is not None else None


def _capitalised_title(doc: Doc, attribution: Attribution, head: Token) -> bool:
    """"The President", "The Senate Minority Leader": "the" and a capitalised head that no
    entity covers ("The Daily Star" is an entity, a name)."""
    text = attribution.source.text(doc)
    return (head.pos_ == "PROPN" and head.text[:1].isupper() and not head.ent_type_
            and text.lower().startswith("the ")
            and len(text.split()) >= 2)


def _titled_name(mention: str, position: int, context: ResolutionContext,
                 lexicon: Lexicon) -> str | None:
    """"Princess Ubolratana", "Governor Vega": a title and one name -> the nearest earlier
    full name (two words or more) that has that word, wherever it stands in the name."""
    words = mention.split()
    if len(words) != 2 or words[0].lower() not in lexicon.honorifics:
        return None
    word = words[1].lower()
    found = [name for _, name, _ in context.index.people_until(position - 1)  # before it
             if word in name.lower().split() and len(name.split()) >= 2]
    return found[-1] if found else None  # the nearest, the fullest there


def _people_head(doc: Doc, attribution: Attribution, lexicon: Lexicon) -> bool:
    """A source headed by a plural word for people: "researchers", "the authors"."""
    head = attribution.source_head(doc)
    return head is not None and head.tag_ == "NNS" and _people_word(head, lexicon)


def _title_word(token: Token, lexicon: Lexicon) -> bool:
    """A title or a word for people, singular or plural: "Officers Ann Cole and Bo Li"."""
    words = {token.lower_, token.lower_.removesuffix("s")}
    return bool(words & lexicon.people_words)


def _plural(doc: Doc, attribution: Attribution) -> bool:
    """A source that stands for several people: "they", "the defendants", "both officers",
    "the couple"; names given together."""
    if attribution.source is None:
        return False
    text = attribution.source.text(doc)
    groups = doc._.names.groups if doc._.names is not None else []
    if text.lower() in PLURAL_PRONOUNS or any(text == name for _, name in groups):
        return True
    head = attribution.source_head(doc)
    if head is None or head.pos_ != "NOUN" or head.ent_type_:
        return False
    first = text.split()[0].lower()
    return first in PLURAL_DETERMINERS and (head.tag_ == "NNS"
                                            or head.lemma_.lower() in COLLECTIVE_HEADS)


def _resolve_relative(doc: Doc, attribution: Attribution, pronoun: Token,
                      context: ResolutionContext, lexicon: Lexicon) -> Attribution:
    """"police, who said …": the relative pronoun stands for the noun its clause modifies.
    After "which" or "that" that noun phrase is the source too: GUIDELINES.md's source is
    the phrase naming who says it, and the dev and training labels mark the noun there (7
    of 9), while "who" stays the source, as "he" does (labelled so 7 of 10)."""
    noun = _antecedent_noun(doc, pronoun)
    mention = source_mention(doc, noun, lexicon) if noun is not None else None
    if mention is None:
        return replace(attribution, resolved=attribution.source.text(doc))
    antecedent = replace(attribution, source=mention.span, source_type=mention.source_type,
                         description=attribution.description or mention.description,
                         extra={**attribution.extra, "head": mention.head.i})
    found = _resolve_mention(doc, antecedent, context, lexicon)
    if pronoun.lower_ == "who":
        return replace(found, source=attribution.source, extra=attribution.extra)
    return found


def _antecedent_noun(doc: Doc, pronoun: Token) -> Token | None:
    """The noun a relative clause modifies; where the parser did not attach the clause to it,
    the noun right before ", who"."""
    if pronoun.head.dep_ == "relcl":
        return pronoun.head.head
    before = [t for t in doc[max(pronoun.sent.start, pronoun.i - 2):pronoun.i]
              if not t.is_punct]
    if before and before[-1].pos_ in {"NOUN", "PROPN"}:
        return before[-1]
    return None


def _person_in(doc: Doc, attribution: Attribution, lexicon: Lexicon) -> str | None:
    """The last PERSON entity inside a long source ("Former US Ambassador … Nikki Haley"),
    with the particles and given names the entity tagger left out ("dela Cruz" -> "Marco
    dela Cruz", "Khan" -> "Sadiq Khan")."""
    span = attribution.source.tokens(doc)
    people = ([ent for ent in entities_in(span) if ent.label_ == "PERSON"]
              if span is not None else [])
    if not people:
        return None
    return with_given_names(with_name_particles(people[-1], lexicon), lexicon).text


def _is_name(attribution: Attribution, head: Token | None) -> bool:
    if attribution.source_type in {"person", "organization"}:
        return True
    return head is not None and head.pos_ == "PROPN"


def _resolve_description(attribution: Attribution, head: Token,
                         context: ResolutionContext, lexicon: Lexicon) -> Attribution:
    """"the ministry" / "the company" -> the organisation; "the actress" -> the person."""
    position = attribution.source.start
    named = _named_description(head.doc, attribution, context)
    if named is not None:  # "The Senate Minority Leader, Ann Cole," -> "Ann Cole"
        return replace(attribution, resolved=named, source_type="person")
    word = head.lemma_.lower()
    organization = context.earlier_organization(word, position)
    if (organization and word not in organization.lower().split()
            and _unnamed_one_since(head, organization, context)):
        organization = None  # "hired a consulting firm. The firm said": not the hirer
    if organization and attribution.source_type == "organization":
        return replace(attribution, resolved=organization)
    # "The union said" after "Union leader James Hart": a word for an organisation that
    # titles a person says where they serve, not who they are; "the two ministers" are not
    # one of the people titled so
    one_person = word not in lexicon.organization_heads and head.tag_ != "NNS"
    person = context.described_person(word, position) if one_person else None
    if person is None and one_person and word in lexicon.honorifics:
        # "the foreign minister" after "Foreign Secretary Ana Ruiz": the same modifiers and
        # another title
        person = context.titled_person(_title_modifiers(head), position, lexicon)
    if isinstance(person, str):
        return replace(attribution, resolved=person, source_type="person")
    if person is not None:
        return _from(attribution, person, context)
    if organization and word in organization.lower().split():
        # "according to the academy" -> "Royal Academy of Arts", whatever the source type;
        # a run of proper nouns no entity covers may be no organisation ("The advisory" ->
        # "Storm Kira Intermediate Advisory"): its type stays
        run = any(name == organization for _, name in context.untagged_runs)
        return replace(attribution, resolved=organization,
                       source_type=attribution.source_type if run else "organization")
    same = _same_head_source(head, attribution, context)
    if same is not None:  # "The statement said" after "according to a statement by X"
        return _from(attribution, same, context)
    outlet = (context.earlier_source_organization(position)
              if word in MEDIA_HEADS and not _named_modifier(head) else None)
    if outlet is not None:  # "The industry publication" after "The Aviation Herald reported"
        return _from(attribution, outlet, context)
    introduced = _introduced_as(head, attribution)
    if introduced is not None:  # "The study" after "… published a study in Nature"
        return replace(attribution, resolved=introduced)
    return replace(attribution, resolved=_named_before(head, attribution, lexicon)
                   or attribution.source.text(head.doc))


def _unnamed_one_since(head: Token, organization: str, context: ResolutionContext) -> bool:
    """"Greenway said it had borrowed from a bank. The bank said": the nearest earlier
    mention of the description's noun is indefinite, an unnamed one the article introduced
    after it last named ``organization``, so the description means that one."""
    earlier = next(_same_noun_before(head, head.i), None)
    if earlier is None or not any(c.dep_ == "det" and c.lower_ in {"a", "an"}
                                  for c in earlier.children):
        return False
    named = [start for start, name in context.orgs if name == organization]
    named += [s.source.start for s in context.sources if s.resolved == organization]
    return not any(earlier.idx < start < head.idx for start in named)


def _introduced_as(head: Token, attribution: Attribution) -> str | None:
    """"The study" -> "study in Nature", where the article introduced it as "a study in
    Nature" (indefinite or a bare plural, with a prepositional phrase that says which):
    the nearest such earlier noun with the same head word, without its article."""
    doc = head.doc
    if not attribution.source.text(doc).lower().startswith("the ") or any(
            c.idx < attribution.source.end for c in head.rights):
        return None  # "the report of the inspectors" says which report itself
    for token in _same_noun_before(head, head.i):
        determiners = [c.lower_ for c in token.children if c.dep_ == "det"]
        if determiners not in ([], ["a"], ["an"]) or (not determiners and token.tag_ != "NNS"):
            continue
        prep = next((c for c in token.rights if c.dep_ == "prep"), None)
        if prep is None or prep.i != token.i + 1:
            continue
        end = prep.right_edge.i + 1
        return doc_text(doc)[token.idx:doc[end - 1].idx + len(doc[end - 1])]
    return None


def _same_noun_before(head: Token, end: int) -> Iterator[Token]:
    """Nouns with `head`'s lemma before token `end`, nearest first: earlier mentions of the
    thing a description names."""
    lemma = head.lemma_.lower()
    return (token for token in reversed(head.doc[:end])
            if token.pos_ == "NOUN" and token.lemma_.lower() == lemma)


def _named_before(head: Token, attribution: Attribution, lexicon: Lexicon) -> str | None:
    """"police" / "the state media" -> "Lancashire police" / "Syrian state media": the nearest
    earlier mention of the same noun with a name before it that says whose it is, where this
    mention names nobody (the guidelines' "the ministry" -> "Russian Emergencies Ministry").
    Not for words for people ("the spokesman"): those are resolved to a person or stay."""
    doc = head.doc
    mention = attribution.source.tokens(doc)
    if mention is None or _people_word(head, lexicon) or any(
            t.pos_ == "PROPN" or t.ent_type_ for t in mention):
        return None
    words = {t.lower_ for t in mention if t.dep_ != "det"}
    for token in _same_noun_before(head, mention.start):
        modifiers = [t for t in token.lefts if t.dep_ in {"amod", "compound", "nmod"}]
        if not any(t.pos_ == "PROPN" or t.ent_type_ in NAMING_ENTS for t in modifiers):
            continue
        phrase = doc[min(t.left_edge.i for t in modifiers):token.i + 1]
        if words <= {t.lower_ for t in phrase}:
            return phrase.text
    return None


def _title_modifiers(head: Token) -> set[str]:
    """"foreign" of "the foreign minister": the words before a title that say which."""
    return {t.lower_ for t in head.lefts if t.dep_ in {"amod", "compound"}
            and t.pos_ in {"ADJ", "NOUN", "PROPN"}}


def _people_word(head: Token, lexicon: Lexicon) -> bool:
    """"spokesman", "officials", "minister": a word for people, not for an organisation."""
    return head.lemma_.lower() in lexicon.people_words


def _named_organization(doc: Doc, attribution: Attribution) -> str | None:
    """The organisation a description names, where the description is that name and
    nothing else: "television broadcaster PBS" (source "television broadcaster")."""
    span = description_span(doc, attribution)
    if span is None or not attribution.description:
        return None
    names = [ent for ent in span.ents if ent.label_ == "ORG"
             and ent.text.removeprefix("the ").removeprefix("The ")
             == attribution.description.removeprefix("the ").removeprefix("The ")]
    return names[0].text.removeprefix("the ") if names else None


def _named_modifier(head: Token) -> bool:
    """"the Internal Revenue Service website": a name before the head says whose it is."""
    return any(t.pos_ == "PROPN" for t in head.lefts)


def _named_description(doc: Doc, attribution: Attribution, context: ResolutionContext
                       ) -> str | None:
    """A title whose apposition (kept as the description) is a person's name: the name."""
    described = attribution.description
    if not described or not described[:1].isupper():
        return None
    near = doc.char_span(attribution.source.start, min(len(doc.text), attribution.source.end
                                                        + len(described) + 3),
                         alignment_mode="expand")
    people = [ent for ent in near.ents if ent.label_ == "PERSON" and ent.text == described
              ] if near is not None else []
    if not people:
        return None
    return context.index.expand(described, people[0].start_char)[0]


def _same_head_source(head: Token, attribution: Attribution, context: ResolutionContext
                      ) -> Attribution | None:
    """The nearest earlier source with the same head noun, for a mention that starts with
    "the" (a definite description points back; "a statement" would be a new one)."""
    doc = head.doc
    if not attribution.source.text(doc).lower().startswith("the "):
        return None
    earlier = [s for s in context.sources if s.source.start < attribution.source.start
               and (other := s.source_head(doc)) is not None and other.pos_ == "NOUN"
               and other.lemma_.lower() == head.lemma_.lower()]
    return max(earlier, key=lambda s: s.source.start) if earlier else None


# ---------------------------------------------------------------- component


@Language.factory("claimtrace_speakers", assigns=["doc.spans"],
                  default_config={"lexicon_path": None})
def make_speakers(nlp: Language, name: str, lexicon_path: str | None):
    lexicon = load_lexicon(lexicon_path)

    def speakers(doc: Doc) -> Doc:
        ordered = sorted(attributions_of(doc), key=lambda a: (a.content.start, a.content.end))
        set_attributions(doc, resolve_speakers(doc, ordered, lexicon))
        return doc

    return speakers
