"""Self-agreement of the gold set: pass 1 against the independent pass 2 on the same articles.

``python -m claimtrace.evaluation.agreement`` scores the second-pass files
(``evaluation/gold/second_pass/``) against the first pass with the harness's own scorers
(pass 1 plays gold, pass 2 plays the system; F1 is symmetric, P and R swap), computes Cohen's
kappa on the claim labels, writes ``evaluation/reports/agreement.json`` and replaces the block
after the ``<!-- AGREEMENT -->`` marker in ``GUIDELINES.md`` (up to ``<!-- /AGREEMENT -->``),
leaving the rest of the file alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimtrace.evaluation.gold import (
    GOLD_DIR,
    PASS1_DIR,
    PASS2_DIR,
    WIKINEWS_CSV,
    GoldArticle,
    load_gold_file,
    read_csv_texts,
)
from claimtrace.evaluation.report import fmt
from claimtrace.evaluation.scorers import (
    MODES,
    POSITIVE_CLASS,
    ROLES,
    Accuracy,
    align_sentences,
    cohen_kappa,
    label_accuracy,
    score_attributions,
    score_boundaries,
    sum_prf,
)
from claimtrace.settings import REPO_ROOT

GUIDELINES = GOLD_DIR / "GUIDELINES.md"
REPORT = REPO_ROOT / "evaluation" / "reports" / "agreement.json"
START, END = "<!-- AGREEMENT -->", "<!-- /AGREEMENT -->"
DIGITS = 4


@dataclass
class Pair:
    first: GoldArticle
    second: GoldArticle


def load_pairs(pass1: Path = PASS1_DIR, pass2: Path = PASS2_DIR,
               csv_path: Path = WIKINEWS_CSV) -> list[Pair]:
    """Articles labelled in both passes, by article id (a pass-2 file without pass 1 fails)."""
    texts = read_csv_texts(csv_path)
    pairs = []
    for path in sorted(pass2.glob("*.json")):
        first_path = pass1 / path.name
        if not first_path.is_file():
            raise FileNotFoundError(f"second-pass file {path.name} has no first pass in {pass1}")
        pairs.append(Pair(load_gold_file(first_path, texts, csv_path.name),
                          load_gold_file(path, texts, csv_path.name)))
    return pairs


def claim_labels(first: GoldArticle, second: GoldArticle) -> tuple[list[str], list[str]]:
    """Pass-1 sentence labels and, for each, the label of the pass-2 sentence overlapping it
    most (the passes may split a few sentences differently)."""
    alignment = align_sentences([(s.start, s.end) for s in first.sentences],
                                [(s.start, s.end) for s in second.sentences])
    a, b = [], []
    for sentence, index in zip(first.sentences, alignment, strict=True):
        if index is not None:
            a.append(sentence.claim)
            b.append(second.sentences[index].claim)
    return a, b


def agreement(pairs: list[Pair]) -> dict[str, Any]:
    """Every agreement figure, JSON-ready."""
    scores = [score_attributions(p.first.text, p.first.attributions, p.second.attributions)
              for p in pairs]
    boundaries = sum_prf(
        score_boundaries(p.first.text, [(s.start, s.end) for s in p.first.sentences],
                         [(s.start, s.end) for s in p.second.sentences])
        for p in pairs)
    first_labels, second_labels = [], []
    for pair in pairs:
        a, b = claim_labels(pair.first, pair.second)
        first_labels += a
        second_labels += b
    labels: dict[str, Accuracy] = {}
    for score in scores:
        for key, value in label_accuracy(score.aligned).items():
            labels[key] = labels.get(key, Accuracy()) + value

    def binary(items: list[str]) -> list[str]:
        return [str(x == POSITIVE_CLASS) for x in items]

    def kappa(a: list[str], b: list[str]) -> float | None:
        value = cohen_kappa(a, b)
        return None if value is None else round(value, DIGITS)

    return {
        "articles": [p.first.article_id for p in pairs],
        "attributions": {"pass1": sum(len(p.first.attributions) for p in pairs),
                         "pass2": sum(len(p.second.attributions) for p in pairs)},
        "spans": {mode: {**{role: sum_prf([s.roles[mode][role] for s in scores]).to_dict(DIGITS)
                            for role in ROLES},
                         "attribution": sum_prf([s.whole[mode] for s in scores]).to_dict(DIGITS)}
                  for mode in MODES},
        "sentence_boundaries": boundaries.to_dict(DIGITS),
        "claims": {"sentences": len(first_labels),
                   "kappa_3class": kappa(first_labels, second_labels),
                   "kappa_checkworthy": kappa(binary(first_labels), binary(second_labels)),
                   "observed_agreement": round(sum(
                       a == b for a, b in zip(first_labels, second_labels, strict=True))
                       / len(first_labels), DIGITS) if first_labels else None},
        "labels": {key: value.to_dict(DIGITS) for key, value in labels.items()},
    }


def markdown(figures: dict[str, Any]) -> str:
    if not figures["articles"]:
        return "No second-pass files yet: run this again when `second_pass/` is filled in."
    spans, claims = figures["spans"], figures["claims"]
    rows = [f"| {role} | {fmt(spans['exact'][role]['f1'])} | {fmt(spans['overlap'][role]['f1'])} |"
            for role in (*ROLES, "attribution")]
    labels = figures["labels"]
    return "\n".join([
        f"Written by `python -m claimtrace.evaluation.agreement` over "
        f"{len(figures['articles'])} articles labelled twice ({figures['attributions']['pass1']} "
        f"attributions in pass 1, {figures['attributions']['pass2']} in pass 2); pass 1 is "
        "treated as gold, with the harness's scorers and span normalisation.", "",
        "| span | F1 exact | F1 overlap |", "|---|---|---|", *rows, "",
        f"- Sentence boundaries: F1 {fmt(figures['sentence_boundaries']['f1'])}.",
        f"- Claim labels ({claims['sentences']} pass-1 sentences, each compared with the pass-2 "
        f"sentence overlapping it most): Cohen's kappa {fmt(claims['kappa_3class'])} on "
        f"CFS/UFS/NFS, {fmt(claims['kappa_checkworthy'])} on check-worthy vs rest; observed "
        f"agreement {fmt(claims['observed_agreement'])}.",
        f"- On attributions aligned by content: resolved speaker agrees "
        f"{fmt(labels['resolved']['accuracy'])} "
        f"(lenient {fmt(labels['resolved_lenient']['accuracy'])}), "
        f"quote type {fmt(labels['quote_type']['accuracy'])}.",
        "- Figures: `evaluation/reports/agreement.json`.",
    ])


def update_guidelines(block: str, path: Path = GUIDELINES) -> None:
    """Replace what follows the AGREEMENT marker (up to its end marker) with `block`."""
    text = path.read_text(encoding="utf-8")
    if START not in text:
        raise ValueError(f"{path} has no {START} marker")
    before, after = text.split(START, 1)
    rest = after.split(END, 1)[1] if END in after else "\n"
    path.write_text(f"{before}{START}\n{block}\n{END}{rest}", encoding="utf-8")


def main() -> None:
    figures = agreement(load_pairs())
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    block = markdown(figures)
    update_guidelines(block)
    print(block)


if __name__ == "__main__":
    main()
