"""``claimtrace models ...``: ship a training run as one of the models claimtrace loads.

Training never writes into the shipped models (it writes ``runs/<name>/``). `promote` is the
one step that does, for both models: it verifies the run's artifact against its manifest,
prints every dev figure of the run beside the shipped model's, refuses a lower headline
figure unless forced, then replaces the model folder in one rename, with the run's manifest
and a card generated from the run's metrics (`claimtrace.training.cards`).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from claimtrace.artifacts import (
    MANIFEST,
    TRAINING_CONFIG,
    manifest_fields,
    verify_artifact,
    write_manifest,
)
from claimtrace.errors import ClaimtraceError
from claimtrace.pipeline.runtime import ONNX_FILE, TORCH_FILE
from claimtrace.settings import MODEL_NAMES, MODELS_ENV, REPO_ROOT, models_dir
from claimtrace.training.cards import METRICS, read_json, spec_for, write_card

models_app = typer.Typer(help="Ship and describe the models claimtrace loads.",
                         no_args_is_help=True)


@dataclass
class Comparison:
    """Dev figures of the shipped model (None when there is none) and of the run."""

    model: str
    headline: str
    shipped: dict[str, float] | None
    run: dict[str, float]

    @property
    def regression(self) -> bool:
        return self.shipped is not None and self.run[self.headline] < self.shipped[self.headline]

    def lines(self) -> list[str]:
        rows = [f"{'dev metric':34} {'shipped':>9} {'run':>9} {'change':>9}"]
        for key, value in self.run.items():
            old = None if self.shipped is None else self.shipped.get(key)
            change = "" if old is None else f"{value - old:+9.3f}"
            mark = "  <- decides" if key == self.headline else ""
            rows.append(f"{key:34} {'-' if old is None else f'{old:9.3f}':>9} {value:9.3f} "
                        f"{change:>9}{mark}")
        return rows


def artifact_folder(run: Path) -> Path:
    """The artifact inside a run: the run folder itself or its ``model/`` (attribution)."""
    for folder in (run, run / "model"):
        if (folder / MANIFEST).is_file():
            return folder
    raise ValueError(f"{run}: no {MANIFEST} in it or in {run / 'model'}; give a training run "
                     "folder (runs/<name>) or its artifact folder")


def compare(run: Path, model: str, target: Path) -> Comparison:
    spec = spec_for(model)
    shipped = None
    if (target / METRICS).is_file():
        shipped = spec.dev_metrics(read_json(target / METRICS))
    return Comparison(model, spec.headline, shipped, spec.dev_metrics(read_json(run / METRICS)))


def promote(run: Path, model: str, target: Path, force: bool = False,
            tried: Sequence[Path] = (), unfinished: Sequence[str] = ()) -> Comparison:
    """Copy the run's artifact to `target` (see module docstring); ValueError when refused.

    For a model whose card lists the runs tried (`ModelSpec.run_summary`), the promoted
    ``metrics.json`` records the run, every run in `tried` (its config and dev figures) and
    the notes in `unfinished` (runs stopped before they wrote an artifact: what and why)."""
    spec = spec_for(model)
    source = artifact_folder(Path(run))
    manifest = verify_artifact(source)  # the run as it was written, nothing unlisted
    if source.resolve() == target.resolve():
        raise ValueError(f"{source} is already the shipped {model} model")
    if (tried or unfinished) and spec.run_summary is None:
        raise ValueError(f"the {model} card lists no runs tried: drop --tried / --unfinished")
    comparison = compare(source, model, target)
    if comparison.regression and not force:
        raise ValueError(f"the run's {comparison.headline} is lower than the shipped model's "
                         "(see above); --force promotes it anyway")
    history = (None if spec.run_summary is None
               else runs_tried(spec.run_summary, source, tried, unfinished,
                               earlier=_shipped_history(target)))
    staging = target.with_name(f".{target.name}.promoting")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        _stage(source, manifest, staging, model, history)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # the shipped model is untouched
        raise
    old = target.with_name(f".{target.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return comparison


def _shipped_history(target: Path) -> dict[str, Any]:
    """The runs the shipped model's card lists, so a promotion adds to them: the run folders
    behind them are usually gone (``runs/`` is not committed)."""
    if not (target / METRICS).is_file():
        return {}
    metrics = read_json(target / METRICS)
    return {key: metrics[key] for key in ("runs_tried", "runs_unfinished", "runs_notes")
            if metrics.get(key)}


def runs_tried(summary: Callable[[dict[str, Any]], dict[str, Any]], chosen: Path,
               tried: Sequence[Path], unfinished: Sequence[str],
               earlier: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the promoted ``metrics.json`` records: the runs `earlier` promotions listed (now
    not chosen), then the run promoted and every run tried (each verified against its
    manifest; its config and the `summary` of its metrics)."""
    earlier = earlier or {}
    folders = [artifact_folder(Path(run)).resolve() for run in tried]
    listed = {display_path(run) for run in [*folders, chosen]}
    runs = [{**run, "chosen": False} for run in earlier.get("runs_tried", [])
            if run["run"] not in listed]
    for run in dict.fromkeys([*folders, chosen.resolve()]):  # the chosen one last, once
        verify_artifact(run)
        runs.append({"run": display_path(run), "chosen": run == chosen.resolve(),
                     "config": read_json(run / TRAINING_CONFIG),
                     **summary(read_json(run / METRICS))})
    history = {"runs_tried": runs,
               "runs_unfinished": [*earlier.get("runs_unfinished", []), *unfinished],
               "promoted_from": display_path(chosen)}
    if earlier.get("runs_notes"):
        history["runs_notes"] = earlier["runs_notes"]
    return history


