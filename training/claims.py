"""Fine-tune all-MiniLM-L6-v2 into a check-worthy claim classifier (ClaimBuster).

Run as ``claimtrace train claims``. Each step is a small function the tests import:
`load_splits` -> `tokenize` -> `train_transformer` -> `choose_threshold` / `evaluate`
-> `export_artifact`, with `train_baseline` (TF-IDF + logistic regression) on the same split.
Every reported number is on the development split, never on training rows.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimtrace.artifacts import (
    BASE_ENCODER_PACKAGE,
    BASE_ENCODER_SHA256,
    base_encoder_path,
    quantize_int8,
    write_manifest,
)
from claimtrace.settings import JsonConfig

if TYPE_CHECKING:
    import numpy as np
    from datasets import Dataset
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
LABELS = {0: "not_checkworthy", 1: "checkworthy"}
WEIGHTS_FORMAT = "int8-rowwise-symmetric@1"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")


@dataclass
class ClaimTrainingConfig(JsonConfig):
    """Everything a run depends on; saved as ``training_config.json`` beside the model."""

    data_path: str = field(
        default="../shared/data/claimbuster/checkworthy_train.jsonl",
        metadata={"help": "ClaimBuster JSONL (sentence_id, text, label); relative to repo root"},
    )
    output_dir: str = field(
        default="models/claim-checkworthiness",
        metadata={"help": "where the committed artifact is written"},
    )
    work_dir: str = field(
        default="runs/claims", metadata={"help": "checkpoints and logs (git-ignored)"}
    )
    dev_fraction: float = field(
        default=0.1, metadata={"help": "stratified development split, taken first"}
    )
    seed: int = field(default=13, metadata={"help": "seed for split, init and shuffling"})
    max_length: int = field(default=96, metadata={"help": "max tokens per sentence"})
    batch_size: int = field(default=32, metadata={"help": "training batch size"})
    eval_batch_size: int = field(default=128, metadata={"help": "scoring batch size"})
    learning_rate: float = field(default=5e-5, metadata={"help": "peak AdamW learning rate"})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    warmup_ratio: float = field(default=0.06, metadata={"help": "linear warm-up fraction"})
    num_epochs: float = field(default=4.0, metadata={"help": "epochs (best one is kept)"})
    max_steps: int = field(default=-1, metadata={"help": "stop after N steps (-1: off)"})
    num_threads: int = field(default=1, metadata={"help": "torch CPU threads"})
    limit_rows: int = field(default=0, metadata={"help": "use only N rows (0: all; tests)"})
    baseline: bool = field(default=True, metadata={"help": "also train TF-IDF + LR"})
    model_name: str = field(default="claim-checkworthiness", metadata={"help": "model name"})
    model_version: str = field(default="1.0.0", metadata={"help": "model version"})

    def __post_init__(self) -> None:
        if not 0.0 < self.dev_fraction < 1.0:
            raise ValueError(f"dev_fraction must be in (0, 1), got {self.dev_fraction}")
        for name in ("max_length", "batch_size", "eval_batch_size", "num_threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")


def resolve(path: str | Path) -> Path:
    """Relative paths are taken from the repository root, so runs do not depend on cwd."""
    path = Path(path)
    return path if path.is_absolute() else REPO_ROOT / path


# --- data -------------------------------------------------------------------------------


def load_splits(
    data_path: Path, dev_fraction: float, seed: int, limit_rows: int = 0
) -> tuple[Dataset, Dataset]:
    """Load ClaimBuster JSONL and split off the stratified development set first."""
    from datasets import ClassLabel, load_dataset

    if not data_path.is_file():
        raise FileNotFoundError(f"training data not found: {data_path}")
    data = load_dataset("json", data_files=str(data_path), split="train", keep_in_memory=True)
    _validate(data)
    data = data.cast_column("label", ClassLabel(names=[LABELS[0], LABELS[1]]))
    if limit_rows:
        data = data.shuffle(seed=seed).select(range(min(limit_rows, len(data))))
    split = data.train_test_split(
        test_size=dev_fraction, stratify_by_column="label", seed=seed, keep_in_memory=True
    )
    return split["train"], split["test"]


def _validate(data: Dataset) -> None:
    missing = {"text", "label"} - set(data.column_names)
    if missing:
        raise ValueError(f"training data lacks column(s) {sorted(missing)}")
    for row, (text, label) in enumerate(zip(data["text"], data["label"], strict=True)):
        if label not in (0, 1):
            raise ValueError(f"row {row}: label must be 0 or 1, got {label!r}")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"row {row}: text is empty or not a string")


def tokenize(data: Dataset, tokenizer: PreTrainedTokenizerBase, max_length: int) -> Dataset:
    """Token ids only; padding happens per batch (DataCollatorWithPadding)."""
    return data.map(
        lambda batch: tokenizer(batch["text"], truncation=True, max_length=max_length),
        batched=True,
        keep_in_memory=True,
        desc="tokenise",
    )


# --- metrics ----------------------------------------------------------------------------


def choose_threshold(labels: np.ndarray, scores: np.ndarray) -> float:
    """The score cut-off with the best positive-class F1 on the development set."""
    import numpy as np
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(labels, scores)
    f1 = 2 * precision * recall / np.clip(precision + recall, 1e-12, None)
    # The last precision/recall pair has no threshold (it is the "predict nothing" point).
    return float(thresholds[int(np.argmax(f1[:-1]))])


def evaluate(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, float]:
    """Positive-class P/R/F1 at `threshold`, plus threshold-free ROC-AUC and PR-AUC."""
    from sklearn.metrics import (
        average_precision_score,
        precision_recall_fscore_support,
        roc_auc_score,
    )

    predicted = (scores >= threshold).astype(int)
    p, r, f1, _ = precision_recall_fscore_support(
        labels, predicted, average="binary", pos_label=1, zero_division=0
    )
    return {
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f1), 4),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4),
        "pr_auc": round(float(average_precision_score(labels, scores)), 4),
        "threshold": round(float(threshold), 6),
    }


def compute_trainer_metrics(eval_pred: Any) -> dict[str, float]:
    """Per-epoch development metrics for Trainer (picks the best epoch)."""
    import numpy as np
    from scipy.special import softmax

    scores = softmax(eval_pred.predictions, axis=-1)[:, 1]
    labels = np.asarray(eval_pred.label_ids)
    tuned = evaluate(labels, scores, choose_threshold(labels, scores))
    at_half = evaluate(labels, scores, 0.5)
    return {"f1_tuned": tuned["f1"], "f1_at_0.5": at_half["f1"], "pr_auc": tuned["pr_auc"]}


# --- models -----------------------------------------------------------------------------


def train_transformer(
    config: ClaimTrainingConfig, train: Dataset, dev: Dataset
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, list[dict[str, float]]]:
    """Fine-tune the whole encoder plus head; keep the epoch with the best dev F1."""
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
    )

    base = base_encoder_path(verify=True)
    tokenizer = AutoTokenizer.from_pretrained(base, local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        base,
        num_labels=2,
        id2label=LABELS,
        label2id={v: k for k, v in LABELS.items()},
        local_files_only=True,
    )
    trainer = Trainer(
        model=model,
        args=_training_arguments(config),
        train_dataset=tokenize(train, tokenizer, config.max_length),
        eval_dataset=tokenize(dev, tokenizer, config.max_length),
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
        compute_metrics=compute_trainer_metrics,
    )
    trainer.train()
    trainer.save_metrics("train", trainer.state.log_history[-1])
    return trainer.model, tokenizer, epoch_curve(trainer.state.log_history)


def _training_arguments(config: ClaimTrainingConfig) -> Any:
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(resolve(config.work_dir) / "checkpoints"),
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.eval_batch_size,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        warmup_steps=config.warmup_ratio,  # a float < 1 is a ratio in transformers 5
        num_train_epochs=config.num_epochs,
        max_steps=config.max_steps,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_only_model=True,
        save_total_limit=1,
        load_best_model_at_end=True,
        metric_for_best_model="f1_tuned",
        greater_is_better=True,
        logging_steps=25,
        seed=config.seed,
        data_seed=config.seed,
        use_cpu=True,
        dataloader_num_workers=0,
        # Similar lengths in a batch: less padding, roughly 1.5x faster on CPU.
        train_sampling_strategy="group_by_length",
        report_to="none",
        disable_tqdm=True,
    )


def epoch_curve(log_history: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Development F1 per epoch from Trainer's log, for the card and the F1-vs-epoch plot."""
    return [
        {
            "epoch": round(float(entry["epoch"]), 2),
            "f1_tuned": entry["eval_f1_tuned"],
            "f1_at_0.5": entry["eval_f1_at_0.5"],
            "pr_auc": entry["eval_pr_auc"],
            "eval_loss": round(float(entry["eval_loss"]), 4),
        }
        for entry in log_history
        if "eval_f1_tuned" in entry
    ]


