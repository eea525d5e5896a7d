"""The ``claimtrace`` command: ``run`` (all stages in one process) and one command per stage.

Exit status: 0 when at least one article was processed, 1 when none could be, 2 for usage
errors (bad arguments, missing input path).
"""

from __future__ import annotations

import json
import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from claimtrace.errors import ClaimtraceError
from claimtrace.settings import ATTRIBUTION_METHODS, PROCESSED_DIR, SAMPLE_INPUT, RunSettings

if TYPE_CHECKING:
    from claimtrace.pipeline.runner import Summary

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)

InputsArg = Annotated[list[str] | None, typer.Argument(
    help="Input files or folders (.jsonl, .jsonl.gz, .csv, .txt, a folder of .txt, '-')")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Output JSONL path")]
AllSentencesOpt = Annotated[bool, typer.Option(
    "--all-sentences", help="Write every sentence, not only statements")]
MinScoreOpt = Annotated[float | None, typer.Option(
    "--min-score", min=0.0, max=1.0, help="Keep only statements with claim score >= this")]
NoClaimsOpt = Annotated[bool, typer.Option("--no-claims", help="Skip the claim classifier")]
AttributionOpt = Annotated[str, typer.Option(
    "--attribution", help="rules | model (PolNeAR tagger) | hybrid (tagger + rules)")]
KindsOpt = Annotated[str, typer.Option(
    "--kinds", help="Attribution kinds to export, comma-separated: speech,belief")]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="Articles per batch")]
