"""Train one encoder for both heads: attribution tags per subword, claim classes per sentence.

Run as ``claimtrace train multitask``. The tagger (`claimtrace.training.attribution`) and the
claim model (`claimtrace.training.claims`) used to be two MiniLM encoders, and the pipeline
ran both over every article. Here the tagger's encoder is fine-tuned further with a claim
head beside its token head (`claimtrace.pipeline.shared_encoder` describes what the head
reads), so one pass per window serves both.

Data, each batch mixing what the length sampler groups together:
- token rows: PolNeAR training windows and the news attribution articles, as the tagger was
  trained (same windows, same labels);
- claim rows: ClaimBuster sentences alone in a window (the speaker's own voice), and news
  sentences inside the very windows the pipeline cuts from their article, with the content of
  the pipeline's own attributions flagged. The splits are the claim trainer's, so dev
  figures compare with the separate claim model's.

Losses: token cross-entropy plus `claim_weight` x the claim trainer's allowed-class NLL
(a ClaimBuster 0 allows UFS or NFS). The run writes two artifacts: ``attribution/`` (the
tagger, its graph now also returning ``hidden``) and ``claims/`` (the head, tied to that graph
by its sha256). Both are scored on dev as served (ONNX Runtime, int8).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimtrace.artifacts import TRAINING_CONFIG, sha256_file
from claimtrace.pipeline.attribute.tagger import sentence_starts, window_starts
from claimtrace.pipeline.classify import CLAIM_CLASSES
from claimtrace.pipeline.runtime import ONNX_FILE, TORCH_FILE, SubwordTokenizer
from claimtrace.pipeline.shared_encoder import (
    HEAD_WEIGHTS,
    POOLING,
    SHARED_LAYER,
    content_flags,
    sentence_window,
    subword_range,
)
from claimtrace.training.attribution import (
    IGNORE_INDEX,
    AttributionTrainConfig,
    build_dataset,
    load_articles,
    news_training_articles,
)
from claimtrace.training.claims import ALLOWED, hardware
from claimtrace.training.runs import check_output_dir, resolve, run_locations

log = logging.getLogger(__name__)
NO_SENTENCE = -1


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass
class MultiTaskTrainConfig(AttributionTrainConfig):
    """The tagger's settings (inherited) plus the claim data and head. Saved as
    ``training_config.json`` in both artifacts."""

    init_from: str = field(default="models/attribution", metadata=_help(
        "tagger to continue from: a run folder (safetensors) or a shipped one (weights read "
        "from its ONNX graph)"))
    news_train_dir: str = field(default="data/labels/news_attributions/articles",
                                metadata=_help("news attribution articles (gold format)"))
    news_repeat: int = field(default=4, metadata=_help("times each news article is seen"))
    max_train_articles: int = field(default=150, metadata=_help("PolNeAR articles (0 = all)"))
    epochs: float = field(default=2.0, metadata=_help("passes over all training rows"))
    learning_rate: float = field(default=5e-5, metadata=_help("peak learning rate (AdamW)"))
    threads: int = field(default=2, metadata=_help("torch threads"))
    bf16: bool = field(default=False, metadata=_help("bf16 autocast (only CPUs with native "
                                                     "bf16 gain)"))
    claims_path: str = field(default="../shared/data/claimbuster/checkworthy_train.jsonl",
                             metadata=_help("ClaimBuster JSONL"))
    news_claim_labels: str = field(default="data/labels/news_claims/labels.jsonl",
                                   metadata=_help("news claim labels (offsets only)"))
    gold_selection: str = field(default="evaluation/gold/selection.json",
                                metadata=_help("gold rows: refused as training data"))
    claim_dev_fraction: float = field(default=0.1, metadata=_help("ClaimBuster dev split"))
    news_claim_dev_fraction: float = field(default=0.2, metadata=_help("news dev, by article"))
    news_claim_repeat: int = field(default=3, metadata=_help("times each news claim is seen"))
    claimbuster_train_rows: int = field(default=0, metadata=_help("sample N (0: all)"))
    split_seed: int = field(default=13, metadata=_help("seed of the claim dev splits"))
    claim_max_length: int = field(default=96, metadata=_help("subwords per ClaimBuster row"))
    claim_weight: float = field(default=1.0, metadata=_help("claim loss weight"))
    head_hidden: int = field(default=256, metadata=_help("claim head's hidden units"))
    head_lr_multiplier: float = field(default=20.0, metadata=_help("claim head lr multiple"))
    claim_model_name: str = field(default="claim-checkworthiness", metadata=_help("name"))
    claim_model_version: str = field(default="3.0.0", metadata=_help("version"))

    def __post_init__(self) -> None:
        self.run_name, self.output_dir, self.run_dir = run_locations(
            "multitask", self.run_name, self.output_dir, self.run_dir)
        super().__post_init__()

    def claim_data(self) -> dict[str, Any]:
        """The claim data fields under the claim trainer's names (`claims.claim_data_config`)."""
        return {"data_path": self.claims_path, "news_labels": self.news_claim_labels,
                "news_texts": self.news_texts, "gold_selection": self.gold_selection,
                "dev_fraction": self.claim_dev_fraction,
                "news_dev_fraction": self.news_claim_dev_fraction,
                "news_repeat": self.news_claim_repeat,
                "claimbuster_train_rows": self.claimbuster_train_rows,
                "split_seed": self.split_seed, "seed": self.seed, "run_name": self.run_name,
                "max_length": self.claim_max_length}

    @property
    def attribution_dir(self) -> Path:
        return Path(self.output_dir) / "attribution"

    @property
    def claims_dir(self) -> Path:
        return Path(self.output_dir) / "claims"


