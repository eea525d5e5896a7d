"""Run systems over a gold source, score every stage, write the reports.

Sources: ``gold`` (the project's gold set, `claimtrace.evaluation.gold`), ``polnear``
(PolNeAR dev, brat standoff, attribution spans only) and ``claimbuster`` (the claim model on
the ClaimBuster development split of `claimtrace.training.claims`). For each source the
harness writes under the output folder: ``<source>.md`` (figures), ``<source>.json`` (every
figure), ``<source>_errors.md`` (missed and spurious spans per article) and, where claims are
scored, ``<source>_claims_pr.png``.

Determinism: articles are processed in sorted order, matching is order-independent
(`claimtrace.evaluation.scorers`), figures are rounded to 4 digits, and no timings or dates
go into the files, so two runs write identical reports.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.evaluation.gold import (
    DEV_DIR,
    PASS1_DIR,
    WIKINEWS_CSV,
    GoldSentence,
    load_gold,
)
from claimtrace.evaluation.scorers import (
    MODES,
    PRF,
    ROLES,
    Accuracy,
    ClaimCounts,
    NormalisedSpan,
    SpanAttribution,
    boundary_starts,
    label_accuracy,
    mean_prf,
    score_attributions,
    score_boundaries,
    score_claims,
    sum_prf,
)
from claimtrace.evaluation.systems import (
    BuiltSystem,
    Prediction,
    SystemUnavailable,
    build_system,
    display_path,
    linked_attribution,
)
from claimtrace.settings import CLAIM_MODEL, REPO_ROOT, model_dir, models_dir

REPORTS_DIR = REPO_ROOT / "evaluation" / "reports"
POLNEAR_ROOT = REPO_ROOT.parent / "shared" / "data" / "polnear"
SOURCES = ("gold", "news_dev", "news_extra", "polnear", "claimbuster")
# Batch 2 of the news attribution training labels: the shipped tagger was not trained on it.
NEWS_EXTRA_DIR = REPO_ROOT / "data" / "labels" / "news_attributions" / "articles_batch2"
DIGITS = 4


# ----------------------------------------------------------------------------- sources


@dataclass
class Reference:
    """One annotator's labels of one article."""

    annotator: str
    attributions: list[SpanAttribution]
    sentences: list[GoldSentence] | None = None  # None: the source has no sentence labels


@dataclass
class EvalArticle:
    id: str
    text: str
    label: str  # URL or file name, for the error listing
    references: list[Reference]


@dataclass
class Source:
    name: str
    description: str
    articles: list[EvalArticle]
    notes: list[str] = field(default_factory=list)


def _wikinews_articles(label_dir: Path, csv_path: Path, with_sentences: bool
                       ) -> list[EvalArticle]:
    """Labelled Wikinews articles in the gold format; sentence labels only where asked."""
    return [
        EvalArticle(g.article_id, g.text, g.url or f"row {g.row}",
                    [Reference(g.annotator, g.attributions,
                               g.sentences if with_sentences else None)])
        for g in load_gold(label_dir, csv_path)
    ]


def gold_source(gold_dir: Path = PASS1_DIR, csv_path: Path = WIKINEWS_CSV) -> Source:
    return Source("gold", f"claimtrace gold set ({display_path(gold_dir)}), "
                  "Wikinews 2019, one annotation pass",
                  _wikinews_articles(gold_dir, csv_path, with_sentences=True))


def news_dev_source(dev_dir: Path = DEV_DIR, csv_path: Path = WIKINEWS_CSV) -> Source:
    """24 more Wikinews 2019 articles, attributions only: where attribution choices are made,
    so the gold set stays a test set."""
    return Source("news_dev", f"claimtrace news dev set ({display_path(dev_dir)}), "
                  "Wikinews 2019 outside the gold set, attributions only",
                  _wikinews_articles(dev_dir, csv_path, with_sentences=False))


def news_extra_source(label_dir: Path = NEWS_EXTRA_DIR, csv_path: Path = WIKINEWS_CSV) -> Source:
    """32 Wikinews 2019 articles labelled as tagger training data (batch 2) and left out of
    the shipped tagger's training: a second development set for attribution choices."""
    notes = ["Batch 2 of data/labels/news_attributions: labelled as training data, not used "
             "by the shipped tagger (see its model card). A tagger trained on it scores "
             "training data here."]
    return Source("news_extra", f"news attribution labels, batch 2 ({display_path(label_dir)}), "
                  "Wikinews 2019 outside the gold and news dev sets, attributions only",
                  _wikinews_articles(label_dir, csv_path, with_sentences=False), notes)


