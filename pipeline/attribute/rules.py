"""Rule-based attribution: (source, cue, content) triples read off the dependency parse.

In the spirit of textacy's ``direct_quotations`` and of the attribution patterns in Pareti
(2016, "PARC 3.0"): a reporting cue from the lexicon, its grammatical subject as the source,
and its clausal complement or the nearby quotation as the content. Each construction is a
small function; ``find_attributions`` tries them per sentence unit. The component writes to
``doc.spans["attributions_rules"]``; speakers are resolved later, once, for every producer.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, replace

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from claimtrace.pipeline.attribute.attribution import (
    EDGE_PUNCT,
    QUOTE_MARKS,
    RULES_KEY,
    Attribution,
    CharSpan,
    entities,
    set_attributions,
    token_range,
    trimmed,
)
from claimtrace.pipeline.attribute.lexicon import Lexicon, cue_kind, cue_lemmas, load_lexicon
from claimtrace.pipeline.quotes import QuoteRegion, quote_regions
from claimtrace.pipeline.split import sentence_spans
from claimtrace.pipeline.text import doc_text

SUBJECT_DEPS = {"nsubj", "csubj", "expl"}
PASSIVE_SUBJECT_DEPS = {"nsubjpass", "csubjpass"}
CLAUSE_DEPS = {"ccomp", "xcomp"}
# Verbs that share the subject of the verb they hang from: "He smiled and said ...",
# "officials told reporters, adding that ...".
SUBJECT_SHARING_DEPS = {"conj", "advcl", "xcomp", "dep"}
COMPLEMENTISERS = {"that", "whether", "if"}
RELATIVE_WORDS = {"which", "who", "whom", "whose", "that", "where", "when"}
PERSON_PRONOUNS = {"he", "she", "him", "her"}


# ---------------------------------------------------------------- span helpers


def inside_quote(regions: list[QuoteRegion], start: int, end: int) -> QuoteRegion | None:
    return next((region for region in regions if region.contains(start, end)), None)


def quote_type_of(content: CharSpan, regions: list[QuoteRegion]) -> str:
    """direct: all inside quotes; mixed: partly quoted; indirect: no quotation at all."""
    if inside_quote(regions, content.start, content.end):
        return "direct"
    quoted = [r for r in regions if r.inner_start < content.end and content.start < r.inner_end]
    return "mixed" if quoted else "indirect"


def with_closing_mark(doc: Doc, content: CharSpan, regions: list[QuoteRegion]) -> CharSpan:
    """'said it was "rushed and careless".': a content that opens a quotation and stops at
    its end keeps the closing mark, and a stop inside the marks with it, as the dev labels
    have a mixed quote ('the plan was "dead on arrival"'); the trims of edge punctuation
    and quotation marks dropped it and left the quotation open."""
    text = doc_text(doc)
    for region in regions:
        if (region.closed and content.start < region.open_at < content.end <= region.close_at
                and not text[content.end:region.close_at].strip(EDGE_PUNCT + "?!")):
            return CharSpan(content.start, region.close_at + 1)
    return content


def strip_complementiser(clause_tokens: list[Token]) -> list[Token]:
    """`said that X` → content X: the complementiser belongs to the cue's frame, not the claim."""
    while clause_tokens and (_complementiser(clause_tokens[0], clause_tokens[1:])
                             or clause_tokens[0].is_punct):
        clause_tokens = clause_tokens[1:]
    return clause_tokens


def _complementiser(token: Token, rest: list[Token]) -> bool:
    """"that" / "whether" / "if" opening the reported clause. The parser does not always
    mark it so: in "told The Guardian that he was leaving", "said in a post on X that taxes
    would rise" it made "that" the clause verb's object. A leading "that" that is neither
    the clause's subject nor a determiner ("that plan was wrong"), with a subject of the
    clause after it, is the complementiser too."""
    if token.lower_ not in COMPLEMENTISERS:
        return False
    if token.dep_ == "mark":
        # "said if the rain continues, the river will flood": the "if" of a condition inside
        # the reported clause is part of what was said.
        return token.lower_ == "that" or token.head.dep_ != "advcl"
    return (token.tag_ in {"IN", "WDT"} and token.dep_ in {"dobj", "pobj", "advmod"}
            and any(t.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS for t in rest))


def content_from_tokens(doc: Doc, tokens: list[Token]) -> CharSpan | None:
    bounds = token_range(tokens)
    if bounds is None:
        return None
    return trimmed(doc, bounds.start, bounds.end, EDGE_PUNCT)


def quote_content(doc: Doc, region: QuoteRegion) -> CharSpan | None:
    """The words inside the marks, without the comma or stop that ends the quote."""
    return trimmed(doc, region.inner_start, region.inner_end, EDGE_PUNCT)


def whole_quotation(doc: Doc, piece: CharSpan | None, regions: list[QuoteRegion]
                    ) -> CharSpan | None:
    """A piece that is one quotation, marks and all ('"The town is safe," according to the
    mayor'), is the words inside the marks (GUIDELINES.md 3: marks excluded)."""
    if piece is None:
        return None
    region = next((r for r in regions if r.closed and r.open_at == piece.start
                   and r.close_at + 1 == piece.end), None)
    return quote_content(doc, region) or piece if region is not None else piece


# ---------------------------------------------------------------- cues


def cue_span(verb: Token, lexicon: Lexicon | None = None) -> CharSpan:
    """The verb group: auxiliaries and negation right before the verb, particles after, the
    preposition of a prepositional cue ("spoke of", "called for"), and "went on" before
    "to say"."""
    lexicon = lexicon or load_lexicon()
    parts = [verb, *auxiliaries(verb)]
    parts += [c for c in verb.rights if c.dep_ == "prt" and c.i == verb.i + 1]
    preps = lexicon.prepositional_cues.get(verb.lemma_.lower(), [])
    parts += [c for c in verb.rights if c.dep_ == "prep" and c.lower_ in preps
              and c.i == verb.i + 1 and not _date_object(c)]  # "called on Monday for"
    governor = verb.head
    on = [c for c in governor.rights if c.dep_ == "prt" and c.lower_ == "on"]
    if verb.dep_ in {"xcomp", "advcl"} and governor.lemma_ == "go" and on and on[0].i < verb.i:
        parts += [governor, on[0], *auxiliaries(governor)]  # "would go on to say"
    if quoted_as(verb) is not None and governor.i == governor.head.i + 1:
        parts += [governor, governor.head]  # "quoted as saying", not "quoted by X as saying"
    parts += _catenative(verb, lexicon)
    return token_range(parts)


def _catenative(verb: Token, lexicon: Lexicon) -> list[Token]:
    """"seemed to say", "have come to believe", "were able to determine": the verb the cue's
    infinitive completes, with its auxiliaries (and the copula of "able"), is part of the
    verb group, as the dev labels have it. Not a wish or a refusal ("wants to say", "refused
    to say"): those report nothing said."""
    governor = verb.head
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    if (verb.dep_ not in {"xcomp", "advcl"} or not infinitive or governor.i >= verb.i
            or verb.i - governor.i > 2 or governor.lemma_.lower() not in lexicon.catenative_verbs):
        return []
    copula = [governor.head] if governor.dep_ == "acomp" and governor.head.i < governor.i else []
    return [governor, *auxiliaries(governor), *copula, *(a for c in copula for a in auxiliaries(c))]


def auxiliaries(verb: Token) -> list[Token]:
    """The auxiliaries and negation right before the verb ("has not", "would")."""
    return [c for c in verb.lefts if c.dep_ in {"aux", "auxpass", "neg"} and c.i >= verb.i - 3]


def quoted_as(verb: Token) -> Token | None:
    """The subject of "X was quoted (by Y) as saying ...": the parser hangs "saying" on
    "as", so the verb has no subject of its own; the one quoted is the speaker."""
    preposition = verb.head
    quoted = preposition.head
    if verb.dep_ != "pcomp" or preposition.lower_ != "as" or quoted.lemma_ != "quote":
        return None
    return next((c for c in quoted.children if c.dep_ == "nsubjpass"), None)


def _date_object(preposition: Token) -> bool:
    return any(c.ent_type_ in {"DATE", "TIME"} for c in preposition.children)


def is_verb_cue(token: Token, lexicon: Lexicon) -> bool:
    return token.pos_ in {"VERB", "AUX"} and token.lemma_.lower() in lexicon.verbs


def subject_of(verb: Token) -> Token | None:
    """The verb's subject, or the subject of the verb it is chained to."""
    if (quoted := quoted_as(verb)) is not None:
        return quoted
    verb = _reporter_of_participle(verb)
    verb = _coordinated_report(verb, load_lexicon()) or verb
    if bare_participle(verb):
        return None  # "Urged by aides to resign, the mayor …": the mayor was told; the agent
        # ("aides", `passive_agent`) is who spoke
    seen = 0
    while verb is not None and seen < 4:
        subjects = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
        if subjects:
            return _likeliest_subject(subjects)
        raised = _raised_speaker(verb) if seen else None
        if raised is not None:
            return raised
        if _means_of(verb):
            # "Ruiz responded by saying the claims were false": the responder said it
            verb, seen = verb.head.head, seen + 1
            continue
        if verb.dep_ not in SUBJECT_SHARING_DEPS or verb.head is verb:
            return None
        verb, seen = verb.head, seen + 1
    return None


def _means_of(verb: Token) -> bool:
    """A gerund after "by" on a verb ('responded by saying', 'reacted by announcing'): how
    that verb's subject acted. Not the agent of a passive ('arrested by police saying'),
    which the parser reads as a noun with its own participle."""
    return (verb.dep_ == "pcomp" and verb.tag_ == "VBG" and verb.head.lower_ == "by"
            and verb.head.dep_ == "prep" and verb.head.head.pos_ in {"VERB", "AUX"})


def _raised_speaker(verb: Token) -> Token | None:
    """'Mira Solberg is reported to have said the talks had failed', 'The minister is
    believed to have told aides …': the subject of a passive report is who said the words
    its infinitive reports (the report itself has no source: `sourceless_passive`). Not
    after "asked", "told" and the other verbs whose passive subject is the one addressed
    ('was asked to comment': nothing said yet)."""
    lexicon = load_lexicon()
    if (not is_verb_cue(verb, lexicon) or verb.lemma_.lower() in lexicon.addressee_verbs
            or not any(c.dep_ == "auxpass" for c in verb.children)):
        return None
    return next((c for c in verb.children if c.dep_ == "nsubjpass"), None)


def _reporter_of_participle(verb: Token) -> Token:
    """'Ruiz said the fees "cost $5 billion," further saying …': a reporting participle the
    parser hung on the reported clause belongs to the reporting verb of that clause."""
    clause, lexicon = verb.head, load_lexicon()
    if (verb.tag_ == "VBG" and verb.dep_ in {"advcl", "xcomp"} and clause.dep_ == "ccomp"
            and clause.i < verb.i and is_verb_cue(verb, lexicon)
            and is_verb_cue(clause.head, lexicon)):
        return clause.head
    return verb


def _likeliest_subject(subjects: list[Token]) -> Token:
    """One subject; several are a broken parse ("Study co | - | author and chemist Lena
    Marsh remarked"): the one whose phrase names someone, else the one nearest the verb."""
    named = [s for s in subjects if any(t.ent_type_ in {"PERSON", "ORG"} for t in s.subtree)]
    return (named or subjects)[-1]


def inverted_subject(verb: Token) -> Token | None:
    """'"…," read the statement': the parser takes the source after an inverted reporting
    verb for its object when the verb has no subject; it is the source when the reported
    clause comes before the verb."""
    if not any(c.dep_ == "ccomp" and c.i < verb.i for c in verb.children):
        return None
    return next((c for c in verb.children
                 if c.dep_ == "dobj" and c.i > verb.i and c.pos_ in {"NOUN", "PROPN"}), None)


def after_quote_subject(verb: Token, regions: list[QuoteRegion]) -> Token | None:
    """'"…," tweeted Mayor of Leeds Ana Ruiz', '"…," posted the council': right after a
    quotation the small parser sometimes reads the reporting verb as an adjective of the
    name that follows, or as a verb coordinated with the quoted one, with the name as its
    object. Directly after a closing quotation mark, that name is the source."""
    if not _right_after_quote(verb, regions):
        return None
    if verb.dep_ == "amod" and verb.head.i > verb.i:
        head = verb.head
        while head.dep_ in {"nmod", "compound"} and head.head.i > head.i:
            head = head.head  # "Mayor" -> "Ruiz" in "Mayor of Leeds Ana Ruiz"
        return head if head.pos_ in {"NOUN", "PROPN"} else None
    return next((c for c in verb.children if c.dep_ in {"dobj", "attr"} and c.i > verb.i
                 and c.pos_ in {"NOUN", "PROPN"}), None)


def _right_after_quote(verb: Token, regions: list[QuoteRegion]) -> bool:
    """The token before the verb (a comma aside) closes a quotation."""
    before = verb.i - 1
    if before >= 0 and verb.doc[before].text == ",":
        before -= 1
    if before < 0 or verb.doc[before].text not in QUOTE_MARKS:
        return False
    mark = verb.doc[before].idx
    return any(region.closed and region.close_at == mark for region in regions)


