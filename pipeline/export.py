"""Stage 5 — export: the one place where `Doc` annotations become ``statement@2`` records.

Ids are stable: they come from the article text's sha256 and character offsets, so a
statement keeps its id across runs, workers and versions that do not move its spans.
A `Doc` without ``doc._.article`` (a text handed to spaCy directly) exports too: its article
id is then the stable id of its text.
"""

from __future__ import annotations

from collections import defaultdict

from spacy.tokens import Doc, Span

from claimtrace import __version__
from claimtrace.pipeline.attribute import Attribution, CharSpan, attributions_of
from claimtrace.pipeline.ingest import Article, stable_id, text_sha256
from claimtrace.pipeline.language import detect_language
from claimtrace.pipeline.split import sentence_spans
from claimtrace.pipeline.standalone import claim_text
from claimtrace.pipeline.text import doc_text
from claimtrace.schema import (
    ArticleRef,
    AttributionRecord,
    Claim,
    Provenance,
    SentenceRef,
    Source,
    Statement,
    TextSpan,
)
from claimtrace.settings import RunSettings

Doc.set_extension("article", default=None, force=True)
Doc.set_extension("models", default=None, force=True)

ID_PREFIX_DIGITS = 16
# Confidence of an attribution that carries none of its own (the tagger gives its
# probability), per construction: on the project's gold set (40 Wikinews articles), the share
# of the construction's attributions whose content and cue overlap a gold attribution,
# smoothed as (correct + 1) / (n + 2). Measured by `scripts/rule_confidence.py` (rules; the
# "model" row with --attribution hybrid). The rules were written looking at these articles,
# so the values are optimistic; they rank constructions rather than promise a rate.
RULE_CONFIDENCE: dict[str, float] = {
    "according_to": 0.93,  # 40 of 42
    "continuation": 0.9,  # 8 of 8
    "hedging_adverb": 0.57,  # 7 of 12
    "passive_without_source": 0.71,  # 4 of 5
    "quote_with_cue": 0.91,  # 67 of 73
    "reported_clause": 0.87,  # 123 of 141
    "reported_clause_before_cue": 0.8,  # 3 of 3
    "model": 0.45,  # 76 of 168 (tagger triples kept by hybrid)
}
UNKNOWN_CONSTRUCTION_CONFIDENCE = 0.5  # a construction not measured yet


def _text_span(doc: Doc, span: CharSpan) -> TextSpan:
    return TextSpan(text=span.text(doc), start=span.start, end=span.end)


def _offsets(span: CharSpan | None) -> str:
    return f"{span.start}-{span.end}" if span is not None else "-"


def statement_id(sha256: str, start: int, end: int) -> str:
    return f"{sha256[:ID_PREFIX_DIGITS]}:{start}-{end}"


def attribution_id(sha256: str, attribution: Attribution) -> str:
    """Content and cue offsets name an attribution within its article."""
    return (f"{sha256[:ID_PREFIX_DIGITS]}:{_offsets(attribution.content)}"
            f":{_offsets(attribution.cue)}")


def confidence_of(attribution: Attribution) -> float:
    own = getattr(attribution, "confidence", None)
    if own is not None:
        return round(float(own), 6)
    return RULE_CONFIDENCE.get(attribution.construction, UNKNOWN_CONSTRUCTION_CONFIDENCE)


def attribution_record(doc: Doc, attribution: Attribution, sha256: str) -> AttributionRecord:
    source = attribution.source
    return AttributionRecord(
        id=attribution_id(sha256, attribution),
        source=Source(
            text=source.text(doc) if source else None,
            start=source.start if source else None,
            end=source.end if source else None,
            resolved=attribution.resolved,
            description=attribution.description,
            type=attribution.source_type,
            role=getattr(attribution, "role", None),
            organization=getattr(attribution, "organization", None),
        ),
        cue=_text_span(doc, attribution.cue) if attribution.cue else None,
        content=_text_span(doc, attribution.content),
        quote_type=attribution.quote_type,
        kind=attribution.kind,
        method=attribution.method,
        construction=attribution.construction or attribution.method,
        confidence=confidence_of(attribution),
    )