# --------------------------------------------------------------------------- model


def shared_model_class() -> type:
    import torch

    class SharedEncoderModel(torch.nn.Module):
        """The tagger (encoder + token head) and a claim head on pooled states."""

        def __init__(self, tagger: Any, head_hidden: int) -> None:
            super().__init__()
            self.tagger = tagger
            size = tagger.config.hidden_size
            self.dropout = torch.nn.Dropout(0.1)
            self.hidden = torch.nn.Linear(2 * size + 1, head_hidden)
            self.out = torch.nn.Linear(head_hidden, len(CLAIM_CLASSES))

        def claim_logits(self, features: Any) -> Any:
            return self.out(torch.tanh(self.hidden(self.dropout(features))))

        def forward(self, input_ids: Any, attention_mask: Any, labels: Any = None,
                    sentence_ids: Any = None, content: Any = None, claim_allowed: Any = None,
                    **_: Any) -> dict[str, Any]:
            out = self.tagger.bert(input_ids=input_ids, attention_mask=attention_mask,
                                   output_hidden_states=True)
            logits = self.tagger.classifier(self.tagger.dropout(out.last_hidden_state))
            states = out.hidden_states[SHARED_LAYER]  # what the claim head reads
            loss = states.new_zeros(())
            if labels is not None and bool((labels != IGNORE_INDEX).any()):
                loss = loss + torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                    ignore_index=IGNORE_INDEX)
            if claim_allowed is not None and claim_allowed.numel() and bool(claim_allowed.any()):
                features = pooled_batch(states, sentence_ids, content, claim_allowed.shape[1])
                loss = loss + self.claim_weight * allowed_nll(self.claim_logits(features),
                                                              claim_allowed)
            return {"loss": loss, "logits": logits}

        claim_weight = 1.0

    return SharedEncoderModel


def pooled_batch(states: Any, sentence_ids: Any, content: Any, sentences: int) -> Any:
    """[batch, sentences, 2 x hidden + 1]: `shared_encoder.pooled_features` for every
    sentence of every row, in torch (rows with fewer sentences get zeros)."""
    import torch

    member = (sentence_ids.unsqueeze(-1) == torch.arange(sentences)).to(states.dtype)  # b,t,k
    inside = member * content.unsqueeze(-1).to(states.dtype)
    total = torch.einsum("btk,bth->bkh", member, states)
    in_content = torch.einsum("btk,bth->bkh", inside, states)
    counts, content_counts = member.sum(1).unsqueeze(-1), inside.sum(1).unsqueeze(-1)
    return torch.cat([total / counts.clamp(min=1), in_content / content_counts.clamp(min=1),
                      (content_counts > 0).to(states.dtype)], dim=-1)