def participle_bearer(verb: Token) -> Token | None:
    """'filed a lawsuit arguing the tax is illegal', 'with analysts saying the race is open':
    a reporting participle hung on a noun phrase says what that phrase (a document, a group
    of people) reports. A name takes it only in the absolute 'with X saying', since
    'a ruling against Smith finding that …' is often the parser attaching to the nearest
    noun."""
    noun = verb.head
    if verb.tag_ != "VBG" or verb.dep_ != "acl" or noun.i > verb.i:
        return None
    absolute = noun.dep_ == "pobj" and noun.head.lower_ == "with"
    if noun.pos_ != "NOUN" and not (absolute and noun.pos_ in {"PROPN", "PRON"}):
        return None
    # "calls by officials asking …": who called is the one asking.
    agent = next((g for p in noun.children if p.dep_ == "prep" and p.lower_ == "by"
                  for g in p.children if g.dep_ == "pobj"), None)
    if agent is None and noun.dep_ == "dobj" and noun.lemma_.lower() in (
            load_lexicon().vehicle_heads):
        agent = subject_of(noun.head)  # "the palace issued a statement saying …"
    return agent or noun


def bare_participle(verb: Token) -> bool:
    """A past participle heading a phrase with no auxiliary of its own ("Urged by aides to
    resign, …", "Asked whether he would resign, …"): what was done to someone, whose own
    verb comes after."""
    return verb.tag_ == "VBN" and verb.dep_ in {"advcl", "acl"} and not any(
        c.dep_ in {"aux", "auxpass"} for c in verb.children)


def preposition_object(preposition: Token) -> Token | None:
    return next((c for c in preposition.children if c.dep_ == "pobj"), None)


def bare_noun(noun: Token) -> bool:
    """No determiner or possessive: "plan" in "according to plan", "person" in "per
    person"."""
    return not any(c.dep_ in {"det", "poss"} for c in noun.children)


def passive_agent(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "agent":
            return preposition_object(child)
    return None


# ---------------------------------------------------------------- sources


AFFILIATION_PREPS = {"of", "at", "for", "from", "with"}


def affiliation_of(head: Token, lexicon: Lexicon | None = None) -> Token | None:
    """"Tessa Moray of the National Crime Agency": the prepositional phrase after a personal
    name (two or more proper nouns, none a title or an organisation word: "Institute of
    Volcanology" and "Minister of Scotland" keep theirs)."""
    lexicon = lexicon or load_lexicon()
    name = [t for t in head.lefts if t.dep_ in {"compound", "flat"} and t.pos_ == "PROPN"]
    if head.pos_ != "PROPN" or not name:
        return None
    if any(t.lemma_.lower() in lexicon.organization_heads or t.lower_ in lexicon.honorifics
           for t in [*name, head]):
        return None
    return next((c for c in head.rights if c.dep_ == "prep" and c.lower_ in AFFILIATION_PREPS
                 and any(g.dep_ == "pobj" for g in c.children)), None)


def noun_phrase_tokens(head: Token) -> list[Token]:
    """The head's subtree without appositions, relative clauses and, after a name, the
    affiliation (they describe it)."""
    dropped = set()
    affiliation = affiliation_of(head)
    for child in head.children:
        if child.dep_ in {"appos", "relcl"} or (child.dep_ == "acl" and not _defining(child)) or (
                affiliation is not None and child.i == affiliation.i):
            dropped.update(t.i for t in child.subtree)
    lexicon = load_lexicon()
    for token in head.subtree:  # "the report on Saturday, which figured …": a clause deeper in
        # '"…," tweeted Mayor Ana Ruiz' parsed with "tweeted" as an adjective of the name:
        # the report and its quotation are not part of the source (`after_quote_subject`).
        misparsed_cue = (token.dep_ == "amod" and is_verb_cue(token, lexicon)
                         and _right_after_quote(token, quote_regions(token.doc)))
        if (token.dep_ == "relcl" or misparsed_cue) and token.i not in dropped:
            dropped.update(t.i for t in token.subtree)
    for child in head.rights:  # "many generals, including Grant,": examples, not the source
        if child.dep_ == "prep" and (child.lower_ in EXAMPLE_PREPS or _when(child)
                                     or _medium(child, lexicon)):
            dropped.update(t.i for t in child.subtree)
    tokens = [t for t in head.subtree if t.i not in dropped]
    # Keep the contiguous run around the head: a dropped apposition splits the phrase.
    run = [head]
    by_index = {t.i: t for t in tokens}
    index = head.i - 1
    while index in by_index:
        run.insert(0, by_index[index])
        index -= 1
    index = head.i + 1
    while index in by_index:
        run.append(by_index[index])
        index += 1
    return [t for t in run if not (t.is_punct and t.i in (run[0].i, run[-1].i))]


def _defining(acl: Token) -> bool:
    """A participle that says which one an unnamed source is: "a statement released by the
    court", "facts heard in court", "doctors treating the patient", "residents living near
    the plant" -- part of the source's noun phrase (gold guidelines: for unnamed sources the
    whole noun phrase). A past tense the parser gave a reduced relative ("people briefed on
    the talks" tagged VBD) is the same participle: a finite verb cannot be one. A present
    participle that is itself a report ("a spokesman saying ...") is not a modifier."""
    participle = acl.tag_ in {"VBN", "VBD"} or (
        acl.tag_ == "VBG" and not is_verb_cue(acl, load_lexicon()))
    return (participle and acl.i == acl.head.i + 1 and acl.head.pos_ == "NOUN"
            and acl.lemma_.lower() not in NAMING_VERBS)


EXAMPLE_PREPS = {"including", "like", "among"}


# Besides the lexicon's vehicle heads: where something is said, not what is put out.
SAYING_OCCASIONS = {"interview", "speech", "briefing", "conference", "remark", "comment"}


def _medium(prep: Token, lexicon: Lexicon) -> bool:
    """'"…," said the firm's lawyer in a statement': after an inverted cue the parser can
    hang the medium on the source; it says how the words came out, not who said them
    (GUIDELINES.md 3: "in a statement" is part of neither the cue nor the source). An
    occasion of speaking goes with "at" and "during" too ("at a news conference")."""
    heads = [g for g in prep.children if g.dep_ == "pobj"]
    if prep.lower_ in {"at", "during"}:
        return any(_speaking_occasion(g) for g in heads)
    return prep.lower_ in {"in", "via"} and any(
        g.lemma_.lower() in lexicon.vehicle_heads or g.lemma_.lower() in SAYING_OCCASIONS
        for g in heads)


def _speaking_occasion(noun: Token) -> bool:
    """'at a briefing', 'at a news conference': an occasion for speaking. A bare "conference"
    is not one ('would unveil the phone at a conference')."""
    if noun.lemma_.lower() == "conference":
        return any(c.dep_ == "compound" and c.lower_ in {"news", "press"}
                   for c in noun.children)
    return noun.lemma_.lower() in SAYING_OCCASIONS


def _when(prep: Token) -> bool:
    """"a report … during the weekend": a time phrase says when, not who."""
    return any(g.dep_ == "pobj" and g.ent_type_ in {"DATE", "TIME"} for g in prep.children)


def apposition_of(head: Token) -> Token | None:
    """The phrase in apposition to ``head``; an age ("Tom Hale, 52, a former banker,") is
    no description of who the source is, one of a group is ("Lucy Kamau, one of the
    organisers,")."""
    return next((c for c in head.children if c.dep_ == "appos" and not (
        c.like_num and not _one_of(c))), None)


def _one_of(number: Token) -> bool:
    """"one of the organisers", "two of the victims": a count of a group, not an age or
    an amount ("US$3.6 billion from a budget")."""
    return number.ent_type_ in {"", "CARDINAL"} and any(
        g.dep_ == "prep" and g.lower_ == "of" for g in number.children)


def person_entity(doc: Doc, tokens: list[Token]) -> Span | None:
    """The first PERSON entity that starts and ends on ``tokens``; the entities are searched
    from the first token on (a walk over all of them per source made long articles
    quadratic)."""
    ids = {t.i for t in tokens}
    if not ids:
        return None
    found = entities(doc)
    first, last = min(ids), max(ids)
    for ent in found[bisect_left(found, first, key=lambda ent: ent.start):]:
        if ent.start > last:
            break
        if ent.label_ == "PERSON" and ent.start in ids and ent.end - 1 in ids:
            return ent
    return None


PEOPLE_GROUPS = {"couple", "pair", "duo", "trio", "head"}  # "the head of the agency"
POST_NOMINALS = {"qc", "kc", "mp", "jr", "jr.", "sr", "sr.", "phd", "obe", "mbe", "cbe"}
NON_PERSON_ENTS = {"ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART"}
ORGANIZATION_ENTS = {"ORG", "GPE", "NORP", "FAC"}  # entity types that name an organisation


def name_run(doc: Doc, head: Token, lexicon: Lexicon, described: bool = False
             ) -> Span | None:
    """A titled name the tagger missed: "Former US Ambassador … Nikki Haley" -> "Nikki Haley".

    The proper-noun compounds right before a proper-noun head, stopping at a title word;
    ``described``: the run is in apposition to a word for a person ("A spokeswoman for the
    agency, Ilse Brant,"), which says it is a person's name as a title before it does.
    """
    heads = {head.i}
    while head.lower_ in POST_NOMINALS and head.i > 0 and doc[head.i - 1].head.i == head.i:
        head = doc[head.i - 1]  # "Kama Melly QC": the parser made the letters the head
        heads.add(head.i)
    if (head.pos_ != "PROPN" or head.lemma_.lower() in lexicon.organization_heads
            or head.lower_ in lexicon.honorifics):
        return None
    start = head.i
    while start > 0:
        previous = doc[start - 1]
        if (previous.pos_ != "PROPN" or previous.head.i not in heads
                or previous.dep_ not in {"compound", "flat"}
                or previous.lower_ in lexicon.honorifics):
            break
        start -= 1
    titled = start > 0 and doc[start - 1].lower_ in lexicon.honorifics
    # A place the parser chained to the name ("Minister of Scotland Nicola Sturgeon").
    while titled and start < head.i - 1 and doc[start].ent_type_ in {"GPE", "LOC", "NORP"}:
        start += 1
    # Skip post-nominals ("Durham Hall QC") so the name itself is the run.
    end = head.i + 1
    while end - 1 > start and doc[end - 1].lower_ in POST_NOMINALS:
        end -= 1
    run = doc[start:end]
    if len(run) < 2 and not titled:  # one word is a name only after a title: "Princess Ubolratana"
        return None
    # "United Nations": a proper name, but not a person's -- unless a title stands before it
    # ("Prosecutor Kama Melly", which the small model tags ORG).
    if not (titled or described) and all(t.ent_type_ in NON_PERSON_ENTS for t in run):
        return None
    if any(t.lemma_.lower() in lexicon.organization_heads for t in run):
        return None
    return run


def without_title_place(name: Span | None) -> Span | None:
    """"Mayor of Leeds Sara Patel": the entity tagger ran the title's place into the name.
    A leading word whose heads lead out of the entity before reaching its root (here to
    "of") is not part of the name."""
    if name is None:
        return None
    start = name.start
    while start < name.end - 1 and not _reaches(name.doc[start], name.root, name):
        start += 1
    return name.doc[start:name.end]


def _reaches(token: Token, root: Token, span: Span) -> bool:
    while token.i != root.i:
        if not span.start <= token.head.i < span.end or token.head.i == token.i:
            return False
        token = token.head
    return True


def with_given_names(name: Span | None, lexicon: Lexicon) -> Span | None:
    """"Sadiq | Khan": where the entity tagger kept only a surname, the name words the
    parser compounds onto it, up to a title or a place, belong to the name. A name of two
    words or more is left as tagged: what precedes it is more often a title ("Legislator")."""
    if name is None:
        return None
    doc, start = name.doc, name.start
    while start > 0 and len(name) == 1:
        previous = doc[start - 1]
        if (not name_word(previous, lexicon) or previous.dep_ != "compound"
                or not name.start <= previous.head.i < name.end
                or previous.ent_type_ in NON_PERSON_ENTS):
            break
        start -= 1
    return doc[start:name.end]


def untitled(name: Span | None, lexicon: Lexicon) -> Span | None:
    """"Assemblywoman Rosa Lind" -> "Rosa Lind": the entity tagger often takes a title into
    the name; a courtesy title ("Mr.") stays, and so does a title before a single name
    ("Pope Francis")."""
    if name is None:
        return None
    start = name.start
    while (name.end - start > 2 and name.doc[start].lower_ in lexicon.people_words
           and name.doc[start].lower_ not in lexicon.courtesy_titles):
        start += 1
    return name.doc[start:name.end]


def _personal_name(doc: Doc, head: Token, tokens: list[Token], lexicon: Lexicon
                   ) -> Span | None:
    """The person's name in a source phrase: the PERSON entity, untitled -- unless the entity
    stops short of the proper-noun head ("Superintendent Ana| Ruiz"), where the run of proper
    nouns ending at the head is the name."""
    entity = with_given_names(
        untitled(without_title_place(person_entity(doc, tokens)), lexicon), lexicon)
    if entity is not None and _whom_served(head, entity, lexicon):
        return None
    run = name_run(doc, head, lexicon)
    if run is not None and (entity is None or not entity.start <= head.i < entity.end):
        return run
    return entity


def _whom_served(head: Token, name: Span, lexicon: Lexicon) -> bool:
    """"A lawyer for Tom Hale said", "an aide to Senator Ana Ruiz", "Tom Hale's office": the
    person a common noun's preposition or possessive names is whom the unnamed source works
    for, not the source (GUIDELINES.md:
    an unnamed source is its whole phrase). Only where the preposition's object is that name,
    a title at most before it: in "Ambassador to the UN Nikki Haley" the parser hung the
    ambassador's own name on "the UN"."""
    if head.pos_ == "NOUN" and name.root.dep_ == "poss" and name.root.head == head:
        return True  # "Dunmore's office", "Hale's lawyer": whose it is, not who speaks
    preposition = name.root.head
    if head.pos_ != "NOUN" or name.root.dep_ != "pobj" or preposition.head != head:
        return False
    before = [t for t in name.root.subtree if t.i < name.start]
    return all(t.lower_ in lexicon.honorifics for t in before)


def with_name_particles(name: Span, lexicon: Lexicon) -> Span:
    """The name with the particles the entity tagger or the parse left out: "Van der | Berg"
    (capitalised at a sentence start), "Ludwig van der | Berg", "Marco dela | Cruz". A
    particle is taken only where it touches a capitalised name word, so the lower-case
    words of a phrase around the name ("de facto", "la" in a title) stay outside."""
    doc, start, end = name.doc, name.start, name.end
    left = start
    while left > 0 and name_particle(doc[left - 1], lexicon):
        left -= 1
    if left < start or name_particle(doc[left], lexicon):
        if left > 0 and name_word(doc[left - 1], lexicon):
            start = left - 1  # a given name before the particles: "Ludwig van der Berg"
        elif doc[left].text[:1].isupper() or left == name.sent.start:
            start = left  # the name opens with its particle: "Van der Berg"
    while end < len(doc) and name_particle(doc[end - 1], lexicon) and name_word(doc[end], lexicon):
        end += 1  # the name stopped on its particle: "Marco dela" + "Cruz"
    return doc[start:end]


def name_word(token: Token, lexicon: Lexicon) -> bool:
    """A capitalised proper noun that is no title: a word of a personal name."""
    return (token.pos_ == "PROPN" and token.text[:1].isupper() and token.is_alpha
            and token.lower_ not in lexicon.honorifics)


def name_particle(token: Token, lexicon: Lexicon) -> bool:
    """"van", "dela": a lower-case word of a personal name, followed by a space."""
    return token.lower_ in lexicon.name_particles and token.is_alpha and bool(token.whitespace_)


def _name_continues(head: Token, appos: Token, lexicon: Lexicon) -> bool:
    """An "apposition" that is the rest of the head's name: it follows a name particle with
    no comma or bracket between them."""
    return (name_particle(head, lexicon) and appos.left_edge.i == head.i + 1
            and name_word(appos, lexicon))


def _named_apposition(doc: Doc, head: Token, lexicon: Lexicon) -> Span | None:
    """"the city's mayor, Dan Ortiz," / "A Democratic Senator, Jane Holt,": the name in an
    apposition to a description (a common noun, or a capitalised title that is no name)."""
    appos = apposition_of(head)
    if appos is None or appos.pos_ != "PROPN" or not _describes(head, lexicon):
        return None
    tokens = [t for t in appos.subtree if t.i <= appos.i]
    lemma = head.lemma_.lower()
    return person_entity(doc, tokens) or name_run(
        doc, appos, lexicon, described=lemma in lexicon.people_words or lemma in PEOPLE_GROUPS)


def _organization_apposition(head: Token) -> CharSpan | None:
    """The named organisation in apposition to a common noun, or to one of a group ("One of
    these militias, the Northern Defence Forces,"): the apposition's phrase."""
    appos = apposition_of(head)
    group = _group_of(head)
    if ((head.pos_ != "NOUN" and group is None) or appos is None
            or appos.ent_type_ not in ORGANIZATION_ENTS
            or not _right_after(group.right_edge if group is not None else head, appos)):
        return None
    # Without its bracketed acronym, as in the other sources: the parser hangs the closing
    # bracket on the verb, which left "the World Health Organization (WHO" as the name.
    words = [t for t in without_parenthesis(list(appos.subtree)) if not t.is_punct]
    return CharSpan(words[0].idx, words[-1].idx + len(words[-1])) if words else None


def _person_down_appositions(doc: Doc, head: Token) -> Span | None:
    """The person named at the end of a chain of appositions to a head that is no person
    ("source | director | Olga Brandt"), where the parse left the name there."""
    if head.ent_type_ == "PERSON":
        return None
    before, token = head, apposition_of(head)
    while token is not None and _right_after(before, token):
        if token.ent_type_ == "PERSON":
            return next((e for e in entities(doc) if e.start <= token.i < e.end), None)
        before, token = token, apposition_of(token)
    return None


def _right_after(head: Token, appos: Token) -> bool:
    """Whether the apposition's phrase follows the head with nothing but punctuation between
    them: "the network, NBC," -- not a name the parse hung on a head further back
    ("researchers from X and Y University")."""
    between = head.doc[head.i + 1:appos.left_edge.i]
    return appos.i > head.i and all(t.is_punct for t in between)


def _describes(head: Token, lexicon: Lexicon) -> bool:
    """A head that describes rather than names: a common noun, a capitalised title
    ("Republican Assemblywoman"), one of a group ("One of them"), or a proper noun that is
    no person and has no name before it."""
    if head.pos_ == "NOUN" or (head.pos_ == "PROPN" and head.lower_ in lexicon.honorifics):
        return True
    if _group_of(head) is not None:
        return True  # "One of the investors, Ellen Crowe,": one of a group, then who
    return head.pos_ == "PROPN" and head.ent_type_ != "PERSON" and not any(
        c.dep_ in {"compound", "flat"} and c.pos_ == "PROPN" and c.i < head.i
        for c in head.children)


def _group_of(head: Token) -> Token | None:
    """The "of" of "One of them", "Two of the victims": a number or pronoun that picks one
    or more out of a group."""
    if head.pos_ not in {"NUM", "PRON"}:
        return None
    return next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)


