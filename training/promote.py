"""``claimtrace models ...``: ship a training run as one of the models claimtrace loads.

Training never writes into the shipped models (it writes ``runs/<name>/``). `promote` is the
one step that does: it verifies the run's artifact against its manifest, prints every dev
figure of the run beside the shipped model's, refuses a lower headline figure unless forced,
then replaces the model folder in one rename, with the run's manifest and a card generated
from the run's metrics.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from claimtrace.artifacts import MANIFEST, verify_artifact
from claimtrace.errors import ClaimtraceError
from claimtrace.settings import MODEL_NAMES, MODELS_ENV, models_dir
from claimtrace.training.cards import CARD, METRICS, read_json, spec_for, write_card

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


def promote(run: Path, model: str, target: Path, force: bool = False) -> Comparison:
    """Copy the run's artifact to `target` (see module docstring); ValueError when refused."""
    source = artifact_folder(Path(run))
    manifest = verify_artifact(source)  # the run as it was written, nothing unlisted
    if source.resolve() == target.resolve():
        raise ValueError(f"{source} is already the shipped {model} model")
    comparison = compare(source, model, target)
    if comparison.regression and not force:
        raise ValueError(f"the run's {comparison.headline} is lower than the shipped model's "
                         "(see above); --force promotes it anyway")
    staging = target.with_name(f".{target.name}.promoting")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in [*manifest["files"], MANIFEST]:
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, staging / name)
    for doc in source.glob("*.png"):  # plots belong with the card
        shutil.copy2(doc, staging / doc.name)
    if spec_for(model).body is not None:
        write_card(staging, model)
    elif (source / CARD).is_file():
        shutil.copy2(source / CARD, staging / CARD)
    verify_artifact(staging)
    old = target.with_name(f".{target.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    return comparison


def _target(model: str, folder: Path | None) -> Path:
    if model not in MODEL_NAMES:
        raise typer.BadParameter(f"{model!r}: use one of {', '.join(MODEL_NAMES)}",
                                 param_hint="MODEL")
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
        folder: ModelsDirOpt = None) -> None:
    """Copy a training run into the shipped models, with its manifest and card: prints the
    dev-metric change first and refuses a regression unless --force."""
    target = _target(model, folder)
    try:
        comparison = compare(artifact_folder(run), model, target)
        for line in comparison.lines():
            typer.echo(line)
        promote(run, model, target, force)
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
