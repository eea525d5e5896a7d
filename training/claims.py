"""Fine-tune all-MiniLM-L6-v2 into a three-class claim model (ClaimBuster + news).

Run as ``claimtrace train claims``. Each step is a small function the tests import:
`build_datasets` -> `tokenize` -> `train_transformer` -> `choose_joint_threshold` / `dev_metrics`
-> `export_artifact`, with `ClaimBaseline` (TF-IDF + logistic regression) on the same data.
A run writes under ``runs/<run_name>/`` only (`claimtrace.training.runs`);
``claimtrace models promote runs/<run_name> claim-checkworthiness`` ships a chosen run. Every
reported number is on development rows (ClaimBuster dev, news dev by article), never on
training rows or the gold set.

Recipe (see the model card): one 3-way head (CFS / UFS / NFS). A news sentence has one
class, so its loss is the usual cross-entropy. A ClaimBuster label is coarser: 1 is CFS, but
0 only says "UFS or NFS", so its loss is the marginal likelihood -log(p_UFS + p_NFS). Both
are -log of the probability of the label's allowed classes (`ALLOWED`). News sentences are
repeated `news_repeat` times per epoch, and every input carries its attribution marks
(`claimtrace.pipeline.classify.claim_input`; ClaimBuster rows are the speaker's own voice).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from claimtrace.artifacts import (
    BASE_ENCODER_PACKAGE,
    BASE_ENCODER_SHA256,
    TRAINING_CONFIG,
    base_encoder_path,
    quantize_int8,
    write_manifest,
)
from claimtrace.pipeline.classify import CLAIM_CLASSES, claim_input, claim_label
from claimtrace.settings import CLAIM_MODEL, JsonConfig
from claimtrace.training.encoder import keep_encoder_layers
from claimtrace.training.runs import check_output_dir, resolve, run_locations

if TYPE_CHECKING:
    import numpy as np
    from datasets import Dataset
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

LABELS = {0: "not_checkworthy", 1: "checkworthy"}  # ClaimBuster's binary labels
CLASS_IDS = {name: i for i, name in enumerate(CLAIM_CLASSES)}
# Which of (CFS, UFS, NFS) each kind of label allows; the loss is -log p(allowed).
ALLOWED = {
    "CFS": (1, 0, 0), "UFS": (0, 1, 0), "NFS": (0, 0, 1),
    "claimbuster:1": (1, 0, 0), "claimbuster:0": (0, 1, 1),
}
WEIGHTS_FORMAT = "int8-rowwise-symmetric@1"
INPUT_FORMAT = "claim_input@1"  # writer/quote mark + reported content in « »
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")
FP32_COPY = "fp32"  # the full-precision model, under run_dir (for the fp32 benchmark)


@dataclass
class ClaimTrainingConfig(JsonConfig):
    """Every setting of one run; saved as ``training_config.json`` beside the model.
    `claimtrace train claims` has one option per field (`claimtrace.training.options`); the
    names and the run's folders (`claimtrace.training.runs`) match the attribution trainer's."""

    # Names used by runs made before the two trainers were aligned (2.0.0's own run among them).
    RENAMED: ClassVar[dict[str, str]] = {"num_epochs": "epochs", "num_threads": "threads",
                                         "warmup_ratio": "warmup_fraction", "work_dir": "run_dir"}

    data_path: str = field(
        default="../shared/data/claimbuster/checkworthy_train.jsonl",
        metadata={"help": "ClaimBuster JSONL (sentence_id, text, label); relative to repo root"},
    )
    news_labels: str = field(
        default="data/labels/news_claims/labels.jsonl",
        metadata={"help": "news claim labels (offsets only); empty: ClaimBuster alone"},
    )
    news_texts: str = field(
        default="../shared/data/wikinews/wikinews_2019.csv",
        metadata={"help": "Wikinews CSV the news labels' offsets index"},
    )
    extra_news_labels: str = field(
        default="",
        metadata={"help": "more news claim labels, training only: PolNeAR articles named by "
                          "file (`load_polnear_claims`), e.g. "
                          "data/labels/polnear_claims/labels.jsonl; empty: none (the shipped "
                          "model's recipe)"},
    )
    extra_news_texts: str = field(
        default="../shared/data/polnear",
        metadata={"help": "folder the extra news labels' files are under"},
    )
    extra_news_repeat: int = field(
        default=1, metadata={"help": "times each extra news sentence is seen per epoch"}
    )
    gold_selection: str = field(
        default="evaluation/gold/selection.json",
        metadata={"help": "gold-set rows; a news label on one of them is an error"},
    )
    run_name: str = field(default="", metadata={
        "help": "name of the run folder runs/<run_name>/ ('' = claims-<UTC date-time>)"})
    output_dir: str = field(default="", metadata={
        "help": "artifact folder ('' = runs/<run_name>/model); never the shipped models: "
                "`claimtrace models promote` copies a run there"})
    run_dir: str = field(default="", metadata={
        "help": "checkpoints, logs and the fp32 copy ('' = runs/<run_name>/trainer)"})
    dev_fraction: float = field(
        default=0.1, metadata={"help": "stratified ClaimBuster development split, taken first"}
    )
    news_dev_fraction: float = field(
        default=0.2, metadata={"help": "news development split, by article"}
    )
    news_repeat: int = field(
        default=3, metadata={"help": "times each news training sentence is seen per epoch"}
    )
    claimbuster_train_rows: int = field(
        default=0, metadata={"help": "a seeded sample of N ClaimBuster training rows (0: all)"}
    )
    init_from: str = field(
        default="", metadata={"help": "claim artifact to start from (its 2-way head becomes "
                              "3-way); empty: the base encoder"}
    )
    seed: int = field(default=13, metadata={"help": "seed for the head's init and shuffling"})
    split_seed: int = field(default=13, metadata={"help": (
        "seed of the development splits and of the ClaimBuster sample, kept apart from `seed` "
        "so runs with different seeds train and are scored on the same rows")})
    max_length: int = field(default=96, metadata={"help": "max tokens per sentence"})
    encoder_layers: int = field(default=0, metadata={"help": (
        "keep only the first N encoder layers of the starting model, for speed "
        "(`training.encoder`; 0: all)")})
    batch_size: int = field(default=32, metadata={"help": "training batch size"})
    eval_batch_size: int = field(default=128, metadata={"help": "scoring batch size"})
    learning_rate: float = field(default=5e-5, metadata={"help": "peak AdamW learning rate"})
    head_lr_multiplier: float = field(
        default=1.0, metadata={"help": "the 3-way head's learning rate, x learning_rate"}
    )
    class_weighting: str = field(default="none", metadata={"help": (
        "'none', or 'balanced': each class weighs total / (3 x its count) in the loss, "
        "counted over the training rows' allowed classes (`class_weights`)")})
    weight_decay: float = field(default=0.01, metadata={"help": "AdamW weight decay"})
    warmup_fraction: float = field(default=0.06,
                                   metadata={"help": "linear warm-up, share of steps"})
    epochs: float = field(default=3.0, metadata={"help": "epochs (best one is kept)"})
    max_steps: int = field(default=-1, metadata={"help": "stop after N steps (-1: off)"})
    threads: int = field(default=2, metadata={"help": "torch CPU threads"})
    limit_rows: int = field(default=0, metadata={"help": "use only N ClaimBuster rows (0: all)"})
    baseline: bool = field(default=True, metadata={"help": "also train TF-IDF + LR"})
    model_name: str = field(default="claim-checkworthiness", metadata={"help": "model name"})
    model_version: str = field(default="2.1.0", metadata={"help": "model version"})

    def __post_init__(self) -> None:
        self.run_name, self.output_dir, self.run_dir = run_locations(
            "claims", self.run_name, self.output_dir, self.run_dir)
        for name in ("dev_fraction", "news_dev_fraction"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in (0, 1), got {getattr(self, name)}")
        if self.class_weighting not in ("none", "balanced"):
            raise ValueError(f"class_weighting must be 'none' or 'balanced', "
                             f"got {self.class_weighting!r}")
        for name in ("max_length", "batch_size", "eval_batch_size", "threads", "news_repeat",
                     "extra_news_repeat"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")


def claim_data_config(path: Path) -> ClaimTrainingConfig:
    """The claim data a model was trained on, from its ``training_config.json``: a claim run's
    own config, or a multitask run's (`claimtrace.training.multitask`), whose claim data
    fields map one to one, so baselines and dev splits are rebuilt the same way for both."""
    return ClaimTrainingConfig.from_dict(
        claim_data_values(json.loads(Path(path).read_text(encoding="utf-8"))))


def claim_data_values(values: dict[str, Any]) -> dict[str, Any]:
    """A saved config's values under the claim trainer's names (see `claim_data_config`)."""
    if "claims_path" not in values:
        return values
    from claimtrace.training.multitask import MultiTaskTrainConfig

    return MultiTaskTrainConfig.from_dict(values).claim_data()


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


def claimbuster_rows(data: Dataset) -> list[dict[str, Any]]:
    """ClaimBuster sentences as training rows: the speaker's own voice, a coarse label.

    ``labels`` is the allowed-class mask plus a last element, the domain (0 ClaimBuster,
    1 news): Trainer may reorder evaluation rows (length grouping), and the labels come
    back with their predictions, so the metrics read the domain from there.
    """
    return [
        {"text": claim_input(text, 0), "labels": [*ALLOWED[f"claimbuster:{label}"], 0],
         "domain": "claimbuster", "gold": "CFS" if label == 1 else "rest"}
        for text, label in zip(data["text"], data["label"], strict=True)
    ]


def news_rows(claims: list[Any], repeat: int = 1) -> list[dict[str, Any]]:
    return [
        {"text": c.input, "labels": [*ALLOWED[c.label], 1], "domain": "news", "gold": c.label}
        for c in claims
    ] * repeat


def decode_labels(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(domain, gold class) per row from the ``labels`` column (see `claimbuster_rows`)."""
    import numpy as np

    domains = np.where(labels[:, 3] == 1, "news", "claimbuster")
    gold = [CLAIM_CLASSES[int(np.argmax(row[:3]))] if domain == "news"
            else ("CFS" if row[0] == 1 else "rest")
            for row, domain in zip(labels, domains, strict=True)]
    return domains, gold


