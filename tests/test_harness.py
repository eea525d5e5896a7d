"""The harness end to end on the tiny gold fixture with stand-in systems (no spaCy, fast)."""

from __future__ import annotations

import json
from pathlib import Path

from claimtrace.evaluation.harness import (
    gold_source,
    run_system,
    source_figures,
    write_reports,
)
from claimtrace.evaluation.report import errors_report
from claimtrace.evaluation.systems import BuiltSystem, PredictedSentence, Prediction

FIXTURES = Path(__file__).parent / "fixtures" / "gold"


def _source():
    return gold_source(FIXTURES / "articles", FIXTURES / "wikinews_tiny.csv")


def _oracle() -> BuiltSystem:
    """Predicts the gold labels themselves, claims flagged for CFS sentences."""
    article = _source().articles[0]
    gold = article.references[0]

    def predict(text: str) -> Prediction:
        sentences = [PredictedSentence(s.start, s.end, s.claim == "CFS",
                                       1.0 if s.claim == "CFS" else 0.0) for s in gold.sentences]
        return Prediction(list(gold.attributions), sentences, claims=True)

    return BuiltSystem("oracle", predict, "gold labels")


def _silent() -> BuiltSystem:
    return BuiltSystem("silent", lambda text: Prediction(attributions=[]), "finds nothing",
                       labels=())


def test_oracle_scores_perfectly_and_silent_scores_zero(tmp_path: Path) -> None:
    source = _source()
    results = [run_system(_oracle(), source), run_system(_silent(), source)]
    figures = source_figures(source, results)
    oracle, silent = figures["systems"]["oracle"], figures["systems"]["silent"]
    assert oracle["sentences"]["f1"] == 1.0
    for mode in ("exact", "overlap"):
        assert oracle["attributions"][mode]["attribution"]["f1"] == 1.0
        assert silent["attributions"][mode]["attribution"]["recall"] == 0.0
    assert oracle["claims"]["checkworthy_vs_rest"]["f1"] == 1.0
    assert oracle["claims"]["confusion"]["UFS"] == {"checkworthy": 0, "rest": 1}
    assert oracle["labels"]["resolved"]["accuracy"] == 1.0
    assert silent["sentences"] is None and silent["labels"]["resolved"] is None

    paths = write_reports("tiny", figures, tmp_path, {}, errors_report(source, results))
    assert {p.name for p in paths} == {"tiny.json", "tiny.md", "tiny_errors.md"}
    errors = (tmp_path / "tiny_errors.md").read_text(encoding="utf-8")
    assert "content missed: «the bridge will reopen in May»" in errors
    assert json.loads((tmp_path / "tiny.json").read_text(encoding="utf-8")) == json.loads(
        json.dumps(figures))


def test_reports_are_deterministic(tmp_path: Path) -> None:
    texts = []
    for run in ("a", "b"):
        source = _source()
        figures = source_figures(source, [run_system(_oracle(), source)])
        write_reports("tiny", figures, tmp_path / run, {}, None)
        texts.append((tmp_path / run / "tiny.md").read_text(encoding="utf-8"))
    assert texts[0] == texts[1]


def test_claim_system_scoring_counts_and_macro_f1() -> None:
    from claimtrace.evaluation.baselines import ClaimSystem
    from claimtrace.evaluation.harness import ClaimItems, score_claim_system

    table = {"a": {"CFS": 0.9, "UFS": 0.05, "NFS": 0.05},  # -> CFS
             "b": {"CFS": 0.3, "UFS": 0.6, "NFS": 0.1},  # -> UFS
             "c": {"CFS": 0.6, "UFS": 0.1, "NFS": 0.3}}  # -> CFS (over 0.5)
    system = ClaimSystem("fake", "table lookup", 0.5,
                         lambda raw, marked: [table[t] for t in raw])
    # Gold: CFS, UFS, NFS, and a CFS sentence no predicted sentence overlaps.
    items = ClaimItems(["a", "b", "c"], ["", "", ""], ["CFS", "UFS", "NFS", "CFS"],
                       [0, 1, 2, None])
    figures, counts = score_claim_system(system, items)
    positive = figures["checkworthy_vs_rest"]
    assert (positive["tp"], positive["fp"], positive["fn"]) == (1, 1, 1)
    assert counts.scores == [0.9, 0.3, 0.6, 0.0]
    # per class F1: CFS 0.5 (1 of 2 gold, 1 of 2 predicted), UFS 1.0, NFS 0.0
    assert figures["macro_f1_3class"] == 0.5
    assert figures["threshold"] == 0.5


def test_news_extra_is_an_attribution_only_source() -> None:
    from claimtrace.evaluation.harness import news_extra_source

    source = news_extra_source(FIXTURES / "articles", FIXTURES / "wikinews_tiny.csv")
    assert source.name == "news_extra" and source.notes
    (article,) = source.articles
    (reference,) = article.references
    assert reference.attributions and reference.sentences is None  # no claim labels scored
