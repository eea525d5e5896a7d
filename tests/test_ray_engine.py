"""``--engine ray`` on a real local Ray instance gives the local engine's statements and errors.

Only the equality test needs Ray (an optional extra); the option checks run without it.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrace.cli import app
from claimtrace.pipeline.checkpoint import errors_path_for
from claimtrace.settings import SAMPLE_INPUT

runner = CliRunner()
MAX_CHARS = 2000  # the sample articles are shorter; "too-long" is over, so a worker rejects it
SAMPLE = {p.stem: p.read_text(encoding="utf-8") for p in sorted(SAMPLE_INPUT.glob("*.txt"))}
FIRST, SECOND, THIRD = SAMPLE


@pytest.fixture(scope="module")
def local_ray():
    """Two CPUs, as on a small CI runner; the engine reuses an initialised Ray."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False)
    yield
    ray.shutdown()


def articles_with_bad_lines(path: Path) -> Path:
    """The sample articles between errors of every origin: ingest and the worker."""
    rows = [json.dumps({"id": FIRST, "text": SAMPLE[FIRST]}),
            '{"id": "broken", "text": ',  # malformed JSON: an ingest error
            json.dumps({"id": SECOND, "text": SAMPLE[SECOND], "title": "Second"}),
            json.dumps({"id": "no-text"}),
            json.dumps({"id": THIRD, "text": SAMPLE[THIRD]}),
            json.dumps({"id": FIRST, "text": "A duplicate id."}),
            json.dumps({"id": "too-long", "text": SAMPLE[THIRD] * 3})]  # a split error
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(source: Path, output: Path, *engine: str) -> None:
    result = runner.invoke(app, ["run", str(source), "-o", str(output), "--no-claims",
                                 "--quiet", "--batch-size", "1", "--max-chars", str(MAX_CHARS),
                                 *engine])
    assert result.exit_code == 0, result.output


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def message(result) -> str:
    """The CLI's output as one line, without the box that typer wraps usage errors in."""
    return " ".join(result.output.replace("│", " ").split())


@pytest.mark.slow
def test_ray_engine_gives_the_local_statements_and_errors(tmp_path, local_ray):
    source = articles_with_bad_lines(tmp_path / "in.jsonl")
    local, on_ray = tmp_path / "local" / "s.jsonl", tmp_path / "ray" / "s.jsonl"
    run(source, local)
    # --batch-size 1 makes several blocks and batches, so the order is really put back.
    run(source, on_ray, "--engine", "ray")

    assert lines(local), "the sample has statements"
    assert set(lines(on_ray)) == set(lines(local))
    local_errors = lines(errors_path_for(local))
    ray_errors = lines(errors_path_for(on_ray))
    failed = [json.loads(e)["article_id"] for e in local_errors]
    assert sorted(failed, key=str) == sorted([None, "no-text", FIRST, "too-long"], key=str)
    assert set(ray_errors) == set(local_errors)
    # Beyond the "order aside": the engine keeps input order, so the files are equal.
    assert lines(on_ray) == lines(local) and ray_errors == local_errors

    summaries = [json.loads(p.with_suffix(".summary.json").read_text()) for p in (local, on_ray)]
    for summary in summaries:
        del summary["seconds"], summary["articles_per_second"]
    assert summaries[0] == summaries[1]


@pytest.mark.parametrize("args, expected", [
    (["--address", "ray://head:10001"], "--address needs --engine ray"),
    (["--engine", "ray", "--workers", "2"], "for --engine local"),
    (["--engine", "ray", "--resume"], "for --engine local"),
])
def test_options_that_only_fit_one_engine_are_usage_errors(tmp_path, args, expected):
    source = articles_with_bad_lines(tmp_path / "in.jsonl")
    result = runner.invoke(app, ["run", str(source), "-o", str(tmp_path / "s.jsonl"), *args])
    assert result.exit_code == 2 and expected in message(result)


def test_engine_ray_without_ray_says_how_to_install_it(tmp_path, monkeypatch):
    # None in sys.modules makes Ray unfindable, as it is where the extra is not installed.
    monkeypatch.setitem(sys.modules, "ray", None)
    source = articles_with_bad_lines(tmp_path / "in.jsonl")
    result = runner.invoke(app, ["run", str(source), "-o", str(tmp_path / "s.jsonl"),
                                 "--engine", "ray"])
    assert result.exit_code == 2 and "pip install 'claimtrace[ray]'" in message(result)


