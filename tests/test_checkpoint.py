"""Resume: the progress log is checked against the output, the input and the flags.

Runs in-process with the session's spaCy pipeline, so each case costs milliseconds. The
SIGKILL tests of a real process are in test_resume.py.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from claimtrace.errors import ClaimtraceError
from claimtrace.pipeline.checkpoint import (
    PROGRESS_FORMAT,
    errors_path_for,
    progress_path_for,
    read_progress,
    summary_path_for,
)
from claimtrace.pipeline.runner import run_stage

ROWS = [{"id": f"a{n}", "text": f"The mayor said {n} parks would reopen."} for n in range(6)]


@pytest.fixture
def settings(rules_settings):
    return replace(rules_settings, all_sentences=True)


@pytest.fixture
def dump(tmp_path) -> Path:
    path = tmp_path / "in.jsonl"
    lines = [json.dumps(r) for r in ROWS]
    lines.insert(2, "{broken")
    lines.insert(5, json.dumps({"id": "empty", "text": ""}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(dump: Path, output: Path, nlp, settings, resume: bool = False):
    return run_stage("run", [dump], output, settings, nlp=nlp, resume=resume)


def files(output: Path) -> tuple[bytes, bytes]:
    return output.read_bytes(), errors_path_for(output).read_bytes()


def cut_log(output: Path, keep: int, tail: bytes = b"") -> None:
    """Keep the header and `keep` entries of the log, then add `tail`, as a kill would."""
    lines = progress_path_for(output).read_bytes().splitlines(keepends=True)
    progress_path_for(output).write_bytes(b"".join(lines[: 1 + keep]) + tail)


@pytest.fixture
def reference(tmp_path, dump, nlp, settings) -> tuple[bytes, bytes]:
    output = tmp_path / "ref" / "s.jsonl"
    run(dump, output, nlp, settings)
    return files(output)


def test_log_has_a_fingerprint_header_and_one_mark_per_item(tmp_path, dump, nlp, settings):
    output = tmp_path / "s.jsonl"
    summary = run(dump, output, nlp, settings)
    checkpoint = read_progress(progress_path_for(output))
    assert checkpoint.fingerprint["stage"] == "run"
    assert len(checkpoint.marks) == summary.articles == len(ROWS) + 2
    assert checkpoint.last.out == output.stat().st_size
    assert json.loads(summary_path_for(output).read_text())["articles"] == summary.articles
    assert not list(tmp_path.glob(".*.tmp")), "atomic writes leave no temporary file"


@pytest.mark.parametrize("tail", [b"", b'{"key": "article:a3", "out": 1', b"{}\n", b"null\n",
                                  b"\xff\xfe\xfa\n", b"[1, 2]\n", b'{"key": 5}\n'])
def test_a_torn_or_damaged_log_tail_resumes_exactly(tmp_path, dump, nlp, settings, reference,
                                                    tail):
    output = tmp_path / "s.jsonl"
    run(dump, output, nlp, settings)
    cut_log(output, 3, tail)
    with output.open("ab") as handle:
        handle.write(b'{"half an article')  # what a kill mid-write leaves
    summary = run(dump, output, nlp, settings, resume=True)
    assert summary.skipped == 3
    assert files(output) == reference


@pytest.mark.parametrize("log", [None, b"", b"{}\n", b"null\n", b"\xff\xfe\n",
                                 b'{"format": "something else"}\n'])
def test_missing_empty_or_garbage_log_starts_over_without_duplicates(
        tmp_path, dump, nlp, settings, reference, log):
    output = tmp_path / "s.jsonl"
    run(dump, output, nlp, settings)
    if log is None:
        progress_path_for(output).unlink()
    else:
        progress_path_for(output).write_bytes(log)
    summary = run(dump, output, nlp, settings, resume=True)
    assert summary.skipped == 0
    assert files(output) == reference  # errors are not duplicated


def test_deleted_output_with_its_log_kept_is_refused(tmp_path, dump, nlp, settings):
    output = tmp_path / "s.jsonl"
    run(dump, output, nlp, settings)
    output.unlink()
    with pytest.raises(ClaimtraceError, match="no longer holds what the progress log"):
        run(dump, output, nlp, settings, resume=True)
    assert not output.exists()  # refused: not even an empty file is left behind


def test_edited_output_is_refused(tmp_path, dump, nlp, settings):
    output = tmp_path / "s.jsonl"
    run(dump, output, nlp, settings)
    data = bytearray(output.read_bytes())
    data[10] = ord("X")
    output.write_bytes(bytes(data))
    with pytest.raises(ClaimtraceError, match="no longer holds"):
        run(dump, output, nlp, settings, resume=True)
    assert output.read_bytes() == bytes(data), "a refused resume changes nothing"


def test_changed_flags_are_refused(tmp_path, dump, nlp, settings):
    output = tmp_path / "s.jsonl"
    run(dump, output, nlp, settings)
    with pytest.raises(ClaimtraceError, match="all_sentences"):
        run(dump, output, nlp, replace(settings, all_sentences=False), resume=True)
    # Speed settings do not change what is written: resuming with them is fine.
    run(dump, output, nlp, replace(settings, batch_size=3), resume=True)


def test_changed_input_is_refused(tmp_path, dump, nlp, settings):
    output = tmp_path / "s.jsonl"
    run(dump, output, nlp, settings)
    with dump.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "new", "text": "A new article."}) + "\n")
    with pytest.raises(ClaimtraceError, match="the input"):
        run(dump, output, nlp, settings, resume=True)


def test_same_file_name_in_two_folders_keeps_both_errors(tmp_path, nlp, settings):
    inputs = []
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        path = tmp_path / folder / "in.jsonl"
        path.write_text("{broken\n" + json.dumps(ROWS[0] if folder == "x" else ROWS[1]) + "\n")
        inputs.append(path)
    output = tmp_path / "s.jsonl"
    run_stage("run", inputs, output, settings, nlp=nlp)
    reference = files(output)
    cut_log(output, 1)
    run_stage("run", inputs, output, settings, nlp=nlp, resume=True)
    assert files(output) == reference
    origins = [json.loads(line)["origin"] for line in reference[1].splitlines()]
    assert origins == [f"{inputs[0]}:1", f"{inputs[1]}:1"]


def test_a_linked_progress_log_is_never_written_through(tmp_path, dump, nlp, settings):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    output = tmp_path / "s.jsonl"
    os.symlink(victim, progress_path_for(output))
    with pytest.raises(ClaimtraceError, match="symbolic link"):
        run(dump, output, nlp, settings)
    assert victim.read_text() == "keep"


def test_progress_header_format(tmp_path, dump, nlp, settings):
    output = tmp_path / "s.jsonl"
    run(dump, output, nlp, settings)
    header = json.loads(progress_path_for(output).read_bytes().splitlines()[0])
    assert header["format"] == PROGRESS_FORMAT
    assert header["fingerprint"]["inputs"][0]["path"] == str(dump)
