"""The intermediate JSONL between stages: one article and its annotations so far.

``doc_to_state`` and ``restore_doc`` are inverses, so each stage can run alone over the
previous stage's file (``claimtrace split``, ``claimtrace attribute`` ...) and produce what
the all-in-one ``claimtrace run`` produces.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, get_args

from spacy.tokens import Doc, Span

from claimtrace.errors import Errors
from claimtrace.pipeline.attribute import ATTRIBUTIONS_KEY, Attribution, CharSpan, set_attributions
from claimtrace.pipeline.attribute import attributions_of as _attributions_of
from claimtrace.pipeline.ingest import Article
from claimtrace.pipeline.split import SENTENCES_KEY, sentence_spans
from claimtrace.pipeline.standalone import keep_standalone_texts  # noqa: F401 (extension)
from claimtrace.schema import Kind, Method, QuoteType, SourceType

if TYPE_CHECKING:
    from claimtrace.pipeline.classify import ClaimScore

STATE_SCHEMA = "claimtrace/article-state@1"


def _span_dict(span: CharSpan | None) -> dict | None:
    return None if span is None else {"start": span.start, "end": span.end}


def _char_span(data: dict | None, length: int, what: str = "attribution") -> CharSpan | None:
    """The span a state records; offsets outside the text are the line's error, never a
    silently dropped annotation."""
    if data is None:
        return None
    start, end = data["start"], data["end"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= length):
        raise ValueError(Errors.E076.format(what=what, start=start, end=end, length=length))
    return CharSpan(start, end)


def _checked(value: object, field: str, expected: str, valid: bool) -> object:
    """``value`` when ``valid``; else the line's error, in words: a hand-edited state must
    not reach the output as something else ("yes" read as check-worthy)."""
    if not valid:
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise ValueError(Errors.E080.format(field=field, value=shown, expected=expected))
    return value


def _probability(value: object, field: str) -> float:
    # NaN fails both comparisons; bool is an int to Python but no probability.
    valid = (isinstance(value, int | float) and not isinstance(value, bool)
             and 0.0 <= value <= 1.0)
    return _checked(value, field, "a number from 0 to 1", valid)


def _optional_probability(value: object, field: str) -> float | None:
    return None if value is None else _probability(value, field)


def attribution_to_dict(attribution: Attribution) -> dict:
    return {
        "source": _span_dict(attribution.source), "cue": _span_dict(attribution.cue),
        "content": _span_dict(attribution.content), "quote_type": attribution.quote_type,
        "kind": attribution.kind, "resolved": attribution.resolved,
        "description": attribution.description, "source_type": attribution.source_type,
        "construction": attribution.construction, "method": attribution.method,
        "sentence_index": attribution.sentence_index, "role": attribution.role,
        "organization": attribution.organization, "confidence": attribution.confidence,
    }


def _one_of(value: object, field: str, allowed: object) -> str:
    """A label the statement schema allows (its `Literal`); anything else is the line's
    error, not an attribution the exporter would drop."""
    names = get_args(allowed)
    return _checked(value, field, "one of " + ", ".join(names), value in names)


def attribution_from_dict(data: dict, length: int) -> Attribution:
    content = _checked(data["content"], "attribution content", "its start and end",
                       data["content"] is not None)
    return Attribution(
        content=_char_span(content, length), source=_char_span(data["source"], length),
        cue=_char_span(data["cue"], length),
        quote_type=_one_of(data["quote_type"], "attribution quote_type", QuoteType),
        kind=_one_of(data["kind"], "attribution kind", Kind),
        resolved=data["resolved"], description=data["description"],
        source_type=_one_of(data["source_type"], "attribution source_type", SourceType),
        construction=data.get("construction", ""),
        method=_one_of(data.get("method", "rules"), "attribution method", Method),
        sentence_index=data["sentence_index"],
        role=data.get("role"), organization=data.get("organization"),
        confidence=_optional_probability(data.get("confidence"), "attribution confidence"))


def _claims(doc: Doc) -> list[dict] | None:
    if not Span.has_extension("claim"):
        return None
    claims = []
    for sentence in sentence_spans(doc):
        score = sentence._.claim
        if score is not None:
            claim = {"index": sentence._.index, "checkworthy": score.checkworthy,
                     "score": score.score, "threshold": score.threshold, "model": score.model}
            if score.label is not None:  # three-class models (claim-checkworthiness 2.x)
                claim.update(label=score.label, probabilities=score.probabilities)
            claims.append(claim)
    return claims or None


def doc_to_state(doc: Doc, stage: str) -> dict:
    state = {"schema": STATE_SCHEMA, "stage": stage, "article": doc._.article.to_dict(),
             "models": dict(doc._.models or {})}
    if SENTENCES_KEY in doc.spans:
        state["sentences"] = [
            {"index": s._.index, "start": s.start_char, "end": s.end_char,
             "paragraph": s._.paragraph} for s in sentence_spans(doc)]
    if ATTRIBUTIONS_KEY in doc.spans:
        state["attributions"] = [attribution_to_dict(a) for a in _attributions_of(doc)]
    claims = _claims(doc)
    if claims is not None:
        state["claims"] = claims
    if doc._.standalone_texts is not None:
        state["standalone_texts"] = doc._.standalone_texts
    return state


def state_article(state: dict) -> Article:
    if "article" not in state or "text" not in state.get("article", {}):
        raise ValueError(Errors.E021.format(stage=state.get("stage", "?"), field="article.text"))
    return Article.from_dict(state["article"])


def restore_sentences(doc: Doc, sentences: list[dict]) -> None:
    units = []
    for data in sentences:
        bounds = _char_span(data, len(doc.text), "sentence")
        span = doc.char_span(bounds.start, bounds.end, alignment_mode="expand")
        if span is None:
            continue
        span._.index, span._.paragraph = data["index"], data["paragraph"]
        units.append(span)
    doc.spans[SENTENCES_KEY] = units


def restore_claims(doc: Doc, claims: list[dict]) -> None:
    by_index = {c["index"]: c for c in claims}
    sentences = sentence_spans(doc)
    known = {sentence._.index for sentence in sentences}
    for index in by_index:  # a claim no sentence takes would lose its score unseen
        _checked(index, "claim index", f"the index of one of the {len(known)} sentences",
                 index in known)
    for sentence in sentences:
        data = by_index.get(sentence._.index)
        if data is not None:
            sentence._.claim = claim_from_dict(data)


def claim_from_dict(data: dict) -> ClaimScore:
    """A sentence's claim as a state records it, every field checked."""
    from claimtrace.pipeline.classify import CLAIM_CLASSES, ClaimScore

    checkworthy, label = data["checkworthy"], data.get("label")
    probabilities = data.get("probabilities")
    _checked(probabilities, "claim probabilities", "null or a probability per class",
             probabilities is None or isinstance(probabilities, dict))
    return ClaimScore(
        checkworthy=_checked(checkworthy, "claim checkworthy", "true or false",
                             isinstance(checkworthy, bool)),
        score=_probability(data["score"], "claim score"),
        threshold=_probability(data["threshold"], "claim threshold"),
        model=_checked(data["model"], "claim model", "a model name",
                       isinstance(data["model"], str)),
        label=_checked(label, "claim label", "null, CFS, UFS or NFS",
                       label is None or label in CLAIM_CLASSES),
        probabilities=None if probabilities is None else {
            str(name): _probability(p, f"claim probability of {name}")
            for name, p in probabilities.items()})