NAMING_VERBS = {"name", "call", "identify"}


def _naming_participle(doc: Doc, head: Token, lexicon: Lexicon) -> Span | None:
    """"A nurse named Lee said": the name given by "named"/"called" is the source."""
    for child in head.children:
        if child.dep_ == "acl" and child.lemma_.lower() in NAMING_VERBS and child.i > head.i:
            named = next((g for g in child.children if g.dep_ in {"oprd", "dobj", "attr"}
                          and g.pos_ == "PROPN"), None)
            if named is not None:
                tokens = [t for t in named.subtree if t.i <= named.i]
                return (person_entity(doc, tokens) or name_run(doc, named, lexicon)
                        or doc[named.i:named.i + 1])
    return None


def _adjacent_name(doc: Doc, head: Token, tokens: list[Token], lexicon: Lexicon
                   ) -> Span | None:
    """A personal name right after a description that the parser left outside its phrase:
    "Chad's president Omar Talbi said" (two subjects), "According to the mayor, Dan Ortiz,
    police ..." (the name taken for the next clause's subject)."""
    if not tokens or not _describes(head, lexicon) or head.ent_type_ == "PERSON":
        return None
    after = tokens[-1].i + 1
    comma = after < len(doc) and doc[after].text == ","
    start = after + 1 if comma else after
    ent = next((e for e in entities(doc) if e.start == start and e.label_ == "PERSON"), None)
    if ent is None or ent.sent.start != head.sent.start:
        return None
    following = doc[ent.end] if ent.end < len(doc) else None
    if comma and (following is None or following.text != ","):
        return None  # "the mayor, Dan Ortiz and ...": a list, not an apposition
    if not comma and (ent.root.head.i != head.head.i or ent.root.dep_ not in SUBJECT_DEPS):
        return None
    return ent


def _name_after_description(doc: Doc, head: Token) -> Span | None:
    """"State news agency KNA", "rapper Lil Nas", "the US-backed Free Hill Forces": a proper
    name after a lower-case common noun or a hyphenated modifier that describes it; the name
    is the source. A word all in lower case is no name, whatever its tag: the tagger can
    make "ministry" in "the defence ministry" a proper noun, which made "defence" its
    description and "ministry" the source."""
    if head.pos_ != "PROPN" or head.text.islower():
        return None
    start = head.i
    while (start > 0 and doc[start - 1].pos_ == "PROPN"
           and start <= doc[start - 1].head.i <= head.i
           and doc[start - 1].dep_ in {"compound", "flat"}):
        start -= 1
    if start == 0:
        return None
    before = doc[start - 1]
    if not start <= before.head.i <= head.i:
        return None
    describing_noun = before.pos_ == "NOUN" and before.text.islower() and before.dep_ == "compound"
    # "the Kurdish-led Syrian Democratic Forces", "the state-run Daily Star"
    hyphenated = before.dep_ == "amod" and any(t.text in "-–" for t in before.subtree)
    return doc[start:head.i + 1] if describing_noun or hyphenated else None


def without_possessive(doc: Doc, span: CharSpan | None) -> CharSpan | None:
    """"San Diego's" -> "San Diego": the possessive ending is not part of a description."""
    if span is None:
        return None
    text = span.text(doc)
    for ending in ("'s", "’s", "'", "’"):
        if text.endswith(ending) and len(text) > len(ending):
            return trimmed(doc, span.start, span.end - len(ending), " \t\n,;:")
    return span


def without_parenthesis(tokens: list[Token]) -> list[Token]:
    """"the Federal Security Service (FSB)": the bracketed acronym is not part of the name."""
    for position, token in enumerate(tokens):
        if token.text == "(" and position > 0:
            return tokens[:position]
    return tokens


def _own_acronym(head: Token, appos: Token) -> bool:
    """"The World Health Organization (WHO)": a bracketed acronym after an organisation's
    name is the name again, not a description; after a person's ("Ana Ruiz (SDP)") it is
    the party."""
    return (head.ent_type_ in ORGANIZATION_ENTS and appos.left_edge.text == "("
            and appos.left_edge.i == appos.i - 1 and appos.text.isupper())


@dataclass(frozen=True)
class SourceMention:
    span: CharSpan
    head: Token
    description: str | None
    source_type: str


def classify_source(doc: Doc, head: Token, tokens: list[Token], lexicon: Lexicon) -> str:
    lemma = head.lemma_.lower()
    if head.pos_ == "PRON":
        return "person" if head.lower_ in PERSON_PRONOUNS | {"i"} else "anonymous"
    if lemma in lexicon.anonymous_heads and head.ent_type_ != "PERSON":
        return "anonymous"
    if lemma in lexicon.document_heads:
        return "other"
    if lemma in lexicon.organization_heads:
        return "organization"
    named = person_entity(doc, tokens)
    if named is not None and head.ent_type_ != "PERSON" and _whom_served(head, named, lexicon):
        return "anonymous"  # "a son of Tom Hale": an unnamed person
    if head.ent_type_ == "PERSON" or named is not None:
        return "person"
    if head.pos_ == "PROPN" and _described_person(head, lexicon):
        return "person"
    if head.ent_type_ in ORGANIZATION_ENTS or head.pos_ == "PROPN":
        return "organization"
    if head.pos_ == "NOUN":  # a title is a word for a person too ("the mayor", "the premier")
        return "anonymous" if (lemma.endswith(("er", "ist", "ian", "ant", "ent"))
                               or lemma in lexicon.people_words) else "other"
    return "other"


def _described_person(head: Token, lexicon: Lexicon) -> bool:
    """A proper name that a word for a person describes, before it ("Nordlys Energy
    spokeswoman Ilse Brant") or in apposition ("Ines Vogt, chief economist at Orvik Bank"):
    a person's name, whatever type the small entity tagger gave it (LOC, ORG, PRODUCT)."""
    appos = apposition_of(head)
    words = [c for c in head.children if c.dep_ == "compound" and c.i < head.i
             and c.pos_ == "NOUN"] + ([appos] if appos is not None and appos.pos_ == "NOUN"
                                      else [])
    return any(word.lemma_.lower() in lexicon.people_words for word in words)


def with_conjuncts(head: Token, span: CharSpan) -> CharSpan:
    """"Ana Ruiz and Tom Hart said": the source is the whole coordination (GUIDELINES.md,
    and the dev sets' labels), not its first name; the resolver names both."""
    if not any(c.dep_ == "cc" and c.lower_ == "and" for c in head.children):
        return span
    conjuncts = [c for c in head.children if c.dep_ == "conj" and c.i > head.i
                 and _another_source(c)]
    if not conjuncts:
        return span
    last = noun_phrase_tokens(conjuncts[-1])[-1]
    affiliation = affiliation_of(conjuncts[-1])  # "… and Tom Hart of the council"
    if affiliation is not None:
        last = max(last, affiliation.right_edge, key=lambda t: t.i)
    return CharSpan(span.start, max(span.end, last.idx + len(last.text)))


def _another_source(conjunct: Token) -> bool:
    """A name, a plural ("officials") or a description with a person's name in it ("and
    incoming chair of the committee Adam Schiff"); not a second description of the same
    person ("of the university and contributor to Slate")."""
    if conjunct.pos_ == "PROPN" or conjunct.tag_ == "NNS":
        return True
    names = [t.i for t in conjunct.subtree
             if t.pos_ == "PROPN" and t.ent_type_ in {"", "PERSON"}]
    adjacent = any(b == a + 1 for a, b in zip(names, names[1:], strict=False))
    # two name words side by side: a name the entity tagger missed
    return adjacent or any(t.ent_type_ == "PERSON" for t in conjunct.subtree)


def no_one(head: Token) -> bool:
    """'Nobody knows what happened', 'No one said the plant would close', 'None of the
    officials said …': a source that denies anyone says or believes it presents nothing as
    coming from a source (GUIDELINES.md 3), so it makes no attribution."""
    return head.lower_ in {"nobody", "none"} or any(
        c.dep_ == "det" and c.lower_ == "no" for c in head.children)


