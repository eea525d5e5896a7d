"""`claimtrace train ...`: thin commands over the training modules.

Mounted by the main CLI as ``app.add_typer(train_app, name="train")``. Both trainers' options
are generated from their config dataclass (`claimtrace.training.options`): one option per
field, defaults in ``--help``, ``--config run.json`` for a saved run's options (flags win).
Both write ``runs/<run_name>/``; ``claimtrace models promote`` ships a run.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

train_app = typer.Typer(help="Train the project's models.", no_args_is_help=True)
T = TypeVar("T")


@train_app.callback()
def _group() -> None:
    """Train the project's models (one sub-command per model)."""


_EXTRA_ARGS = {"context_settings": {"allow_extra_args": True, "ignore_unknown_options": True},
               "add_help_option": False}  # HfArgumentParser reads them (and --help)


def _parse(config_class: type[T], ctx: typer.Context, command: str, doc: str | None) -> T:
    """The command's config from its arguments (`claimtrace.training.options.parse_config`)."""
    from claimtrace.training.options import parse_config
    from claimtrace.training.runs import LOCATION_FIELDS, RUNS_DIR, check_output_dir, resolve

    try:
        config = parse_config(config_class, ctx.args, f"claimtrace train {command}", doc,
                              not_from_file=LOCATION_FIELDS)
        # Refused now, not after the data has loaded (the trainers check again).
        check_output_dir(resolve(getattr(config, "output_dir", "") or RUNS_DIR))
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    return config


def _next_step(output_dir: str, model: str) -> None:
    typer.echo(f"next: claimtrace models promote {output_dir} {model}", err=True)


@train_app.command("claims", **_EXTRA_ARGS)
def claims(ctx: typer.Context) -> None:
    """Fine-tune the three-class claim model into runs/<run_name>/ (--help: every option)."""
    from claimtrace.settings import CLAIM_MODEL
    from claimtrace.training.claims import ClaimTrainingConfig, train_claims

    run_config = _parse(ClaimTrainingConfig, ctx, "claims", claims.__doc__)
    metrics = train_claims(run_config)
    summary = {"output_dir": run_config.output_dir,
               **{k: metrics.get(k) for k in ("threshold", "committed_int8",
                                              "baseline_tfidf_lr", "artifact_bytes")}}
    typer.echo(json.dumps(summary, indent=2))
    _next_step(run_config.output_dir, CLAIM_MODEL)


def _on_run(rewrite: Callable[[Path], dict[str, Any]], run: Path) -> dict[str, Any]:
    """`rewrite` applied to a run's artifact folder; a bad run is a usage error (exit 2)."""
    from claimtrace.errors import ClaimtraceError
    from claimtrace.training.promote import artifact_folder

    try:
        return rewrite(artifact_folder(run))
    except (ValueError, ClaimtraceError) as err:
        typer.echo(f"claimtrace: error: {err}", err=True)
        raise typer.Exit(2) from None


@train_app.command("retune-claims-threshold")
def retune_claims_threshold(
    run: Annotated[Path, typer.Argument(help="a claims run, runs/<name> (or its model/)")],
) -> None:
    """Re-choose a claim run's threshold on its served (int8) dev scores and rewrite its head,
    metrics, manifest and card; weights untouched (for runs that chose it on fp32 scores)."""
    from claimtrace.training.claims import retune_threshold

    metrics = _on_run(retune_threshold, run)
    typer.echo(json.dumps({"threshold": metrics["threshold"],
                           "committed_int8": metrics["committed_int8"]}, indent=2))


@train_app.command("rescore-attribution")
def rescore_attribution(
    run: Annotated[Path, typer.Argument(help="an attribution run, runs/<name> (or its model/)")],
) -> None:
    """Re-score an attribution run on PolNeAR dev as the pipeline serves it (ONNX Runtime, the
    inference window overlap) and rewrite its metrics and manifest; weights untouched."""
    from claimtrace.training.attribution import rescore_served

    metrics = _on_run(rescore_served, run)
    typer.echo(json.dumps({"served": metrics["served"],
                           "dev_artifact": metrics["dev_artifact"]}, indent=2))


@train_app.command("attribution", **_EXTRA_ARGS)
def attribution(ctx: typer.Context) -> None:
    """Fine-tune the PolNeAR attribution tagger into runs/<run_name>/ (--help: every option)."""
    from claimtrace.settings import ATTRIBUTION_MODEL
    from claimtrace.training.attribution import AttributionTrainConfig, train

    run_config = _parse(AttributionTrainConfig, ctx, "attribution", attribution.__doc__)
    metrics = train(run_config)
    typer.echo(json.dumps({"output_dir": run_config.output_dir,
                           "dev_artifact": metrics["dev_artifact"]}, indent=2))
    _next_step(run_config.output_dir, ATTRIBUTION_MODEL)


@train_app.command("rescore-multitask-claims")
def rescore_multitask_claims(
    run: Annotated[Path, typer.Argument(help="a multitask run, runs/<name>")],
) -> None:
    """Score a multitask run's claim head on dev again as served (ONNX graph + head) and
    rewrite its threshold, metrics and manifest; weights untouched."""
    from claimtrace.training.multitask import rescore_claim_head

    try:
        metrics = rescore_claim_head(run)
    except (ValueError, OSError) as err:
        typer.echo(f"claimtrace: error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(json.dumps({"threshold": metrics["threshold"],
                           "committed_int8": metrics["committed_int8"]}, indent=2))


@train_app.command("multitask", **_EXTRA_ARGS)
def multitask(ctx: typer.Context) -> None:
    """Fine-tune one encoder with the tagger's token head and a claim head into
    runs/<run_name>/{attribution,claims} (--help: every option)."""
    from claimtrace.settings import ATTRIBUTION_MODEL, CLAIM_MODEL
    from claimtrace.training.multitask import MultiTaskTrainConfig, train

    run_config = _parse(MultiTaskTrainConfig, ctx, "multitask", multitask.__doc__)
    metrics = train(run_config)
    typer.echo(json.dumps({k: metrics[k] for k in ("attribution", "claims")}, indent=2))
    _next_step(str(run_config.attribution_dir), ATTRIBUTION_MODEL)
    _next_step(str(run_config.claims_dir), CLAIM_MODEL)


if __name__ == "__main__":
    train_app()
