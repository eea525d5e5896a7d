"""Render harness figures as Markdown, the per-article error listing and the claims PR plot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimtrace.evaluation.scorers import ROLES, NormalisedSpan

if TYPE_CHECKING:
    from claimtrace.evaluation.harness import EvalArticle, Source, SystemTotals
    from claimtrace.evaluation.scorers import ClaimCounts

SNIPPET = 140  # characters of span text shown in the error listing
CONTEXT = 40  # characters either side of a sentence boundary error


def fmt(value: float | None, digits: int = 3, scale: float = 1.0, missing: str = "n/a") -> str:
    """The one number formatter of reports and model cards: `value` x `scale` to `digits`
    decimals, `missing` for None."""
    return missing if value is None else f"{value * scale:.{digits}f}"


def _count(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _ok(figures: dict[str, Any]) -> dict[str, dict]:
    return {name: f for name, f in figures["systems"].items() if f["status"] == "ok"}


def _sentence_section(figures: dict[str, Any]) -> list[str]:
    rows = [[name, fmt(s["precision"]), fmt(s["recall"]), fmt(s["f1"]), _count(s["tp"]),
             _count(s["fp"]), _count(s["fn"])]
            for name, f in _ok(figures).items() if (s := f["sentences"])]
    if not rows:
        return []
    return ["## Sentence splitting (boundary = a sentence start other than the first)", "",
            *_table(["system", "P", "R", "F1", "TP", "FP", "FN"], rows)]


def _attribution_section(figures: dict[str, Any]) -> list[str]:
    rows = []
    for name, f in _ok(figures).items():
        if not f["attributions"]:
            continue
        for role in (*ROLES, "attribution"):
            exact, overlap = f["attributions"]["exact"][role], f["attributions"]["overlap"][role]
            rows.append([name, role if role != "attribution" else "**whole attribution**",
                         fmt(exact["precision"]), fmt(exact["recall"]), fmt(exact["f1"]),
                         fmt(overlap["precision"]), fmt(overlap["recall"]), fmt(overlap["f1"]),
                         _count(overlap["tp"] + overlap["fn"]),
                         _count(overlap["tp"] + overlap["fp"])])
    if not rows:
        return []
    header = ["system", "role", "exact P", "exact R", "exact F1", "overlap P", "overlap R",
              "overlap F1", "gold", "predicted"]
    return ["## Attribution spans", "",
            "Role rows count distinct spans; the whole-attribution row needs every role to "
            "match (null with null). `gold`/`predicted` are counts.", "",
            *_table(header, rows)]


def _label_section(figures: dict[str, Any]) -> list[str]:
    rows = []
    for name, f in _ok(figures).items():
        labels = f["labels"]
        if not labels:
            continue
        rows.append([name, _count(_aligned(f)),
                     *(fmt(labels[k]["accuracy"]) if labels[k] else "n/a"
                       for k in ("resolved", "resolved_lenient", "quote_type"))])
    if not rows or figures["source"] == "polnear":
        return []
    return ["## Speaker resolution and quote type", "",
            "On attributions aligned by overlapping content (one-to-one). `resolved`: equal "
            "names, case-insensitive, leading \"the\" ignored; lenient: one name's words "
            "contain the other's. Quote type only where the system labels it.", "",
            *_table(["system", "aligned", "resolved acc.", "resolved (lenient)",
                     "quote-type acc."], rows)]


def _aligned(figures: dict[str, Any]) -> float:
    """Number of content-aligned attribution pairs (from whichever label was counted)."""
    counted = [v["total"] for v in figures["labels"].values() if v]
    return max(counted) if counted else 0.0


def confusion_lines(confusion: dict[str, dict[str, int]]) -> list[str]:
    rows = [[c, str(confusion[c]["checkworthy"]), str(confusion[c]["rest"])]
            for c in confusion]
    return _table(["gold \\ predicted", "check-worthy", "rest"], rows)


def _claim_section(figures: dict[str, Any], plot: str | None) -> list[str]:
    claims = {name: f["claims"] for name, f in _ok(figures).items() if f.get("claims")}
    if not claims:
        return []
    rows = [[name, fmt(c["checkworthy_vs_rest"]["precision"]),
             fmt(c["checkworthy_vs_rest"]["recall"]), fmt(c["checkworthy_vs_rest"]["f1"]),
             fmt(c["pr_auc"]), fmt(c.get("macro_f1_3class")), str(c["sentences"])]
            for name, c in claims.items()]
    lines = ["## Claims (check-worthy = gold CFS vs UFS + NFS)", "",
             "Each gold sentence takes the claim of the predicted sentence it overlaps most. "
             "Macro-F1: over CFS / UFS / NFS, for three-class models only.",
             "", *_table(["system", "P", "R", "F1", "PR-AUC", "3-class macro-F1",
                          "sentences"], rows)]
    for name, c in claims.items():
        lines += [f"Confusion, {name}:", "", *confusion_lines(c["confusion"])]
    if plot:
        lines += [f"![precision-recall]({plot})", ""]
    return lines


def _header(figures: dict[str, Any]) -> list[str]:
    lines = [f"# Evaluation: {figures['source']}", "", f"Source: {figures['description']}; "
             f"{figures['articles']} articles.", ""]
    if figures["notes"]:
        lines += [*(f"- {note}" for note in figures["notes"]), ""]
    lines += ["## Systems", ""]
    for name, f in figures["systems"].items():
        if f["status"] != "ok":
            lines.append(f"- **{name}**: {'; '.join(f['notes'])}")
            continue
        extra = [*f["notes"], *(f"{k}: {v}" for k, v in sorted(f["stats"].items()))]
        lines.append(f"- **{name}**: {f['description']}" + (f" ({'; '.join(extra)})"
                                                          if extra else ""))
    return lines + [""]


def markdown_report(figures: dict[str, Any], plot: str | None = None) -> str:
    lines = _header(figures)
    lines += _sentence_section(figures)
    lines += _attribution_section(figures)
    lines += _label_section(figures)
    lines += _claim_section(figures, plot)
    if "conventions" in figures:
        lines += ["## Conventions", "", figures["conventions"], "",
                  f"Errors per article: `{figures['source']}_errors.md`.", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- errors


def span_text(text: str, span: NormalisedSpan) -> str:
    joined = " … ".join(text[s:e] for s, e in span.fragments)
    joined = " ".join(joined.split())
    return joined if len(joined) <= SNIPPET else joined[: SNIPPET - 1] + "…"


def _article_errors(article: EvalArticle, name: str, result: Any) -> list[str]:
    lines = []
    if result.error:
        lines.append(f"- pipeline error: {result.error}")
    for role in ROLES:
        for kind in ("missed", "spurious"):
            for span in result.role_errors[role][kind]:
                lines.append(f"- {role} {kind}: «{span_text(article.text, span)}» "
                             f"[{span.key[0]}:{span.key[1]}]")
    for role in ROLES:
        for gold, pred in result.edge_errors[role]:
            lines.append(f"- {role} edges differ: gold «{span_text(article.text, gold)}» vs "
                         f"predicted «{span_text(article.text, pred)}»")
    for kind, start in result.boundary_errors:
        before = " ".join(article.text[max(0, start - CONTEXT):start].split())
        after = " ".join(article.text[start:start + CONTEXT].split())
        lines.append(f"- sentence boundary {kind} at {start}: «…{before} ‖ {after}…»")
    for kind, sentence, score in result.claim_errors:
        snippet = " ".join(article.text[sentence.start:sentence.end].split())[:SNIPPET]
        lines.append(f"- claim {kind} (gold {sentence.claim}, score {score:.3f}): «{snippet}»")
    return [f"### {name}", "", *lines, ""] if lines else []


def errors_report(source: Source, results: Sequence[SystemTotals]) -> str:
    lines = [f"# Errors: {source.name}", "",
             "Overlap matching (see the report's conventions): `missed` = a gold span no "
             "prediction overlaps, `spurious` = a prediction overlapping no gold span of its "
             "role; `edges differ` = matched by overlap but not exactly (normalised texts "
             "shown). Offsets are the normalised span's [start:end]; ‖ marks a sentence "
             "boundary.", ""]
    ok = [t for t in results if t.status == "ok"]
    for index, article in enumerate(source.articles):
        body = []
        for totals in ok:
            body += _article_errors(article, totals.name, totals.articles[index][1])
        lines += [f"## {article.id}", "", f"{article.label}", "", *body]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- plot


def plot_pr_curves(curves: dict[str, tuple[Sequence[int], Sequence[float]]], path: Path,
                   title: str, points: dict[str, tuple[float, float]] | None = None) -> bool:
    """The one precision-recall plot: a curve per (gold 0/1 labels, scores), a curve's
    operating point (recall, precision) marked when `points` has it. Curves with one class
    only are left out; False (nothing written) when none is left."""
    curves = {k: v for k, v in curves.items() if len(set(v[0])) == 2}
    if not curves:
        return False
    import matplotlib

    matplotlib.use("Agg")  # headless
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    for name, (labels, scores) in curves.items():
        precision, recall, _ = precision_recall_curve(list(labels), list(scores))
        line, = ax.plot(recall, precision, label=name)
        if points and name in points:
            ax.plot(*points[name], "o", color=line.get_color())
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02), title=title)
    ax.legend(loc="lower left", fontsize=7 if len(curves) > 3 else None)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    # No software/date metadata: two runs must write the same bytes.
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    return True


def plot_claims_pr(curves: dict[str, ClaimCounts], path: Path, title: str) -> bool:
    """`plot_pr_curves` of each system's claim counts, its operating point marked."""
    points = {name: (c.positive().recall or 0, c.positive().precision or 0)
              for name, c in curves.items()}
    return plot_pr_curves({name: (c.labels, c.scores) for name, c in curves.items()}, path,
                          title, points)