def build_datasets(config: ClaimTrainingConfig) -> tuple[Dataset, Dataset, dict[str, int]]:
    """Train and dev rows of both sources: text (marked), labels (allowed mask), domain."""
    from datasets import Dataset

    from claimtrace.training.news_claims import (
        gold_rows,
        load_news_claims,
        load_polnear_claims,
        mark_attributions,
        split_by_article,
    )

    cb_train, cb_dev = load_splits(
        resolve(config.data_path), config.dev_fraction, config.split_seed, config.limit_rows
    )
    if config.claimbuster_train_rows and config.claimbuster_train_rows < len(cb_train):
        cb_train = cb_train.shuffle(seed=config.split_seed).select(
            range(config.claimbuster_train_rows))
    train, dev = claimbuster_rows(cb_train), claimbuster_rows(cb_dev)
    counts = {"claimbuster_train": len(train), "claimbuster_dev": len(dev)}
    if config.news_labels:
        claims, articles = load_news_claims(
            resolve(config.news_labels), resolve(config.news_texts),
            gold_rows(resolve(config.gold_selection)))
        news_train, news_dev = split_by_article(claims, config.news_dev_fraction,
                                                config.split_seed)
        news_train = mark_attributions(news_train, articles)
        news_dev = mark_attributions(news_dev, articles)
        train += news_rows(news_train, config.news_repeat)
        dev += news_rows(news_dev)
        counts.update(
            news_train=len(news_train), news_dev=len(news_dev),
            news_train_articles=len({c.article_id for c in news_train}),
            news_dev_articles=len({c.article_id for c in news_dev}),
            news_quote_marked=sum(c.input.startswith("quote")
                                  for c in (*news_train, *news_dev)),
            **{f"news_{c}": sum(x.label == c for x in claims) for c in CLAIM_CLASSES})
    if config.extra_news_labels:
        # Training only: development stays Wikinews, the news the pipeline is judged on.
        extra, texts = load_polnear_claims(resolve(config.extra_news_labels),
                                           resolve(config.extra_news_texts))
        train += news_rows(mark_attributions(extra, texts), config.extra_news_repeat)
        counts.update(extra_news_train=len(extra),
                      extra_news_articles=len({c.article_id for c in extra}),
                      **{f"extra_news_{c}": sum(x.label == c for x in extra)
                         for c in CLAIM_CLASSES})
    return Dataset.from_list(train), Dataset.from_list(dev), counts


