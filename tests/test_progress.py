"""Progress totals: the input counted as the readers will see it, so the bar can show an ETA."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from claimtrace.pipeline.ingest import read_articles
from claimtrace.pipeline.progress import count_inputs, count_items
from claimtrace.pipeline.runner import _progress_total, _with_progress
from claimtrace.settings import SAMPLE_INPUT, RunSettings

FIXTURES = Path(__file__).parent / "fixtures"


def test_counts_match_what_the_readers_yield(tmp_path):
    lines = [json.dumps({"text": f"Article {n}."}) for n in range(5)]
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n")
    gz = tmp_path / "a.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl.read_bytes()))
    csv_path = FIXTURES / "gold" / "wikinews_tiny.csv"  # quoted multi-line texts
    for source in (jsonl, gz, csv_path, SAMPLE_INPUT, next(SAMPLE_INPUT.glob("*.txt"))):
        assert count_items(source) == len(list(read_articles(source))), source
    assert count_inputs([jsonl, csv_path]) == 7


def test_unknown_sizes_give_no_total(tmp_path):
    assert count_items("-") is None
    assert count_items(tmp_path / "missing.jsonl") is None
    assert count_inputs([SAMPLE_INPUT, "-"]) is None


def test_the_bar_gets_the_total_left_to_do():
    settings = RunSettings(progress=True)
    assert _progress_total([SAMPLE_INPUT], settings, done=1) == 2
    bar = _with_progress(iter([]), settings, total=2)
    assert bar.total == 2
    bar.close()
    assert _progress_total([SAMPLE_INPUT], RunSettings(progress=False), done=0) is None