def allowed_nll(logits: Any, allowed: Any) -> Any:
    """Mean of -log p(allowed classes) over the sentences that have a label."""
    import torch

    valid = allowed.sum(-1) > 0
    masked = logits.masked_fill(allowed <= 0, float("-inf"))
    nll = torch.logsumexp(logits, dim=-1) - torch.logsumexp(masked, dim=-1)
    return nll[valid].mean()


def initial_tagger(init_from: str) -> Any:
    """The token classifier to continue from, in torch (fp32)."""
    folder = resolve(init_from)
    if (folder / TORCH_FILE).is_file():
        from claimtrace.pipeline.attribute.tagger import load_tagger

        return load_tagger(folder, runtime="torch").model
    from claimtrace.training.onnx_import import torch_model_from_onnx

    return torch_model_from_onnx(folder, token_level=True)


# --------------------------------------------------------------------------- data


def token_rows(config: MultiTaskTrainConfig, tokenizer: Any) -> list[dict[str, Any]]:
    """The tagger's training windows, with no claim targets."""
    articles = load_articles(config, config.train_split, config.max_train_articles)
    articles += news_training_articles(config) * config.news_repeat if config.news_train_dir \
        else []
    rows = build_dataset(articles, tokenizer, config).to_list()
    for row in rows:
        row.update(sentence_ids=[NO_SENTENCE] * len(row["input_ids"]),
                   content=[0] * len(row["input_ids"]), claim_allowed=[])
    return rows


def claimbuster_row(text: str, label: int, tokenizer: SubwordTokenizer,
                    max_length: int) -> dict[str, Any]:
    """One ClaimBuster sentence, alone in its window, in the speaker's own voice."""
    ids = tokenizer.for_model([text], max_length)[0]
    inner = len(ids) - 2
    return {"input_ids": ids, "attention_mask": [1] * len(ids),
            "labels": [IGNORE_INDEX] * len(ids),
            "sentence_ids": [NO_SENTENCE, *[0] * inner, NO_SENTENCE],
            "content": [0] * len(ids), "claim_allowed": [list(ALLOWED[f"claimbuster:{label}"])]}


def article_claim_rows(text: str, sentences: Sequence[tuple[int, int, str]],
                       contents: Sequence[tuple[int, int]], tokenizer: SubwordTokenizer,
                       max_length: int, overlap: int) -> list[dict[str, Any]]:
    """Windows of one article, cut as the pipeline cuts them, each with the labelled
    sentences (start, end, class) it holds most of."""
    ids, offsets = tokenizer.plain(text)
    size = max_length - 2
    starts = window_starts(len(ids), size, overlap, sentence_starts(text, offsets))
    windows = [(s, min(s + size, len(ids))) for s in starts] if ids else []
    flags = content_flags(offsets, contents)
    targets: dict[int, list[tuple[int, int, str]]] = {}
    for start, end, label in sentences:
        first, stop = subword_range(offsets, start, end)
        w = sentence_window(first, stop, windows)
        if first < stop and w >= 0:
            targets.setdefault(w, []).append((first, stop, label))
    rows = []
    for w, found in sorted(targets.items()):
        w_start, w_end = windows[w]
        sentence_ids = [NO_SENTENCE] * (w_end - w_start)
        for k, (first, stop, _) in enumerate(found):
            for i in range(max(first, w_start), min(stop, w_end)):
                sentence_ids[i - w_start] = k
        n = w_end - w_start + 2
        rows.append({
            "input_ids": [tokenizer.cls_token_id, *ids[w_start:w_end], tokenizer.sep_token_id],
            "attention_mask": [1] * n, "labels": [IGNORE_INDEX] * n,
            "sentence_ids": [NO_SENTENCE, *sentence_ids, NO_SENTENCE],
            "content": [0, *[int(f) for f in flags[w_start:w_end]], 0],
            "claim_allowed": [list(ALLOWED[label]) for _, _, label in found]})
    return rows


