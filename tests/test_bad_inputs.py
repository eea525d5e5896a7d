"""Stage commands (split, attribute, classify, export) survive malformed intermediate records.

Every line of a hand-edited or damaged intermediate file lands exactly once: in the stage's
output, or in its errors file with a reason. No traceback, no crash of the run.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import pytest

from claimtrace.cli import main
from claimtrace.pipeline.checkpoint import errors_path_for, summary_path_for
from claimtrace.pipeline.ingest import text_sha256
from claimtrace.settings import SAMPLE_INPUT

STAGES = ("split", "attribute", "classify", "export")


def state(**changes) -> str:
    article = {"id": "x", "text": "The mayor said the park would reopen.", "sha256": "0"}
    record = {"schema": "claimtrace/article-state@1", "stage": "split", "article": article,
              "models": {}}
    record.update(changes)
    record["article"]["sha256"] = text_sha256(record["article"]["text"])  # damage elsewhere
    return json.dumps(record)


MALFORMED = [
    "{oops",
    "null",
    "[1, 2]",
    '"just a string"',
    json.dumps({"no": "article"}),
    json.dumps({"article": 5}),
    json.dumps({"article": {"id": "no-text"}}),
    json.dumps({"article": {"id": "t", "text": 42}}),
    '{"article": {"id": "\\ud800", "text": "Lone surrogate id."}}',
    '{"article": {"id": "s", "text": "Bad \\udc80 text."}}',
    "[" * 100_000 + "]" * 100_000,
    '{"article": {"id": "big", "text": "x"}, "n": ' + "9" * 5000 + "}",
    state(article={"id": "m", "text": "The mayor said it.", "sha256": "0"}, models=[1, 2]),
    # A line that is not (or no longer says it is) a stage state, whatever its other fields.
    *(state(article={"id": f"schema{n}", "text": "The mayor said it.", "sha256": "0"},
            schema=tag) for n, tag in enumerate([None, "claimtrace/article-state@9", 1])),
    json.dumps({"stage": "split", "article": {"id": "no-schema", "text": "The mayor said."}}),
    state(article={"id": "s1", "text": "The mayor said it.", "sha256": "0"}, sentences=5),
    state(article={"id": "s2", "text": "The mayor said it.", "sha256": "0"},
          sentences=[{"start": "a", "end": None}]),
    state(article={"id": "s3", "text": "The mayor said it.", "sha256": "0"},
          sentences=[{"index": 0, "start": 0, "end": 18, "paragraph": 0}],
          attributions=[{"content": 3}]),
    state(article={"id": "s4", "text": "The mayor said it.", "sha256": "0"},
          sentences=[{"index": 0, "start": 0, "end": 18, "paragraph": 0}],
          claims=[{"index": "zero"}]),
    state(article={"id": "s5", "text": "The mayor said it.", "sha256": "0"},
          sentences=[{"index": 0, "start": 900, "end": 2, "paragraph": 0}]),
    # Hand-edited values of the right fields: each is the line's error, never read as
    # something else ("yes" as check-worthy, a word as a confidence).
    *(state(article={"id": f"c{n}", "text": "The mayor said it.", "sha256": "0"},
            sentences=[{"index": 0, "start": 0, "end": 18, "paragraph": 0}],
            claims=[{"index": 0, "checkworthy": False, "score": 0.1, "threshold": 0.5,
                     "model": "m", **bad}])
      for n, bad in enumerate([{"checkworthy": "yes"}, {"score": "high"},
                               {"score": float("nan")}, {"threshold": 7},
                               {"label": "maybe"}, {"probabilities": {"CFS": "x"}},
                               {"model": None}])),
    *(state(article={"id": f"a{n}", "text": "The mayor said it.", "sha256": "0"},
            sentences=[{"index": 0, "start": 0, "end": 18, "paragraph": 0}],
            attributions=[{"content": {"start": 15, "end": 17}, "source": None, "cue": None,
                           "quote_type": "indirect", "kind": "speech", "resolved": None,
                           "description": None, "source_type": "other", "sentence_index": 0,
                           **bad}])
      for n, bad in enumerate([{"confidence": "high"}, {"confidence": True},
                               {"content": None}, {"kind": {"a": 1}},
                               {"quote_type": "quoted"}, {"source_type": None}])),
]
NOT_UTF8 = b"\xff\xfe not UTF-8 at all"
HARMLESS = ()


@pytest.fixture(scope="module")
def good_states(tmp_path_factory) -> dict[str, Path]:
    """Each stage's real input, made by running the stages on the sample."""
    folder = tmp_path_factory.mktemp("stages")
    paths = {"ingest": folder / "ingest.jsonl"}
    assert main(["ingest", str(SAMPLE_INPUT), "-o", str(paths["ingest"]), "-q"]) == 0
    previous = paths["ingest"]
    for stage in STAGES:
        paths[stage] = folder / f"{stage}.jsonl"
        assert main([stage, str(previous), "-o", str(paths[stage]), "-q", "--no-claims"]) == 0
        previous = paths[stage]
    return paths


