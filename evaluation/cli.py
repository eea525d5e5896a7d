"""``claimtrace evaluate`` (score systems on gold sources and write the reports),
``claimtrace evaluate agreement`` (the gold set's self-agreement) and ``claimtrace bench ...``
(the speed and memory benchmarks).

The main CLI mounts `evaluate_app` and `bench_app`. The benchmarks keep their own argparse
options: ``claimtrace bench pipeline --workers 1,2`` hands everything after the sub-command to
`claimtrace.evaluation.benchmark.main` (``--help`` shows them).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from claimtrace.evaluation.harness import REPORTS_DIR, SOURCES, run_evaluation
from claimtrace.evaluation.report import fmt
from claimtrace.evaluation.systems import SYSTEMS

SourcesOpt = Annotated[str, typer.Option(
    "--sources", help=f"Comma-separated gold sources: {','.join(SOURCES)}")]
SystemsOpt = Annotated[str, typer.Option(
    "--systems", help=f"Comma-separated systems: {','.join(SYSTEMS)}")]
LimitOpt = Annotated[int | None, typer.Option(
    "--limit", min=1, help="Score only the first N articles (N sentences for claimbuster)")]
OutputDirOpt = Annotated[Path, typer.Option(
    "--output-dir", help="Where the reports are written")]
ClaimsOnlyOpt = Annotated[bool, typer.Option(
    "--claims-only", help="Only the claim models side by side (gold_claims, claimbuster)")]


def _names(value: str, known: tuple[str, ...] | list[str], option: str) -> list[str]:
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise typer.BadParameter(f"unknown or empty {unknown or value!r}; choose from "
                                 f"{', '.join(known)}", param_hint=option)
    return names


def _summary_line(source: str, name: str, figures: dict) -> str:
    if figures["status"] != "ok":
        return f"{source:12} {name:17} {'; '.join(figures['notes'])}"
    parts = []
    if figures.get("sentences"):
        parts.append(f"sentences F1 {fmt(figures['sentences']['f1'])}")
    if figures.get("attributions"):
        overlap = figures["attributions"]["overlap"]
        exact = figures["attributions"]["exact"]
        parts.append(f"content F1 exact {fmt(exact['content']['f1'])} "
                     f"overlap {fmt(overlap['content']['f1'])}")
        parts.append(f"attribution F1 exact {fmt(exact['attribution']['f1'])} "
                     f"overlap {fmt(overlap['attribution']['f1'])}")
    if figures.get("claims"):
        claims = figures["claims"]
        parts.append(f"claims P {fmt(claims['checkworthy_vs_rest']['precision'])} "
                     f"R {fmt(claims['checkworthy_vs_rest']['recall'])} "
                     f"F1 {fmt(claims['checkworthy_vs_rest']['f1'])}")
        if claims.get("macro_f1_3class") is not None:
            parts.append(f"3-class macro-F1 {fmt(claims['macro_f1_3class'])}")
    return f"{source:12} {name:17} " + ", ".join(parts)


evaluate_app = typer.Typer(help="Score systems against labelled data.")
bench_app = typer.Typer(help="Speed and memory benchmarks (reports in evaluation/reports/).",
                        no_args_is_help=True)


@evaluate_app.callback(invoke_without_command=True)
def evaluate(ctx: typer.Context, sources: SourcesOpt = "gold,polnear,claimbuster",
             systems: SystemsOpt = "rules,textacy", limit: LimitOpt = None,
             output_dir: OutputDirOpt = REPORTS_DIR, claims_only: ClaimsOnlyOpt = False) -> None:
    """Run systems on gold sources; write <source>.md, .json, _errors.md and a claims PR plot.
    ``claimtrace evaluate agreement`` scores the gold set's second pass instead."""
    if ctx.invoked_subcommand is not None:
        return
    chosen_sources = _names(sources, SOURCES, "--sources")
    chosen_systems = _names(systems, list(SYSTEMS), "--systems")
    try:  # before the scoring: a bad folder used to surface after it, the work lost
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise typer.BadParameter(f"{output_dir}: {err.strerror}",
                                 param_hint="--output-dir") from err
    everything = run_evaluation(chosen_sources, chosen_systems, limit, output_dir, claims_only)
    for source, figures in everything.items():
        for note in figures["notes"]:
            if note.startswith("skipped"):
                typer.echo(f"{source:12} {note}")
        for name, system in figures["systems"].items():
            typer.echo(_summary_line(source, name, system))
    typer.echo(f"reports: {output_dir}", err=True)


@evaluate_app.command("agreement")
def agreement() -> None:
    """Self-agreement of the gold set (pass 1 vs pass 2): writes evaluation/reports/
    agreement.json and the block in evaluation/gold/GUIDELINES.md."""
    from claimtrace.evaluation.agreement import main

    main()


_FORWARD = {"context_settings": {"allow_extra_args": True, "ignore_unknown_options": True},
            "add_help_option": False}


@bench_app.command("pipeline", **_FORWARD)
def bench_pipeline(ctx: typer.Context) -> None:
    """Articles per second and peak memory of spaCy alone and of `claimtrace run`."""
    from claimtrace.evaluation.benchmark import main

    main(ctx.args)


@bench_app.command("attribution", **_FORWARD)
def bench_attribution(ctx: typer.Context) -> None:
    """Speed of the attribution tagger against spaCy's parse."""
    from claimtrace.evaluation.benchmark_attribution import main

    main(ctx.args)


@bench_app.command("claims", **_FORWARD)
def bench_claims(ctx: typer.Context) -> None:
    """Speed and agreement of the claim model's fp32 and int8 forms."""
    from claimtrace.evaluation.benchmark_claims import main

    main(ctx.args)


if __name__ == "__main__":
    evaluate_app()