def tokenize(data: Dataset, tokenizer: PreTrainedTokenizerBase, max_length: int) -> Dataset:
    """Token ids only; padding happens per batch (DataCollatorWithPadding)."""
    return data.map(
        lambda batch: tokenizer(batch["text"], truncation=True, max_length=max_length),
        batched=True,
        keep_in_memory=True,
        remove_columns=[c for c in ("domain", "gold") if c in data.column_names],
        desc="tokenise",
    )


# --- metrics ----------------------------------------------------------------------------


def _f1_at(labels: np.ndarray, scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Positive-class F1 at each threshold (vectorised)."""
    import numpy as np

    flagged = scores[None, :] >= thresholds[:, None]
    tp = (flagged & (labels[None, :] == 1)).sum(axis=1)
    return 2 * tp / np.clip(flagged.sum(axis=1) + labels.sum(), 1, None)


# How far below the best joint dev F1 the threshold may go to favour precision. Dev F1 is
# flat over a wide band of thresholds (run r6: 0.853-0.860 from 0.1 to 0.75, its argmax at
# 0.097), so the argmax alone is noise; within half an F1 point (the budget the speed issue
# allows int8) the highest threshold is taken, because fact-checkers pay for every opinion
# flagged as a claim (the news-claims issue asks for precision >= 0.85).
THRESHOLD_TOLERANCE = 0.005


def choose_joint_threshold(domains: np.ndarray, labels: np.ndarray, scores: np.ndarray,
                           tolerance: float = THRESHOLD_TOLERANCE) -> float:
    """One cut-off for both sources: the highest score whose mean of each domain's
    CFS-vs-rest F1 is within `tolerance` of the best mean.

    One model serves debates and news, so the threshold may not favour either; with a
    single domain and no tolerance this is that domain's best-F1 threshold (the highest, on a
    tie).
    """
    import numpy as np

    candidates = np.unique(scores)
    mean_f1 = np.mean([_f1_at(labels[domains == d], scores[domains == d], candidates)
                       for d in np.unique(domains)], axis=0)
    return float(candidates[np.nonzero(mean_f1 >= mean_f1.max() - tolerance)[0].max()])


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
    two_classes = len(set(labels.tolist())) == 2
    return {
        "precision": round(float(p), 4),
        "recall": round(float(r), 4),
        "f1": round(float(f1), 4),
        "roc_auc": round(float(roc_auc_score(labels, scores)), 4) if two_classes else None,
        "pr_auc": round(float(average_precision_score(labels, scores)), 4)
        if two_classes else None,
        "threshold": round(float(threshold), 6),
    }


def three_class_metrics(gold: list[str], probs: np.ndarray, threshold: float) -> dict:
    """Macro-F1 and accuracy over CFS / UFS / NFS, labels as the pipeline assigns them."""
    from sklearn.metrics import accuracy_score, f1_score

    predicted = [claim_label(dict(zip(CLAIM_CLASSES, row, strict=True)), threshold)
                 for row in probs.tolist()]
    return {
        "macro_f1": round(float(f1_score(gold, predicted, labels=list(CLAIM_CLASSES),
                                         average="macro", zero_division=0)), 4),
        "accuracy": round(float(accuracy_score(gold, predicted)), 4),
    }


def dev_metrics(
    domains: np.ndarray, gold: list[str], probs: np.ndarray, threshold: float
) -> dict[str, Any]:
    """Per source: CFS-vs-rest at `threshold`; news also three-class; their mean F1."""
    import numpy as np

    labels = np.asarray([g == "CFS" for g in gold], dtype=int)
    out: dict[str, Any] = {}
    for domain in ("claimbuster", "news"):
        keep = domains == domain
        if not keep.any():
            continue
        out[domain] = evaluate(labels[keep], probs[keep, 0], threshold)
        out[domain]["rows"] = int(keep.sum())
        if domain == "news":
            out[domain].update(three_class_metrics(
                [g for g, k in zip(gold, keep, strict=True) if k], probs[keep], threshold))
    out["joint_f1"] = round(float(np.mean([out[d]["f1"] for d in out])), 4)
    return out


def compute_trainer_metrics(eval_pred: Any) -> dict[str, float]:
    """Per-epoch dev metrics for Trainer, in whatever order it evaluated the rows."""
    import numpy as np
    from scipy.special import softmax

    probs = softmax(eval_pred.predictions, axis=-1)
    domains, gold = decode_labels(np.asarray(eval_pred.label_ids))
    labels = np.asarray([g == "CFS" for g in gold], dtype=int)
    found = dev_metrics(domains, gold, probs, choose_joint_threshold(domains, labels, probs[:, 0]))
    flat = {"joint_f1": found["joint_f1"]}
    for domain in ("claimbuster", "news"):
        if domain in found:
            flat[f"{domain}_f1"] = found[domain]["f1"]
            flat[f"{domain}_pr_auc"] = found[domain]["pr_auc"]
    if "news" in found:
        flat["news_macro_f1"] = found["news"]["macro_f1"]
    return flat


def class_weights(labels: list[list[int]]) -> list[float]:
    """'balanced' weights per class: total / (classes x count). A row whose label allows
    several classes (a ClaimBuster 0) counts a share of one towards each."""
    import numpy as np

    masks = np.asarray(labels, dtype=float)[:, : len(CLAIM_CLASSES)]
    counts = (masks / masks.sum(axis=1, keepdims=True)).sum(axis=0)
    return (len(masks) / (len(CLAIM_CLASSES) * counts)).tolist()


def allowed_nll(outputs: Any, labels: Any, num_items_in_batch: Any = None,
                weights: Any = None) -> Any:
    """-log p(label's allowed classes), batch mean: cross-entropy for a one-class label,
    the marginal likelihood log(p_UFS + p_NFS) for a ClaimBuster 0. With per-class
    `weights`, each row weighs the mean of its allowed classes' weights (a weighted mean)."""
    import torch

    logits = outputs["logits"] if isinstance(outputs, dict) else outputs[0]
    # labels[:, 3] is the domain (see `claimbuster_rows`), not a class.
    mask = labels[:, : logits.shape[-1]]
    allowed = logits.masked_fill(mask <= 0, float("-inf"))
    nll = torch.logsumexp(logits, dim=-1) - torch.logsumexp(allowed, dim=-1)
    if weights is None:
        return nll.mean()
    row = (mask * torch.as_tensor(weights, dtype=logits.dtype)).sum(-1) / mask.sum(-1)
    return (row * nll).sum() / row.sum()


# --- models -----------------------------------------------------------------------------


def train_transformer(
    config: ClaimTrainingConfig, train: Dataset, dev: Dataset
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, list[dict[str, float]]]:
    """Fine-tune the whole encoder plus a 3-way head; keep the epoch with the best joint F1."""
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
        num_labels=len(CLAIM_CLASSES),
        id2label=dict(enumerate(CLAIM_CLASSES)),
        label2id=CLASS_IDS,
        local_files_only=True,
    )
    if config.init_from:
        model.load_state_dict(three_way_state(resolve(config.init_from)), strict=True)
    keep_encoder_layers(model, config.encoder_layers)
    trainer = Trainer(
        model=model,
        args=_training_arguments(config),
        train_dataset=tokenize(train, tokenizer, config.max_length),
        eval_dataset=tokenize(dev, tokenizer, config.max_length),
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
        compute_loss_func=_loss(config, train),
        compute_metrics=compute_trainer_metrics,
        optimizers=(_optimizer(model, config), None),  # Trainer adds the schedule
    )
    trainer.train()
    trainer.save_metrics("train", trainer.state.log_history[-1])
    return trainer.model, tokenizer, epoch_curve(trainer.state.log_history)