def claim_splits(config: MultiTaskTrainConfig) -> dict[str, Any]:
    """ClaimBuster and news claim rows, split as the claim trainer splits them."""
    from claimtrace.training.claims import load_splits
    from claimtrace.training.news_claims import (
        article_contents,
        gold_rows,
        load_news_claims,
        split_by_article,
    )

    cb_train, cb_dev = load_splits(resolve(config.claims_path), config.claim_dev_fraction,
                                   config.split_seed)
    if config.claimbuster_train_rows and config.claimbuster_train_rows < len(cb_train):
        cb_train = cb_train.shuffle(seed=config.split_seed).select(
            range(config.claimbuster_train_rows))
    claims, articles = load_news_claims(resolve(config.news_claim_labels),
                                        resolve(config.news_texts),
                                        gold_rows(resolve(config.gold_selection)))
    news_train, news_dev = split_by_article(claims, config.news_claim_dev_fraction,
                                            config.split_seed)
    contents = article_contents(sorted({c.row for c in claims}), articles)
    return {"claimbuster_train": cb_train, "claimbuster_dev": cb_dev, "news_train": news_train,
            "news_dev": news_dev, "articles": articles, "contents": contents}


def news_claim_rows(news: Sequence[Any], articles: dict[int, str], contents: dict,
                    tokenizer: SubwordTokenizer, config: MultiTaskTrainConfig) -> list[dict]:
    rows = []
    for row in sorted({c.row for c in news}):
        sentences = [(c.start, c.end, c.label) for c in news if c.row == row]
        rows += article_claim_rows(articles[row], sentences, contents[row], tokenizer,
                                   config.max_length, config.predict_overlap)
    return rows