def source_mention(doc: Doc, head: Token, lexicon: Lexicon) -> SourceMention | None:
    tokens = without_parenthesis(noun_phrase_tokens(head))
    if not tokens or no_one(head):
        return None
    description = None
    appos = apposition_of(head)
    affiliation = affiliation_of(head)
    if appos is not None and _name_continues(head, appos, lexicon):
        appos = None  # "Marco dela | Cruz": the parser split the name at its particle
    if appos is not None and not _own_acronym(head, appos):
        # "Lena Dahl (Green Party)": the brackets are no part of it; the parser hangs the
        # closing one on the verb, which left "(Green Party" as the description.
        words = list(appos.subtree)
        bracketed = words[0].text == "("
        description = content_from_tokens(doc, words[1:] if bracketed else words)
    elif affiliation is not None:  # "Tessa Moray of the NCA": "the NCA" describes her
        description = content_from_tokens(doc, [t for t in affiliation.subtree
                                                if t.i != affiliation.i])
    appos_name = (_named_apposition(doc, head, lexicon) or _naming_participle(doc, head, lexicon)
                  or _adjacent_name(doc, head, tokens, lexicon))
    if appos_name is not None:
        # "San Diego's chancellor, Pradeep Khosla, said": the name is the source.
        name, description = with_name_particles(appos_name, lexicon), token_range(
            [t for t in tokens if t.dep_ not in {"det", "punct"}])
        # "Two witnesses, Mark Holt and Sara Diaz, said": both names are the source.
        span = with_conjuncts(name.root, CharSpan(name.start_char, name.end_char))
        return SourceMention(span, name.root, description.text(doc) if description else None,
                             "person")
    named_org = _organization_apposition(head)
    if named_org is not None:
        # "The militant organisation, the Islamic State …,", "television broadcaster PBS":
        # the organisation's name is the source, the common noun describes it.
        described = token_range([t for t in tokens if t.dep_ not in {"det", "punct"}])
        return SourceMention(named_org, head, described.text(doc) if described else None,
                             "organization")
    chained = _person_down_appositions(doc, head)
    if chained is not None:
        # "news source Metro Weekly's editorial director, Olga Brandt, said", "East–West
        # Bank president Tomas Ekwueme said": everything before the name describes it.
        name = with_name_particles(chained, lexicon)
        described = trimmed(doc, tokens[0].idx, name.start_char, " \t\n,;:–-")
        return SourceMention(CharSpan(name.start_char, name.end_char), name.root,
                             described.text(doc) if described else None, "person")
    source_type = classify_source(doc, head, tokens, lexicon)
    described_name = _name_after_description(doc, head)
    if described_name is not None and not person_entity(doc, tokens):
        # "State news agency KNA": the proper name is the source, the noun describes it.
        description = token_range([t for t in tokens if t.i < described_name.start
                                   and t.dep_ not in {"det", "punct"}])
        return SourceMention(CharSpan(described_name.start_char, described_name.end_char),
                             head, description.text(doc) if description else None,
                             source_type)
    name = _personal_name(doc, head, tokens, lexicon)
    span = token_range(tokens)
    if name is not None:
        name = with_name_particles(name, lexicon)
        # "Emergencies Minister Yevgeny Zinichev": the name is the source, the title describes.
        before = [t for t in tokens if t.i < name.start and t.dep_ not in {"det", "punct"}
                  and t.lower_ not in lexicon.courtesy_titles]
        if before and description is None:
            description = without_possessive(doc, trimmed(doc, before[0].idx, name.start_char,
                                                          " \t\n,;:"))
        span = with_conjuncts(head, CharSpan(name.start_char, name.end_char))
        source_type = "person"
    span = trimmed(doc, span.start, span.end, " \t\n,;:")
    if span is None:
        return None
    described = description.text(doc) if description else None
    return SourceMention(span, head, described, source_type)


# ---------------------------------------------------------------- constructions


def according_to(doc: Doc, sent: Span, lexicon: Lexicon, regions: list[QuoteRegion]
                 ) -> Iterator[Attribution]:
    """`according to X, …` and `…, according to X` (and `per X`, `source_prepositions`): the
    rest of the sentence is the content."""
    for token in sent:
        phrase = _source_phrase(token, sent, lexicon)
        if phrase is None or inside_quote(regions, token.idx, token.idx + 1):
            continue
        cue, obj, kind = phrase
        mention = source_mention(doc, obj, lexicon)
        phrase_end = max(obj.right_edge.idx + len(obj.right_edge), cue.end)
        if mention is not None:  # a name after the phrase belongs to it: "…, Tom Brandt,"
            phrase_end = max(phrase_end, mention.span.end)
        phrase_end = _past_source_modifier(sent, phrase_end)
        left = whole_quotation(doc, trimmed(doc, sent.start_char, token.idx), regions)
        right = whole_quotation(doc, trimmed(doc, phrase_end, sent.end_char), regions)
        conjoined = _conjoined_clause(doc, token, phrase_end)
        contents = ([conjoined] if conjoined else _around_phrase(doc, token, left, right)) or [max(
            (p for p in (left, right) if p), key=lambda p: p.end - p.start, default=None)]
        if contents[0] is None or mention is None:
            continue
        for content in contents:
            yield Attribution(
                content=content, source=without_possessive(doc, mention.span), cue=cue,
                quote_type=quote_type_of(content, regions),
                kind=kind, description=mention.description,
                source_type=mention.source_type, construction="according_to",
                extra={"head": mention.head.i})


def _source_phrase(token: Token, sent: Span, lexicon: Lexicon
                   ) -> tuple[CharSpan, Token, str] | None:
    """The cue, the source's head and the kind of the phrase ``token`` opens: "according to
    X" / "per X" (`_source_preposition`), or a view or words set off from their clause
    (`_view_phrase`)."""
    to = _source_preposition(token, sent, lexicon)
    if to is not None:
        obj = preposition_object(to)
        if obj is None or conforms_to(token, lexicon):
            return None
        return CharSpan(token.idx, to.idx + len(to)), obj, lexicon.phrases["according to"]
    view = _view_phrase(token, sent, lexicon)
    if view is None:
        return None
    cue, holder = view
    return cue, holder, cue_kind(token.doc, cue.start, cue.end, lexicon)


def _view_phrase(token: Token, sent: Span, lexicon: Lexicon) -> tuple[CharSpan, Token] | None:
    """'In Ruiz's view, …', 'The bridge, in the mayor's opinion, is unsafe', 'In the words of
    the mayor, …': a view or words (lexicon `view_nouns`) set off by commas from the main
    clause present it as the holder's (GUIDELINES.md 3: content believed or said by someone
    else). The cue is the noun after a possessor, the fixed phrase up to "of" otherwise (as
    for "according to"). Not 'In view of the storm' (no holder), nor 'in my view' (the
    writer's own, or the speaker's inside a quotation), nor one inside a reported clause
    ('said that, in his view, …': hung on the clause's verb, not the sentence's root)."""
    doc = token.doc
    if token.lower_ != "in" or token.dep_ != "prep" or token.head != sent.root:
        return None
    noun = preposition_object(token)
    if noun is None or noun.lemma_.lower() not in lexicon.view_nouns:
        return None
    after = noun.right_edge.i + 1
    if not (_opens_phrase(token, sent) and after < sent.end and doc[after].text == ","):
        return None
    possessor = next((c for c in noun.children if c.dep_ == "poss"), None)
    if possessor is not None:
        own = possessor.lower_ in {"my", "our", "your"}
        return None if own else (CharSpan(noun.idx, noun.idx + len(noun)), possessor)
    of = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    holder = preposition_object(of) if of is not None else None
    if holder is None or not any(c.dep_ == "det" for c in noun.children):
        return None
    return CharSpan(token.idx, of.idx + len(of)), holder


def _source_preposition(token: Token, sent: Span, lexicon: Lexicon) -> Token | None:
    """The preposition whose object is the source, where ``token`` opens "according to X",
    or "per X" set off from its clause ('Per the ministry, the border will reopen', '…,
    per the ministry'), which reads as "according to" does (GUIDELINES.md 3: the fixed
    phrase is the cue). Not set off, "per" is a rate ('$20 per person')."""
    if token.lower_ == "according" and token.i + 1 < sent.end:
        to = token.doc[token.i + 1]
        return to if to.lower_ == "to" else None
    if token.lower_ not in lexicon.source_prepositions or token.dep_ != "prep":
        return None
    return token if _opens_phrase(token, sent) and not _unit(token) else None


def _opens_phrase(token: Token, sent: Span) -> bool:
    """``token`` starts the sentence or follows a comma: it opens a phrase set off from the
    clause."""
    return token.i == sent.start or token.doc[token.i - 1].text == ","


def _unit(preposition: Token) -> bool:
    """'20 euros, per person', 'per day': a bare singular noun after "per" is the unit of a
    rate, however it is punctuated; a source has a determiner, a name or a plural ('per the
    ministry', 'per Reuters', 'per officials')."""
    obj = preposition_object(preposition)
    return obj is None or (obj.tag_ == "NN" and bare_noun(obj))


def conforms_to(according: Token, lexicon: Lexicon) -> bool:
    """'The bridge went according to plan', 'played according to the rules of the league':
    "according to" a plan or rule says how a thing went, not who says so (GUIDELINES.md 3:
    content presented as coming from a source). A bare norm noun is always so; one with a
    determiner only where the phrase is not set off ('According to the plan, troops will
    leave' reads the plan as a document that says something)."""
    doc = according.doc
    if according.lower_ in lexicon.source_prepositions:
        # "per request of X", "per the agency's framework": "per" a norm is "as it says",
        # wherever the parser put the norm in the phrase (up to its comma).
        phrase = itertools.takewhile(lambda t: t.text != ",",
                                     doc[according.i + 1:according.sent.end])
        return any(t.lemma_.lower() in lexicon.norm_heads for t in phrase)
    obj = preposition_object(doc[according.i + 1]) if according.i + 1 < len(doc) else None
    if obj is None or obj.lemma_.lower() not in lexicon.norm_heads:
        return False
    bare = bare_noun(obj)
    before = doc[according.i - 1] if according.i > according.sent.start else None
    return bare or (before is not None and not before.is_punct)


def _past_source_modifier(sent: Span, phrase_end: int) -> int:
    """'According to the study, published Tuesday in The Lancet, one in five adults …',
    'according to police, who arrived minutes later, the suspect fled': a past participle or
    a relative clause set off by commas right after the source says which study, which
    police -- it describes the source, and the content is the clause after it (GUIDELINES.md
    3: the content is what is attributed; the source's modifiers are not). The parser hangs
    such a modifier anywhere (on a comma, as the sentence's root), so it is read off the
    words: a comma, a participle or relative pronoun, a second comma, then a clause with a
    subject. A present participle ("following the storm") may open the content itself and
    is left alone; so is a clause with a subject of its own before the second comma
    ("according to the ministry, wounded soldiers were evacuated, and …")."""
    after = [t for t in sent if t.idx >= phrase_end]
    if len(after) < 4 or after[0].text != "," or after[1].dep_ == "amod" or not (
            after[1].tag_ == "VBN" or after[1].lower_ in RELATIVE_WORDS):
        return phrase_end
    comma = next((t for t in after[2:] if t.text == ","), None)
    subjects = [t for t in after[2:] if t.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS]
    if comma is None or any(t.i < comma.i for t in subjects) or not any(
            t.i > comma.i for t in subjects):
        return phrase_end
    return comma.idx


def _around_phrase(doc: Doc, according: Token, left: CharSpan | None,
                   right: CharSpan | None) -> list[CharSpan]:
    """'Since the launch, according to the agency, over 200 satellites were lost': the
    phrase set off by commas inside the clause it attributes, after the clause's opening
    phrase; both pieces are contents, as for a cue inside its clause
    (`content_around_cue`). After the clause's subject and verb, the piece after it. Only
    where the parser hangs the phrase on a verb after it: else the phrase ends the clause
    before it and the longer side stands, as before."""
    if left is None or right is None:
        return []
    opening = left.tokens(doc)
    if (doc_text(doc)[left.end:right.start].count(",") != 2 or opening is None
            or according.head.idx < right.start):
        return []  # the phrase belongs to the clause before it ("…, according to X, but …")
    return [left, right] if _opening_phrase(list(opening)) else [right]


def _conjoined_clause(doc: Doc, according: Token, phrase_end: int) -> CharSpan | None:
    """"… was taken to hospital and, according to X, he died there": where the phrase opens a
    clause coordinated with an earlier one, that clause alone is what X says."""
    verb = according.head
    if verb.dep_ != "conj" or verb.pos_ not in {"VERB", "AUX"} or verb.i < according.i:
        return None
    end = verb.right_edge.idx + len(verb.right_edge)
    return trimmed(doc, phrase_end, end) if end > phrase_end else None


def clause_head(verb: Token) -> Token | None:
    """The head of the cue's clausal complement, if it has one. 'The firm denied it, but an
    inquiry concluded the claims were true': the parser can hang the earlier report on the
    cue as a clause too; where it did, the clause after the cue is the cue's own. Of several
    clauses before the cue, the nearest is what it reports."""
    clauses = [c for c in verb.children if c.dep_ in CLAUSE_DEPS]
    if clauses and clauses[0].i < verb.i and _own_report(clauses[0], load_lexicon()):
        return next((c for c in clauses if c.i > verb.i and c.dep_ == "ccomp"), clauses[0])
    before = [c for c in clauses if c.i < verb.i and c.dep_ == "ccomp"]
    if len(before) > 1:
        return before[-1]  # 'They were unkind: "It is a poor plan," Ruiz wrote': the nearest
    return clauses[0] if clauses else None