def _claim(doc: Doc, sentence: Span, attributions: list[Attribution]) -> Claim:
    """The claim is what was said (the first attribution's content), else the sentence; the
    sentence too where it also states something in the writer's own voice, which its score
    may be for ("Firefighters pulled 14 people from the tower, and neighbours said the
    crews were heroes": not "the crews were heroes")."""
    whole = CharSpan(sentence.start_char, sentence.end_char)
    verbatim = (attributions[0].content
                if attributions and not writer_clause(sentence, attributions) else whole)
    score = getattr(sentence._, "claim", None) if Span.has_extension("claim") else None
    scored = {"checkworthy": None, "score": None, "threshold": None, "model": None}
    if score is not None:
        scored = {"checkworthy": score.checkworthy, "score": round(float(score.score), 6),
                  "threshold": score.threshold, "model": score.model}
    probabilities = getattr(score, "probabilities", None)
    speaker = attributions[0] if attributions else None
    return Claim(text=claim_text(doc, verbatim, speaker), span=_text_span(doc, verbatim),
                 label=getattr(score, "label", None),
                 probabilities=dict(probabilities) if probabilities else None, **scored)


CLAUSE_SUBJECTS = {"nsubj", "nsubjpass", "expl"}


def writer_clause(sentence: Span, attributions: list[Attribution]) -> bool:
    """Whether a main-clause verb with a subject of its own (the root, or one joined to it
    by "and" / "but") stands outside every attribution's source, cue and content, and
    outside a source's phrase. Subordinate clauses are left out: "..., where the passengers
    would have been" or "Regarding which part was hardest, X said ..." frame the report."""
    covered = [part for a in attributions for part in (a.source, a.cue, a.content) if part]
    heads = [head for a in attributions if (head := a.source_head(sentence.doc)) is not None]
    described = {t.i for head in heads for t in head.subtree}
    return any(token.pos_ in {"VERB", "AUX"} and token.dep_ in {"ROOT", "conj"}
               and token.i not in described
               and any(c.dep_ in CLAUSE_SUBJECTS for c in token.children)
               and not any(p.start <= token.idx < p.end for p in covered)
               for token in sentence)


def _is_statement(attributions: list, claim: Claim, settings: RunSettings) -> bool:
    if settings.min_score is not None:
        return claim.score is not None and claim.score >= settings.min_score
    return settings.all_sentences or bool(attributions) or bool(claim.checkworthy)


def article_of(doc: Doc) -> Article:
    """``doc._.article``, or an article made from the text alone."""
    article = doc._.article if Doc.has_extension("article") else None
    if article is not None:
        return article
    text = doc_text(doc)
    return Article(id=stable_id(text), text=text, sha256=text_sha256(text))


def article_ref(article: Article) -> ArticleRef:
    detected = detect_language(article.text)
    return ArticleRef(id=article.id, title=article.title, url=article.url,
                      published=article.published,
                      published_raw=getattr(article, "published_raw", None),
                      language=detected.language, language_supported=detected.supported,
                      sha256=article.sha256)


def doc_to_statement_models(doc: Doc, settings: RunSettings) -> list[Statement]:
    """One `Statement` per statement sentence, in text order."""
    article = article_of(doc)
    by_sentence: dict[int, list[Attribution]] = defaultdict(list)
    for attribution in attributions_of(doc):
        if attribution.kind in settings.kinds:
            by_sentence[attribution.sentence_index].append(attribution)
    # Sorted: a run and the stage commands one after another add models in different orders.
    provenance = Provenance(pipeline_version=__version__,
                            models=dict(sorted((doc._.models or {}).items())))
    reference = article_ref(article)
    statements = []
    for sentence in sentence_spans(doc):
        found = by_sentence.get(sentence._.index, [])
        claim = _claim(doc, sentence, found)
        if not _is_statement(found, claim, settings):
            continue
        statements.append(Statement(
            id=statement_id(article.sha256, sentence.start_char, sentence.end_char),
            article=reference,
            sentence=SentenceRef(index=sentence._.index, start=sentence.start_char,
                                 end=sentence.end_char, paragraph=sentence._.paragraph),
            text=sentence.text,
            attributions=[attribution_record(doc, a, article.sha256) for a in found],
            claim=claim, provenance=provenance))
    return statements


def doc_to_statements(doc: Doc, settings: RunSettings) -> list[dict]:
    """The records of `doc_to_statement_models`, as JSON-ready dicts."""
    return [statement.to_json_dict() for statement in doc_to_statement_models(doc, settings)]
