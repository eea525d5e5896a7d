"""Systems the harness can score: each is a function ``article text -> Prediction``.

A system is built once (models load once) by a factory in `SYSTEMS`; a factory that cannot
run here raises `SystemUnavailable` and the harness skips that system with the reason.

- ``rules``: the full pipeline (`process` with ``all_sentences=True``), rule attributions;
  also gives sentences and, when the claim model is present, claim scores.
- ``model``: the learned attribution tagger alone (`predict_attributions`), attributions only.
- ``hybrid``: the full pipeline with ``attribution_method="hybrid"``, once `build_nlp`
  honours it.
- ``textacy``: textacy's ``direct_quotations`` baseline (`claimtrace.evaluation.baselines`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimtrace.evaluation.baselines import SystemUnavailable, load_textacy
from claimtrace.evaluation.scorers import Fragments, SpanAttribution
from claimtrace.settings import REPO_ROOT

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PredictedSentence:
    start: int
    end: int
    checkworthy: bool | None = None
    score: float | None = None


@dataclass
class Prediction:
    """What a system says about one article; None marks a stage the system does not do."""

    attributions: list[SpanAttribution] | None = None
    sentences: list[PredictedSentence] | None = None
    claims: bool = False  # True when `sentences` carry claim scores
    error: str | None = None  # the pipeline reported this article as an error


System = Callable[[str], Prediction]


@dataclass
class BuiltSystem:
    name: str
    predict: System
    description: str
    notes: list[str] = field(default_factory=list)
    # Which attribution labels it predicts ("resolved", "quote"); the others read "n/a".
    labels: tuple[str, ...] = ("resolved", "quote")
    stats: Callable[[], dict[str, Any]] = field(default=lambda: {})


# ----------------------------------------------------------------------------- records


def display_path(path: Path) -> str:
    """A path as reports show it: relative to the repository, or to its parent (shared data),
    so that reports do not depend on where the checkout lives."""
    resolved = Path(path).resolve()
    for base in (REPO_ROOT, REPO_ROOT.parent):
        try:
            return str(resolved.relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)


def _fragments(span: dict | None) -> Fragments | None:
    if not span or span.get("start") is None:
        return None
    return ((int(span["start"]), int(span["end"])),)


def record_attribution(item: dict) -> SpanAttribution:
    """A ``statement@1`` attribution -> the scorers' form."""
    source = item.get("source") or {}
    return SpanAttribution(
        source=_fragments(source), cue=_fragments(item.get("cue")),
        content=_fragments(item.get("content")), resolved=source.get("resolved"),
        quote_type=item.get("quote_type"), kind=item.get("kind"))


def records_to_prediction(records: list[dict], claims: bool) -> Prediction:
    sentences, attributions = [], []
    for record in records:
        sentence, claim = record["sentence"], record.get("claim")
        sentences.append(PredictedSentence(
            sentence["start"], sentence["end"],
            claim["checkworthy"] if claim else None, claim["score"] if claim else None))
        attributions.extend(record_attribution(a) for a in record.get("attributions", []))
    return Prediction(attributions, sentences, claims=claims and bool(sentences))


# ----------------------------------------------------------------------------- factories


def _unpack(result: Any) -> tuple[list[dict], Any]:
    """(records, error) from `process`'s item: an `Outcome`, or the older tuple / error."""
    from claimtrace.pipeline.ingest import ArticleError

    if isinstance(result, ArticleError):
        return [], result
    if isinstance(result, tuple):
        return result[0], None
    return result.records, result.error


def pipeline_system(method: str, name: str) -> BuiltSystem:
    """The whole pipeline on one article at a time, exactly as ``claimtrace run`` runs it."""
    from claimtrace.pipeline.ingest import make_article
    from claimtrace.pipeline.nlp import build_nlp, claim_model_available
    from claimtrace.pipeline.runner import process
    from claimtrace.settings import RunSettings

    # One thread and batches of one: the harness must not compete with trainings for CPU,
    # and the figures must not depend on batching.
    settings = RunSettings(all_sentences=True, progress=False, threads=1, batch_size=1,
                           attribution_method=method)
    settings.classify = claim_model_available(settings)  # attributions are scored without it
    nlp = build_nlp(settings, "run")
    if method != "rules" and "claimtrace_attribute_tagger" not in nlp.pipe_names:
        raise SystemUnavailable(
            f"build_nlp does not add the attribution model for attribution_method={method!r}")
    claims = "claimtrace_classify" in nlp.pipe_names
    notes = [] if claims else [
        f"claim model not found at {display_path(settings.claim_model)}: no claims"]

    def predict(text: str) -> Prediction:
        article = make_article({"text": text}, "evaluate")
        records, error = _unpack(next(iter(process([article], nlp, "run", settings))))
        if error is not None:
            return Prediction(error=error.reason)
        return records_to_prediction(records, claims)

    return BuiltSystem(name, predict, f"claimtrace pipeline, attribution_method={method!r}",
                       notes)  # the pipeline labels resolved speakers and quote types


def linked_attribution(item: dict) -> SpanAttribution:
    """A linked tagger triple (`linking.link_spans`) as a scorable attribution."""

    def as_fragments(value: list | None) -> Fragments | None:
        return tuple((int(s), int(e)) for s, e in value) if value else None

    return SpanAttribution(as_fragments(item.get("source")), as_fragments(item.get("cue")),
                           as_fragments(item.get("content")), kind=item.get("kind"))


def model_system() -> BuiltSystem:
    """The learned tagger's `predict_attributions`, no sentences or claims."""
    from claimtrace.pipeline.attribute.tagger import predict_attributions
    from claimtrace.settings import ATTRIBUTION_MODEL, model_dir

    folder = model_dir(ATTRIBUTION_MODEL)
    if not (folder / "manifest.json").is_file():
        raise SystemUnavailable(f"attribution model not found at {display_path(folder)}")

    def predict(text: str) -> Prediction:
        found = [linked_attribution(a) for a in predict_attributions(text)]
        return Prediction(attributions=found)

    return BuiltSystem("model", predict, "learned attribution tagger (predict_attributions)",
                       labels=())


def textacy_system() -> BuiltSystem:
    quotes = load_textacy()

    def predict(text: str) -> Prediction:
        return Prediction(attributions=quotes(text))

    def stats() -> dict[str, Any]:
        return {"fallbacks": quotes.fallbacks, "dropped_paragraphs": quotes.dropped_paragraphs}

    import textacy

    return BuiltSystem("textacy", predict, f"textacy {textacy.__version__} "
                       "extract.triples.direct_quotations (direct quotes only)", labels=("quote",),
                       stats=stats)


SYSTEMS: dict[str, Callable[[], BuiltSystem]] = {
    "rules": lambda: pipeline_system("rules", "rules"),
    "model": model_system,
    "hybrid": lambda: pipeline_system("hybrid", "hybrid"),
    "textacy": textacy_system,
}


def build_system(name: str) -> BuiltSystem:
    """Build a system by name; unknown names are a usage error, unavailable ones raise."""
    if name not in SYSTEMS:
        raise ValueError(f"unknown system {name!r}; choose from {', '.join(SYSTEMS)}")
    return SYSTEMS[name]()