def _brat_attribution(item: Any) -> SpanAttribution:
    return SpanAttribution(source=item.source, cue=item.cue, content=item.content)


def polnear_eval_articles(polnear_articles: Sequence[Any]) -> list[EvalArticle]:
    """PolNeAR articles (`brat.PolnearArticle`) as scorable articles, one reference each
    annotator."""
    return [
        EvalArticle(a.name, a.text, a.name, [
            Reference(annotator, [_brat_attribution(x) for x in a.annotations[annotator]])
            for annotator in a.annotators])
        for a in polnear_articles
    ]


def polnear_source(root: Path = POLNEAR_ROOT, split: str = "dev") -> Source:
    from claimtrace.evaluation.brat import load_polnear_split

    articles = polnear_eval_articles(load_polnear_split(root, split))
    several = sum(len(a.references) > 1 for a in articles)
    notes = [f"{several} of {len(articles)} articles have several annotators' files: each "
             "system is scored against each annotator and the article's counts are the mean "
             "over its annotators (every article weighs 1); errors are listed against the "
             "first annotator (by code) only.",
             "PolNeAR attribution is broad (beliefs, intentions, internal states); only "
             "source / cue / content spans are scored (no speaker or quote-type labels)."]
    return Source("polnear", f"PolNeAR v1.0.0 {split} split (brat standoff), "
                  f"{display_path(root)}", articles, notes)


def load_source(name: str) -> Source:
    if name == "gold":
        return gold_source()
    if name == "polnear":
        return polnear_source()
    if name == "news_dev":
        return news_dev_source()
    if name == "news_extra":
        return news_extra_source()
    raise ValueError(f"unknown source {name!r}; choose from {', '.join(SOURCES)}")


# ----------------------------------------------------------------------------- scoring


@dataclass
class ArticleResult:
    """One system on one article: counts (mean over annotators) and the error listing."""

    roles: dict[str, dict[str, PRF]]
    whole: dict[str, PRF]
    labels: dict[str, Accuracy]
    sentences: PRF | None
    claims: ClaimCounts | None
    role_errors: dict[str, dict[str, list[NormalisedSpan]]]
    edge_errors: dict[str, list[tuple[NormalisedSpan, NormalisedSpan]]]
    boundary_errors: list[tuple[str, int]]  # ("missed" | "spurious", sentence start)
    claim_errors: list[tuple[str, GoldSentence, float]]
    error: str | None = None


def _mean_accuracy(items: Sequence[dict[str, Accuracy]]) -> dict[str, Accuracy]:
    keys = items[0].keys()
    result = {}
    for key in keys:
        total = Accuracy()
        for item in items:
            total = total + item[key]
        result[key] = total.scaled(1 / len(items))
    return result


def score_article(article: EvalArticle, prediction: Prediction) -> ArticleResult:
    """Score one prediction against every reference of the article, averaging counts."""
    predicted = prediction.attributions or []
    per_ref = [score_attributions(article.text, ref.attributions, predicted)
               for ref in article.references]
    roles = {mode: {role: mean_prf([s.roles[mode][role] for s in per_ref]) for role in ROLES}
             for mode in MODES}
    whole = {mode: mean_prf([s.whole[mode] for s in per_ref]) for mode in MODES}
    labels = _mean_accuracy([label_accuracy(s.aligned) for s in per_ref])
    sentences, claims, claim_errors = _score_sentences(article, prediction)
    return ArticleResult(roles, whole, labels, sentences, claims, per_ref[0].role_errors,
                         per_ref[0].boundary_errors, _boundary_errors(article, prediction),
                         claim_errors, prediction.error)


def _boundary_errors(article: EvalArticle, prediction: Prediction) -> list[tuple[str, int]]:
    gold = article.references[0].sentences
    if gold is None or prediction.sentences is None:
        return []
    g = boundary_starts(article.text, [(s.start, s.end) for s in gold])
    p = boundary_starts(article.text, [(s.start, s.end) for s in prediction.sentences])
    return sorted([("missed", i) for i in g - p] + [("spurious", i) for i in p - g],
                  key=lambda item: item[1])


