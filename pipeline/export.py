"""Stage 5 — export: the one place where `Doc` annotations become ``statement@1`` records."""

from __future__ import annotations

from collections import defaultdict

from spacy.tokens import Doc, Span

from claimtrace import __version__
from claimtrace.pipeline.attribute import Attribution, CharSpan, attributions_of
from claimtrace.pipeline.ingest import Article
from claimtrace.pipeline.split import sentence_spans
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


def _text_span(doc: Doc, span: CharSpan) -> TextSpan:
    return TextSpan(text=span.text(doc), start=span.start, end=span.end)


def attribution_record(doc: Doc, attribution: Attribution) -> AttributionRecord:
    source = attribution.source
    return AttributionRecord(
        source=Source(
            text=source.text(doc) if source else None,
            start=source.start if source else None,
            end=source.end if source else None,
            resolved=attribution.resolved,
            description=attribution.description,
            type=attribution.source_type,
        ),
        cue=_text_span(doc, attribution.cue) if attribution.cue else None,
        content=_text_span(doc, attribution.content),
        quote_type=attribution.quote_type,
        kind=attribution.kind,
        method=attribution.method,
    )


def _claim(sentence: Span) -> Claim | None:
    score = getattr(sentence._, "claim", None) if Span.has_extension("claim") else None
    if score is None:
        return None
    return Claim(checkworthy=score.checkworthy, score=round(float(score.score), 6),
                 threshold=score.threshold, model=score.model)


def _is_statement(attributions: list, claim: Claim | None, settings: RunSettings) -> bool:
    if settings.min_score is not None:
        return claim is not None and claim.score >= settings.min_score
    return settings.all_sentences or bool(attributions) or bool(claim and claim.checkworthy)


def _article_ref(article: Article) -> ArticleRef:
    return ArticleRef(id=article.id, title=article.title, url=article.url,
                      published=article.published, sha256=article.sha256)


def doc_to_statements(doc: Doc, settings: RunSettings) -> list[dict]:
    """One record per statement sentence, in text order."""
    article: Article = doc._.article
    by_sentence: dict[int, list[Attribution]] = defaultdict(list)
    for attribution in attributions_of(doc):
        if attribution.kind in settings.kinds:
            by_sentence[attribution.sentence_index].append(attribution)
    provenance = Provenance(pipeline_version=__version__, models=dict(doc._.models or {}))
    article_ref = _article_ref(article)
    records = []
    for sentence in sentence_spans(doc):
        attributions = [attribution_record(doc, a) for a in by_sentence.get(sentence._.index, [])]
        claim = _claim(sentence)
        if not _is_statement(attributions, claim, settings):
            continue
        statement = Statement(
            id=f"{article.id}#{sentence._.index}", article=article_ref,
            sentence=SentenceRef(index=sentence._.index, start=sentence.start_char,
                                 end=sentence.end_char, paragraph=sentence._.paragraph),
            text=sentence.text, attributions=attributions, claim=claim, provenance=provenance)
        records.append(statement.to_json_dict())
    return records
