"""Stand-alone claim text: a claim's verbatim span with context-dependent references replaced
by what they refer to, where rules over the parse are confident; no language model.

"He said it would cost $3bn", after "The harbour bridge plan was unveiled on Monday.",
becomes "the harbour bridge plan would cost $3bn". A reference is replaced only when:

- **he/she/him/his** (and *her*): exactly one person is named between the start of the
  previous sentence and the pronoun, counting the claim's speaker outside quotation marks
  and never inside them (speakers say "I"), whom the article's attributions do not show to
  be of the other gender; two candidates, no guess;
- **I/me/my** in a direct quote: the quote's speaker, a person with a resolved name, and only
  where the verb needs no new agreement ("I will", "I said", not "I am") and the claim has no
  other first-person word (a second "I" or "my" would read as someone else's);
- **it/its** and **they/their** as the claim's subject: the speaker, when the speaker is a
  group or organisation of the same number ("the committee says it has found ...",
  "officials said they ..."), outside quotation marks (in their own words speakers say "we")
  and, for "it", never an unnamed person ("a spokesman");
- **it/its** and **they/their** otherwise: the subject of the previous sentence, when that is
  a non-person noun phrase of the same number and at most eight words, no other noun of that
  number stands in that sentence or comes between (outside the speaker's own phrase), and the
  pronoun is an active subject or a possessive outside a relative clause; never an expletive
  ("it is clear that ..."), never "it's" (the contraction would read as a possessive), never
  an object pronoun ("them"), which more often points inside its own sentence.

A name is put in once per claim: a second "his" after it reads correctly as it is.

Everything else stays as written: the verbatim span sits beside this text in the record.

The ``claimtrace_standalone`` component computes the texts while the parse is there and keeps
those that differ from their span in ``doc._.standalone_texts`` ("start-end" -> text), for
every attribution content and every sentence; the state between stages carries them, so the
exporter needs no parse.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from claimtrace.pipeline.attribute import Attribution, CharSpan, attributions_of, load_lexicon
from claimtrace.pipeline.attribute.rules import inside_quote
from claimtrace.pipeline.attribute.speakers import (
    PRONOUN_GENDERS,
    article_names,
    clean_name,
    speaker_genders,
)
from claimtrace.pipeline.quotes import quote_regions
from claimtrace.pipeline.split import SENTENCES_KEY, sentence_at, sentence_spans
from claimtrace.pipeline.text import doc_text

THIRD_PERSON = {"he", "she", "him", "his", "her"}
FIRST_PERSON = {"i", "me", "my"}
THING = {"it", "its"}
PLURAL = {"they", "them", "their"}
POSSESSIVES = {"his", "my", "its", "their"}
SUBJECT_DEPS = {"nsubj", "nsubjpass"}
NOT_THINGS = {"PERSON", "DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "QUANTITY", "ORDINAL"}
EXPLETIVE_HEADS = {"be", "seem", "appear", "take", "remain", "become", "look", "matter"}
CLAUSE_DEPS = {"ccomp", "xcomp", "csubj", "advcl"}
CUT_DEPS = {"relcl", "appos", "acl", "punct", "advcl", "cc", "conj", "prep"}
MAX_ANTECEDENT_WORDS = 8
# Present-tense verbs that would need a new agreement after "I" -> a name.
FIRST_PERSON_PRESENT = {"VBP"}
AUXILIARY_DEPS = {"aux", "auxpass"}


Doc.set_extension("standalone_texts", default=None, force=True)


def span_key(span: CharSpan) -> str:
    return f"{span.start}-{span.end}"


def claim_text(doc: Doc, span: CharSpan, attribution: Attribution | None) -> str:
    """The stand-alone text of `span`: kept by the component, else computed now (a parse is
    needed for any replacement; without one the span stays as written)."""
    kept = doc._.standalone_texts
    if kept is not None:
        return kept.get(span_key(span), span.text(doc))
    return standalone_text(doc, span, attribution)


@Language.component("claimtrace_standalone", assigns=["doc._.standalone_texts"])
def keep_standalone_texts(doc: Doc) -> Doc:
    first_by_content: dict[str, tuple[CharSpan, Attribution | None]] = {}
    for attribution in attributions_of(doc):
        first_by_content.setdefault(span_key(attribution.content),
                                    (attribution.content, attribution))
    for sentence in sentence_spans(doc):
        whole = CharSpan(sentence.start_char, sentence.end_char)
        first_by_content.setdefault(span_key(whole), (whole, None))
    texts = {}
    for key, (span, attribution) in first_by_content.items():
        text = standalone_text(doc, span, attribution)
        if text != span.text(doc):
            texts[key] = text
    doc._.standalone_texts = texts
    return doc


@dataclass(frozen=True)
class Replacement:
    start: int
    end: int
    text: str


def standalone_text(doc: Doc, span: CharSpan, attribution: Attribution | None = None) -> str:
    """The text of `span` with every confident replacement applied."""
    pieces, position = [], span.start
    for replacement in replacements(doc, span, attribution):
        pieces += [doc_text(doc)[position:replacement.start], replacement.text]
        position = replacement.end
    pieces.append(doc_text(doc)[position:span.end])
    return "".join(pieces)


def replacements(doc: Doc, span: CharSpan, attribution: Attribution | None
                 ) -> Iterator[Replacement]:
    chars = doc.char_span(span.start, span.end, alignment_mode="contract")
    if chars is None or not doc.has_annotation("DEP"):
        return
    used: set[str] = set()
    # One name for one "I" only: with a second first-person word the name would make the
    # others someone else's ("Grace Okafor knew I had it", "I have ... in Marta Ilic's life").
    first_person = [t for t in chars if t.lower_ in FIRST_PERSON and t.pos_ in {"PRON", "DET"}]
    for token in chars:
        if len(first_person) > 1 and token.lower_ in FIRST_PERSON:
            continue
        found = _resolve(doc, token, attribution)
        if found and found not in used:  # a second "his" reads fine once the name is given
            used.add(found)
            text = found + "'s" if token.lower_ in POSSESSIVES or _possessive_her(token) else found
            yield Replacement(token.idx, token.idx + len(token.text), text)


def _resolve(doc: Doc, token: Token, attribution: Attribution | None) -> str | None:
    lower = token.lower_
    if token.pos_ not in {"PRON", "DET"}:
        return None
    if lower in FIRST_PERSON:
        return _speaker_of_quote(token, attribution)
    if lower in THIRD_PERSON:
        return _only_person(doc, token, attribution)
    if lower in THING | PLURAL:
        if _expletive(token) or _contracted(token) or token.dep_ not in SUBJECT_DEPS | {"poss"}:
            return None
        plural = lower in PLURAL
        return (_group_speaker(doc, token, attribution, plural)
                or _previous_subject(doc, token, attribution, plural))
    return None


def _contracted(token: Token) -> bool:
    following = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return following is not None and following.lower_ in {"'s", "’s", "'d", "’d"}


def _possessive_her(token: Token) -> bool:
    return token.lower_ == "her" and token.dep_ == "poss"


# ---------------------------------------------------------------- people


def _speaker_of_quote(token: Token, attribution: Attribution | None) -> str | None:
    if (attribution is None or attribution.quote_type not in {"direct", "mixed"}
            or attribution.source_type != "person" or not attribution.resolved):
        return None
    head = token.head
    if token.lower_ == "i" and (head.tag_ in FIRST_PERSON_PRESENT or any(
            c.tag_ in FIRST_PERSON_PRESENT and c.dep_ in AUXILIARY_DEPS for c in head.children)):
        return None  # "I am", "I have been", "I am saddened", "I think": the verb would change
    return attribution.resolved


def _people_between(doc: Doc, start: int, end: int) -> set[str]:
    """Full names (the speaker resolver's) of the people named in [start, end)."""
    lexicon = load_lexicon()
    index = article_names(doc, lexicon)
    return {index.expand(clean_name(ent.text, lexicon), ent.start_char)[0] for ent in doc.ents
            if ent.label_ == "PERSON" and start <= ent.start_char and ent.end_char <= end}


def _only_person(doc: Doc, token: Token, attribution: Attribution | None) -> str | None:
    names = _people_between(doc, _previous_sentence_start(doc, token), token.idx)
    speaker = attribution.resolved if attribution and attribution.source_type == "person" else None
    if speaker and inside_quote(quote_regions(doc), token.idx, token.idx + len(token.text)):
        # Speakers call themselves "I": a "he" / "she" in their own quotation is someone
        # else ('"She was a fine painter," said Ana Ruiz').
        names = {n for n in names if _surname(n) != _surname(speaker)}
    elif speaker:
        names = {n for n in names | {speaker} if n == speaker or _surname(n) != _surname(speaker)}
    if len(names) != 1:
        return None
    # A "she" is not a man the article has shown to be one ("Tom Green ... He said she
    # earned $2m"). Gender only refuses: the evidence comes from resolved pronouns, so
    # using it to pick between two people would pass on the resolver's mistakes.
    name = names.pop()
    known = speaker_genders(doc, load_lexicon()).get(name)
    return name if known in (None, PRONOUN_GENDERS[token.lower_]) else None


def _surname(name: str) -> str:
    return name.split()[-1]


# ---------------------------------------------------------------- things and groups


def _expletive(token: Token) -> bool:
    """"It is clear that ...", "it takes time to ...": an 'it' that points at nothing."""
    head = token.head
    if token.dep_ == "expl":
        return True
    return head.lemma_ in EXPLETIVE_HEADS and any(c.dep_ in CLAUSE_DEPS for c in head.children)


def _sentence_of(doc: Doc, token: Token) -> tuple[int, Sequence[Span]]:
    """(number of the sentence holding `token`, or -1; the sentences). The split stage's
    sentences are found by `split.sentence_at`'s binary search: listing every sentence for
    each pronoun made long articles quadratic."""
    if SENTENCES_KEY in doc.spans:
        sentence = sentence_at(doc, token.idx)
        inside = sentence is not None and sentence.start <= token.i < sentence.end
        return (sentence._.index if inside else -1), doc.spans[SENTENCES_KEY]
    sentences = sentence_spans(doc)
    for number, sentence in enumerate(sentences):
        if sentence.start <= token.i < sentence.end:
            return number, sentences
    return -1, sentences


def _previous_sentence_start(doc: Doc, token: Token) -> int:
    number, sentences = _sentence_of(doc, token)
    return sentences[number - 1].start_char if number > 0 else 0


def _number_matches(token: Token, plural: bool) -> bool:
    return (token.tag_ in {"NNS", "NNPS"}) == plural


def _is_thing(token: Token) -> bool:
    return (token.pos_ in {"NOUN", "PROPN"} and token.ent_type_ not in NOT_THINGS
            and not any(t.ent_type_ == "PERSON" for t in token.subtree))


def _speaker_phrase(doc: Doc, attribution: Attribution | None) -> set[int]:
    """Token indices of the speaker's phrase (name, title, affiliation): not antecedents."""
    if attribution is None or attribution.source is None:
        return set()
    mention = attribution.source.tokens(doc)
    return {t.i for t in mention.root.subtree} if mention is not None else set()


def _previous_subject(doc: Doc, token: Token, attribution: Attribution | None,
                      plural: bool) -> str | None:
    number, sentences = _sentence_of(doc, token)
    if number <= 0:
        return None
    subject = next((t for t in sentences[number - 1]
                    if t.dep_ in SUBJECT_DEPS and t.head.dep_ == "ROOT"), None)
    if subject is None or not _is_thing(subject) or not _number_matches(subject, plural):
        return None
    if token.dep_ == "nsubjpass" or any(t.dep_ in {"relcl", "acl"} for t in token.ancestors):
        return None  # "they would be held": the patient, more often not the last subject
    if _rivals(sentences[number - 1], subject, plural):
        return None
    speaker = _speaker_phrase(doc, attribution)
    between = [t for t in doc[sentences[number].start:token.i] if t.i not in speaker
               and t.pos_ in {"NOUN", "PROPN"} and t.ent_type_ not in NOT_THINGS
               and _number_matches(t, plural)]
    return None if between else _noun_phrase(subject)


def _rivals(sentence: Span, subject: Token, plural: bool) -> bool:
    """Another noun of the same number in the previous sentence: the reference is unclear."""
    own = {t.i for t in subject.subtree}
    return any(t.i not in own and t.pos_ in {"NOUN", "PROPN"} and t.dep_ != "compound"
               and t.ent_type_ not in NOT_THINGS and _number_matches(t, plural)
               for t in sentence)


def _group_speaker(doc: Doc, token: Token, attribution: Attribution | None,
                   plural: bool) -> str | None:
    """"The committee says it ...", "officials said they ...": the subject is the speaker."""
    if (attribution is None or attribution.source is None or attribution.source_type == "person"
            or token.dep_ not in SUBJECT_DEPS
            or not attribution.content.start <= token.idx < attribution.content.end):
        return None
    # Inside their own quotation speakers say "we": '"It was terrifying," said a shopkeeper'
    # is not "a shopkeeper was terrifying". And an unnamed speaker is a person ("a
    # spokesman"): "it" is never them, only "they" for a group ("officials").
    if inside_quote(quote_regions(doc), token.idx, token.idx + len(token.text)):
        return None
    if not plural and attribution.source_type == "anonymous":
        return None
    mention = attribution.source.tokens(doc)
    if mention is None or mention.root.pos_ not in {"NOUN", "PROPN"}:
        return None
    if not _number_matches(mention.root, plural):
        return None
    return _noun_phrase(mention.root)


def _noun_phrase(head: Token) -> str | None:
    """The head's phrase without clauses, appositions and prepositional tails."""
    tokens = [head]
    for child in head.children:
        if child.dep_ not in CUT_DEPS:
            tokens.extend(child.subtree)
    tokens.sort(key=lambda t: t.i)
    if any(t.pos_ == "PRON" for t in tokens) or len(tokens) > MAX_ANTECEDENT_WORDS:
        return None
    if tokens[-1].i - tokens[0].i + 1 != len(tokens):
        return None  # not one continuous stretch of text
    text = doc_text(head.doc)[tokens[0].idx:tokens[-1].idx + len(tokens[-1].text)]
    first = tokens[0]
    if first.pos_ == "DET" or (first.pos_ != "PROPN" and not first.text.isupper()):
        text = text[:1].lower() + text[1:]
    return text
