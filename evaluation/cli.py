"""``claimtrace evaluate``: score systems on gold sources and write the reports.

`evaluate` is a plain function with typer annotations; the main CLI registers it with
``app.command("evaluate")(evaluate)``. ``python -m claimtrace.evaluation.cli`` runs it alone.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from claimtrace.evaluation.harness import REPORTS_DIR, SOURCES, run_evaluation
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
        parts.append(f"sentences F1 {_f(figures['sentences']['f1'])}")
    if figures.get("attributions"):
        overlap = figures["attributions"]["overlap"]
        exact = figures["attributions"]["exact"]
        parts.append(f"content F1 exact {_f(exact['content']['f1'])} "
                     f"overlap {_f(overlap['content']['f1'])}")
        parts.append(f"attribution F1 exact {_f(exact['attribution']['f1'])} "
                     f"overlap {_f(overlap['attribution']['f1'])}")
    if figures.get("claims"):
        claims = figures["claims"]
        parts.append(f"claims P {_f(claims['checkworthy_vs_rest']['precision'])} "
                     f"R {_f(claims['checkworthy_vs_rest']['recall'])} "
                     f"F1 {_f(claims['checkworthy_vs_rest']['f1'])}")
        if claims.get("macro_f1_3class") is not None:
            parts.append(f"3-class macro-F1 {_f(claims['macro_f1_3class'])}")
    return f"{source:12} {name:17} " + ", ".join(parts)


def _f(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def evaluate(sources: SourcesOpt = "gold,polnear,claimbuster",
             systems: SystemsOpt = "rules,textacy", limit: LimitOpt = None,
             output_dir: OutputDirOpt = REPORTS_DIR, claims_only: ClaimsOnlyOpt = False) -> None:
    """Run systems on gold sources; write <source>.md, .json, _errors.md and a claims PR plot."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    chosen_sources = _names(sources, SOURCES, "--sources")
    chosen_systems = _names(systems, list(SYSTEMS), "--systems")
    everything = run_evaluation(chosen_sources, chosen_systems, limit, output_dir, claims_only)
    for source, figures in everything.items():
        for note in figures["notes"]:
            if note.startswith("skipped"):
                typer.echo(f"{source:12} {note}")
        for name, system in figures["systems"].items():
            typer.echo(_summary_line(source, name, system))
    typer.echo(f"reports: {output_dir}", err=True)


def main() -> None:
    typer.run(evaluate)


if __name__ == "__main__":
    main()