def _loss(config: ClaimTrainingConfig, train: Dataset) -> Any:
    if config.class_weighting == "none":
        return allowed_nll
    weights = class_weights(list(train["labels"]))
    log.info("class weights %s: %s", CLAIM_CLASSES, [round(w, 3) for w in weights])
    return functools.partial(allowed_nll, weights=weights)


def _optimizer(model: PreTrainedModel, config: ClaimTrainingConfig) -> Any:
    """AdamW with the head in its own group: a warm-started head has identical UFS and NFS
    rows (`three_way_state`), and only news rows pull them apart, so it may learn faster."""
    import torch

    groups: dict[str, list] = {"head": [], "decay": [], "no_decay": []}
    for name, param in model.named_parameters():
        if name.startswith("classifier."):
            groups["head"].append(param)
        elif name.endswith("bias") or "LayerNorm" in name:
            groups["no_decay"].append(param)
        else:
            groups["decay"].append(param)
    lr = config.learning_rate
    return torch.optim.AdamW([
        {"params": groups["decay"], "lr": lr, "weight_decay": config.weight_decay},
        {"params": groups["no_decay"], "lr": lr, "weight_decay": 0.0},
        {"params": groups["head"], "lr": lr * config.head_lr_multiplier,
         "weight_decay": config.weight_decay},
    ])


