"""Crash-safe, resumable output: a progress log beside the output file.

After an article's records are written and flushed, one line goes to
``<output>.progress.jsonl`` with the article's key and the byte offsets the output and
errors files had reached. On ``--resume`` both files are cut back to the last logged
offsets — dropping any half-written article of a killed run — and logged keys are skipped.
So every article's records are written whole or not at all, and exactly once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


def progress_path_for(output: Path) -> Path:
    return output.with_suffix(".progress.jsonl")


@dataclass
class Checkpoint:
    done: set[str] = field(default_factory=set)
    output_offset: int = 0
    errors_offset: int | None = None


def load_checkpoint(output: Path) -> Checkpoint:
    """Read the progress log; a torn last line (killed mid-write) is ignored."""
    checkpoint = Checkpoint()
    path = progress_path_for(output)
    if not path.exists():
        return checkpoint
    for line in path.read_bytes().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            break
        checkpoint.done.add(entry["key"])
        checkpoint.output_offset, checkpoint.errors_offset = entry["out"], entry["err"]
    return checkpoint


def truncate_to(path: Path, offset: int) -> None:
    if path.exists() and path.stat().st_size > offset:
        with path.open("r+b") as handle:
            handle.truncate(offset)


def rewrite_progress(output: Path) -> None:
    """Drop a torn trailing line so new entries append cleanly."""
    path = progress_path_for(output)
    if not path.exists():
        return
    lines = []
    for line in path.read_bytes().splitlines():
        try:
            json.loads(line)
        except json.JSONDecodeError:
            break
        lines.append(line + b"\n")
    path.write_bytes(b"".join(lines))


def log_done(progress: BinaryIO, key: str, output_offset: int, errors_offset: int) -> None:
    entry = {"key": key, "out": output_offset, "err": errors_offset}
    progress.write((json.dumps(entry) + "\n").encode("utf-8"))
    progress.flush()