ThreadsOpt = Annotated[int, typer.Option("--threads", min=1, help="torch threads per process")]
MaxCharsOpt = Annotated[int, typer.Option(
    "--max-chars", min=1, help="Longer articles go to errors.jsonl")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")]
WorkersOpt = Annotated[int, typer.Option(
    "--workers", min=1, help="Processes, each loading the models once; output order is kept")]
ResumeOpt = Annotated[bool, typer.Option(
    "--resume", help="Skip articles already complete in --output (after a crash or kill)")]


class Engine(StrEnum):
    local = "local"  # this machine (with --workers processes)
    ray = "ray"  # a Ray cluster: needs the extra, pip install 'claimtrace[ray]'


EngineOpt = Annotated[Engine, typer.Option(
    "--engine", help="local: this machine; ray: a Ray cluster (or a local Ray instance)")]
AddressOpt = Annotated[str | None, typer.Option(
    "--address", help="Ray cluster for --engine ray: auto, or the head's host:port such as "
    "head:6379 (default: RAY_ADDRESS, else Ray on this machine, started if needed)")]

STAGE_INPUTS = {"split": "articles.jsonl", "attribute": "sentences.jsonl",
                "classify": "attributions.jsonl", "export": "claims.jsonl"}


def _settings(all_sentences: bool = False, min_score: float | None = None,
              no_claims: bool = False, kinds: str = "speech,belief", batch_size: int = 16,
              threads: int = 1, max_chars: int = 1_000_000, quiet: bool = False,
              attribution: str = RunSettings.attribution_method) -> RunSettings:
    chosen = tuple(k.strip() for k in kinds.split(",") if k.strip())
    unknown = set(chosen) - {"speech", "belief"}
    if unknown:
        raise typer.BadParameter(f"unknown kind(s) {sorted(unknown)}: use speech and/or belief",
                                 param_hint="--kinds")
    if attribution not in ATTRIBUTION_METHODS:
        raise typer.BadParameter(f"unknown method {attribution!r}: use rules, model or hybrid",
                                 param_hint="--attribution")
    return RunSettings(all_sentences=all_sentences, min_score=min_score,
                       classify=not no_claims, kinds=chosen, batch_size=batch_size,
                       threads=threads, max_chars=max_chars, progress=not quiet,
                       attribution_method=attribution)


def _run(stage: str, inputs: list[str], output: Path | None, settings: RunSettings,
         workers: int = 1, resume: bool = False, engine: Engine = Engine.local,
         address: str | None = None) -> None:
    from claimtrace.pipeline.runner import DEFAULT_OUTPUTS, errors_path_for, run_stage

    output = output or PROCESSED_DIR / DEFAULT_OUTPUTS[stage]
    for source in inputs:
        if source != "-" and not Path(source).exists():
            typer.echo(f"error: input path does not exist: {source}", err=True)
            raise typer.Exit(2)
    if engine is Engine.ray:
        summary = _run_on_ray(inputs, output, settings, address, workers, resume)
    else:
        if address is not None:
            raise typer.BadParameter("--address needs --engine ray", param_hint="--address")
        summary = run_stage(stage, inputs, output, settings, workers=workers, resume=resume)
    typer.echo(summary.line(), err=True)
    typer.echo(f"output: {output}  errors: {errors_path_for(output)}", err=True)
    summary_path = output.with_suffix(".summary.json")
    summary_path.write_text(json.dumps(summary.to_dict(), indent=2) + "\n", encoding="utf-8")
    if summary.processed == 0 and summary.skipped == 0:
        raise typer.Exit(1)  # nothing at all could be processed


def _run_on_ray(inputs: list[str], output: Path, settings: RunSettings, address: str | None,
                workers: int, resume: bool) -> Summary:
    if workers > 1 or resume:
        # Ray sizes its actor pool to the cluster; resuming is local-engine only for now.
        raise typer.BadParameter("--workers and --resume are for --engine local",
                                 param_hint="--engine")
    try:
        from claimtrace.pipeline.ray_engine import check_address, run_on_ray
    except ImportError as err:  # ray is an optional extra, not a core dependency
        typer.echo(f"error: --engine ray needs Ray: pip install 'claimtrace[ray]' ({err})",
                   err=True)
        raise typer.Exit(2) from err
    try:
        check_address(address)
    except ClaimtraceError as err:
        raise typer.BadParameter(str(err), param_hint="--address") from err
    return run_on_ray(inputs, output, settings, address)


@app.command()
def run(inputs: InputsArg = None, output: OutputOpt = None,
        all_sentences: AllSentencesOpt = False, min_score: MinScoreOpt = None,
        no_claims: NoClaimsOpt = False, kinds: KindsOpt = "speech,belief",
        attribution: AttributionOpt = RunSettings.attribution_method,
        batch_size: BatchOpt = 16, threads: ThreadsOpt = 1, max_chars: MaxCharsOpt = 1_000_000,
        quiet: QuietOpt = False, workers: WorkersOpt = 1, resume: ResumeOpt = False,
        engine: EngineOpt = Engine.local, address: AddressOpt = None) -> None:
    """All stages in one process. With no input: the shipped sample in data/raw/sample/."""
    settings = _settings(all_sentences, min_score, no_claims, kinds, batch_size, threads,
                         max_chars, quiet, attribution)
    _run("run", inputs or [str(SAMPLE_INPUT)], output, settings, workers, resume, engine,
         address)


@app.command()
def ingest(inputs: InputsArg = None, output: OutputOpt = None, quiet: QuietOpt = False) -> None:
    """Stage 1: normalise articles into JSONL with stable ids and text hashes."""
    _run("ingest", inputs or [str(SAMPLE_INPUT)], output, _settings(quiet=quiet))


def _stage_command(stage: str):
    def command(inputs: InputsArg = None, output: OutputOpt = None,
                all_sentences: AllSentencesOpt = False, min_score: MinScoreOpt = None,
                no_claims: NoClaimsOpt = False, kinds: KindsOpt = "speech,belief",
                attribution: AttributionOpt = RunSettings.attribution_method,
                batch_size: BatchOpt = 16, threads: ThreadsOpt = 1,
                max_chars: MaxCharsOpt = 1_000_000, quiet: QuietOpt = False) -> None:
        settings = _settings(all_sentences, min_score, no_claims, kinds, batch_size, threads,
                             max_chars, quiet, attribution)
        _run(stage, inputs or [str(PROCESSED_DIR / STAGE_INPUTS[stage])], output, settings)

    command.__doc__ = {
        "split": "Stage 2: sentences with character offsets (reads ingest's JSONL).",
        "attribute": "Stage 3: attributions (reads split's JSONL).",
        "classify": "Stage 4: check-worthiness scores (reads attribute's JSONL).",
        "export": "Stage 5: statement@1 records (reads classify's JSONL).",
    }[stage]
    return command


for _stage in ("split", "attribute", "classify", "export"):
    app.command(_stage)(_stage_command(_stage))


@app.command()
def schema(output: OutputOpt = None) -> None:
    """Write the statement@1 JSON Schema generated from the pydantic models."""
    from claimtrace.schema import SCHEMA_FILE, write_json_schema

    typer.echo(str(write_json_schema(output or SCHEMA_FILE)))


def _register_optional_commands() -> None:
    """Training and evaluation live in their own packages; mount them when present."""
    try:
        from claimtrace.training.cli import train_app
    except ImportError:  # pragma: no cover — only while a package is being built
        pass
    else:
        app.add_typer(train_app, name="train", help="Train the project's models.")
    try:
        from claimtrace.evaluation.cli import evaluate
    except ImportError:  # pragma: no cover
        pass
    else:
        app.command("evaluate")(evaluate)


_register_optional_commands()


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