def three_way_state(model_dir: Path) -> dict[str, Any]:
    """A committed claim model's weights, its binary head turned into a 3-way one.

    Row CFS takes the old check-worthy row; UFS and NFS both take the old "not" row with
    log 2 off their bias, so p(UFS) + p(NFS) equals the old p(not check-worthy) exactly:
    training starts from the old model's binary behaviour.
    """
    import math

    import torch

    from claimtrace.pipeline.classify import HEAD, head_classes
    from claimtrace.training.onnx_export import load_torch_model

    model, _ = load_torch_model(model_dir)  # checks checksums; a shipped graph is read back
    state = dict(model.state_dict())
    classes = head_classes(json.loads((model_dir / HEAD).read_text(encoding="utf-8")))
    if tuple(classes) == CLAIM_CLASSES:
        return state
    if tuple(classes) != ("rest", "CFS"):
        raise ValueError(f"{model_dir}: cannot start from classes {classes}")
    weight, bias = state["classifier.weight"], state["classifier.bias"]
    state["classifier.weight"] = torch.stack([weight[1], weight[0], weight[0]])
    state["classifier.bias"] = torch.stack(
        [bias[1], bias[0] - math.log(2), bias[0] - math.log(2)])
    return state


def _training_arguments(config: ClaimTrainingConfig) -> Any:
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(resolve(config.run_dir) / "checkpoints"),
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.eval_batch_size,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        warmup_steps=config.warmup_fraction,  # a float < 1 is a ratio in transformers 5
        num_train_epochs=config.epochs,
        max_steps=config.max_steps,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_only_model=True,
        save_total_limit=1,
        load_best_model_at_end=True,
        metric_for_best_model="joint_f1",
        greater_is_better=True,
        logging_steps=25,
        seed=config.seed,
        data_seed=config.seed,
        use_cpu=True,
        dataloader_num_workers=0,
        # Similar lengths in a batch: less padding, roughly 1.5x faster on CPU.
        train_sampling_strategy="group_by_length",
        report_to="none",
        disable_tqdm=False,  # Trainer's own bar: steps done, total and ETA
    )


