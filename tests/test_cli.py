"""Usage errors: refused in one line with exit 2, before any output is opened or model loaded.

A crash is exit 3, never 1 ("nothing processed"). Each case also checks that nothing was
written and no input changed.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimtrace.cli import EXIT_INTERNAL, EXIT_SYSTEM, EXIT_USAGE, main
from claimtrace.pipeline.checkpoint import errors_path_for, progress_path_for

GOOD = json.dumps({"id": "a", "text": "The mayor said the park would reopen."}) + "\n"


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Every entry under `folder`: file bytes, or what the entry is."""
    state: dict[str, bytes | str] = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            state[key] = "link->" + os.readlink(path)
        elif path.is_file():
            state[key] = path.read_bytes()
        else:
            state[key] = "dir"
    return state


def claimtrace(capsys, *args: str) -> tuple[int, str]:
    code = main(["run", *args, "--quiet", "--no-claims"])
    return code, capsys.readouterr().err


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text(GOOD, encoding="utf-8")
    (tmp_path / "old.errors.jsonl").write_text(GOOD, encoding="utf-8")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("The mayor said so.", encoding="utf-8")
    (tmp_path / "a_file").write_text("not a folder", encoding="utf-8")
    (tmp_path / "a_dir").mkdir()
    (tmp_path / "a_dir.csv").mkdir()  # a folder named like a CSV output
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    (tmp_path / "victim.txt").write_text("keep me", encoding="utf-8")
    return tmp_path


# (arguments, a fragment of the one-line message); `link:NAME` makes a symlink NAME to
# victim.txt first (and is an argument only when it is the output).
USAGE_ERRORS = [
    (["in.jsonl", "-o", "in.jsonl"], "also an input"),
    (["old.errors.jsonl", "-o", "old.jsonl"], "the errors file old.errors.jsonl is also an input"),
    (["old.errors.jsonl", "-o", "old.errors.jsonl"], "the output old.errors.jsonl is also an"),
    (["in.jsonl", "-o", "in.errors.jsonl.jsonl"], None),  # a fine name: not a usage error
    (["in.jsonl", "-o", "a_dir"], "is a directory"),
    (["in.jsonl", "-o", ""], "is a directory"),
    (["in.jsonl", "-o", "."], "is a directory"),
    (["in.jsonl", "-o", "a_dir.csv"], "is a directory"),
    (["in.jsonl", "-o", "a_file/out.jsonl"], "is not a directory"),
    (["in.jsonl", "-o", "a_file/sub/out.jsonl"], "is not a directory"),
    (["a.pdf", "-o", "out.jsonl"], "unsupported input"),
    (["missing.jsonl", "-o", "out.jsonl"], "does not exist"),
    (["folder", "-o", "folder/new.txt"], "is inside the input folder"),
    # Any name: the run's files would change the listing --resume checks.
    (["folder", "-o", "folder/out.jsonl"], "is inside the input folder"),
    (["folder", "-o", "folder/deeper/out.csv"], "is inside the input folder"),
    (["in.jsonl", "-o", "/dev/stdout"], "cannot go to stdout"),
    (["in.jsonl", "-o", "-"], "cannot go to stdout"),
    (["in.jsonl", "-o", "/dev/null"], "not a regular file"),
    (["in.jsonl", "-o", "link:out.jsonl"], "symbolic link"),
    (["in.jsonl", "-o", "out.jsonl", "link:out.errors.jsonl"], "symbolic link"),
    (["in.jsonl", "-o", "out.jsonl", "link:out.progress.jsonl"], "symbolic link"),
    (["in.jsonl", "-o", "out.jsonl", "link:out.summary.json"], "symbolic link"),
    (["in.jsonl", "-o", "out.jsonl", "--kinds", "quotes"], "unknown kind"),
    (["in.jsonl", "-o", "out.jsonl", "--attribution", "magic"], "unknown attribution method"),
    (["in.jsonl", "-o", "out.jsonl", "--models-dir", "a_dir"], "a_dir/attribution: no such"),
    (["in.jsonl", "-o", "out.jsonl", "--min-score", "3"], "--min-score"),
    (["in.jsonl", "-o", "out.jsonl", "--min-score", "0.5", "--no-claims"], "drop --no-claims"),
    (["in.jsonl", "-o", "out.jsonl", "--threads", "100000"], "at most 256"),
    (["in.jsonl", "-o", "out.jsonl", "--languages", "en,xx"], "unknown language code(s) xx"),
    (["in.jsonl", "-o", "out.jsonl", "--no-such-flag"], "No such option"),
    (["in.jsonl", "-o", "out.jsonl", "--address", "auto"], "--address needs --engine ray"),
    (["-", "-", "-o", "out.jsonl"], "more than once"),
    (["-", "-o", "out.jsonl", "--resume"], "stdin"),
    # The shipped models hold only the ONNX graph (--no-claims: the tagger's folder).
    (["in.jsonl", "-o", "out.jsonl", "--attribution", "hybrid", "--runtime", "torch"],
     "model.safetensors: runtime torch needs it"),
]