def clause_content(doc: Doc, verb: Token) -> CharSpan | None:
    """`X said (that) …`: the clausal complement."""
    clause = clause_head(verb)
    if clause is None or clause.i < verb.i and clause.dep_ == "xcomp" or unnamed_wish(clause):
        return None
    if clause.i < verb.i and _own_report(clause, load_lexicon()) and not _closing_cue(
            verb, clause):
        # '"…," said Ana Ruiz; she described …': the parser hung a whole report, cue and
        # source, on the next verb; it is not that verb's content.
        return None
    tokens = subtree_in_order(clause)
    if open_question(tokens[0], clause):
        return None
    if not any(c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS for c in clause.children):
        # "X reported Dorian had strengthened": the parser took the embedded subject for
        # the cue's object; the object and what follows it up to the clause belong to it.
        obj = next((c for c in verb.children if c.dep_ == "dobj" and verb.i < c.i < clause.i),
                   None)
        if obj is not None:
            tokens = list(doc[obj.left_edge.i:tokens[-1].i + 1])
    tokens = without_addressee(doc, verb, with_stranded_rest(doc, verb, tokens))
    tokens = without_time_of_saying(clause, verb, tokens)
    tokens = without_medium_of_saying(clause, tokens, load_lexicon())
    tokens = from_complementiser(clause, verb, tokens)
    if clause.i > verb.i:
        tokens = before_semicolon(doc, tokens)
    return content_from_tokens(doc, strip_complementiser(before_other_report(doc, tokens)))


def open_question(first: Token, clause: Token) -> bool:
    """'did not say whether the bridge would reopen', 'asked if the vote was valid': a
    clause that "whether" or "if" opens as its complementiser is a yes-no question; it
    presents nothing as true, so nothing as coming from the source (no dev or training
    label has one; "refused to say whether" is `refused_speech`). A condition inside the
    reported clause ('said if the rain continues, the river will flood') hangs its "if"
    on a clause below and is reported."""
    if first.lower_ in {"whether", "if"}:
        return first.dep_ == "mark" and first.head == clause
    # 'did not say when the embassy would reopen', 'asked what the plan would cost': a
    # question word opening the clause, after a verb of asking or a negated report. After a
    # plain report the clause is told ('explained how the bridge was built', 'showed how
    # prices rose').
    asked = first.head.head if first.dep_ == "det" else first.head
    cue = clause.head
    return (first.lower_ in WH_WORDS and asked == clause and clause.dep_ == "ccomp"
            and (cue.lemma_.lower() in QUESTION_VERBS
                 or any(c.dep_ == "neg" for c in cue.children)))


WH_WORDS = {"what", "when", "where", "why", "how", "who", "which"}
QUESTION_VERBS = {"ask", "wonder", "inquire", "enquire", "question"}


def _closing_cue(verb: Token, clause: Token) -> bool:
    """'The mayor said the bridge would reopen, a spokeswoman said.': a source and cue set off
    by a comma after a whole report, ending the sentence, report that report (GUIDELINES.md:
    the inner one is labelled too, with its own cue). Not '"…," said Ruiz; she described
    …', where the second cue has a clause of its own after it."""
    subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i > clause.i),
                   None)
    if subject is None or subject.left_edge.i == 0:
        return False
    after = verb.doc[verb.i + 1:verb.sent.end]
    return (verb.doc[subject.left_edge.i - 1].text == ","
            and not any(t.pos_ in {"VERB", "AUX"} for t in after))


def from_complementiser(clause: Token, verb: Token, tokens: list[Token]) -> list[Token]:
    """'The ministry said, citing preliminary data, that exports had fallen': a complementiser
    opens the reported clause, so what stands between the cue and it -- a participle phrase
    set off by commas ("citing X", "speaking to reporters"), an aside -- is the report's
    circumstance, not its content, wherever the parser hung it (GUIDELINES.md 3: the
    content is the reported clause without the complementiser)."""
    mark = next((c for c in clause.children if c.dep_ == "mark"
                 and c.lower_ in COMPLEMENTISERS and verb.i < c.i), None)
    if mark is None or clause.i < verb.i:
        return tokens
    return [t for t in tokens if t.i >= mark.i]


# Words that date the report itself when they follow the cue ("said Monday", "told
# reporters yesterday", "said earlier this month"), as news style writes it.
SAYING_DAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
               "yesterday", "today", "tonight", "earlier"}


def without_time_of_saying(clause: Token, verb: Token, tokens: list[Token]) -> list[Token]:
    """'The minister said Monday the budget would be cut': with no "on" and no "that", the
    parser can hang the day on the reported verb, before its subject; it says when the
    report was made, not what was reported (GUIDELINES.md: the content is the reported
    clause). Only a date phrase with a day's name or "yesterday", "today", "earlier", right
    at the start of a clause after the cue: "said last year the economy grew" may date what
    is reported. The same with "on" ("said on Monday it would close 40 branches")."""
    if clause.i < verb.i or not tokens:
        return tokens
    subjects = [c for c in clause.children if c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS]
    for child in clause.children:
        on_day = child.dep_ == "prep" and child.lower_ == "on"
        if child.dep_ != "npadvmod" and not on_day or child.left_edge.i != tokens[0].i:
            continue
        phrase = [t for t in child.subtree if t.i != child.i] if on_day else list(child.subtree)
        if (all(t.ent_type_ in {"DATE", "TIME"} for t in phrase)
                and any(t.lower_ in SAYING_DAYS for t in phrase)
                and subjects and child.right_edge.i < subjects[0].left_edge.i):
            return [t for t in tokens if t.i > child.right_edge.i]
    return tokens


PLACING_VERBS = {"be", "appear"}  # 'the details were in a letter': the phrase is the point


def without_medium_of_saying(clause: Token, tokens: list[Token], lexicon: Lexicon
                             ) -> list[Token]:
    """'Brandt said the dam was safe in a statement on Tuesday', '…, in an interview with the
    Post': the parser hangs the medium of the report on the reported clause's verb, but it
    says how the source spoke, not what was said (GUIDELINES.md 3: "in a statement" is no
    part of the content; the dev labels end "announced the vote" before "in a letter").
    Where the phrase is all a "be" or "appear" says ('said the details were in a letter'),
    the clause verb reports itself ('said the firm had apologised in a letter') or is a
    passive, which is often done in writing ('said she had been misquoted in an
    interview'), it is what was reported."""
    lemma = clause.lemma_.lower()
    if (not tokens or lemma in lexicon.speech_lemmas or lemma in lexicon.belief_lemmas
            or lemma in lexicon.verbs or any(c.dep_ == "auxpass" for c in clause.children)):
        return tokens
    after = [c for c in clause.rights if not c.is_punct]
    while len(after) > 1 and _when(after[-1]):
        after.pop()  # 'in a blog post on Friday': the day dates the medium's report
    if not after or not _medium(after[-1], lexicon) or (
            len(after) == 1 and clause.lemma_.lower() in PLACING_VERBS):
        return tokens
    medium = after[-1]
    last = max(c.right_edge.i for c in clause.rights)
    if any(not t.is_punct for t in tokens if t.i > last):
        return tokens
    return [t for t in tokens if t.i < medium.left_edge.i]


def without_addressee(doc: Doc, verb: Token, tokens: list[Token]) -> list[Token]:
    """'told NPR Carlos Valle had …': with no "that", the parser can fold the person told
    into the reported clause's subject, one run of names. Right after a verb whose first
    object is the person told, a name that ends where another entity begins, or an acronym
    before a name, is that person, not the report."""
    if verb.lemma_.lower() not in load_lexicon().addressee_verbs or len(tokens) < 2:
        return tokens
    first = tokens[0]
    if first.i != verb.i + 1:
        return tokens
    folded = _addressee_modifier_end(doc, first)
    if folded is not None:
        return [t for t in tokens if t.i >= folded]
    if first.pos_ != "PROPN" or doc[first.i + 1].pos_ != "PROPN":
        return tokens
    entity = next((e for e in doc.ents if e.start == first.i), None)
    if entity is not None and entity.end < len(doc) and doc[entity.end].ent_iob_ == "B":
        end = entity.end  # 'told ABC News Trump was …': NER ends the name told
    elif first.text.isupper() and len(first.text) > 1 and not doc[first.i + 1].text.isupper():
        end = first.i + 1  # 'told MSNBC Ramos "was …"': an outlet's acronym
    else:
        return tokens
    rest = [t for t in tokens if t.i >= end]
    return rest if rest and rest[0].pos_ == "PROPN" else tokens


def _addressee_modifier_end(doc: Doc, first: Token) -> int | None:
    """'told reporters tensions were high', 'told the Orvik Times ticket prices would fall':
    with no "that", the parser can make the person told a compound on the reported
    clause's common-noun subject (or on the cue's object, which a tagger cue the rules do
    not read can have: 'assured voters taxes would not rise').
    A plural noun there, or a run of proper nouns with at most a determiner before it, is
    the person told: a compound modifier is seldom either. Returns where the report
    starts, else None."""
    head = first
    while head.dep_ in {"compound", "det"} and head.head.i > head.i:
        head = head.head
    if (head.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS | {"dobj"}
            or head.tag_ not in {"NN", "NNS"} or head.i == first.i):
        return None
    modifiers = list(doc[first.i:head.i])
    if any(t.dep_ not in {"compound", "det"} for t in modifiers):
        return None
    plural = next((t for t in modifiers if t.tag_ == "NNS"), None)
    if plural is not None:
        return plural.i + 1
    names = [t for t in modifiers if t.pos_ == "PROPN"]
    if not names or any(t.dep_ != "det" for t in modifiers if t.i < names[0].i):
        return None
    end = names[0].i
    while end < head.i and doc[end].pos_ == "PROPN":
        end += 1
    return end


def unnamed_wish(clause: Token) -> bool:
    """'One witness, who asked not to be named, said ...': a wish not to be named or
    identified is how the source is kept anonymous, not something reported."""
    return (clause.dep_ == "xcomp" and clause.lemma_.lower() in {"name", "identify"}
            and any(c.dep_ == "auxpass" for c in clause.children))


REFUSAL_VERBS = {"decline", "refuse"}
# Verbs whose bare infinitive after a refusal names the act of speaking itself: "declined to
# comment (on the report)", "refused to elaborate".
SPEAKING_ACTS = {"comment", "elaborate", "speculate", "discuss", "respond", "answer", "say",
                 "speak", "talk"}


def refused_speech(clause: Token) -> bool:
    """'A spokesman declined to comment on the audit', 'refused to elaborate', 'refused to
    say whether the plant would close': a refusal to speak reports nothing -- there is no
    content that the article presents as coming from the source (GUIDELINES.md 3), with a
    clause after it or not."""
    return (clause.dep_ == "xcomp" and clause.lemma_.lower() in SPEAKING_ACTS
            and clause.head.lemma_.lower() in REFUSAL_VERBS)


def subtree_in_order(head: Token) -> list[Token]:
    """``head.subtree`` in text order, walked with a stack: spaCy's recursive generator costs
    time in proportion to the tree's depth for every token, which a chain of thousands of
    reports in one sentence ("the mayor said the mayor said …") makes cubic."""
    found, stack = [], [head]
    while stack:
        token = stack.pop()
        found.append(token)
        stack.extend(token.children)
    return sorted(found, key=lambda t: t.i)


def _own_report(verb: Token, lexicon: Lexicon) -> bool:
    """A reporting verb with a subject of its own."""
    return is_verb_cue(verb, lexicon) and any(c.dep_ in SUBJECT_DEPS for c in verb.children)


def with_stranded_rest(doc: Doc, verb: Token, tokens: list[Token]) -> list[Token]:
    """The reported clause with what the parser hung on the cue after it: "claimed 40 houses
    were flooded, as were twelve near the harbour, and three each in the villages" ("three":
    a conjunct of the cue), "said he had scored 28 goals, just two shy of the record" (a
    second complement).
    A verb conjunct ("and added") or a modifier of the cue ("on Monday") ends the content,
    and a quotation before the cue never runs past it ('"A," she said, "B."': two contents,
    `_quote_resumed`)."""
    first = tokens[0]
    if first.i < verb.i and inside_quote(quote_regions(doc), first.idx, first.idx + 1):
        return tokens
    end = tokens[-1].i
    for child in verb.rights:
        if child.i <= end:
            continue
        if child.is_punct or child.dep_ == "cc":
            continue
        if child.dep_ == "ccomp" or (child.dep_ == "conj" and child.pos_ not in {"VERB", "AUX"}):
            end = child.right_edge.i
            continue
        break
    return list(doc[tokens[0].i:end + 1]) if end > tokens[-1].i else tokens


def before_other_report(doc: Doc, tokens: list[Token], lexicon: Lexicon | None = None
                        ) -> list[Token]:
    """The reported clause up to a report of someone else joined to it: "… was a tragedy
    while Ruiz wrote …", "… had changed course and some said …", or to the speaker's own
    next report ("…, adding that …"). That report is an attribution of its own (the rules
    find it), not content."""
    lexicon = lexicon or load_lexicon()
    regions = quote_regions(doc)
    for token in tokens[1:]:
        joined = _joined_clause(token) and (_own_report(token, lexicon)
                                            or _report_set_against(token, lexicon))
        beside = (joined or _next_report(token) or _absolute_report(token, lexicon)
                  or _speakers_conjunct(token, lexicon) is not None
                  or _grounds_of_report(token, tokens)
                  or _comment_on_report(token, tokens, lexicon))
        if beside and not inside_quote(regions, token.idx, token.idx + 1):
            start = token.left_edge.i
            return without_dangling_joiner([t for t in tokens if t.i < start]) or tokens
    return without_dangling_joiner(tokens) or tokens