def test_ray_client_addresses_are_refused_before_the_run(tmp_path, monkeypatch):
    # The engine needs a driver on the cluster; a Ray Client address is refused before starting.
    pytest.importorskip("ray")
    monkeypatch.setenv("RAY_ADDRESS", "ray://head:10001")
    source = articles_with_bad_lines(tmp_path / "in.jsonl")
    result = runner.invoke(app, ["run", str(source), "-o", str(tmp_path / "s.jsonl"),
                                 "--engine", "ray"])
    assert result.exit_code == 2 and "Ray Client addresses" in message(result)


@pytest.mark.slow
def test_ray_engine_streams_the_input(local_ray):
    """The driver reads ahead only a bounded window of blocks, whatever the dump's size."""
    from claimtrace.pipeline.ingest import make_article
    from claimtrace.pipeline.ray_engine import (
        BATCHES_PER_BLOCK,
        IN_FLIGHT_PER_ACTOR,
        _actor_count,
        process_on_ray,
    )
    from claimtrace.settings import RunSettings

    settings = RunSettings(classify=False, progress=False, batch_size=1)
    pulled = []

    def dump():
        for n in range(400):
            pulled.append(n)
            yield make_article({"id": f"a{n}", "text": "The mayor said it."}, f"dump:{n}")

    outcomes = process_on_ray(dump(), settings)
    first = next(outcomes)
    window = (IN_FLIGHT_PER_ACTOR * _actor_count(settings) + 1) * BATCHES_PER_BLOCK
    assert first.key == "article:a0"
    assert len(pulled) <= window < 400, "the driver must not read the whole dump first"
    rest = list(outcomes)
    assert [o.key for o in rest] == [f"article:a{n}" for n in range(1, 400)]


def closed_port() -> int:
    """A local port where nothing listens (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("address, said", [
    ("127.0.0.1:{port}", "Connection refused"),
    ("head", "it is not auto, local or host:port"),
    ("head:port", "it is not auto, local or host:port"),
    ("head:6379²", "it is not auto, local or host:port"),
    ("head:70000", "it is not auto, local or host:port"),
])
def test_an_address_where_no_cluster_answers_is_refused_in_seconds(tmp_path, monkeypatch,
                                                                   address, said):
    # Ray waited minutes on a port where nothing listens, and raised a bare ValueError
    # (exit 3, "a bug") for a value without a port; now one line, exit 2, nothing written.
    ray = pytest.importorskip("ray")

    def waits(*args, **kwargs):
        raise AssertionError("ray.init was reached: on a bogus address it waits minutes")

    monkeypatch.setattr(ray, "init", waits)
    source = articles_with_bad_lines(tmp_path / "in.jsonl")
    output = tmp_path / "s.jsonl"
    result = runner.invoke(app, ["run", str(source), "-o", str(output), "--engine", "ray",
                                 "--address", address.format(port=closed_port())])
    assert result.exit_code == 2, result.output
    assert "names no Ray cluster that answers" in message(result) and said in message(result)
    assert not output.exists()


def test_an_address_that_never_answers_is_refused_after_the_timeout(monkeypatch):
    pytest.importorskip("ray")
    from claimtrace.errors import ClaimtraceError
    from claimtrace.pipeline import ray_engine

    def silent(target, timeout):  # a firewall that drops the packets: connect times out
        raise TimeoutError("timed out")

    monkeypatch.setattr(ray_engine.socket, "create_connection", silent)
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.7:6379")
    with pytest.raises(ClaimtraceError, match=r"RAY_ADDRESS '10.0.0.7:6379' .*within 10 s"):
        ray_engine.check_address(None)


def test_an_address_where_a_server_listens_goes_on_to_ray():
    pytest.importorskip("ray")
    from claimtrace.pipeline.ray_engine import check_address

    with socket.socket() as head:
        head.bind(("127.0.0.1", 0))
        head.listen()
        check_address(f"127.0.0.1:{head.getsockname()[1]}")  # no error
    check_address("auto")  # Ray finds this machine's cluster itself