def _score_sentences(article: EvalArticle, prediction: Prediction
                     ) -> tuple[PRF | None, ClaimCounts | None, list]:
    gold = article.references[0].sentences
    if gold is None or prediction.sentences is None:
        return None, None, []
    predicted = prediction.sentences
    boundaries = score_boundaries(article.text, [(s.start, s.end) for s in gold],
                                  [(p.start, p.end) for p in predicted])
    if not prediction.claims:
        return boundaries, None, []
    counts = score_claims([((s.start, s.end), s.claim) for s in gold],
                          [((p.start, p.end), bool(p.checkworthy), float(p.score or 0.0))
                           for p in predicted])
    errors = [("missed" if label else "spurious", sentence, score)
              for sentence, label, flagged, score in zip(
                  gold, counts.labels, counts.predicted, counts.scores, strict=True)
              if label != flagged]
    return boundaries, counts, errors


@dataclass
class SystemTotals:
    name: str
    description: str
    notes: list[str]
    status: str = "ok"
    labels: tuple[str, ...] = ()  # labels the system predicts: "resolved", "quote"
    articles: list[tuple[EvalArticle, ArticleResult]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    def role_totals(self, mode: str, role: str) -> PRF:
        return sum_prf([r.roles[mode][role] for _, r in self.articles])

    def whole_totals(self, mode: str) -> PRF:
        return sum_prf([r.whole[mode] for _, r in self.articles])

    def label_totals(self) -> dict[str, Accuracy]:
        totals: dict[str, Accuracy] = {}
        for _, result in self.articles:
            for key, value in result.labels.items():
                totals[key] = totals.get(key, Accuracy()) + value
        return totals

    def sentence_totals(self) -> PRF | None:
        parts = [r.sentences for _, r in self.articles if r.sentences is not None]
        return sum_prf(parts) if parts else None

    def claim_totals(self) -> ClaimCounts | None:
        parts = [r.claims for _, r in self.articles if r.claims is not None]
        if not parts:
            return None
        total = ClaimCounts()
        for part in parts:
            total.extend(part)
        return total


def run_system(system: BuiltSystem, source: Source) -> SystemTotals:
    totals = SystemTotals(system.name, system.description, list(system.notes),
                          labels=system.labels)
    from tqdm import tqdm

    # A bar on a terminal's stderr with a total and an ETA; quiet for runs under 2 s.
    for article in tqdm(source.articles, desc=f"{system.name} on {source.name}",
                        unit="article", file=sys.stderr, delay=2, leave=False,
                        disable=None):  # None: no bar when stderr is not a terminal
        totals.articles.append((article, score_article(article, system.predict(article.text))))
    totals.stats = system.stats()
    failed = [a.id for a, r in totals.articles if r.error]
    if failed:
        totals.notes.append(f"{len(failed)} article(s) failed in the pipeline and count as "
                            f"empty predictions: {', '.join(failed)}")
    return totals


def evaluate_source(source: Source, system_names: Sequence[str]) -> list[SystemTotals]:
    results = []
    for name in system_names:
        try:
            system = build_system(name)
        except SystemUnavailable as err:
            results.append(SystemTotals(name, "", [f"skipped: {err}"], status="skipped"))
            continue
        results.append(run_system(system, source))
    return results


def score_linked(articles: Sequence[EvalArticle], linked: Sequence[Sequence[dict]]
                 ) -> dict[str, dict[str, dict[str, float | None]]]:
    """Role P/R/F1 (exact and overlap) of linked tagger triples: the same scorer and
    normalisation as ``claimtrace evaluate``, for the training dev callback."""
    totals = SystemTotals("tagger", "linked tagger triples", [])
    for article, found in zip(articles, linked, strict=True):
        prediction = Prediction(attributions=[linked_attribution(a) for a in found])
        totals.articles.append((article, score_article(article, prediction)))
    scores = {role: {mode: totals.role_totals(mode, role).to_dict() for mode in MODES}
              for role in ROLES}
    scores["whole"] = {mode: totals.whole_totals(mode).to_dict() for mode in MODES}
    return scores


# ----------------------------------------------------------------------------- figures


def _pr_auc(counts: ClaimCounts) -> float | None:
    if not counts.labels or len(set(counts.labels)) < 2:
        return None
    from sklearn.metrics import average_precision_score

    return round(float(average_precision_score(counts.labels, counts.scores)), DIGITS)


def claim_figures(counts: ClaimCounts) -> dict[str, Any]:
    return {"checkworthy_vs_rest": counts.positive().to_dict(DIGITS),
            "pr_auc": _pr_auc(counts), "confusion": counts.confusion,
            "sentences": len(counts.labels)}


def system_figures(totals: SystemTotals) -> dict[str, Any]:
    """Every figure of one system on one source, JSON-ready."""
    if totals.status != "ok":
        return {"status": totals.status, "notes": totals.notes}
    sentences, claims = totals.sentence_totals(), totals.claim_totals()
    return {
        "status": "ok", "description": totals.description, "notes": totals.notes,
        "stats": totals.stats, "articles": len(totals.articles),
        "sentences": sentences.to_dict(DIGITS) if sentences else None,
        "attributions": {mode: {**{role: totals.role_totals(mode, role).to_dict(DIGITS)
                                   for role in ROLES},
                                "attribution": totals.whole_totals(mode).to_dict(DIGITS)}
                         for mode in MODES},
        "labels": {key: value.to_dict(DIGITS) if key.split("_")[0] in totals.labels else None
                   for key, value in totals.label_totals().items()},
        "claims": claim_figures(claims) if claims else None,
        "per_article": {a.id: {"content_overlap": r.roles["overlap"]["content"].to_dict(DIGITS),
                               "attribution_overlap": r.whole["overlap"].to_dict(DIGITS)}
                        for a, r in totals.articles},
    }


def source_figures(source: Source, results: Sequence[SystemTotals]) -> dict[str, Any]:
    from claimtrace.evaluation.scorers import __doc__ as conventions

    return {"source": source.name, "description": source.description,
            "articles": len(source.articles), "notes": source.notes,
            "conventions": conventions.split("repeats them):", 1)[-1].strip(),
            "systems": {t.name: system_figures(t) for t in results}}


# ----------------------------------------------------------------------------- claimbuster


CLAIM_MODEL_DIR = model_dir(CLAIM_MODEL)
PREVIOUS_CLAIM_MODEL_DIR = models_dir() / f"{CLAIM_MODEL}-1.0.0"  # the baseline


def claim_systems() -> tuple[list[Any], list[str]]:
    """The claim models side by side: committed, previous (1.0.0), TF-IDF + LR baseline.

    The baseline is trained on the committed model's own training rows (its saved
    ``training_config.json``). Systems that cannot be built are skipped with a note.
    """
    from claimtrace.evaluation.baselines import (
        model_claim_system,
        tfidf_claim_system,
    )

    builders = {
        "claim-model": lambda: model_claim_system("claim-model", CLAIM_MODEL_DIR),
        "claim-model-1.0.0": lambda: model_claim_system("claim-model-1.0.0",
                                                        PREVIOUS_CLAIM_MODEL_DIR),
        "tfidf-lr": lambda: tfidf_claim_system(CLAIM_MODEL_DIR / TRAINING_CONFIG),
    }
    systems, notes = [], []
    for name, build in builders.items():
        try:
            systems.append(build())
        except (SystemUnavailable, FileNotFoundError) as err:
            notes.append(f"{name} skipped: {err}")
    return systems, notes


@dataclass
class ClaimItems:
    """Sentences to score: as written, as the 2.x models read them, and the gold class of
    each gold sentence with the index of the predicted sentence it aligns with."""

    raw: list[str]
    marked: list[str]
    gold: list[str]
    aligned: list[int | None]
    # Predicted sentences per article, scored together as the classify stage batches them
    # (int8 kernels make a score depend on its batch-mates); empty: one group.
    groups: list[int] = field(default_factory=list)
    # Per group, the article's Doc and sentence spans, for systems that read the Doc.
    docs: list[tuple[Any, list[Any]]] = field(default_factory=list)

    def probabilities(self, system: Any) -> list[dict[str, float]]:
        out, start = [], 0
        for g, size in enumerate(self.groups or [len(self.raw)]):
            end = start + size
            if system.doc_probabilities is not None and self.docs:
                out += system.doc_probabilities(*self.docs[g])
            else:
                out += system.probabilities(self.raw[start:end], self.marked[start:end])
            start = end
        return out


def score_claim_system(system: Any, items: ClaimItems) -> tuple[dict[str, Any], ClaimCounts]:
    """CFS vs rest at the system's threshold, PR-AUC, and (three-class systems) macro-F1."""
    from sklearn.metrics import f1_score

    from claimtrace.pipeline.classify import CLAIM_CLASSES, claim_label

    probs = items.probabilities(system)
    counts, predicted = ClaimCounts(), []
    for gold, index in zip(items.gold, items.aligned, strict=True):
        if index is None:  # no predicted sentence overlaps this gold sentence
            counts.add(gold, False, 0.0)
            predicted.append("none")
            continue
        p = probs[index]
        counts.add(gold, p["CFS"] >= system.threshold, p["CFS"])
        predicted.append(claim_label(p, system.threshold) if system.three_class else "none")
    figures = claim_figures(counts)
    three = system.three_class and set(items.gold) <= set(CLAIM_CLASSES) \
        and len(set(items.gold)) == 3
    figures["macro_f1_3class"] = round(float(f1_score(
        items.gold, predicted, labels=list(CLAIM_CLASSES), average="macro",
        zero_division=0)), DIGITS) if three else None
    figures["threshold"] = round(system.threshold, 6)
    return figures, counts


def compare_claim_systems(items: ClaimItems) -> tuple[dict[str, Any], dict[str, ClaimCounts]]:
    systems, notes = claim_systems()
    figures: dict[str, Any] = {}
    curves = {}
    for system in systems:
        found, counts = score_claim_system(system, items)
        figures[system.name] = {"status": "ok", "description": system.description,
                                "notes": [], "stats": {}, "claims": found, "sentences": None,
                                "attributions": None, "labels": {}}
        curves[system.name] = counts
    for note in notes:
        figures[note.split(" ", 1)[0]] = {"status": "skipped", "notes": [note]}
    return figures, curves


def gold_claim_items(source: Source) -> ClaimItems:
    """The pipeline's sentences (split + the default attribution) of each gold article, aligned
    with the gold sentences, as one list for all articles."""
    from claimtrace.evaluation.scorers import align_sentences
    from claimtrace.pipeline.classify import sentence_inputs
    from claimtrace.pipeline.nlp import build_nlp
    from claimtrace.pipeline.split import sentence_spans
    from claimtrace.settings import RunSettings

    nlp = build_nlp(RunSettings(classify=False, progress=False, threads=1), "attribute")
    items = ClaimItems([], [], [], [], [])
    for article in source.articles:
        doc = nlp(article.text)
        spans = sentence_spans(doc)
        gold = article.references[0].sentences or []
        offset = len(items.raw)
        aligned = align_sentences([(g.start, g.end) for g in gold],
                                  [(s.start_char, s.end_char) for s in spans])
        items.raw += [s.text for s in spans]
        items.marked += sentence_inputs(doc, spans)
        items.gold += [g.claim for g in gold]
        items.aligned += [None if i is None else offset + i for i in aligned]
        items.groups.append(len(spans))
        items.docs.append((doc, spans))
    return items


def gold_claim_figures(source: Source) -> tuple[dict[str, Any], dict[str, ClaimCounts]]:
    systems, curves = compare_claim_systems(gold_claim_items(source))
    return {"source": "gold_claims", "articles": len(source.articles), "systems": systems,
            "description": f"{source.description}; claim models side by side on the "
            "pipeline's sentences (split + the default attribution) aligned with the gold "
            "sentences",
            "notes": ["Three-class macro-F1: the label is CFS when p(CFS) >= threshold, else "
                      "the likelier of UFS and NFS (as `span._.claim.label`); binary models "
                      "have none."]}, curves


def claimbuster_figures(limit: int | None = None
                        ) -> tuple[dict[str, Any], dict[str, ClaimCounts]]:
    """The claim models on the ClaimBuster development split.

    The split is `claimtrace.training.claims.load_splits` with the committed model's saved
    ``training_config.json`` (same data, fraction and seed as model 1.0.0), so no training
    row of either model is scored. ClaimBuster is binary: label 1 counts as CFS, label 0 as
    "rest" (filed under NFS).
    """
    base = {"source": "claimbuster", "articles": 0, "notes": [], "systems": {},
            "description": "ClaimBuster 2.5xNCS development split (claimtrace.training.claims)"}
    config_path = CLAIM_MODEL_DIR / TRAINING_CONFIG
    if not (CLAIM_MODEL_DIR / "manifest.json").is_file() or not config_path.is_file():
        base["notes"].append(f"skipped: claim model not found at {display_path(CLAIM_MODEL_DIR)} "
                             "(train it with `claimtrace train claims`)")
        return base, {}
    from claimtrace.pipeline.classify import claim_input
    from claimtrace.training.claims import claim_data_config, load_splits
    from claimtrace.training.runs import resolve

    config = claim_data_config(config_path)
    _, dev = load_splits(resolve(config.data_path), config.dev_fraction, config.split_seed,
                         config.limit_rows)
    texts, labels = list(dev["text"]), list(dev["label"])
    if limit:
        texts, labels = texts[:limit], labels[:limit]
    items = ClaimItems(texts, [claim_input(t, 0) for t in texts],
                       ["CFS" if label == 1 else "NFS" for label in labels],
                       list(range(len(texts))))
    base["systems"], curves = compare_claim_systems(items)
    for figures in base["systems"].values():
        if figures["status"] == "ok":
            confusion = figures["claims"]["confusion"]
            figures["claims"]["confusion"] = {"checkworthy (1)": confusion["CFS"],
                                              "not check-worthy (0)": confusion["NFS"]}
    base["articles"] = len(texts)
    base["notes"].append(f"{len(texts)} development sentences (data {config.data_path}, "
                         f"dev_fraction {config.dev_fraction}, seed {config.split_seed})")
    return base, curves


# ----------------------------------------------------------------------------- run


def _write(path: Path, content: str) -> None:
    path.write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")


def write_reports(name: str, figures: dict[str, Any], output_dir: Path,
                  curves: dict[str, ClaimCounts], errors: str | None) -> list[Path]:
    from claimtrace.evaluation.report import markdown_report, plot_claims_pr

    output_dir.mkdir(parents=True, exist_ok=True)
    plot = output_dir / f"{name}_claims_pr.png"
    has_plot = plot_claims_pr(curves, plot, f"Check-worthiness, {name}")
    if not has_plot:
        plot.unlink(missing_ok=True)  # a plot from an earlier run would no longer match
    written = [output_dir / f"{name}.json", output_dir / f"{name}.md"]
    _write(written[0], json.dumps(figures, indent=2, sort_keys=True, ensure_ascii=False))
    _write(written[1], markdown_report(figures, plot.name if has_plot else None))
    if errors is not None:
        written.append(output_dir / f"{name}_errors.md")
        _write(written[-1], errors)
    return written + ([plot] if has_plot else [])


def evaluate_span_source(source: Source, system_names: Sequence[str], output_dir: Path
                         ) -> tuple[dict[str, Any], list[Path]]:
    from claimtrace.evaluation.report import errors_report

    results = evaluate_source(source, system_names)
    figures = source_figures(source, results)
    curves = {t.name: c for t in results if t.status == "ok" and (c := t.claim_totals())}
    paths = write_reports(source.name, figures, output_dir, curves,
                          errors_report(source, results))
    return figures, paths


def run_evaluation(sources: Sequence[str], systems: Sequence[str], limit: int | None = None,
                   output_dir: Path = REPORTS_DIR, claims_only: bool = False
                   ) -> dict[str, dict[str, Any]]:
    """Evaluate `systems` on each of `sources`; returns the figures, writes the reports.

    The gold source also gets the claim models side by side (``gold_claims.*``); with
    `claims_only` that comparison and ClaimBuster are all that run.
    """
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {unknown}; choose from {', '.join(SOURCES)}")
    everything = {}
    for name in sources:
        if name == "claimbuster":
            figures, curves = claimbuster_figures(limit)
            write_reports(name, figures, output_dir, curves, None)
            everything[name] = figures
            continue
        if claims_only and name != "gold":
            continue
        source = load_source(name)
        if limit:
            source.articles = source.articles[:limit]
            source.notes.append(f"limited to the first {limit} articles (--limit)")
        if not claims_only:
            everything[name], _ = evaluate_span_source(source, systems, output_dir)
        if name == "gold":
            figures, curves = gold_claim_figures(source)
            write_reports("gold_claims", figures, output_dir, curves, None)
            everything["gold_claims"] = figures
    return everything