@pytest.mark.parametrize("args, message", USAGE_ERRORS)
def test_usage_errors_exit_2_in_one_line_and_write_nothing(work, capsys, args, message):
    for name in (a.removeprefix("link:") for a in args if a.startswith("link:")):
        if not (work / name).exists():
            (work / name).symlink_to(work / "victim.txt")
    output = args.index("-o") + 1
    args = [a.removeprefix("link:") for i, a in enumerate(args)
            if not a.startswith("link:") or i == output]
    before = snapshot(work)
    code, err = claimtrace(capsys, *args)
    if message is None:
        assert code == 0, err
        return
    assert code == EXIT_USAGE, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimtrace: error:"), err
    assert message in lines[0]
    assert "Traceback" not in err
    assert snapshot(work) == before, "a refused run must not write or change anything"


def test_output_equal_to_input_leaves_the_input_whole(work, capsys):
    code, _ = claimtrace(capsys, "in.jsonl", "-o", "./in.jsonl")
    assert code == EXIT_USAGE
    assert (work / "in.jsonl").read_text(encoding="utf-8") == GOOD


def test_hard_link_to_an_input_is_refused(work, capsys):
    os.link(work / "in.jsonl", work / "out.errors.jsonl")
    code, err = claimtrace(capsys, "in.jsonl", "-o", "out.jsonl")
    assert code == EXIT_USAGE and "the errors file" in err


def test_stage_command_refuses_its_input_as_output(work, capsys):
    assert main(["ingest", "in.jsonl", "-o", "articles.jsonl", "-q"]) == 0
    before = (work / "articles.jsonl").read_bytes()
    code = main(["split", "articles.jsonl", "-o", "articles.jsonl", "-q"])
    assert code == EXIT_USAGE and "also an input" in capsys.readouterr().err
    assert (work / "articles.jsonl").read_bytes() == before


def test_a_second_run_on_a_locked_output_exits_2(work, capsys):
    """Two concurrent runs on one output: the second is refused and touches nothing."""
    assert claimtrace(capsys, "in.jsonl", "-o", "out.jsonl")[0] == 0
    before = snapshot(work)
    with (work / "out.jsonl").open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # as a running claimtrace holds it
        code, err = claimtrace(capsys, "in.jsonl", "-o", "out.jsonl")
    assert code == EXIT_USAGE and "locked by another claimtrace run" in err
    assert snapshot(work) == before


def test_side_files_are_named_after_the_output(work, capsys):
    (work / "bad.jsonl").write_text("{oops\n" + GOOD, encoding="utf-8")
    assert claimtrace(capsys, "bad.jsonl", "-o", "one.jsonl")[0] == 0
    assert claimtrace(capsys, "in.jsonl", "-o", "two.jsonl")[0] == 0
    # Two outputs in one folder keep their own errors.
    assert len(errors_path_for(work / "one.jsonl").read_text().splitlines()) == 1
    assert errors_path_for(work / "two.jsonl").read_text() == ""
    assert progress_path_for(work / "one.jsonl").exists()
    assert json.loads((work / "one.summary.json").read_text())["errors"] == 1


def test_a_crash_is_exit_3_never_1(work, capsys, monkeypatch):
    from claimtrace.pipeline import runner

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner, "process", broken)
    code, err = claimtrace(capsys, "in.jsonl", "-o", "out.jsonl")
    assert code == EXIT_INTERNAL and "internal error" in err


def test_a_full_disk_is_one_line_and_exit_4_not_a_bug(work, capsys, monkeypatch):
    from claimtrace.pipeline.checkpoint import OutputFiles

    def full(self, key, records, errors):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.output))

    monkeypatch.setattr(OutputFiles, "write", full)
    code, err = claimtrace(capsys, "in.jsonl", "-o", "out.jsonl")
    assert code == EXIT_SYSTEM, err
    assert "No space left on device" in err and "out.jsonl" in err and "--resume" in err
    assert "Traceback" not in err and "internal error" not in err


def test_closed_stdin_is_a_usage_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "claimtrace.cli", "run", "-", "-o", str(tmp_path / "o.jsonl")],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False,
        preexec_fn=lambda: os.close(0))
    assert result.returncode == EXIT_USAGE, result.stderr
    assert result.stderr.strip() == "claimtrace: error: input '-' (stdin) is closed or not readable"
    assert not (tmp_path / "o.jsonl").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_stderr_does_not_stop_the_run(tmp_path):
    # stderr into a full device or a closed pipe ("| head"): the messages are lost, the
    # run is not -- the format file is still written and the status is still 0.
    (tmp_path / "in.jsonl").write_text(GOOD, encoding="utf-8")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "claimtrace.cli", "run", str(tmp_path / "in.jsonl"), "-o",
             str(tmp_path / "out.csv"), "--quiet", "--no-claims", "--attribution", "rules"],
            stderr=full, stdout=subprocess.DEVNULL, check=False)
    assert result.returncode == 0
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").count("\n") == 2