class StateError(ValueError):
    """A state line that cannot be read back, in words for its error record (not a Python
    exception's text: "KeyError: 'content'")."""


def restore_doc(make_doc, state: dict) -> Doc:
    """Tokenise the article again and put back every annotation the state carries; a state
    that cannot be read back raises `StateError`."""
    try:
        return _restore(make_doc, state)
    except KeyError as err:
        raise StateError(f"a field is missing: {err}") from err
    except (TypeError, AttributeError) as err:
        raise StateError(f"a field has the wrong type ({err})") from err
    except ValueError as err:
        raise StateError(str(err)) from err


def check_schema(state: dict) -> None:
    """The line names the state format this version reads: a line with "schema": null, a
    foreign tag or none is the line's error, never read as a state by luck of its fields."""
    tag = state["schema"]  # missing: "a field is missing: 'schema'"
    _checked(tag, "schema", f"{STATE_SCHEMA!r} (a line of a claimtrace stage file)",
             tag == STATE_SCHEMA)


def _restore(make_doc, state: dict) -> Doc:
    check_schema(state)
    article = state_article(state)
    doc = make_doc(article.text)
    doc._.article = article
    doc._.models = dict(state.get("models") or {})
    if "sentences" in state:
        restore_sentences(doc, state["sentences"])
    if "attributions" in state:
        attributions = [attribution_from_dict(a, len(article.text))
                        for a in state["attributions"]]
        count = len(state.get("sentences") or [])
        for attribution in attributions:
            index = attribution.sentence_index
            if index is not None and not (isinstance(index, int) and 0 <= index < count):
                raise ValueError(Errors.E077.format(index=index, count=count))
        set_attributions(doc, attributions)
    if state.get("claims"):
        restore_claims(doc, state["claims"])
    if "standalone_texts" in state:
        doc._.standalone_texts = dict(state["standalone_texts"])
    return doc
