"""The ``claimtrace`` command: ``run`` (all stages in one process) and one command per stage.

Exit status: 0 when the run finished and processed (or had already processed) at least one
article; 1 when it finished but no article could be processed (all are in the errors file);
2 for a usage or set-up error, reported in one line before anything is written; 3 for an
internal error (a bug: traceback shown); 130 when interrupted.
"""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
import traceback
from collections.abc import Callable
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import click
import typer

from claimtrace.errors import ClaimtraceError, Errors
from claimtrace.settings import (
    ATTRIBUTION_METHODS,
    KINDS,
    MODELS_ENV,
    PROCESSED_DIR,
    SAMPLE_INPUT,
    RunSettings,
)

if TYPE_CHECKING:
    from claimtrace.pipeline.runner import Summary

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False)
DEFAULTS = RunSettings  # every option's default is the RunSettings field's (one copy)
DEFAULT_KINDS = ",".join(KINDS)

EXIT_NOTHING, EXIT_USAGE, EXIT_INTERNAL, EXIT_SYSTEM, EXIT_INTERRUPTED = 1, 2, 3, 4, 130
EXIT_TERMINATED = 128 + signal.SIGTERM

InputsArg = Annotated[list[str] | None, typer.Argument(
    help="Input files or folders (.jsonl, .jsonl.gz, .csv, .txt, a folder of .txt, '-')")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Output JSONL path")]
AllSentencesOpt = Annotated[bool, typer.Option(
    "--all-sentences", help="Write every sentence, not only statements")]
MinScoreOpt = Annotated[float | None, typer.Option(
    "--min-score", min=0.0, max=1.0, help="Keep only statements with claim score >= this")]
NoClaimsOpt = Annotated[bool, typer.Option("--no-claims", help="Skip the claim classifier")]
AttributionOpt = Annotated[str, typer.Option(
    "--attribution", help=" | ".join(ATTRIBUTION_METHODS) + " (model: the PolNeAR tagger; "
    "hybrid: tagger + rules)")]
KindsOpt = Annotated[str, typer.Option(
    "--kinds", help=f"Attribution kinds to export, comma-separated: {','.join(KINDS)}")]
BatchOpt = Annotated[int, typer.Option("--batch-size", min=1, help="Articles per batch")]
ThreadsOpt = Annotated[int, typer.Option("--threads", min=1, help="model threads per process")]
AheadOpt = Annotated[int, typer.Option(
    "--models-ahead", min=0, help="Articles each model may score in its own thread while spaCy "
    "parses the next (0: inline); used only where the process has a second core to itself")]
RuntimeOpt = Annotated[str, typer.Option(
    "--runtime", help="auto (ONNX Runtime where the model folder has its int8 graph, else torch) | "
    "onnx | torch")]
MaxCharsOpt = Annotated[int, typer.Option(
    "--max-chars", min=1, help="Longer articles go to the errors file")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")]
WorkersOpt = Annotated[int, typer.Option(
    "--workers", min=1, help="Processes, each loading the models once; output order is kept")]
ResumeOpt = Annotated[bool, typer.Option(
    "--resume", help="Skip articles already complete in --output (after a crash or kill)")]
FormatOpt = Annotated[str | None, typer.Option(
    "--format", help="jsonl | parquet | csv | claimreview | html (default: from the -o "
    "extension; .jsonl.gz writes gzip)")]
ModelsDirOpt = Annotated[Path | None, typer.Option(
    "--models-dir", help=f"Folder holding attribution/ and claim-checkworthiness/ (default: "
    f"${MODELS_ENV}, else the models shipped with claimtrace)")]
LanguagesOpt = Annotated[str | None, typer.Option(
    "--languages", help="Keep only articles detected in these languages (ISO 639-1, "
    "comma-separated, e.g. en); the rest go to errors.jsonl. Default: all, flagged")]


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


def say(message: str) -> None:
    """A message on stderr. Messages only report: where stderr is closed or full (piped into
    `head`, `2>/dev/full`), the run still finishes its files, and its exit status tells the
    result; click would otherwise turn the broken pipe into exit 1, "nothing processed"."""
    with contextlib.suppress(OSError):
        typer.echo(message, err=True)


def fail(message: str) -> NoReturn:
    """A usage or set-up error: one line on stderr, exit 2, nothing written."""
    say(f"claimtrace: error: {message}")
    raise typer.Exit(EXIT_USAGE)


def _settings(all_sentences: bool = DEFAULTS.all_sentences, min_score: float | None = None,
              no_claims: bool = False, kinds: str = DEFAULT_KINDS,
              batch_size: int = DEFAULTS.batch_size, threads: int = DEFAULTS.threads,
              max_chars: int = DEFAULTS.max_chars, quiet: bool = False,
              attribution: str = DEFAULTS.attribution_method,
              models_dir: Path | None = None, runtime: str = DEFAULTS.runtime,
              models_ahead: int = DEFAULTS.models_ahead) -> RunSettings:
    chosen = tuple(k.strip() for k in kinds.split(",") if k.strip())
    settings = RunSettings(all_sentences=all_sentences, min_score=min_score,
                           classify=not no_claims, kinds=chosen, batch_size=batch_size,
                           threads=threads, max_chars=max_chars, progress=not quiet,
                           attribution_method=attribution, runtime=runtime,
                           models_ahead=models_ahead).with_models_dir(models_dir)
    try:
        return settings.check()
    except ValueError as err:
        fail(str(err))


def _run(stage: str, inputs: list[str], output: Path | None, settings: RunSettings,
         workers: int = 1, resume: bool = False, engine: Engine = Engine.local,
         address: str | None = None, then: Callable[[], None] | None = None) -> None:
    """One stage (or ``run``) with its summary and exit status; ``then`` runs after the run
    and before the exit, whatever the exit status (a format run's conversion)."""
    from claimtrace.pipeline.runner import DEFAULT_OUTPUTS, check_arguments, errors_path_for

    output = output or PROCESSED_DIR / DEFAULT_OUTPUTS[stage]
    try:
        if engine is Engine.local and address is not None:
            raise ClaimtraceError("--address needs --engine ray")
        if engine is Engine.ray and (workers > 1 or resume):
            # Ray sizes its actor pool to the cluster; resuming is local-engine only for now.
            raise ClaimtraceError("--workers and --resume are for --engine local")
        check_arguments(stage, inputs, output, resume)
        summary = _execute(stage, inputs, output, settings, workers, resume, engine, address)
    except ClaimtraceError as err:
        fail(str(err))
    say(summary.line())
    say(f"output: {output}  errors: {errors_path_for(output)}")
    if then is not None:
        then()
    if summary.processed == 0 and summary.skipped == 0:
        raise typer.Exit(EXIT_NOTHING)  # the run finished, but no article could be processed


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler stopping a batch job), raised in the main thread so that the run
    unwinds as it does for Ctrl-C: files closed, the progress log up to date."""


def _terminate(signum: int, frame: object) -> NoReturn:
    raise Terminated


def _execute(stage: str, inputs: list[str], output: Path, settings: RunSettings, workers: int,
             resume: bool, engine: Engine, address: str | None) -> Summary:
    """The run itself. ClaimtraceError passes up (exit 2); a crash is exit 3, never 1."""
    from claimtrace.pipeline.runner import run_stage

    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        if engine is Engine.ray:
            return _run_on_ray(inputs, output, settings, address)
        return run_stage(stage, inputs, output, settings, workers=workers, resume=resume)
    except (ClaimtraceError, typer.Exit):
        raise
    except Terminated:
        say("claimtrace: terminated (SIGTERM); --resume continues where it stopped")
        raise typer.Exit(EXIT_TERMINATED) from None
    except KeyboardInterrupt:
        say("claimtrace: interrupted; --resume continues where it stopped")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OSError as err:
        # The system refused the run's files mid-run (a full disk, a quota, an I/O error):
        # not a bug, and nothing the user can read in a traceback.
        say(f"claimtrace: error: {system_failure(err, output)}; the output is complete "
            "up to the last logged article and --resume continues from there once this "
            "is fixed")
        raise typer.Exit(EXIT_SYSTEM) from None
    except Exception:  # noqa: BLE001 — a bug: say so, and never exit 1 ("nothing processed")
        with contextlib.suppress(OSError):  # stderr closed: the exit status still says it
            traceback.print_exc(file=sys.stderr)
        say("claimtrace: internal error (a bug, please report it with the traceback "
            "above); the output is complete up to the last logged article and "
            "--resume continues from there")
        raise typer.Exit(EXIT_INTERNAL) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def system_failure(err: OSError, output: Path) -> str:
    """An OSError in plain words: what the system said, and about which file (a buffered
    write names none: then the run's output and its side files)."""
    what = err.strerror or str(err) or type(err).__name__
    return f"{what} ({err.filename or f'writing {output} or its side files'})"


def _run_on_ray(inputs: list[str], output: Path, settings: RunSettings,
                address: str | None) -> Summary:
    import importlib.util

    if importlib.util.find_spec("ray") is None:  # an optional extra, not a core dependency
        fail("--engine ray needs Ray: pip install 'claimtrace[ray]'")
    from claimtrace.pipeline.ray_engine import check_address, run_on_ray

    check_address(address)
    return run_on_ray(inputs, output, settings, address)


@app.command()
def run(inputs: InputsArg = None, output: OutputOpt = None,
        all_sentences: AllSentencesOpt = DEFAULTS.all_sentences, min_score: MinScoreOpt = None,
        no_claims: NoClaimsOpt = False, kinds: KindsOpt = DEFAULT_KINDS,
        attribution: AttributionOpt = DEFAULTS.attribution_method,
        batch_size: BatchOpt = DEFAULTS.batch_size, threads: ThreadsOpt = DEFAULTS.threads,
        max_chars: MaxCharsOpt = DEFAULTS.max_chars,
        quiet: QuietOpt = False, workers: WorkersOpt = 1, resume: ResumeOpt = False,
        engine: EngineOpt = Engine.local, address: AddressOpt = None,
        output_format: FormatOpt = None, languages: LanguagesOpt = None,
        models_dir: ModelsDirOpt = None, runtime: RuntimeOpt = DEFAULTS.runtime,
        models_ahead: AheadOpt = DEFAULTS.models_ahead) -> None:
    """All stages in one process. With no input: the shipped sample articles."""
    settings = _settings(all_sentences, min_score, no_claims, kinds, batch_size, threads,
                         max_chars, quiet, attribution, models_dir, runtime, models_ahead)
    settings.languages = _languages(languages)
    _check_target(inputs or [str(SAMPLE_INPUT)], output, resume)
    from claimtrace.formats import Format

    target, fmt = _output_format(output, output_format)
    if no_claims and fmt is Format.claimreview:
        fail("ClaimReview drafts are made for check-worthy statements, and --no-claims scores "
             "none: drop --no-claims, or choose another --format")
    working = target if fmt is None else _working_jsonl(target, fmt)
    _run("run", inputs or [str(SAMPLE_INPUT)], working, settings, workers, resume, engine,
         address, then=None if fmt is None else partial(_finish_format, working, target, fmt))


def _check_target(inputs: list[str], output: Path | None, resume: bool) -> None:
    """The output path's own problems (a directory, a link, an input) before its format."""
    from claimtrace.pipeline.runner import check_arguments

    if output is None:
        return
    try:
        check_arguments("run", inputs, output, resume)
    except ClaimtraceError as err:
        fail(str(err))


def _languages(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    from claimtrace.pipeline.language import language_codes

    try:
        return language_codes(value)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--languages") from err


def _output_format(output: Path | None, given: str | None):
    """(output path, format) -- format None for plain JSONL, which the runner writes itself."""
    from claimtrace.formats import Format, format_for, is_gzip
    from claimtrace.pipeline.runner import DEFAULT_OUTPUTS

    output = output or PROCESSED_DIR / DEFAULT_OUTPUTS["run"]
    try:
        fmt = format_for(output, given)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--format") from err
    if fmt is Format.jsonl and not is_gzip(output):
        return output, None
    return output, fmt


def _working_jsonl(output: Path, fmt) -> Path:
    """Other formats are written at the end from the run's statements JSONL, which is named
    after the output ("review.html.jsonl", side files "review.html.errors.jsonl", ...): it
    stays, so ``--resume`` finds the run, and "review.csv" never shares side files with a
    "review.jsonl" run in the same folder. A gzip output's uncompressed copy is only
    temporary (".partial.jsonl"): keeping it would undo the compression."""
    from claimtrace.formats import Format

    if fmt is Format.jsonl:  # .jsonl.gz
        return output.with_name(output.name + ".partial.jsonl")
    return output.with_name(output.name + ".jsonl")


def _finish_format(working: Path, output: Path, fmt) -> None:
    from claimtrace.formats import Format, convert
    from claimtrace.pipeline.checkpoint import (
        errors_path_for,
        progress_path_for,
        summary_path_for,
    )

    try:
        written = convert(working, output, fmt)
    except (ValueError, OSError) as err:
        fail(f"{err}; the statements are in {working}")
    if fmt is Format.jsonl:  # gzip: the uncompressed copy goes; side files take its name
        working.unlink()
        progress_path_for(working).unlink(missing_ok=True)
        for side_file in (errors_path_for, summary_path_for):
            if side_file(working).exists():
                side_file(working).replace(side_file(output))
    _report_written(written, fmt, output)


def _report_written(written: int, fmt, output: Path) -> None:
    from claimtrace.formats import Format

    say(f"wrote {written} {fmt.value} item(s) to {output}")
    if written == 0 and fmt is Format.claimreview:
        say("no statement was check-worthy (statements from a run with --no-claims "
            "carry no score)")


@app.command("convert")
def convert_command(
        statements: Annotated[Path, typer.Argument(help="statements JSONL (.jsonl or .jsonl.gz)")],
        output: Annotated[Path, typer.Option("--output", "-o", help="Output file")],
        output_format: FormatOpt = None) -> None:
    """Convert an existing statements JSONL to another format."""
    from claimtrace.formats import convert, format_for

    if not statements.is_file():
        fail(f"input path does not exist: {statements}")
    try:
        fmt = format_for(output, output_format)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--format") from err
    try:
        written = convert(statements, output, fmt)
    except (ValueError, OSError) as err:  # a damaged record, an unwritable output
        fail(str(err))
    _report_written(written, fmt, output)


@app.command()
def ingest(inputs: InputsArg = None, output: OutputOpt = None, quiet: QuietOpt = False) -> None:
    """Stage 1: normalise articles into JSONL with stable ids and text hashes."""
    _run("ingest", inputs or [str(SAMPLE_INPUT)], output, _settings(quiet=quiet))


def _stage_command(stage: str):
    def command(inputs: InputsArg = None, output: OutputOpt = None,
                all_sentences: AllSentencesOpt = DEFAULTS.all_sentences,
                min_score: MinScoreOpt = None, no_claims: NoClaimsOpt = False,
                kinds: KindsOpt = DEFAULT_KINDS,
                attribution: AttributionOpt = DEFAULTS.attribution_method,
                batch_size: BatchOpt = DEFAULTS.batch_size, threads: ThreadsOpt = DEFAULTS.threads,
                max_chars: MaxCharsOpt = DEFAULTS.max_chars, quiet: QuietOpt = False,
                models_dir: ModelsDirOpt = None, runtime: RuntimeOpt = DEFAULTS.runtime,
                models_ahead: AheadOpt = DEFAULTS.models_ahead) -> None:
        settings = _settings(all_sentences, min_score, no_claims, kinds, batch_size, threads,
                             max_chars, quiet, attribution, models_dir, runtime, models_ahead)
        _run(stage, inputs or [str(PROCESSED_DIR / STAGE_INPUTS[stage])], output, settings)

    command.__doc__ = {
        "split": "Stage 2: sentences with character offsets (reads ingest's JSONL).",
        "attribute": "Stage 3: attributions (reads split's JSONL).",
        "classify": "Stage 4: check-worthiness scores (reads attribute's JSONL).",
        "export": "Stage 5: statement@2 records (reads classify's JSONL).",
    }[stage]
    return command


for _stage in ("split", "attribute", "classify", "export"):
    app.command(_stage)(_stage_command(_stage))


@app.command()
def schema(output: Annotated[Path | None, typer.Option(
               "--output", "-o", help="Write the schema to this file, not to stdout")] = None,
           version: Annotated[int, typer.Option(
               "--version", help="Schema version: 2 (current) or 1")] = 2) -> None:
    """Print (or write) the statement JSON Schema generated from the pydantic models."""
    from claimtrace.schema import SCHEMA_VERSIONS, json_schema, write_json_schema

    if version not in SCHEMA_VERSIONS:
        raise typer.BadParameter(f"{version}: use one of {SCHEMA_VERSIONS}",
                                 param_hint="--version")
    if output is None or str(output) == "-":
        typer.echo(json.dumps(json_schema(version), indent=2, sort_keys=True))
        return
    if output.is_dir() or not output.name:
        fail(Errors.E053.format(path=output))
    if output.is_symlink():  # as `run` refuses to write through a link
        fail(f"output {output} is a symbolic link: give the file itself")
    say(str(write_json_schema(output, version)))


def _register_commands() -> None:
    """Training, evaluation, benchmarks and model management live in their own packages."""
    from claimtrace.evaluation.cli import bench_app, evaluate_app
    from claimtrace.training.cli import train_app
    from claimtrace.training.promote import models_app

    app.add_typer(train_app, name="train")
    app.add_typer(evaluate_app, name="evaluate")
    app.add_typer(bench_app, name="bench")
    app.add_typer(models_app, name="models")


LOG_LEVELS = ("debug", "info", "warning", "error")


def configure_logging(level: str | None, default: str = "warning") -> None:
    """The one place logging is configured (``--log-level``; commands may pick the default)."""
    logging.basicConfig(level=(level or default).upper(), force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@app.callback()
def _main(ctx: typer.Context, log_level: Annotated[str | None, typer.Option(
        "--log-level", help=f"{' | '.join(LOG_LEVELS)} (default: warning; info for "
        "`train`)", case_sensitive=False)] = None) -> None:
    if log_level is not None and log_level.lower() not in LOG_LEVELS:
        raise typer.BadParameter(f"{log_level!r}: use one of {', '.join(LOG_LEVELS)}",
                                 param_hint="--log-level")
    ctx.obj = {"log_level": log_level}
    configure_logging(log_level, "info" if ctx.invoked_subcommand == "train" else "warning")


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """The console script: like ``app()``, but click's usage errors are one line, exit 2."""
    command = typer.main.get_command(app)
    try:
        # Not standalone: click returns the exit status instead of calling sys.exit.
        return command.main(argv, prog_name="claimtrace", standalone_mode=False) or 0
    except (typer.Abort, click.Abort):  # Ctrl-C while click itself had control
        return EXIT_INTERRUPTED
    except OSError as err:
        # A file the command was told to write or read that the system refuses (a folder
        # given for a file, a path under /proc, no permission): one line, like a usage error.
        # `run` and the stages map their own failures before this (`_execute`).
        say(f"claimtrace: error: {err}")
        return EXIT_USAGE
    except Exception as err:
        # click's usage errors (unknown option, bad value); typer vendors its own click, so
        # they are recognised by their interface rather than by class.
        if not (hasattr(err, "format_message") and isinstance(getattr(err, "exit_code", None),
                                                               int)):
            raise
        if err.format_message():  # empty after `claimtrace` alone has shown the help
            say(f"claimtrace: error: {err.format_message()}")
        return err.exit_code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