def epoch_curve(log_history: list[dict[str, Any]]) -> list[dict[str, float]]:
    """Development figures per epoch from Trainer's log, for the card and the plot."""
    keys = ("joint_f1", "claimbuster_f1", "news_f1", "news_macro_f1", "claimbuster_pr_auc",
            "news_pr_auc")
    return [
        {"epoch": round(float(entry["epoch"]), 2),
         **{k: entry[f"eval_{k}"] for k in keys if f"eval_{k}" in entry},
         "eval_loss": round(float(entry["eval_loss"]), 4)}
        for entry in log_history
        if "eval_joint_f1" in entry
    ]


class ClaimBaseline:
    """TF-IDF word 1-2 grams + logistic regression, trained on the same rows as the model.

    Two classifiers make the three classes: CFS vs rest on every row, and UFS vs NFS on the
    rows that say which (news); p(UFS) = (1 - p(CFS)) * p(UFS | not CFS).
    """

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _pipeline(self) -> Any:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        return make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced",
                               random_state=self.seed),
        )

    def fit(self, texts: list[str], allowed: list[list[int]]) -> ClaimBaseline:
        self.cfs = self._pipeline().fit(texts, [int(a[0] == 1) for a in allowed])
        which = [(t, a[1]) for t, a in zip(texts, allowed, strict=True)
                 if a[0] == 0 and a[1] + a[2] == 1]
        self.ufs = None
        if len({w for _, w in which}) == 2:
            self.ufs = self._pipeline().fit([t for t, _ in which], [w for _, w in which])
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        cfs = self.cfs.predict_proba(texts)[:, 1]
        ufs = self.ufs.predict_proba(texts)[:, 1] if self.ufs else np.full(len(texts), 0.5)
        return np.stack([cfs, (1 - cfs) * ufs, (1 - cfs) * (1 - ufs)], axis=1)


