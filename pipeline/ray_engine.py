"""``claimtrace run --engine ray``: the same stages on a Ray cluster, with Ray actors.

Flow: the driver streams `ingest` in blocks to a pool of actors (one per CPU the cluster
has at start, each building the spaCy pipeline once and running the local engine's own
`runner.process`); outcomes come back to the driver in input order and are written to the
one output file and its side files, exactly where and how the local engine writes them.

Three choices, and why:

- Streaming with a bounded window. The driver submits a block only when fewer than
  ``IN_FLIGHT_PER_ACTOR`` blocks per actor are pending, and takes results back in order. So
  the driver and the object store hold a few blocks at any time, however large the dump.
  (An earlier version built a Ray Data dataset with ``from_arrow_refs``, whose refs must all
  exist first: the whole dump went into the object store before processing began. Plain
  actors with a bounded window avoid that and keep the order without ``preserve_order``.)
- The driver reads the input, not the workers (``ray.data.read_json``). `ingest` gives
  every input kind (JSONL, gzip, CSV, folders, stdin), ids, cross-file deduplication and
  per-line error origins; ``read_json`` fails a whole file on one bad line, loses line
  numbers and cannot deduplicate, so its errors would differ from the local engine's. The
  inputs also need to exist only on the driver's machine.
- Results come back to the driver instead of workers writing shards. On a cluster, shards
  written to a local path land on each worker node's own disk, and the single output file
  has to be written on one machine anyway; taking results back in order gives that file
  directly, with no concatenation step.

Ingest errors travel through the actors as items too, so the errors file keeps the local
engine's order. ``ray`` is an optional extra (``pip install 'claimtrace[ray]'``); only this
module imports it, and only ``--engine ray`` imports this module.
"""

from __future__ import annotations

import os
import socket
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import cycle
from pathlib import Path

import ray
from spacy.util import minibatch

from claimtrace.errors import ClaimtraceError, Errors
from claimtrace.pipeline.ingest import Article, ArticleError, ingest
from claimtrace.pipeline.nlp import claim_model_available
from claimtrace.pipeline.runner import (
    Outcome,
    Summary,
    encode_outcome,
    load_pipeline,
    open_run_files,
    process,
)
from claimtrace.settings import RunSettings

# Items per block = batch_size * this: several batches per block keep the per-task overhead
# low, while a small dump still splits into blocks for several actors.
BATCHES_PER_BLOCK = 4
# Blocks queued per actor: one being processed, one waiting, so no actor idles between them.
IN_FLIGHT_PER_ACTOR = 2


# ---------------------------------------------------------------- the actor