# Participles that give the speaker's grounds for a report, not something reported:
# "…, citing falling orders", "…, blaming weak demand". Lexicon cue words for the tagger,
# never rule cues.
GROUNDS_PARTICIPLES = {"cite", "blame"}
# Participles set off by a comma that give the occasion of the report, not something
# reported: "…, speaking at a conference in Brell", "…, addressing the rally".
OCCASION_PARTICIPLES = {"speak", "address"}


def _grounds_of_report(token: Token, tokens: list[Token]) -> bool:
    """'said the plant would close, citing falling orders', 'is believed to be dead citing
    sources in the ministry': the parser hangs the participle on the reported clause's
    verb, but it says why the source reports it (GUIDELINES.md 3: the content is the
    reported clause). So does the occasion set off by a comma ('…, speaking to reporters');
    'said the man was seen speaking to police' keeps it. Only a participle phrase that
    ends the clause: 'said the firm, citing its debts, would close' keeps its verb after
    it."""
    lemma = token.lemma_.lower()
    set_off = token.i > 0 and token.nbor(-1).text == ","
    return (token.tag_ == "VBG" and token.dep_ in {"advcl", "xcomp"}
            and (lemma in GROUNDS_PARTICIPLES or lemma in OCCASION_PARTICIPLES and set_off)
            and all(t.is_punct for t in tokens if t.i > token.right_edge.i))


def before_semicolon(doc: Doc, tokens: list[Token]) -> list[Token]:
    """'Fenn said the road was closed; the council disagreed': after a clause the cue opens,
    a semicolon outside quotation marks goes on in the writer's words, whatever the parser
    hung on the clause (the dev labels end every indirect content at one)."""
    regions = quote_regions(doc)
    end = next((t.i for t in tokens[1:] if t.text == ";"
                and not inside_quote(regions, t.idx, t.idx + 1)), None)
    return tokens if end is None else [t for t in tokens if t.i < end]


def _comment_on_report(token: Token, tokens: list[Token], lexicon: Lexicon) -> bool:
    """'said the harbour could silt up, a claim disputed by engineers', '…, a view the
    council rejects': a noun for a report or a belief set off at the clause's end names
    the report itself; what follows it is the writer's comment (GUIDELINES.md 3: the
    content is the reported clause). The parser hangs it on a noun of the clause as its
    apposition, or on the clause's verb; only one with a verb between it and that noun is
    about the clause: 'said police found a note, a plan of the attack' keeps it."""
    if token.dep_ not in {"appos", "npadvmod"} or token.pos_ != "NOUN":
        return False
    lemma = token.lemma_.lower()
    if not (lemma in lexicon.report_nouns or lemma in lexicon.speech_lemmas
            or lemma in lexicon.belief_lemmas):
        return False
    start = token.left_edge.i
    return (start > 0 and token.doc[start - 1].text == ","
            and any(t.pos_ in {"VERB", "AUX"} for t in token.doc[token.head.i:start])
            and all(t.is_punct for t in tokens if t.i > token.right_edge.i))


def without_dangling_joiner(tokens: list[Token]) -> list[Token]:
    """Less a conjunction, "that" or punctuation left at the end of a reported clause whose
    next part is not reported: 'told reporters that the plant would close and said …' (the
    parser hung "and" on the clause, "said" on the cue)."""
    kept = list(tokens)
    while kept and (kept[-1].dep_ in {"cc", "mark"} or kept[-1].is_punct
                    and kept[-1].text not in QUOTE_MARKS and kept[-1].text not in BRACKETS):
        kept.pop()
    return kept


CONTRAST_MARKS = {"while", "whereas"}
# Participles that carry on a speaker's report ("…, adding that …", "…, further saying …").
# Not every reporting verb: in "… weakened, indicating that …" the participle is part of
# what was reported (news_extra).
SPEECH_PARTICIPLES = {"add", "say", "note", "explain", "remark", "state", "write", "insist",
                      "stress", "claim", "argue"}


def _next_report(token: Token) -> bool:
    """The speaker's own next report, hung by the parser inside the first one's clause."""
    return (token.lemma_.lower() in SPEECH_PARTICIPLES
            and _reporter_of_participle(token) is not token)


FINITE_TAGS = {"VBD", "VBZ", "VBP"}


def _coordinated_report(verb: Token, lexicon: Lexicon) -> Token | None:
    """'The mayor said the city would recover and urged residents to stay calm': the parser
    hangs the speaker's next report on the reported clause's verb, as its conjunct, so the
    content ran over it and its source became the clause's subject ("the city"). A
    reporting verb that is the cue's conjunct (`_speakers_conjunct`) is the speaker's next
    report, with the speaker as its source (GUIDELINES.md: the source is who says it).
    Returns the cue it carries on from, else None."""
    return _speakers_conjunct(verb, lexicon) if is_verb_cue(verb, lexicon) else None


def _speakers_conjunct(verb: Token, lexicon: Lexicon) -> Token | None:
    """A verb the parser hung on the reported clause's verb as its conjunct that is the
    cue's: with no subject of its own, of the cue's finite form, whose first conjunct (the
    reported clause's verb) is of a form it cannot share auxiliaries with ("would recover"
    | "urged", "will rise" | "left the room", "to reconsider" | "met the mayor"). A report
    ('and urged residents to …') or an act ('and thanked the workers') of the speaker, so
    not reported content. Returns the cue it carries on from, else None.
    Left as the parser read it: two verbs of one form ('said he was proud and promised'),
    and a past participle before the conjunct ('said the gunman had shouted and warned
    them'), where the conjunct may share "had" and the clause's subject."""
    form = _finite_form(verb, lexicon)
    if verb.dep_ != "conj" or form is None:
        return None
    if any(c.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS for c in verb.children):
        return None
    first = verb.head
    while first.dep_ == "conj" and first.head.i < first.i:
        first = first.head
    cue = first.head
    if (first.dep_ not in {"ccomp", "xcomp"} or not cue.i < first.i < verb.i
            or cue.tag_ != form or first.tag_ in {form, "VBN"}
            or not is_verb_cue(cue, lexicon)):
        return None
    return cue


def _finite_form(verb: Token, lexicon: Lexicon) -> str | None:
    """The verb's finite tag, or that of its "do" where the verb is one of speaking ('but did
    not say when', 'but did not elaborate'): what the speaker did not say, after what
    they said. Not any verb after "did": in 'the rocket could reach orbit but did not' the
    conjunct can share the clause's subject."""
    if verb.tag_ in FINITE_TAGS:
        return verb.tag_
    if verb.lemma_.lower() not in SPEAKING_ACTS and not is_verb_cue(verb, lexicon):
        return None
    do = next((c for c in verb.children if c.dep_ == "aux" and c.lemma_.lower() == "do"
               and c.tag_ in FINITE_TAGS), None)
    return do.tag_ if do is not None else None


def _absolute_report(token: Token, lexicon: Lexicon) -> bool:
    """"…, with analysts saying …": someone else's report set beside the reported clause
    (the parser hangs the participle on the noun, or on "with" with the noun its subject)."""
    if token.lower_ != "with":
        return False
    participles = [c for c in token.children if c.dep_ == "pcomp"] + [
        g for c in token.children if c.dep_ == "pobj" for g in c.children if g.dep_ == "acl"]
    return any(p.tag_ == "VBG" and is_verb_cue(p, lexicon) for p in participles)


def _joined_clause(verb: Token) -> bool:
    """A clause coordinated with the reported one ("and several said"), or set against it
    ("while Ruiz wrote"); not a reason or a condition, which belongs to what is reported.
    Nor a conjunct that "that" opens ('said he would appeal and that he expected to win'):
    a second clause of the same cue, one content with the first (as the dev labels have
    "said he had ordered …, and that the army …")."""
    if verb.dep_ == "conj":
        return not any(c.dep_ == "mark" and c.lower_ == "that" for c in verb.children)
    return verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in CONTRAST_MARKS
                                        for c in verb.children)


def _report_set_against(verb: Token, lexicon: Lexicon) -> bool:
    """'said the deal was "a step forward", while Ormond called it "a betrayal"': a clause set
    against the reported one with "while" whose verb, with a subject of its own, is a cue
    word of the lexicon that no rule reads ("called", "dismissed") is another report, not
    the first one's content, as 'while Ormond said …' is (GUIDELINES.md 3)."""
    return (verb.dep_ == "advcl" and verb.lemma_.lower() in lexicon.speech_lemmas
            | lexicon.belief_lemmas and any(c.dep_ in SUBJECT_DEPS for c in verb.children))


def parataxis_content(doc: Doc, verb: Token, sent: Span) -> CharSpan | None:
    """`…, X said.` where the parser hangs the cue off the reported clause."""
    if verb.dep_ not in {"parataxis", "advcl"} or verb.head.i >= verb.i:
        return None
    if any(c.dep_ == "mark" for c in verb.children):
        return None  # "…, though Ana Ruiz has reported": a subordinate clause, not the cue's
    cue_tokens = {t.i for t in verb.subtree}
    tokens = [t for t in verb.head.subtree if t.i not in cue_tokens and sent.start <= t.i < sent.end
              and t.i < min(cue_tokens)]
    return content_from_tokens(doc, tokens)


def fronted_report_content(doc: Doc, verb: Token, sent: Span) -> CharSpan | None:
    """`X reported on Tuesday, turnout had fallen …`: the parser made the report a clause
    of the reported one; what follows the report's comma is the content."""
    head = verb.head
    if verb.dep_ not in {"ccomp", "parataxis"} or head.i <= verb.i:
        return None
    if _own_report(head, load_lexicon()):
        return None  # "X denied it, however, an inquiry concluded …": a second report
    end = verb.right_edge.i
    if end + 1 >= head.i or doc[end + 1].text != ",":
        return None
    tokens = [t for t in head.subtree if t.i > end + 1 and t.i < sent.end]
    return content_from_tokens(doc, tokens)


def cue_gap(doc: Doc, verb: Token) -> CharSpan | None:
    """The source and cue set off by commas inside the clause they report ("The plan, he
    said, would fail"), commas included; None where the cue's phrase is not so set off."""
    words = [t for t in verb.subtree if not t.is_punct]  # the parser may hang the commas on it
    subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS and c.i < verb.i), None)
    if subject is not None:
        # "In the end, she testified, the guards …": the parser may hang the clause's
        # opening phrase on the cue; the cue's phrase starts at its subject.
        words = [t for t in words if t.i >= subject.left_edge.i]
    left, right = words[0].i, words[-1].i
    if left < 1 or right + 1 >= len(doc) or doc[left - 1].text != "," or doc[
            right + 1].text != ",":
        return None
    return CharSpan(doc[left - 1].idx, doc[right + 1].idx + 1)


def content_around_cue(doc: Doc, verb: Token, sent: Span) -> list[CharSpan]:
    """'The plan, he said, would fail': the parser hangs the cue on the reported clause's
    verb, after the clause's first words. The clause on each side of the cue is a content,
    as GUIDELINES.md labels a quotation the cue interrupts. A quotation the cue interrupts
    or opens ('"The plan," he said, "would fail"') is left to the quotation rules; a
    quotation inside the piece after the cue ('The budget, he said, was "a disgrace"') is
    part of that piece, a mixed content, as 'said the budget was "a disgrace"' is."""
    head = verb.head
    if verb.dep_ not in {"parataxis", "ccomp"} or head.i <= verb.i:
        return []
    gap = cue_gap(doc, verb)
    if gap is None:
        return []
    clause = [t for t in head.subtree if sent.start <= t.i < sent.end
              and not gap.start <= t.idx < gap.end]
    before = [t for t in clause if t.idx < gap.start]
    after = [t for t in clause if t.idx >= gap.end]
    if not before or not after or not _opening_phrase(before):
        return []
    # Whole tokens, less punctuation tokens at the edges: "At 4 a.m." keeps its last period.
    pieces = [token_range(_without_edge_punct(part)) for part in (before, after)]
    if (any(p is None for p in pieces) or any(m in pieces[0].text(doc) for m in QUOTE_MARKS)
            or after[0].text in QUOTE_MARKS):
        return []
    return pieces


BRACKETS = {")": "(", "]": "["}


def _without_edge_punct(tokens: list[Token]) -> list[Token]:
    """Less the punctuation tokens at either edge, but not a bracket or quotation mark the
    phrase opened ('was "a disgrace"')."""
    start, end = 0, len(tokens)
    while start < end and tokens[start].is_punct:
        start += 1
    while end > start and tokens[end - 1].is_punct:
        last = tokens[end - 1].text
        openers = {BRACKETS[last]} if last in BRACKETS else set(QUOTE_MARKS) if (
            last in QUOTE_MARKS) else set()
        if openers & {t.text for t in tokens[start:end - 1]}:
            break
        end -= 1
    return tokens[start:end]


def _opening_phrase(tokens: list[Token]) -> bool:
    """The words before an interrupting cue are one phrase of the reported clause (its
    subject, a time: "The plan", "At 4 a.m."), not a clause of their own ("Ruiz chaired the
    meeting, a step whose cost, the paper noted, …") nor its verb ("Six were, according to
    X, …": the dev labels then take only what follows), and not a relative word, which
    belongs to the sentence around the report ("which, the statement said, …")."""
    return (tokens[0].lower_ not in RELATIVE_WORDS
            and not any(t.pos_ in {"VERB", "AUX"} or t.text in {";", ":"} for t in tokens))


def sentence_quotes(sent: Span, regions: list[QuoteRegion]) -> list[QuoteRegion]:
    return [r for r in regions if sent.start_char <= r.open_at < sent.end_char]