def train_baseline(train: Dataset, dev: Dataset, seed: int) -> np.ndarray:
    """TF-IDF word 1-2 grams + logistic regression; returns dev scores."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    baseline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced", random_state=seed),
    )
    baseline.fit(train["text"], train["label"])
    return baseline.predict_proba(dev["text"])[:, 1]


def score_model(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: list[str],
    config: ClaimTrainingConfig,
) -> np.ndarray:
    """Dev scores through the pipeline's own scoring code, so reported = served."""
    import numpy as np

    from claimtrace.pipeline.classify import score_texts

    model.eval()
    return np.asarray(
        score_texts(model, tokenizer, texts, config.eval_batch_size, config.max_length)
    )


# --- artifact ---------------------------------------------------------------------------


def _is_big_matrix(name: str, tensor: Any) -> bool:
    # Word/position embeddings and encoder Linear weights hold 99% of the bytes; the 2x384
    # classifier and token-type embeddings are tiny, so they stay float32.
    return min(tensor.shape) >= 256


def export_artifact(
    model: PreTrainedModel,
    out_dir: Path,
    config: ClaimTrainingConfig,
    threshold: float,
) -> Path:
    """Write int8 safetensors weights, config, tokenizer, head and training config."""
    from safetensors.torch import save_file

    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.iterdir():
        if stale.is_file():
            stale.unlink()
    packed = quantize_int8(model.state_dict(), _is_big_matrix)
    save_file(packed, str(out_dir / "model.safetensors"), metadata={"format": WEIGHTS_FORMAT})
    model.config.save_pretrained(out_dir)
    # Fine-tuning leaves the tokenizer unchanged: ship the base package's own files.
    for name in TOKENIZER_FILES:
        shutil.copyfile(base_encoder_path(verify=False) / name, out_dir / name)
    head = {
        "name": config.model_name,
        "version": config.model_version,
        "threshold": threshold,
        "max_length": config.max_length,
        "weights_format": WEIGHTS_FORMAT,
        "labels": LABELS,
        "base_encoder": {"package": BASE_ENCODER_PACKAGE, "sha256": BASE_ENCODER_SHA256},
    }
    _write_json(out_dir / "claim_head.json", head)
    _write_json(out_dir / "training_config.json", config.to_dict())
    write_manifest(out_dir, extra={"model": f"{config.model_name}@{config.model_version}"})
    return out_dir


