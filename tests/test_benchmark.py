"""The benchmark's input split for the independent-process ceiling (evaluation.benchmark)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

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


def test_rounds_interleave_the_runs_and_each_keeps_its_fastest(monkeypatch):
    from claimtrace.evaluation import benchmark

    calls = []
    seconds = {"spacy": iter([20.0, 18.0]), "claimtrace": iter([40.0, 44.0])}

    def fake(kind, **kwargs):
        calls.append(kind)
        return {"seconds": next(seconds[kind]), "articles_per_second": 1.0}

    monkeypatch.setattr(benchmark, "in_subprocess", fake)
    jobs = {"spacy": ("spacy", {}), "default/1": ("claimtrace", {})}
    best = benchmark.fastest_of_rounds(jobs, repeats=2)
    assert calls == ["spacy", "claimtrace", "spacy", "claimtrace"]
    assert best["spacy"]["seconds"] == 18.0
    assert best["spacy"]["seconds_each_round"] == [20.0, 18.0]
    assert best["default/1"]["seconds"] == 40.0


def test_spacy_alone_is_timed_as_a_whole_process_like_claimtrace(monkeypatch):
    # claimtrace's seconds include the interpreter's start and its imports; spaCy alone's
    # must too, or every ratio is tilted against claimtrace by the cost of `import spacy`.
    from claimtrace.evaluation import benchmark

    clock = iter([100.0, 112.5])
    monkeypatch.setattr(benchmark.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(benchmark, "in_subprocess", lambda kind, **kwargs: {
        "kind": kind, "articles": 10, "sentences": 50, "seconds": 9.0,
        "articles_per_second": 10 / 9.0})
    result = benchmark.measure_spacy_process("dump.csv", batch_size=64)
    assert result["kind"] == "spacy"
    assert result["seconds"] == 12.5 and result["seconds_in_process"] == 9.0
    assert result["articles_per_second"] == 0.8
    jobs = benchmark.timed_jobs(Path("dump.csv"), [1], [], ["default"])
    assert jobs["spacy"][0] == "spacy_process"