def verb_attributions(doc: Doc, sent: Span, lexicon: Lexicon, regions: list[QuoteRegion]
                      ) -> Iterator[Attribution]:
    """Every reporting verb outside quotation marks with a source and a content."""
    quotes = sentence_quotes(sent, regions)
    claimed_quotes: set[QuoteRegion] = set()
    for verb in sent:
        if (not is_verb_cue(verb, lexicon) or inside_quote(regions, verb.idx, verb.idx + 1)
                or refused_speech(verb)):
            continue
        lemma = verb.lemma_.lower()
        subject = (subject_of(verb) or passive_agent(verb) or inverted_subject(verb)
                   or participle_bearer(verb))
        if subject is None or inside_quote(regions, subject.idx, subject.idx + 1):
            # A subject inside quotation marks is the quoted clause's own (the verb was
            # chained to it): the source, if any, follows the verb.
            quoted_subject, subject = subject is not None, after_quote_subject(verb, regions)
            if subject is None and not quoted_subject:
                sourceless = sourceless_passive(doc, verb, lexicon, regions)
                if sourceless is not None:
                    yield sourceless
            if subject is None:
                continue
        mention = source_mention(doc, subject, lexicon)
        if mention is None:
            continue
        contents = _verb_contents(doc, verb, sent, quotes, claimed_quotes)
        for content, construction in contents:
            if content.overlaps(mention.span):
                continue
            yield Attribution(
                content=content, source=mention.span, cue=cue_span(verb),
                quote_type=quote_type_of(content, regions), kind=lexicon.verbs[lemma],
                description=mention.description, source_type=mention.source_type,
                construction=construction, extra={"head": mention.head.i})


def sourceless_passive(doc: Doc, verb: Token, lexicon: Lexicon,
                       regions: list[QuoteRegion]) -> Attribution | None:
    """`It was announced that …` / `X was forecast to reach …`: attributed, no source named."""
    if not any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children):
        return None
    clause = next((c for c in verb.children if c.dep_ in CLAUSE_DEPS), None)
    if clause is None or report_to_come(clause, lexicon) or clause.lower_ == "missing":
        # "The boy was reported missing": the police were told he is missing; no one's
        # claim is presented.
        return None
    content = content_from_tokens(doc, strip_complementiser(
        before_other_report(doc, subtree_in_order(clause), lexicon)))
    if content is None:
        return None
    return Attribution(content=content, source=None, cue=cue_span(verb),
                       quote_type=quote_type_of(content, regions),
                       kind=lexicon.verbs[verb.lemma_.lower()], source_type="anonymous",
                       construction="passive_without_source")


def report_to_come(clause: Token, lexicon: Lexicon) -> bool:
    """'Grasso is expected to say on Monday whether …', 'is set to announce that …', 'is
    due to testify': the passive or "due" looks ahead to a report not yet made, so nothing
    is reported yet (GUIDELINES.md 3). 'is believed to have said that …' reports what was
    said; 'went on to say' is no passive."""
    head = clause.head
    return (clause.dep_ == "xcomp" and clause.lemma_.lower() in lexicon.speech_lemmas
            and (head.lower_ == "due" or any(c.dep_ == "auxpass" for c in head.children))
            and not any(c.dep_ == "aux" and c.lemma_ == "have" for c in clause.children))


def hedging_adverbs(doc: Doc, sent: Span, lexicon: Lexicon, regions: list[QuoteRegion]
                    ) -> Iterator[Attribution]:
    """`The crash reportedly killed seven`: the adverb attributes its clause to unnamed
    reports. The content is what follows the adverb; where the clause's subject comes
    before it, the words from the subject up to the adverb are a second content with the
    same cue, as the dev labels split a cue inside the clause it reports ('The fire' and
    'started at 7 pm'). Words before it without the subject ('and could reportedly serve
    …', 'leaving reportedly 15,000 stranded') are not reported."""
    for token in sent:
        if token.lower_ not in lexicon.hedging_adverbs or token.dep_ != "advmod":
            continue
        if inside_quote(regions, token.idx, token.idx + 1):
            continue
        clause = [t for t in token.head.subtree
                  if t.i != token.i and sent.start <= t.i < sent.end]
        if any(c.dep_ == "expl" for c in token.head.children):
            # "There are reportedly 5,000 troops": what is reported starts after the adverb.
            clause = [t for t in clause if t.i > max(token.i, token.head.i)]
        subject = next((t for t in clause if t.i < token.i and t.head == token.head
                        and t.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS
                        and t.lower_ not in RELATIVE_WORDS), None)
        after = [t for t in clause if t.i > token.i]
        if subject is not None:  # from the subject on: a time or clause before it is framing
            pieces = [[t for t in clause if subject.left_edge.i <= t.i < token.i], after]
        else:
            pieces = [after or clause]
        for piece in pieces:
            content = content_from_tokens(doc, piece)
            if content is None:
                continue
            yield Attribution(content=content, source=None,
                              cue=CharSpan(token.idx, token.idx + len(token)),
                              quote_type=quote_type_of(content, regions), kind="speech",
                              source_type="anonymous", construction="hedging_adverb")


def as_clauses(doc: Doc, sent: Span, lexicon: Lexicon, regions: list[QuoteRegion]
               ) -> Iterator[Attribution]:
    """`As Ruiz put it, the plan was dead`, `The plan was dead, as the mayor noted`: a bare
    reporting verb in an "as" clause attributes the clause it modifies, as "according to"
    does; the cue is the verb group (GUIDELINES.md 3), with "it" for the fixed phrase "put
    it". The verb must report nothing of its own: 'as she explained the plan' is a time."""
    for verb in sent:
        if (verb.dep_ != "advcl" or inside_quote(regions, verb.idx, verb.idx + 1)
                or not _set_off_as(verb)):
            continue
        said = _as_said(verb, lexicon)
        subject = subject_of(verb) or passive_agent(verb)
        mention = source_mention(doc, subject, lexicon) if said and subject else None
        if mention is None:
            continue
        around, head = set(verb.subtree), verb.head
        while head.pos_ not in {"VERB", "AUX"} and head.head != head:
            head = head.head  # "The levy, as Ruiz put it, was …": hung on the subject
        clause = [t for t in head.subtree if sent.start <= t.i < sent.end and t not in around]
        before = _without_edge_punct([t for t in clause if t.i < verb.left_edge.i])
        after = _without_edge_punct([t for t in clause if t.i > verb.right_edge.i])
        pieces = ([before, after] if before and after and _opening_phrase(before)
                  else [after or before])
        for piece in pieces:
            content = content_from_tokens(doc, piece)
            if content is None or content.overlaps(mention.span):
                continue
            yield Attribution(
                content=content, source=mention.span, cue=cue_span(verb, lexicon)
                if said is verb else token_range([verb, said, *auxiliaries(verb)]),
                quote_type=quote_type_of(content, regions), kind=lexicon.phrases.get(
                    "put it", lexicon.default_kind) if said is not verb
                else lexicon.verbs[verb.lemma_.lower()], description=mention.description,
                source_type=mention.source_type, construction="as_clause",
                extra={"head": mention.head.i})


def _set_off_as(verb: Token) -> bool:
    """The verb's clause opens with "as" and opens the sentence or follows a comma: not a
    comparison ('twice as many seats as the party had hoped for')."""
    mark = verb.left_edge
    return (mark.lower_ == "as" and mark.dep_ == "mark" and mark.head == verb
            and (mark.i == mark.sent.start or mark.nbor(-1).text == ","))


def _as_said(verb: Token, lexicon: Lexicon) -> Token | None:
    """The last word of the cue of an "as" clause: the reporting verb with no object or
    clause of its own ('as the mayor noted'), or the "it" of 'as Ruiz put it'."""
    objects = [c for c in verb.children if c.dep_ in {"dobj", "ccomp", "xcomp"}]
    if verb.lemma_.lower() == "put":
        return next((c for c in objects if c.lower_ == "it" and len(objects) == 1), None)
    return verb if (is_verb_cue(verb, lexicon) and not objects  # "as protests continue": a time
                    and verb.lemma_.lower() not in lexicon.quotation_only_verbs
                    and not _shared_knowledge(verb)) else None


def _shared_knowledge(verb: Token) -> bool:
    """'As you know, the plan failed', 'as everyone knows': a formula that presents the
    clause as known to all, the writer's own statement, not someone's report."""
    subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
    return verb.lemma_.lower() == "know" or (subject is not None and subject.lower_ == "you")


LIGHT_VERBS = {"give", "make", "issue", "offer", "repeat"}  # "gave an assurance that …"


def light_verb_of(noun: Token) -> Token | None:
    """The light verb ("gave", "issued") whose object the reporting noun is, else None."""
    return noun.head if noun.dep_ == "dobj" and noun.head.lemma_.lower() in LIGHT_VERBS \
        else None


def noun_reports(doc: Doc, sent: Span, lexicon: Lexicon, regions: list[QuoteRegion]
                 ) -> Iterator[Attribution]:
    """`Ruiz's claim that the ward was understaffed`, `The mayor gave an assurance that …`:
    a reporting noun (``report_nouns``) with a "that" clause presents the clause as coming
    from the noun's possessor, or from the subject of the light verb it is the object of
    (cue: that verb group and the noun). With neither ('The allegation that …') the text
    names no source: null, as for 'it was alleged that …' (GUIDELINES.md 3), unless a
    report holds it ('X denied all claims that …'): a nested attribution is labelled only
    with its own cue and source."""
    for noun in sent:
        if (noun.pos_ != "NOUN" or noun.lemma_.lower() not in lexicon.report_nouns
                or inside_quote(regions, noun.idx, noun.idx + 1)):
            continue
        clause = next((c for c in noun.children if c.dep_ == "acl" and c.i > noun.i and any(
            m.dep_ == "mark" and m.lower_ == "that" for m in c.children)), None)
        quotation = _statement_quoted(doc, noun, lexicon, regions) if clause is None else None
        if clause is None and quotation is None or noun.dep_ == "ROOT":
            # "The statement that the ministry issued on Friday was short": with the noun as
            # the root the parser put the sentence's own verb inside the clause
            continue
        owner = next((c for c in noun.children if c.dep_ == "poss"), None)
        light = light_verb_of(noun) if owner is None else None
        subject = owner or (subject_of(light) if light is not None else None)
        mention = source_mention(doc, subject, lexicon) if subject is not None else None
        content = (quote_content(doc, quotation) if quotation is not None else
                   content_from_tokens(doc, strip_complementiser(subtree_in_order(clause))))
        if content is None or (subject is not None and mention is None):
            continue
        if subject is None and any(is_verb_cue(a, lexicon) for a in noun.ancestors):
            continue  # "denied all claims that …": nested with no source, the outer one only
        cue = token_range([noun, light, *auxiliaries(light)] if light is not None else [noun])
        source = without_possessive(doc, mention.span) if mention is not None else None
        yield Attribution(
            content=content, source=source, cue=cue, quote_type=quote_type_of(content, regions),
            kind="speech", description=mention.description if mention else None,
            source_type=mention.source_type if mention else "anonymous",
            construction="noun_report", extra={"head": mention.head.i} if mention else {})


STATEMENT_GAP = 6  # words between a statement noun and its colon ("from the king")


def _statement_quoted(doc: Doc, noun: Token, lexicon: Lexicon, regions: list[QuoteRegion]
                      ) -> QuoteRegion | None:
    """'The palace issued the following statement: "…"': a statement, announcement or other
    report put out by the light verb's subject, then a colon and a quotation. The quotation
    is its text, as 'He added: "…"' gives a cue's. Only for the object of a light verb: a
    colon after a subject ('The statement: …') introduces no one's words."""
    if light_verb_of(noun) is None:
        return None
    # A short phrase may come between ("the following statement from the king:"), wherever
    # the parser hung it; the parser may hang the quoted clause on the noun, so the noun's
    # right edge is no guide.
    colon = next((t for t in doc[noun.i + 1:noun.i + STATEMENT_GAP + 2] if t.text == ":"),
                 None)
    if colon is None or any(t.pos_ in {"VERB", "AUX"} or t.is_punct
                            for t in doc[noun.i + 1:colon.i]):
        return None
    text = doc_text(doc)
    region = next((r for r in regions if r.open_at > colon.idx), None)
    return region if region is not None and not text[colon.idx + 1:region.open_at].strip() \
        else None


def _quote_resumed(doc: Doc, verb: Token, before: QuoteRegion, quotes: list[QuoteRegion],
                   claimed: set[QuoteRegion]) -> list[tuple[CharSpan, str]]:
    """'"A," she said, "B."': a quotation the cue interrupts goes on in the next one, which
    shares the source and cue (GUIDELINES.md: two contents, A and B). Only where "A" comes
    right before the cue and the next quotation opens within a few words after it."""
    if before.close_at > verb.idx:
        return []
    resumed = _next_quotation(quotes, claimed, verb.idx)
    if resumed is None or len(doc_text(doc)[verb.idx:resumed.open_at].split()) > RESUME_GAP_WORDS:
        return []
    return _further_content(doc, resumed, claimed)


def _quote_joined(doc: Doc, verb: Token, first: QuoteRegion, quotes: list[QuoteRegion],
                  claimed: set[QuoteRegion]) -> list[tuple[CharSpan, str]]:
    """'said "A" and "B"': a second quotation joined by "and" to one the cue opened is a
    second content with the same source and cue, as for a quotation the cue interrupts."""
    if first.open_at < verb.idx:
        return []
    joined = _next_quotation(quotes, claimed, first.close_at)
    if joined is None or doc_text(doc)[first.close_at + 1:joined.open_at].strip(
            " ,").lower() != "and":
        return []
    return _further_content(doc, joined, claimed)


