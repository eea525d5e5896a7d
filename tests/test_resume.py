"""Kill a real run with SIGKILL mid-way, resume it, and get exactly the uninterrupted result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from claimtrace.pipeline.checkpoint import errors_path_for, progress_path_for
from claimtrace.settings import SAMPLE_INPUT


def make_dump(path: Path, copies: int) -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE_INPUT.glob("*.txt"))]
    lines, ids = [], []
    for n in range(copies):
        article_id = f"copy{n:03d}"
        ids.append(article_id)
        lines.append(json.dumps({"id": article_id, "text": texts[n % len(texts)]}))
        if n == 5:
            lines.append("{this line is broken")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ids


def command(source: Path, output: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "claimtrace.cli", "run", str(source), "-o", str(output),
            "--no-claims", "-q", "--all-sentences", "--batch-size", "2", *extra]


def progress_lines(output: Path) -> int:
    path = progress_path_for(output)
    return len(path.read_bytes().splitlines()) if path.exists() else 0


@pytest.mark.slow
def test_sigkill_then_resume_equals_uninterrupted_run(tmp_path):
    source = tmp_path / "dump.jsonl"
    ids = make_dump(source, 40)
    reference = tmp_path / "ref" / "statements.jsonl"
    subprocess.run(command(source, reference), check=True, capture_output=True)

    output = tmp_path / "killed" / "statements.jsonl"
    process = subprocess.Popen(command(source, output), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while progress_lines(output) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done_before = progress_lines(output)
    assert 8 <= done_before < len(ids) + 1, "the kill must land mid-way"

    resumed = subprocess.run(command(source, output, "--resume"), capture_output=True,
                             text=True, check=True)
    assert "skipped as done" in resumed.stderr

    assert output.read_bytes() == reference.read_bytes()
    errors = errors_path_for(output).read_text().splitlines()
    assert errors == errors_path_for(reference).read_text().splitlines()
    records = [json.loads(line) for line in output.read_text().splitlines()]
    seen = {r["article"]["id"] for r in records}
    assert seen == set(ids) and len(errors) == 1
    # Each article once: its sentence indices start at 0 once and never repeat.
    for article_id in ids:
        indices = [r["sentence"]["index"] for r in records if r["article"]["id"] == article_id]
        assert indices == sorted(set(indices))


@pytest.mark.slow
def test_resume_of_a_finished_run_adds_nothing(tmp_path):
    source = tmp_path / "dump.jsonl"
    make_dump(source, 3)
    output = tmp_path / "s.jsonl"
    subprocess.run(command(source, output), check=True, capture_output=True)
    before = output.read_bytes()
    subprocess.run(command(source, output, "--resume"), check=True, capture_output=True)
    assert output.read_bytes() == before


def child_pids(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl death signal")
def test_workers_end_when_the_main_process_is_killed(tmp_path):
    source = tmp_path / "dump.jsonl"
    make_dump(source, 40)
    output = tmp_path / "statements.jsonl"
    process = subprocess.Popen(command(source, output, "--workers", "2"),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while progress_lines(output) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = child_pids(process.pid)
    assert len(workers) >= 2, "the workers must be running when the main process dies"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # leave the machine clean even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived the main process"


@pytest.mark.slow
def test_sigterm_ends_the_run_in_one_line_and_resume_completes_it(tmp_path):
    # A scheduler stops a batch job with SIGTERM: the run says so, exits 128 + 15, and
    # --resume finishes with exactly the uninterrupted output.
    source = tmp_path / "dump.jsonl"
    make_dump(source, 30)
    reference = tmp_path / "ref" / "statements.jsonl"
    subprocess.run(command(source, reference), check=True, capture_output=True)
    output = tmp_path / "stopped" / "statements.jsonl"
    process = subprocess.Popen(command(source, output), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while progress_lines(output) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + signal.SIGTERM, err
    assert "terminated (SIGTERM); --resume continues" in err and "Traceback" not in err
    subprocess.run(command(source, output, "--resume"), check=True, capture_output=True)
    assert output.read_bytes() == reference.read_bytes()