class ArticleActor:
    """One per actor in the pool: builds the models once, then processes blocks of items.

    A model that fails to load fails every block with its error, so the driver reports it
    (a ClaimtraceError, exit 2) instead of waiting on an actor that never started."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings, self.error = settings, None
        try:
            self.nlp = load_pipeline(settings, "run")
        except Exception as err:  # noqa: BLE001 — raised from `process` below
            self.error = err

    def process(self, block: list[Article | ArticleError]) -> list[Outcome]:
        if self.error is not None:
            raise self.error
        # `process` yields exactly one outcome per item, in order, errors passed through.
        return list(process(block, self.nlp, "run", self.settings))


def _cpus_per_actor(settings: RunSettings) -> int:
    # spaCy's parse is single-threaded; only the models run `threads` threads (ONNX Runtime).
    return settings.threads if claim_model_available(settings) else 1


def _actor_count(settings: RunSettings) -> int:
    cpus = int(ray.cluster_resources().get("CPU", 1))
    return max(1, cpus // _cpus_per_actor(settings))


# ---------------------------------------------------------------- driver


def process_on_ray(items: Iterable[Article | ArticleError],
                   settings: RunSettings) -> Iterator[Outcome]:
    """Like `runner.process` for the ``run`` stage, on the connected Ray cluster, in order.

    The input is read block by block as actors become free: at most `IN_FLIGHT_PER_ACTOR`
    blocks per actor are in the object store or being processed, whatever the dump's size.
    """
    remote = ray.remote(num_cpus=_cpus_per_actor(settings))(ArticleActor)
    # Each actor is given one CPU per model thread, none for a model thread beside the parse.
    actor_settings = replace(settings, models_ahead=0)
    actors = [remote.remote(actor_settings) for _ in range(_actor_count(settings))]
    in_flight: deque = deque()
    try:
        blocks = minibatch(items, size=settings.batch_size * BATCHES_PER_BLOCK)
        for block, actor in zip(blocks, cycle(actors)):
            in_flight.append(actor.process.remote(block))
            if len(in_flight) >= IN_FLIGHT_PER_ACTOR * len(actors):
                yield from ray.get(in_flight.popleft())
        while in_flight:
            yield from ray.get(in_flight.popleft())
    finally:
        for actor in actors:
            ray.kill(actor)


# How long the head may take to accept a connection. Ray itself retries an address where
# nothing listens for minutes, silently: an unattended run would look busy, not broken.
ADDRESS_TIMEOUT_SECONDS = 10.0
# Addresses Ray resolves itself: this machine's cluster, or a new local instance.
NAMED_ADDRESSES = {"", "auto", "local"}


def check_address(address: str | None, timeout: float = ADDRESS_TIMEOUT_SECONDS) -> None:
    """Refuse, up front and in one line, an address the engine cannot use: a Ray Client one
    (the engine is built and tested for a driver that is part of the cluster: object refs,
    actors and ``ray.kill`` through Ray Client are not), one that is not host:port (Ray
    raises a bare ValueError), or one where no head accepts a connection within `timeout`."""
    name = "--address" if address else "RAY_ADDRESS"
    chosen = address or os.environ.get("RAY_ADDRESS") or ""
    if chosen.startswith("ray://"):
        raise ClaimtraceError(Errors.E050.format(address=chosen))
    if chosen in NAMED_ADDRESSES:
        return
    problem = _unreachable(chosen, timeout)
    if problem is not None:
        raise ClaimtraceError(Errors.E083.format(name=name, address=chosen, detail=problem))


def _host_and_port(address: str) -> tuple[str, int] | None:
    """("head", 6379) from "head:6379" or "[::1]:6379"; None when it is not host:port."""
    host, _, port = address.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    digits = port.isascii() and port.isdigit() and len(port) <= 5  # "²" is a digit to isdigit
    if not host or "/" in host or not digits or not 0 < int(port) < 65536:
        return None
    return host, int(port)


def _unreachable(address: str, timeout: float) -> str | None:
    """Why nothing accepts a connection at `address` (host:port), or None when a server does.
    A TCP connection proves no more than a listener, but catches the usual slips (a typo in
    the host, the wrong port, a head that is down) in seconds instead of a silent wait."""
    target = _host_and_port(address)
    if target is None:
        return "it is not auto, local or host:port"
    try:
        with socket.create_connection(target, timeout=timeout):
            return None
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except OSError as err:  # refused, unknown host, no route
        return err.strerror or str(err)


@contextmanager
def ray_session(address: str | None = None) -> Iterator[None]:
    """Use Ray if already initialised (a test, a notebook); else connect or start it.

    ``address=None`` lets ``ray.init`` look for ``RAY_ADDRESS`` (or a cluster started with
    ``ray start`` on this machine) and otherwise start a local instance.
    """
    if ray.is_initialized():
        yield
        return
    check_address(address)
    ray.init(address=address)
    try:
        yield
    finally:
        ray.shutdown()


def run_on_ray(inputs: list[str | Path], output: Path, settings: RunSettings,
               address: str | None = None) -> Summary:
    """``claimtrace run`` on Ray: the same output file, side files and summary."""
    started = time.perf_counter()
    summary = Summary("run", settings=settings.to_dict())
    with open_run_files("run", inputs, output, settings, resume=False) as files, \
            ray_session(address):
        for outcome in process_on_ray(ingest(inputs), settings):
            files.write(outcome.key, *encode_outcome(outcome, summary))
        summary.seconds = time.perf_counter() - started
        files.write_summary(summary.to_dict())
    return summary


# ---------------------------------------------------------------- memory check (README figures)


def _peak_memory(run, interval: float = 0.25) -> tuple[int, int]:
    """Run `run()`; return peak RSS of this driver and peak PSS of it plus every process it
    started (Ray's GCS, raylet with the object store, the actors), both in bytes."""
    import threading

    import psutil

    me, peaks, done = psutil.Process(), [0, 0], threading.Event()

    def pss(process: psutil.Process) -> int:
        try:
            return process.memory_full_info().pss
        except psutil.Error:
            return 0

    def sample() -> None:
        while not done.wait(interval):
            peaks[0] = max(peaks[0], me.memory_info().rss)
            peaks[1] = max(peaks[1], pss(me) + sum(map(pss, me.children(recursive=True))))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        run()
    finally:
        done.set()
        thread.join()
    return peaks[0], peaks[1]


def measure(sizes: list[int], workdir: Path) -> list[dict]:
    """Peak memory of `run_on_ray` on dumps of each size (two-sentence articles), 2 CPUs."""
    import json

    settings = RunSettings(classify=False, progress=False)
    text = "The mayor said the park would reopen on Monday. Officials declined to comment. "
    results = []
    ray.init(num_cpus=2, include_dashboard=False)
    try:
        for size in sizes:
            dump = workdir / f"dump_{size}.jsonl"
            with dump.open("w", encoding="utf-8") as handle:
                handle.writelines(json.dumps({"id": f"a{n}", "text": text}) + "\n"
                                  for n in range(size))
            output = workdir / f"out_{size}.jsonl"
            started = time.perf_counter()
            driver, total = _peak_memory(lambda d=dump, o=output: run_on_ray([d], o, settings))
            results.append({"articles": size, "dump_bytes": dump.stat().st_size,
                            "seconds": round(time.perf_counter() - started, 1),
                            "driver_peak_rss_mb": round(driver / 1e6),
                            "all_processes_peak_pss_mb": round(total / 1e6)})
    finally:
        ray.shutdown()
    return results


if __name__ == "__main__":  # python -m claimtrace.pipeline.ray_engine 1000 10000
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for row in measure([int(n) for n in sys.argv[1:] or ["1000", "10000"]], Path(folder)):
            print(row)