def _next_quotation(quotes: list[QuoteRegion], claimed: set[QuoteRegion], after: int
                    ) -> QuoteRegion | None:
    """The nearest quotation opening after character `after` that no content has taken."""
    later = [r for r in quotes if r not in claimed and r.open_at > after]
    return min(later, key=lambda r: r.open_at, default=None)


def _further_content(doc: Doc, region: QuoteRegion, claimed: set[QuoteRegion]
                     ) -> list[tuple[CharSpan, str]]:
    """One more content for the same source and cue: the quotation, now taken."""
    claimed.add(region)
    content = quote_content(doc, region)
    return [(content, "quote_with_cue")] if content is not None else []


# Words between the interrupting cue and the resumed quotation: 'said Ana Ruiz, the
# union's leader, "…' still resumes; a quotation a clause later is another report.
RESUME_GAP_WORDS = 8


def _quotation_after_colon(doc: Doc, verb: Token, clause: CharSpan, quotes: list[QuoteRegion],
                           claimed: set[QuoteRegion]) -> tuple[CharSpan, QuoteRegion] | None:
    """'told reporters the rules were a start: "What we need is …"': a reported clause after
    its cue, then a colon and a quotation, are two contents (GUIDELINES.md labels the
    quotation direct and the clause indirect), not one mixed one, and the quotation is not
    left unattributed where the parse ends the clause at the colon."""
    if verb.idx > clause.start:
        return None  # a clause before its cue ('…: "…", she wrote') is read as it is
    text = doc_text(doc)
    for region in quotes:
        if region in claimed or region.open_at <= clause.start:
            continue
        head = text[clause.start:region.open_at].rstrip()
        colon = clause.start + len(head) - 1
        if (not head.endswith(":") or text[clause.end:colon].strip()
                or inside_quote(quotes, colon, colon + 1)):
            continue
        before = trimmed(doc, clause.start, min(colon, clause.end), EDGE_PUNCT)
        if before is not None and quote_content(doc, region) is not None:
            return before, region
    return None


def _quotation_opened(verb: Token, clause: CharSpan, quotes: list[QuoteRegion]
                      ) -> QuoteRegion | None:
    """The quotation a reported clause starts in, where the clause's own verb is quoted too:
    'said, "We will stay to the end", while visiting the site' or 'told the BBC "A. B."'
    (the parser hung only "B" on the cue). The quotation is what was said; words after its
    closing mark are the writer's. A clause whose verb lies outside the marks ('said "the
    plan" was a disaster'), or that goes on past them with a second clause of the writer's
    ('told reporters "prices will fall" and that wages would rise'), stays a mixed quote."""
    head = clause_head(verb)
    if head is None:
        return None
    return next((r for r in quotes if r.open_at > verb.idx
                 and r.inner_start <= clause.start < r.inner_end
                 and r.inner_start <= head.idx < r.inner_end
                 and not any(c.dep_ == "conj" and c.idx > r.close_at
                             and inside_quote(quotes, c.idx, c.idx + 1) is None
                             for c in head.children)),
                None)


# Dependents after a cue that hold what was said where it is not a clause: its object, an
# object complement or infinitive, and prepositional phrases ('as a "cowardly act"').
OBJECT_DEPS = {"dobj", "oprd", "xcomp", "prep", "attr", "acomp"}


def _quoted_object(doc: Doc, verb: Token, quotes: list[QuoteRegion]) -> CharSpan | None:
    """'described the attack as a "cowardly act"', 'urged residents to "stay calm"': where a
    quotation sits inside the words the cue governs after it, among words of the writer's,
    the content is those words, a mixed quote (GUIDELINES.md: content partly quoted), not the
    quotation alone. They run from the cue's first object to the dependent holding the
    quotation: a phrase before the object ('indicated on Monday a …') or after that
    dependent ('… on Friday') is the writer's frame.

    Left as before: a naming verb ('called the plan "a disgrace"': the quoted words are what
    was said), a passive cue (its object is its subject), and a quotation that a second
    reporting verb inside the object governs ('a pattern described by X as "…"')."""
    passive = any(c.dep_ in {"nsubjpass", "auxpass"} for c in verb.children)
    if verb.lemma_.lower() in NAMING_VERBS or passive:
        return None
    cue, lexicon = cue_span(verb), load_lexicon()  # the cue is whole tokens: test their starts
    parts = [c for c in verb.rights if c.dep_ in OBJECT_DEPS and not cue.start <= c.idx < cue.end]
    first = next((i for i, c in enumerate(parts) if c.dep_ != "prep"), None)
    if first is None:
        return None  # no object after the cue ('which X describes as "…"'): the quotation
    parts = parts[first:]
    for last, part in reversed(list(enumerate(parts))):
        right = part.right_edge
        bounds = CharSpan(part.left_edge.idx, right.idx + len(right))
        # The words inside the marks, not the marks: a closing mark after the stop ('as "a
        # cowardly act."') is hung on the sentence, outside the phrase.
        inside = {r: words for r in quotes if (words := quote_content(doc, r)) is not None
                  and bounds.start <= r.open_at and words.end <= bounds.end}
        if not inside:
            continue
        tokens = [t for p in parts[:last + 1] for t in p.subtree
                  if not cue.start <= t.idx < cue.end]
        last_open = max(r.open_at for r in inside)
        if any(is_verb_cue(t, lexicon) and t.idx < last_open for t in tokens):
            return None
        end = _end_of_quoted_phrase(doc, max(r.close_at for r in inside), bounds.end)
        content = trimmed(doc, min(t.idx for t in tokens), end, EDGE_PUNCT + QUOTE_MARKS)
        if content is None or content in inside.values():
            return None  # the quotation is all of it: a direct quote, read as before
        return content
    return None


def _end_of_quoted_phrase(doc: Doc, close_at: int, end: int) -> int:
    """'noted her "courage and calm" in a radio interview': the parser can hang the
    writer's "in a radio interview" on the quoted noun; a prepositional phrase right after
    the closing mark is where or how it was said, not part of what was. A closing mark at
    or past ``end`` (the parser hung it outside the phrase: 'described it as "a disgrace"
    and said') leaves nothing after it to look at; ``char_span`` raised on the empty range,
    failing the whole article."""
    if close_at + 1 >= end:
        return end
    after = doc.char_span(close_at + 1, end, alignment_mode="expand")
    words = [t for t in after if not t.is_punct] if after is not None else []
    return close_at + 1 if words and words[0].dep_ == "prep" else end


def _verb_contents(doc: Doc, verb: Token, sent: Span, quotes: list[QuoteRegion],
                   claimed: set[QuoteRegion]) -> list[tuple[CharSpan, str]]:
    # "urged them to continue paying": "continue" reports a quotation, never a clause.
    quotation_only = verb.lemma_.lower() in load_lexicon().quotation_only_verbs
    clause = None if quotation_only else clause_content(doc, verb)
    if clause is not None:
        # A clause inside quotes is a direct quote; its full quotation is the content. The
        # parser may hang the closing mark on the clause ("'…,' Ruiz said").
        bare = trimmed(doc, clause.start, clause.end, EDGE_PUNCT + QUOTE_MARKS) or clause
        region = (inside_quote(quotes, bare.start, bare.end)
                  or _quotation_opened(verb, clause, quotes))
        if region is not None and region not in claimed:
            claimed.add(region)
            return [(quote_content(doc, region), "quote_with_cue"),
                    *_quote_resumed(doc, verb, region, quotes, claimed),
                    *_quote_joined(doc, verb, region, quotes, claimed)]
        after_colon = _quotation_after_colon(doc, verb, clause, quotes, claimed)
        if after_colon is not None:
            before, region = after_colon
            return [(before, "reported_clause"), *_further_content(doc, region, claimed)]
        claimed.update(r for r in quotes if clause.overlaps(CharSpan(r.open_at, r.close_at)))
        return [(clause, "reported_clause")]
    free = [r for r in quotes if r not in claimed and not (r.inner_start <= verb.idx < r.inner_end)]
    around = content_around_cue(doc, verb, sent) if free else []
    if around:  # 'The budget, he said, was "a disgrace"': the quotation is in a piece
        claimed.update(r for r in free if around[-1].overlaps(CharSpan(r.open_at, r.close_at)))
        return [(piece, "reported_clause_around_cue") for piece in around]
    mixed = _quoted_object(doc, verb, free)
    if mixed is not None:
        claimed.update(r for r in free if mixed.overlaps(CharSpan(r.open_at, r.close_at)))
        return [(mixed, "quoted_object")]
    if free:
        claimed.update(free)
        return [(c, "quote_with_cue") for r in free if (c := quote_content(doc, r))]
    if quotation_only:
        return []
    parataxis = parataxis_content(doc, verb, sent)
    if parataxis is not None:
        return [(parataxis, "reported_clause_before_cue")]
    fronted = fronted_report_content(doc, verb, sent)
    if fronted is not None:
        return [(fronted, "reported_clause")]
    return [(piece, "reported_clause_around_cue")
            for piece in content_around_cue(doc, verb, sent)]


def continuation(doc: Doc, sent: Span, regions: list[QuoteRegion]) -> Attribution | None:
    """A sentence that is all quotation and has no cue continues the previous speaker."""
    content = trimmed(doc, sent.start_char, sent.end_char, EDGE_PUNCT + QUOTE_MARKS)
    if content is None:
        return None
    region = inside_quote(regions, content.start, content.end)
    if region is None:
        return None
    inner = quote_content(doc, region)
    if inner is None:
        return None
    # Within the sentence, but not past a quotation nested at its edge ('"\'Never give up\'
    # was his motto."'), whose mark the test above trimmed away.
    inner = trimmed(doc, max(inner.start, sent.start_char), min(inner.end, sent.end_char),
                    EDGE_PUNCT)
    if inner is None:
        return None
    return Attribution(content=inner, source=None, cue=None, quote_type="direct",
                       construction="continuation")


# A quotation in the writer's sentence is speech, not a title or scare quotes, where it has
# at least this many words and ends a sentence inside its marks ('It was "the best day of
# my whole life."').
MIN_NARRATED_QUOTE_WORDS = 4
SENTENCE_END = (".", "?", "!")


def quoted_speech_in_narration(doc: Doc, sent: Span, regions: list[QuoteRegion]
                               ) -> list[Attribution]:
    """Quoted speech set in a sentence of the writer's without a cue: the dev labels
    attribute it, as a continuation, to the speaker quoted before ('Her newest suit has "a
    fan inside the head."'). Not where the sentence has a word the tagger reads as a cue
    ('X characterized the call as "…"', 'X disagreed: "…"'): that sentence has its own
    speaker, whom the rules missed."""
    lexicon = load_lexicon()
    quotes = sentence_quotes(sent, regions)
    known = lexicon.speech_lemmas | lexicon.belief_lemmas
    if any(t.text == ":" or cue_lemmas(doc, t.idx, t.idx + len(t), lexicon) & known
           for t in sent if inside_quote(quotes, t.idx, t.idx + 1) is None):
        return []
    found = []
    for region in quotes:
        inner = doc_text(doc)[region.inner_start:region.inner_end].rstrip()
        if (not region.closed or region.close_at >= sent.end_char
                or not inner.endswith(SENTENCE_END)
                or len(inner.split()) < MIN_NARRATED_QUOTE_WORDS):
            continue
        content = quote_content(doc, region)
        if content is not None:
            found.append(Attribution(content=content, source=None, cue=None,
                                     quote_type="direct", construction="continuation"))
    return found


# ---------------------------------------------------------------- whole article


# Sentences longer than this are left to the tagger. Several rules walk the whole sentence
# once per cue, so their cost grows with the square of its length: one 4,500-token "sentence"
# (30 KB without a full stop, a scraped table or a dump gone wrong) took 14 s, and a 200 KB
# one would take most of an hour. The longest sentence in the 171 Wikinews 2019 articles has
# 144 tokens, so real news never reaches the cap.
MAX_RULE_SENTENCE_TOKENS = 500


def find_attributions(doc: Doc, lexicon: Lexicon | None = None) -> list[Attribution]:
    lexicon = lexicon or load_lexicon()
    regions = quote_regions(doc)
    found: list[Attribution] = []
    for sent in sentence_spans(doc):
        if len(sent) > MAX_RULE_SENTENCE_TOKENS:
            continue
        in_sentence = list(according_to(doc, sent, lexicon, regions))
        in_sentence += hedging_adverbs(doc, sent, lexicon, regions)
        in_sentence += as_clauses(doc, sent, lexicon, regions)
        in_sentence += noun_reports(doc, sent, lexicon, regions)
        in_sentence += [a for a in verb_attributions(doc, sent, lexicon, regions)
                        if not any(a.content.overlaps(b.cue) or a.cue == b.cue
                                   for b in in_sentence if b.cue)]
        if not in_sentence and found:
            follow_on = continuation(doc, sent, regions)
            in_sentence = ([follow_on] if follow_on is not None
                           else quoted_speech_in_narration(doc, sent, regions))
        index = sent._.index if sent._.index is not None else None
        found += [replace(a, sentence_index=index) for a in in_sentence]
    return found



@Language.factory("claimtrace_attribute_rules", assigns=["doc.spans"],
                  default_config={"lexicon_path": None})
def make_attribute_rules(nlp: Language, name: str, lexicon_path: str | None):
    lexicon = load_lexicon(lexicon_path)

    def attribute_rules(doc: Doc) -> Doc:
        set_attributions(doc, find_attributions(doc, lexicon), RULES_KEY)
        return doc

    return attribute_rules