@pytest.mark.parametrize("command, output", [
    ("run", "in.jsonl"), ("run", "in.errors.jsonl"), ("split", "in.jsonl")])
def test_stdin_read_from_the_output_is_refused(tmp_path, command, output):
    # "-o f.jsonl < f.jsonl": opening the output would empty the file stdin reads.
    for name in ("in.jsonl", "in.errors.jsonl"):
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    with open(tmp_path / output, "rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "claimtrace.cli", command, "-", "-o",
             str(tmp_path / "in.jsonl")], stdin=stdin, capture_output=True, text=True,
            check=False)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert "is also an input of this run" in result.stderr
    assert (tmp_path / output).read_text(encoding="utf-8") == GOOD


@pytest.mark.parametrize("target", ["nowhere/folder", "link"])  # "link": to itself
def test_output_folder_behind_a_broken_link_is_a_usage_error(work, capsys, target):
    (work / "link").symlink_to(work / target)
    code, err = claimtrace(capsys, "in.jsonl", "-o", "link/out.jsonl")
    assert code == EXIT_USAGE and "a link to nowhere or to itself" in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("args, message", [
    (["split", "folder", "-o", "s.jsonl"], "not a folder"),
    (["attribute", "in.csv", "-o", "s.jsonl"], "not a csv file"),
    (["ingest", "in.jsonl", "-o", "i.jsonl.gz"], "writes plain JSONL, not gzip"),
    (["export", "in.jsonl", "-o", "x.jsonl.gz"], "writes plain JSONL, not gzip"),
])
def test_stage_commands_refuse_what_they_cannot_read_or_write(work, capsys, args, message):
    (work / "in.csv").write_text("id,text\na,The mayor said so.\n", encoding="utf-8")
    before = snapshot(work)
    assert main([*args, "--quiet"]) == EXIT_USAGE
    assert message in capsys.readouterr().err
    assert snapshot(work) == before


def test_nothing_processed_is_exit_1(work, capsys):
    (work / "bad.jsonl").write_text("{oops\n", encoding="utf-8")
    code, err = claimtrace(capsys, "bad.jsonl", "-o", "out.jsonl")
    assert code == 1 and "0 processed" in err and "holds no articles" not in err
    (work / "empty.jsonl").write_text("\n", encoding="utf-8")
    code, err = claimtrace(capsys, "empty.jsonl", "-o", "out2.jsonl")
    assert code == 1 and "the input holds no articles" in err


def test_log_level_is_one_option_for_every_command(work, capsys):
    assert main(["--log-level", "loud", "schema"]) == EXIT_USAGE
    assert "--log-level" in capsys.readouterr().err
    assert main(["--log-level", "debug", "schema", "-o", "s.json"]) == 0
    import logging

    assert logging.getLogger().level == logging.DEBUG
    assert main(["schema", "-o", "s.json"]) == 0
    assert logging.getLogger().level == logging.WARNING


@pytest.mark.parametrize("command, expected", [
    (["bench", "pipeline", "--help"], "--model-sentences"),
    (["bench", "attribution", "--help"], "--repeat"),
    (["bench", "claims", "--help"], "--batch-size"),
])
def test_benchmarks_are_claimtrace_commands(capsys, command, expected):
    with pytest.raises(SystemExit) as exit_info:  # argparse's own --help
        main(command)
    assert exit_info.value.code == 0
    assert expected in capsys.readouterr().out


def test_evaluate_has_an_agreement_command():
    from typer.testing import CliRunner

    from claimtrace.cli import app

    result = CliRunner().invoke(app, ["evaluate", "--help"])
    assert result.exit_code == 0 and "agreement" in result.output and "--sources" in result.output


def test_summary_holds_the_run_settings(work, capsys):
    """The summary records the `RunSettings` the run used: every field, flags applied."""
    from claimtrace.settings import RunSettings

    code, _ = claimtrace(capsys, "in.jsonl", "-o", "out.jsonl", "--attribution", "rules",
                         "--kinds", "speech", "--batch-size", "4", "--max-chars", "5000")
    assert code == 0
    saved = json.loads((work / "out.summary.json").read_text())["settings"]
    expected = RunSettings(batch_size=4, max_chars=5000, classify=False,
                           attribution_method="rules", kinds=("speech",), progress=False)
    assert saved == json.loads(json.dumps(expected.to_dict()))


def test_schema_and_evaluate_refuse_bad_output_paths_in_one_line(tmp_path, capsys):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["schema", "-o", str(tmp_path / "folder")]) == 2
    assert main(["evaluate", "--sources", "news_dev", "--systems", "rules", "--limit", "1",
                 "--output-dir", str(tmp_path / "file")]) == 2  # before any scoring
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("claimtrace: error:") == 2