def model_probabilities(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: list[str],
    config: ClaimTrainingConfig,
) -> np.ndarray:
    """Dev probabilities through the pipeline's own scoring code, so reported = served."""
    import numpy as np

    from claimtrace.pipeline.classify import class_probabilities

    model.eval()
    return np.asarray(
        class_probabilities(model, tokenizer, texts, config.eval_batch_size, config.max_length)
    )


# --- artifact ---------------------------------------------------------------------------


def _is_big_matrix(name: str, tensor: Any) -> bool:
    # Word/position embeddings and encoder Linear weights hold 99% of the bytes; the 3x384
    # classifier and token-type embeddings are tiny, so they stay float32.
    return min(tensor.shape) >= 256


def export_artifact(
    model: PreTrainedModel,
    out_dir: Path,
    config: ClaimTrainingConfig,
    threshold: float,
) -> Path:
    """Write int8 safetensors weights, config, tokenizer, head and training config, then the
    ONNX graph the pipeline serves (`claimtrace.training.onnx_export`)."""
    from safetensors.torch import save_file

    from claimtrace.training.onnx_export import export_onnx

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
        "classes": list(CLAIM_CLASSES),
        "input_format": INPUT_FORMAT,
        "base_encoder": {"package": BASE_ENCODER_PACKAGE, "sha256": BASE_ENCODER_SHA256},
    }
    _write_json(out_dir / "claim_head.json", head)
    _write_json(out_dir / TRAINING_CONFIG, config.to_dict())
    write_manifest(out_dir, extra={"model": f"{config.model_name}@{config.model_version}"})
    export_onnx(out_dir)
    return out_dir


def artifact_bytes(out_dir: Path) -> int:
    return sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())


