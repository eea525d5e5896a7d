"""`claimtrace train ...`: thin commands over the training modules.

Mounted by the main CLI as ``app.add_typer(train_app, name="train")``. Options mirror the
training dataclass; ``--config run.json`` supplies them all at once (flags given on the
command line win over the file).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

train_app = typer.Typer(help="Train the project's models.", no_args_is_help=True)

_DEFAULTS: dict[str, Any] = {}


@train_app.callback()
def _group() -> None:
    """Train the project's models (one sub-command per model)."""


def _claim_defaults() -> dict[str, Any]:
    # Read from the dataclass so the defaults are declared once.
    from claimtrace.training.claims import ClaimTrainingConfig

    if not _DEFAULTS:
        _DEFAULTS.update(ClaimTrainingConfig().to_dict())
    return _DEFAULTS


def _merge(config_file: Path | None, flags: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if config_file is not None:
        values.update(json.loads(config_file.read_text(encoding="utf-8")))
    values.update({name: value for name, value in flags.items() if value is not None})
    return values


@train_app.command("claims")
def claims(
    config: Annotated[
        Path | None, typer.Option("--config", help="JSON file with training options")
    ] = None,
    data_path: Annotated[str | None, typer.Option(help="ClaimBuster JSONL")] = None,
    news_labels: Annotated[str | None, typer.Option(help="news labels ('': none)")] = None,
    news_repeat: Annotated[int | None, typer.Option(help="news rows per epoch, x")] = None,
    init_from: Annotated[str | None, typer.Option(help="claim artifact to start from")] = None,
    output_dir: Annotated[str | None, typer.Option(help="artifact folder (runs/...)")] = None,
    work_dir: Annotated[str | None, typer.Option(help="checkpoints and logs")] = None,
    dev_fraction: Annotated[float | None, typer.Option(help="dev split fraction")] = None,
    seed: Annotated[int | None, typer.Option(help="random seed")] = None,
    max_length: Annotated[int | None, typer.Option(help="max tokens")] = None,
    batch_size: Annotated[int | None, typer.Option(help="train batch size")] = None,
    eval_batch_size: Annotated[int | None, typer.Option(help="scoring batch size")] = None,
    learning_rate: Annotated[float | None, typer.Option(help="peak learning rate")] = None,
    weight_decay: Annotated[float | None, typer.Option(help="AdamW weight decay")] = None,
    warmup_ratio: Annotated[float | None, typer.Option(help="warm-up fraction")] = None,
    num_epochs: Annotated[float | None, typer.Option(help="epochs")] = None,
    max_steps: Annotated[int | None, typer.Option(help="stop after N steps")] = None,
    num_threads: Annotated[int | None, typer.Option(help="torch CPU threads")] = None,
    limit_rows: Annotated[int | None, typer.Option(help="use N rows (0: all)")] = None,
    baseline: Annotated[bool | None, typer.Option(help="train TF-IDF baseline")] = None,
    model_name: Annotated[str | None, typer.Option(help="model name")] = None,
    model_version: Annotated[str | None, typer.Option(help="model version")] = None,
) -> None:
    """Fine-tune the three-class claim model into runs/ (see promote-claims); all options:
    --config."""
    from claimtrace.training.claims import ClaimTrainingConfig, train_claims

    flags = {k: v for k, v in locals().items() if k in _claim_defaults()}
    try:
        run_config = ClaimTrainingConfig.from_dict(_merge(config, flags))
    except (ValueError, TypeError) as err:
        raise typer.BadParameter(str(err)) from err
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    metrics = train_claims(run_config)
    summary = {k: metrics[k] for k in ("threshold", "transformer_fp32", "committed_int8")
               if k in metrics}
    summary["baseline_tfidf_lr"] = metrics.get("baseline_tfidf_lr")
    summary["artifact_bytes"] = metrics["artifact_bytes"]
    typer.echo(json.dumps(summary, indent=2))


@train_app.command("promote-claims")
def promote_claims(
    run: Annotated[Path, typer.Argument(help="the chosen run's artifact, runs/<name>/model")],
    tried: Annotated[list[Path] | None, typer.Option(
        "--tried", help="another run tried (its figures go on the card); repeatable")] = None,
    unfinished: Annotated[list[str] | None, typer.Option(
        "--unfinished", help="a run stopped early: what and why; repeatable")] = None,
) -> None:
    """Copy a chosen run to models/claim-checkworthiness/ with every run tried on its card."""
    from claimtrace.training.claims import promote

    dest = promote(run, list(tried or []), unfinished=list(unfinished or []))
    typer.echo(f"promoted {run} -> {dest}")


@train_app.command("retune-claims-threshold")
def retune_claims_threshold(
    run: Annotated[Path, typer.Argument(help="a run's artifact, runs/<name>/model")],
) -> None:
    """Re-choose a claim run's threshold on its served (int8) dev scores; weights untouched."""
    from claimtrace.training.claims import retune_threshold

    metrics = retune_threshold(run)
    typer.echo(json.dumps({"threshold": metrics["threshold"],
                           "committed_int8": metrics["committed_int8"]}, indent=2))


@train_app.command("attribution", context_settings={"allow_extra_args": True,
                                                   "ignore_unknown_options": True},
                   add_help_option=False)
def attribution(ctx: typer.Context) -> None:
    """Fine-tune the PolNeAR attribution tagger into runs/<run_name>/ (--help: every option)."""
    from claimtrace.training.attribution import LOCATION_FIELDS, AttributionTrainConfig, train
    from claimtrace.training.options import parse_config

    try:
        run_config = parse_config(AttributionTrainConfig, ctx.args,
                                  "claimtrace train attribution", attribution.__doc__,
                                  not_from_file=LOCATION_FIELDS)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err
    metrics = train(run_config)
    typer.echo(json.dumps({"output_dir": run_config.output_dir,
                           "dev_artifact": metrics["dev_artifact"]}, indent=2))
    typer.echo(f"next: claimtrace models promote {run_config.output_dir} attribution", err=True)


if __name__ == "__main__":
    train_app()