@pytest.mark.parametrize("stage", STAGES)
def test_stage_survives_malformed_records(tmp_path, good_states, stage, capsys):
    previous = {"split": "ingest", "attribute": "split", "classify": "attribute",
                "export": "classify"}[stage]
    good = good_states[previous].read_bytes().splitlines()
    # the malformed states claim to come from the stage before this one
    malformed = (m.replace('"stage": "split"', f'"stage": "{previous}"') for m in MALFORMED)
    lines = [good[0], *(m.encode() for m in malformed), NOT_UTF8, *good[1:]]
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    output = tmp_path / "out.jsonl"
    code = main([stage, str(source), "-o", str(output), "-q", "--no-claims"])
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err, err
    summary = json.loads(summary_path_for(output).read_text())
    errors = [json.loads(line) for line in errors_path_for(output).read_text().splitlines()]
    assert summary["articles"] == len(lines) == summary["processed"] + summary["errors"]
    assert summary["errors"] == len(errors)
    for error in errors:
        assert error["reason"] and error["stage"]
        # In words, not a Python exception's text ("KeyError: 'content'").
        assert not re.search(r"\b\w+Error\b", error["reason"]), error["reason"]
    # Every damaged state is the line's error with a reason, a claim for no sentence and a
    # sentence that ends before it starts included: none loses a value unseen.
    assert summary["errors"] == len(MALFORMED) - len(HARMLESS) + 1
    assert summary["processed"] == len(good) + len(HARMLESS)
    assert "not valid UTF-8" in errors[-1]["reason"]
    written = output.read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line) for line in written)


@pytest.mark.parametrize("stage", STAGES)
def test_stage_file_with_an_article_twice_keeps_the_first(tmp_path, good_states, stage):
    # Two copies of a state would give two records under one statement id; as for raw input,
    # the later copy is an error, never processed and never dropped in silence.
    previous = {"split": "ingest", "attribute": "split", "classify": "attribute",
                "export": "classify"}[stage]
    good = good_states[previous].read_bytes().splitlines()
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join([*good, good[0]]) + b"\n")
    output = tmp_path / "out.jsonl"
    assert main([stage, str(source), "-o", str(output), "-q", "--no-claims"]) == 0
    errors = [json.loads(line) for line in errors_path_for(output).read_text().splitlines()]
    first_id = json.loads(good[0])["article"]["id"]
    assert [(e["article_id"], e["reason"].split(" (")[0]) for e in errors] == [
        (first_id, f"duplicate article id '{first_id}'")]
    summary = json.loads(summary_path_for(output).read_text())
    assert summary["processed"] == len(good) and summary["errors"] == 1


def test_raw_articles_and_statements_given_to_a_stage_are_named(tmp_path):
    # The two files users most often hand a stage by mistake: say what the line is.
    raw = tmp_path / "raw.jsonl"
    raw.write_text(json.dumps({"id": "a", "text": "The mayor said it."}) + "\n")
    statements = tmp_path / "statements.jsonl"
    assert main(["run", str(raw), "-o", str(statements), "-q", "--no-claims",
                 "--all-sentences"]) == 0
    for stage, source, what in [("split", raw, "a raw article"),
                                ("export", statements, "a statement record")]:
        output = tmp_path / f"{stage}.jsonl"
        main([stage, str(source), "-o", str(output), "-q", "--no-claims"])
        (error,) = [json.loads(line) for line in errors_path_for(output).read_text().splitlines()]
        assert error["reason"].startswith(f"this line is {what}"), error


def test_a_stage_file_with_a_byte_order_mark_is_read(tmp_path, good_states):
    # Saved again by Notepad or Excel: ingest accepted the mark, a stage refused line 1.
    source = tmp_path / "bom.jsonl"
    source.write_bytes(codecs.BOM_UTF8 + good_states["ingest"].read_bytes())
    output = tmp_path / "out.jsonl"
    assert main(["split", str(source), "-o", str(output), "-q"]) == 0
    assert errors_path_for(output).read_text() == ""
    assert output.read_bytes() == good_states["split"].read_bytes()