def plot_epoch_curve(curve: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3), dpi=100)
    for key in ("joint_f1", "claimbuster_f1", "news_f1", "news_macro_f1"):
        if all(key in c for c in curve):
            ax.plot([c["epoch"] for c in curve], [c[key] for c in curve], marker="o", label=key)
    ax.set(xlabel="epoch", ylabel="dev F1 (joint threshold)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


# --- the whole run ----------------------------------------------------------------------


def train_claims(config: ClaimTrainingConfig) -> dict[str, Any]:
    """Build the data, fine-tune, pick the threshold, compare with the baseline, export."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers reads it: local files only
    import numpy as np
    import torch
    from transformers import set_seed

    set_seed(config.seed)
    # Explicit: the machine is shared, and results/timings should not depend on core count.
    torch.set_num_threads(config.threads)
    started = time.perf_counter()
    out_dir = resolve(config.output_dir)
    check_output_dir(out_dir)  # a run goes to runs/, `claimtrace models promote` ships it

    train, dev, counts = build_datasets(config)
    log.info("rows: %s", counts)
    model, tokenizer, curve = train_transformer(config, train, dev)
    train_seconds = time.perf_counter() - started
    # Full-precision copy outside the artifact (git-ignored), for the fp32 benchmark.
    model.save_pretrained(resolve(config.run_dir) / FP32_COPY)
    tokenizer.save_pretrained(resolve(config.run_dir) / FP32_COPY)

    domains, gold, texts = np.asarray(dev["domain"]), list(dev["gold"]), list(dev["text"])
    labels = np.asarray([g == "CFS" for g in gold], dtype=int)
    fp32 = model_probabilities(model, tokenizer, texts, config)
    export_artifact(model, out_dir, config, choose_joint_threshold(domains, labels, fp32[:, 0]))
    committed = served_probabilities(out_dir, texts, config)
    # The threshold is for the model as the classify stage serves it (the int8 ONNX graph),
    # chosen on its own scores; re-exporting rewrites the head (and the same graph).
    threshold = choose_joint_threshold(domains, labels, committed[:, 0])
    export_artifact(model, out_dir, config, threshold)

    metrics = {
        "model": f"{config.model_name}@{config.model_version}",
        "rows": counts,
        "threshold": round(threshold, 6),
        "transformer_fp32": dev_metrics(domains, gold, fp32, threshold),
        "committed_int8": dev_metrics(domains, gold, committed, threshold),
        "epochs": curve,
        "training_seconds": round(train_seconds, 1),
        "hardware": hardware(config.threads),
    }
    curves = {f"MiniLM 3-way, {d}": (labels[domains == d], committed[domains == d, 0])
              for d in np.unique(domains)}
    if config.baseline:
        base = ClaimBaseline(config.seed).fit(list(train["text"]), list(train["labels"]))
        base_probs = base.predict_proba(texts)
        base_threshold = choose_joint_threshold(domains, labels, base_probs[:, 0])
        metrics["baseline_tfidf_lr"] = dev_metrics(domains, gold, base_probs, base_threshold)
        curves.update({f"TF-IDF + LR, {d}": (labels[domains == d], base_probs[domains == d, 0])
                       for d in np.unique(domains)})
    _finish_artifact(out_dir, metrics, curves)
    return metrics


def served_probabilities(
    out_dir: Path, texts: list[str], config: ClaimTrainingConfig
) -> np.ndarray:
    """Probabilities of the artifact as the classify stage serves it by default (checksums,
    the int8 ONNX graph on ONNX Runtime, batches of its default size)."""
    import numpy as np

    from claimtrace.pipeline.classify import ClaimClassifier

    classifier = ClaimClassifier(str(out_dir), num_threads=config.threads)
    rows = classifier.probabilities(list(texts))
    return np.asarray([[row[c] for c in CLAIM_CLASSES] for row in rows])


def retune_threshold(run_dir: Path) -> dict[str, Any]:
    """Re-choose a run's threshold on its served scores (`served_probabilities`) and
    rewrite its head, metrics, card and manifest; the weights are untouched.

    For runs made before the threshold was chosen on the served form (they chose it on
    the fp32 training copy's scores).
    """
    import numpy as np

    from claimtrace.artifacts import verify_artifact
    from claimtrace.training.cards import write_card

    verify_artifact(run_dir)
    config = ClaimTrainingConfig.from_json(run_dir / TRAINING_CONFIG)
    _, dev, _ = build_datasets(config)
    domains, gold = np.asarray(dev["domain"]), list(dev["gold"])
    labels = np.asarray([g == "CFS" for g in gold], dtype=int)
    served = served_probabilities(run_dir, list(dev["text"]), config)
    threshold = choose_joint_threshold(domains, labels, served[:, 0])
    head = json.loads((run_dir / "claim_head.json").read_text("utf-8"))
    metrics = json.loads((run_dir / "metrics.json").read_text("utf-8"))
    metrics["threshold_before_retune"] = head["threshold"]
    head["threshold"] = metrics["threshold"] = round(threshold, 6)
    metrics["committed_int8"] = dev_metrics(domains, gold, served, threshold)
    _write_json(run_dir / "claim_head.json", head)
    _write_json(run_dir / "metrics.json", metrics)
    write_manifest(run_dir, extra={"model": metrics["model"]})
    write_card(run_dir, CLAIM_MODEL)
    return metrics


def _finish_artifact(out_dir: Path, metrics: dict[str, Any], curves: dict) -> None:
    from claimtrace.evaluation.report import plot_pr_curves
    from claimtrace.training.cards import write_card

    plot_pr_curves(curves, out_dir / "pr_curve.png", "CFS vs rest, development rows")
    if len(metrics["epochs"]) > 1:
        plot_epoch_curve(metrics["epochs"], out_dir / "f1_by_epoch.png")
    metrics["artifact_bytes"] = artifact_bytes(out_dir)  # before card/metrics, weights dominate
    _write_json(out_dir / "metrics.json", metrics)
    write_manifest(out_dir, extra={"model": metrics["model"]})
    write_card(out_dir, CLAIM_MODEL)


def hardware(num_threads: int) -> str:
    import torch

    cpu = platform.processor() or platform.machine()
    return (
        f"CPU only ({cpu}, {os.cpu_count()} cores visible, torch threads={num_threads}), "
        f"torch {torch.__version__}, {platform.system()}"
    )
