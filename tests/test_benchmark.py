"""The benchmark's input split for the independent-process ceiling (evaluation.benchmark)."""

from __future__ import annotations

import csv
import json

import pytest

from claimtrace.evaluation.benchmark import split_input
from claimtrace.pipeline.ingest import Article, ingest


def article_ids(paths) -> list[str]:
    return sorted(a.id for a in ingest([str(p) for p in paths]) if isinstance(a, Article))


def test_a_csv_dump_is_dealt_round_robin_and_every_article_lands_once(tmp_path):
    source = tmp_path / "dump.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["url", "title", "text"])
        writer.writeheader()
        for n in range(5):
            writer.writerow({"url": f"u{n}", "title": f"T{n}", "text": f"Article {n}, \"quoted\"."})
    parts = split_input(source, 2, tmp_path)
    assert [len(list(csv.DictReader(p.open(encoding="utf-8")))) for p in parts] == [3, 2]
    assert article_ids(parts) == article_ids([source])


def test_a_jsonl_dump_is_split_by_line(tmp_path):
    source = tmp_path / "dump.jsonl"
    source.write_text("".join(json.dumps({"id": f"a{n}", "text": f"Text {n}."}) + "\n"
                              for n in range(3)), encoding="utf-8")
    parts = split_input(source, 2, tmp_path)
    assert [p.read_text(encoding="utf-8").count("\n") for p in parts] == [2, 1]
    assert article_ids(parts) == article_ids([source])


def test_other_inputs_are_refused_with_a_reason(tmp_path):
    with pytest.raises(ValueError, match="splits .csv or .jsonl"):
        split_input(tmp_path, 2, tmp_path)


@pytest.mark.parametrize("module, args", [
    ("benchmark", ["--workers", "0"]), ("benchmark", ["--configs", "bogus"]),
    ("benchmark", ["--input", "/nonexistent.csv"]), ("benchmark_attribution", ["--repeat", "0"]),
    ("benchmark_claims", ["--batch-size", "0"])])
def test_bench_arguments_are_checked_before_measuring(module, args, capsys):
    # --repeat 0 wrote a report of Infinity and NaN over the committed one
    import importlib

    main = importlib.import_module(f"claimtrace.evaluation.{module}").main
    with pytest.raises(SystemExit) as stopped:
        main(args)
    assert stopped.value.code == 2 and "error: " in capsys.readouterr().err