def training_dataset(config: MultiTaskTrainConfig, tokenizer: Any,
                     splits: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    from datasets import Dataset

    subwords = SubwordTokenizer(tokenizer.backend_tokenizer)
    tokens = token_rows(config, tokenizer)
    claimbuster = [claimbuster_row(t, label, subwords, config.claim_max_length) for t, label
                   in zip(splits["claimbuster_train"]["text"], splits["claimbuster_train"]["label"],
                          strict=True)]
    news = news_claim_rows(splits["news_train"], splits["articles"], splits["contents"],
                           subwords, config) * config.news_claim_repeat
    rows = tokens + claimbuster + news
    for row in rows:
        row["length"] = len(row["input_ids"])
    counts = {"token_windows": len(tokens), "claimbuster_rows": len(claimbuster),
              "news_claim_windows": len(news),
              "news_claim_sentences": len(splits["news_train"]) * config.news_claim_repeat}
    return Dataset.from_list(rows), counts


def collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pad every field of a mixed batch (token rows have no claim targets, and vice versa)."""
    import torch

    width = max(len(r["input_ids"]) for r in rows)
    sentences = max(1, max(len(r["claim_allowed"]) for r in rows))

    def pad(key: str, value: int) -> Any:
        return torch.tensor([r[key] + [value] * (width - len(r[key])) for r in rows])

    allowed = torch.zeros((len(rows), sentences, len(CLAIM_CLASSES)), dtype=torch.float32)
    for i, row in enumerate(rows):
        for k, mask in enumerate(row["claim_allowed"]):
            allowed[i, k] = torch.tensor(mask, dtype=torch.float32)
    return {"input_ids": pad("input_ids", 0), "attention_mask": pad("attention_mask", 0),
            "labels": pad("labels", IGNORE_INDEX), "sentence_ids": pad("sentence_ids", -1),
            "content": pad("content", 0), "claim_allowed": allowed}


# --------------------------------------------------------------------------- training


def _optimizer(model: Any, config: MultiTaskTrainConfig) -> Any:
    """AdamW; the new claim head learns `head_lr_multiplier` times faster than the encoder
    it joins, which is already trained."""
    import torch

    groups: dict[str, list] = {"head": [], "decay": [], "no_decay": []}
    for name, param in model.named_parameters():
        if name.startswith(("hidden.", "out.")):
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


def train(config: MultiTaskTrainConfig) -> dict[str, Any]:
    """Fine-tune, export both artifacts, score them on dev as served; returns the metrics."""
    import torch
    from transformers import AutoTokenizer, Trainer, TrainingArguments, set_seed

    check_output_dir(config.output_dir)
    set_seed(config.seed)
    torch.set_num_threads(config.threads)
    started = time.time()
    init = resolve(config.init_from)
    tokenizer = AutoTokenizer.from_pretrained(str(init), local_files_only=True)
    splits = claim_splits(config)
    dataset, counts = training_dataset(config, tokenizer, splits)
    log.info("training rows: %s", counts)
    model = shared_model_class()(initial_tagger(config.init_from), config.head_hidden)
    model.claim_weight = config.claim_weight
    steps = max(1, round(len(dataset) / config.batch_size * config.epochs))
    args = TrainingArguments(
        output_dir=config.run_dir, per_device_train_batch_size=config.batch_size,
        max_steps=steps, warmup_steps=round(config.warmup_fraction * steps),
        lr_scheduler_type="linear", logging_steps=10, save_strategy="no", report_to="none",
        seed=config.seed, use_cpu=True, bf16=config.bf16, dataloader_num_workers=0,
        train_sampling_strategy="group_by_length", length_column_name="length",
        remove_unused_columns=False)
    trainer = Trainer(model=model, args=args, train_dataset=dataset, data_collator=collate,
                      optimizers=(_optimizer(model, config), None))
    result = trainer.train()
    info = {"counts": counts, "max_steps": steps, "train": dict(result.metrics),
            "train_seconds": round(time.time() - started)}
    return export_and_score(model.eval(), tokenizer, config, splits, info)


# --------------------------------------------------------------------------- artifacts


def export_and_score(model: Any, tokenizer: Any, config: MultiTaskTrainConfig,
                     splits: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
    """Write both artifacts, then score them as the pipeline serves them."""
    from claimtrace.training.attribution import export_artifact, finish_artifact

    tagger_config = AttributionTrainConfig.from_dict(
        {k: v for k, v in config.to_dict().items()
         if k in AttributionTrainConfig.__dataclass_fields__}
        | {"output_dir": str(config.attribution_dir)})
    # The tagger's own config goes beside it (what loading reads); the whole run's config
    # goes into its metrics and beside the claim head.
    export_artifact(model.tagger, tokenizer, tagger_config, {})
    dev = load_articles(config, config.dev_split, config.max_dev_articles)
    tagger_metrics = finish_artifact(tagger_config, dev, {"curve": [], "info": {
        **info, "multitask_config": config.to_dict()}})
    write_claim_head(model, config)
    claim_metrics = finish_claim_head(config, splits, info)
    return {"attribution": tagger_metrics["dev_artifact"], "claims": claim_metrics, **info}


def finish_claim_head(config: MultiTaskTrainConfig, splits: dict[str, Any],
                      info: dict[str, Any]) -> dict[str, Any]:
    """Score the written head as served, store its metrics, re-list its folder."""
    from claimtrace.artifacts import relist_manifest

    metrics = {**score_claim_head(config, splits), "counts": info["counts"],
               "epochs": config.epochs, "training_seconds": info["train_seconds"],
               "hardware": hardware(config.threads),
               "head_bytes": (config.claims_dir / HEAD_WEIGHTS).stat().st_size}
    (config.claims_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n",
                                                    encoding="utf-8")
    relist_manifest(config.claims_dir)
    return metrics


def rescore_claim_head(run: Path) -> dict[str, Any]:
    """Score a multitask run's claim head again as served (after a change to scoring), from
    the run's saved config and the training facts its attribution metrics recorded."""
    claims = Path(run) / "model" / "claims" if (Path(run) / "model").is_dir() else Path(run)
    config = MultiTaskTrainConfig.from_dict(
        json.loads((claims / TRAINING_CONFIG).read_text(encoding="utf-8")))
    info = json.loads((config.attribution_dir / "metrics.json").read_text(encoding="utf-8"))
    return finish_claim_head(config, claim_splits(config), info)


def write_claim_head(model: Any, config: MultiTaskTrainConfig, threshold: float = 0.5) -> None:
    """The head's weights (fp32, 0.8 MB), its description, and the graph it belongs to."""
    from safetensors.torch import save_file

    from claimtrace.artifacts import write_manifest

    out = config.claims_dir
    out.mkdir(parents=True, exist_ok=True)
    state = {f"{layer}.{kind}": getattr(getattr(model, layer), kind).detach().contiguous()
             for layer in ("hidden", "out") for kind in ("weight", "bias")}
    save_file(state, str(out / HEAD_WEIGHTS))
    head = {"name": config.claim_model_name, "version": config.claim_model_version,
            "classes": list(CLAIM_CLASSES), "threshold": threshold, "pooling": POOLING,
            "encoder": {"model": "attribution",
                        "sha256": sha256_file(config.attribution_dir / ONNX_FILE)}}
    (out / "claim_head.json").write_text(json.dumps(head, indent=2) + "\n", encoding="utf-8")
    (out / TRAINING_CONFIG).write_text(json.dumps(config.to_dict(), indent=2) + "\n",
                                       encoding="utf-8")
    write_manifest(out)


def score_claim_head(config: MultiTaskTrainConfig, splits: dict[str, Any]) -> dict[str, Any]:
    """Dev metrics of the served pair (ONNX graph + head), threshold chosen on dev as the
    claim trainer chooses it; the threshold is written into the head's description."""
    import numpy as np

    from claimtrace.pipeline.attribute.tagger import load_tagger
    from claimtrace.pipeline.shared_encoder import ClaimHead, sentence_features
    from claimtrace.training.claims import choose_joint_threshold, dev_metrics

    tagger = load_tagger(config.attribution_dir, threads=config.threads, runtime="onnx")
    head = ClaimHead.from_folder(config.claims_dir)
    features, domains, gold = [], [], []
    for text, label in zip(splits["claimbuster_dev"]["text"], splits["claimbuster_dev"]["label"],
                           strict=True):
        encoding = tagger.encode(text)
        features.append(sentence_features(encoding, 0, len(text), [False] * len(
            encoding.offsets)))
        domains.append("claimbuster")
        gold.append("CFS" if label == 1 else "rest")
    for row in sorted({c.row for c in splits["news_dev"]}):
        text = splits["articles"][row]
        encoding = tagger.encode(text)
        flags = content_flags(encoding.offsets, splits["contents"][row])
        for claim in (c for c in splits["news_dev"] if c.row == row):
            features.append(sentence_features(encoding, claim.start, claim.end, flags))
            domains.append("news")
            gold.append(claim.label)
    keep = [i for i, f in enumerate(features) if f is not None]
    probs = head.probabilities(np.stack([features[i] for i in keep]))
    domains_a = np.asarray([domains[i] for i in keep])
    gold_k = [gold[i] for i in keep]
    labels = np.asarray([g == "CFS" for g in gold_k], dtype=int)
    threshold = choose_joint_threshold(domains_a, labels, probs[:, 0])
    head_file = config.claims_dir / "claim_head.json"
    described = json.loads(head_file.read_text(encoding="utf-8"))
    described["threshold"] = round(threshold, 6)
    head_file.write_text(json.dumps(described, indent=2) + "\n", encoding="utf-8")
    return {"committed_int8": dev_metrics(domains_a, gold_k, probs, threshold),
            "threshold": round(threshold, 6),
            "dev_rows_without_subwords": len(features) - len(keep),
            "served": tagger.runtime.label if tagger.runtime else None}
