"""How many input items a run will see, so its progress bar can show a total and an ETA.

Counting reads the input once more without parsing articles: a small cost next to the NLP.
Standard input cannot be read twice, so a run from ``-`` shows a count and a rate only.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterable
from pathlib import Path

from claimtrace.pipeline.ingest import allow_long_csv_fields, folder_entries


def _json_lines(handle: Iterable[bytes]) -> int:
    return sum(1 for line in handle if line.strip())


def _csv_rows(path: Path) -> int:
    with path.open("rb") as binary:
        text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="")
        allow_long_csv_fields()
        return max(sum(1 for _ in csv.reader(text)) - 1, 0)  # less the header


def count_items(source: str | Path) -> int | None:
    """Input items in one source, as the readers will yield them; None when unknown."""
    if str(source) == "-":
        return None
    path = Path(source)
    name = path.name.lower()
    try:
        if path.is_dir():
            return sum(1 for _ in folder_entries(path))  # what read_folder reads
        if name.endswith((".jsonl.gz", ".json.gz")):
            with gzip.open(path, "rb") as handle:
                return _json_lines(handle)
        if name.endswith((".jsonl", ".json")):
            with path.open("rb") as handle:
                return _json_lines(handle)
        if name.endswith(".csv"):
            return _csv_rows(path)
        if name.endswith(".txt"):
            return 1
    except (OSError, EOFError, zlib.error, csv.Error):
        return None  # the run itself reports what is wrong with the file
    return None


def count_inputs(sources: Iterable[str | Path]) -> int | None:
    """Items in all sources, or None if any one cannot be counted."""
    total = 0
    for source in sources:
        count = count_items(source)
        if count is None:
            return None
        total += count
    return total