def artifact_bytes(out_dir: Path) -> int:
    return sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())


def plot_pr_curves(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> None:
    """Precision-recall curves (dev set), one line per model."""
    import matplotlib

    matplotlib.use("Agg")  # headless CI
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    fig, ax = plt.subplots(figsize=(5, 4), dpi=100)
    for label, (labels, scores) in curves.items():
        precision, recall, _ = precision_recall_curve(labels, scores)
        ax.plot(recall, precision, label=label)
    ax.set(xlabel="recall", ylabel="precision", xlim=(0, 1), ylim=(0, 1.02))
    ax.set_title("Check-worthiness, ClaimBuster dev split")
    ax.legend(loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_epoch_curve(curve: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3), dpi=100)
    ax.plot([c["epoch"] for c in curve], [c["f1_tuned"] for c in curve], marker="o")
    ax.set(xlabel="epoch", ylabel="dev F1 (tuned threshold)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# --- the whole run ----------------------------------------------------------------------


def train_claims(config: ClaimTrainingConfig) -> dict[str, Any]:
    """Split, fine-tune, pick the threshold, compare with the baseline, export, re-check."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers reads it: local files only
    import numpy as np
    import torch
    from transformers import set_seed

    set_seed(config.seed)
    # Explicit: the machine is shared, and results/timings should not depend on core count.
    torch.set_num_threads(config.num_threads)
    started = time.perf_counter()

    train, dev = load_splits(
        resolve(config.data_path), config.dev_fraction, config.seed, config.limit_rows
    )
    log.info("split: %d train rows, %d dev rows", len(train), len(dev))
    model, tokenizer, curve = train_transformer(config, train, dev)
    train_seconds = time.perf_counter() - started
    # Full-precision copy outside the artifact (git-ignored), for the fp32 benchmark.
    model.save_pretrained(resolve(config.work_dir) / "fp32")
    tokenizer.save_pretrained(resolve(config.work_dir) / "fp32")

    labels = np.asarray(dev["label"])
    fp32_scores = score_model(model, tokenizer, dev["text"], config)
    threshold = choose_threshold(labels, fp32_scores)
    out_dir = export_artifact(model, resolve(config.output_dir), config, threshold)
    committed_scores = _committed_scores(out_dir, dev["text"], config)

    metrics = {
        "model": f"{config.model_name}@{config.model_version}",
        "dev_rows": len(dev),
        "train_rows": len(train),
        "dev_positive_rate": round(float(labels.mean()), 4),
        "transformer_fp32": evaluate(labels, fp32_scores, threshold),
        "committed_int8": evaluate(labels, committed_scores, threshold),
        "epochs": curve,
        "artifact_bytes": artifact_bytes(out_dir),
        "training_seconds": round(train_seconds, 1),
        "hardware": _hardware(config.num_threads),
    }
    curves = {"MiniLM fine-tuned (committed)": (labels, committed_scores)}
    if config.baseline:
        base_scores = train_baseline(train, dev, config.seed)
        base_threshold = choose_threshold(labels, base_scores)
        metrics["baseline_tfidf_lr"] = evaluate(labels, base_scores, base_threshold)
        curves["TF-IDF + LR baseline"] = (labels, base_scores)
    _finish_artifact(out_dir, metrics, curves, config)
    return metrics


def _committed_scores(
    out_dir: Path, texts: list[str], config: ClaimTrainingConfig
) -> np.ndarray:
    """Scores of the artifact exactly as the pipeline loads it (checksums, int8 weights)."""
    import numpy as np

    from claimtrace.pipeline.classify import ClaimClassifier

    classifier = ClaimClassifier(
        str(out_dir), config.eval_batch_size, config.max_length, config.num_threads
    )
    return np.asarray(classifier.predict(list(texts)))


def _finish_artifact(
    out_dir: Path, metrics: dict[str, Any], curves: dict, config: ClaimTrainingConfig
) -> None:
    from claimtrace.training.model_card import write_model_card

    plot_pr_curves(curves, out_dir / "pr_curve.png")
    if len(metrics["epochs"]) > 1:
        plot_epoch_curve(metrics["epochs"], out_dir / "f1_by_epoch.png")
    metrics["artifact_bytes"] = artifact_bytes(out_dir)  # before card/metrics, weights dominate
    _write_json(out_dir / "metrics.json", metrics)
    write_model_card(out_dir / "README.md", metrics, config)
    # Manifest last: it must cover the card, metrics and plots too.
    write_manifest(out_dir, extra={"model": metrics["model"]})


def _hardware(num_threads: int) -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    return (
        f"CPU only ({cpu}, {os.cpu_count()} cores visible, torch threads={num_threads}), "
        f"torch {torch.__version__}, {platform.system()}"
    )