def _stage(source: Path, manifest: dict[str, Any], staging: Path, model: str,
           history: dict[str, Any] | None) -> None:
    """The promoted folder, built beside the target: the run's files but its torch weights
    (a shipped model serves the ONNX graph alone, see `pipeline.runtime`), plots, runs tried,
    a new manifest and the card; verified."""
    if ONNX_FILE not in manifest["files"]:
        raise ValueError(f"{source} has no {ONNX_FILE}, the form the pipeline serves: run "
                         f"`claimtrace models export-onnx {source}` first")
    staging.mkdir(parents=True)
    for name in manifest["files"]:
        if name != TORCH_FILE:  # it stays in runs/ for warm starts
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, staging / name)
    for doc in source.glob("*.png"):  # plots belong with the card
        shutil.copy2(doc, staging / doc.name)
    if history is not None:
        metrics = {**read_json(staging / METRICS), **history}
        (staging / METRICS).write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    write_manifest(staging, extra=manifest_fields(manifest))
    write_card(staging, model)
    verify_artifact(staging)


def display_path(path: Path) -> str:
    """`path` relative to the checkout when it is inside it (as the card shows runs)."""
    try:
        return Path(path).resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _target(model: str, folder: Path | None) -> Path:
    if model not in MODEL_NAMES:
        raise typer.BadParameter(f"{model!r}: use one of {', '.join(MODEL_NAMES)}",
                                 param_hint="MODEL")
    if folder is not None and not folder.is_dir():
        # A typo would make a new folder and promote into it with nothing to compare against.
        raise typer.BadParameter(f"{folder} is not a folder", param_hint="--models-dir")
    return (folder or models_dir()) / model


ModelsDirOpt = Annotated[Path | None, typer.Option(
    "--models-dir", help=f"Models folder to write (default: ${MODELS_ENV}, else the shipped "
    "models)")]


@models_app.command("promote")
def promote_command(
        run: Annotated[Path, typer.Argument(help="Training run folder, e.g. runs/<name>")],
        model: Annotated[str, typer.Argument(help=" | ".join(MODEL_NAMES))],
        force: Annotated[bool, typer.Option(
            "--force", help="Promote even when the run's headline dev metric is lower")] = False,
        tried: Annotated[list[Path] | None, typer.Option(
            "--tried", help="Another run tried for this model (its config and dev figures go "
            "on the card); repeatable; claim model only")] = None,
        unfinished: Annotated[list[str] | None, typer.Option(
            "--unfinished", help="A run stopped before it wrote an artifact: what and why "
            "(goes on the card); repeatable; claim model only")] = None,
        folder: ModelsDirOpt = None) -> None:
    """Copy a training run into the shipped models, with its manifest and card: prints the
    dev-metric change first and refuses a regression unless --force."""
    target = _target(model, folder)
    try:
        comparison = compare(artifact_folder(run), model, target)
        for line in comparison.lines():
            typer.echo(line)
        promote(run, model, target, force, list(tried or []), list(unfinished or []))
    except (ValueError, KeyError, ClaimtraceError) as err:
        typer.echo(f"claimtrace: error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"promoted {artifact_folder(run)} to {target}", err=True)


@models_app.command("card")
def card_command(
        model: Annotated[str, typer.Argument(help=" | ".join(MODEL_NAMES))],
        folder: Annotated[Path | None, typer.Option(
            "--folder", help="Artifact folder (default: the shipped model)")] = None) -> None:
    """Regenerate a model's README.md from its metrics.json and training_config.json."""
    target = folder or _target(model, None)
    try:
        typer.echo(str(write_card(target, model)), err=True)
    except (ValueError, KeyError) as err:
        typer.echo(f"claimtrace: error: {err}", err=True)
        raise typer.Exit(2) from None


@models_app.command("export-onnx")
def export_onnx_command(
    folder: Annotated[Path, typer.Argument(help="a model folder with model.safetensors, e.g. "
                                           "runs/<name>/model")],
) -> None:
    """Write model.int8.onnx (the form the pipeline serves) from the folder's torch weights."""
    from claimtrace.training.onnx_export import export_onnx

    try:
        path = export_onnx(folder)
    except (ClaimtraceError, ValueError) as err:
        raise typer.BadParameter(str(err), param_hint="FOLDER") from err
    typer.echo(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB); manifest updated")
