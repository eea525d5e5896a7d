"""``--workers N``: N processes, each loading the models once, output in input order.

The main process reads the input (streaming) and writes the output; workers only process
batches. At most ``2 * N`` batches are in flight, so memory stays flat however large the
dump, and results are taken back in submission order, so the output has the same bytes as
a one-worker run.

A worker the system kills (out of memory, say) breaks the pool: the batches in flight then go
to the errors file, one record per article saying so, and a new pool takes the rest -- the
run neither hangs nor stops.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from spacy.util import minibatch

from claimtrace.pipeline.ahead import usable_cores
from claimtrace.settings import RunSettings

_WORKER: dict = {}


def _init_worker(stage: str, settings: RunSettings, parent: int) -> None:
    from claimtrace.pipeline.runner import load_pipeline

    _die_with(parent)
    _WORKER["stage"], _WORKER["settings"] = stage, settings
    try:
        _WORKER["nlp"] = None if stage == "ingest" else load_pipeline(settings, stage)
    except Exception as err:  # noqa: BLE001 — raised from the first batch instead
        # A failing initializer makes the pool start new workers for ever (a hang); the
        # error travels back with the first result, to the main process.
        _WORKER["error"] = err


PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies


def _die_with(parent: int) -> None:
    """End this worker when the main process ends, however it ends (SIGTERM, SIGKILL, the
    out-of-memory killer): orphaned workers kept their models' memory and the caller's
    stderr pipe for ever. Linux only; elsewhere the pool's own shutdown is all there is."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _work(batch: list) -> list:
    from claimtrace.pipeline.runner import process

    if "error" in _WORKER:
        raise _WORKER["error"]
    return list(process(batch, _WORKER["nlp"], _WORKER["stage"], _WORKER["settings"]))


def process_in_workers(items: Iterable, stage: str, settings: RunSettings,
                       workers: int) -> Iterator:
    """Like `runner.process`, spread over `workers` processes; yields in input order."""
    # Threads are split between processes: oversubscribing 2 cores slows everyone down.
    worker_settings = replace(
        settings, threads=max(1, settings.threads // workers), progress=False,
        models_ahead=settings.models_ahead_for(usable_cores() // workers))
    pool = _pool(stage, worker_settings, workers)
    in_flight: deque[tuple[list, Future]] = deque()
    try:
        for batch in minibatch(items, size=task_size(settings.batch_size, workers)):
            in_flight.append((batch, pool.submit(_work, batch)))
            while len(in_flight) >= 2 * workers:
                outcomes, pool = _next_result(in_flight, pool, stage, worker_settings, workers)
                yield from outcomes
        while in_flight:
            outcomes, pool = _next_result(in_flight, pool, stage, worker_settings, workers)
            yield from outcomes
    finally:
        pool.shutdown(cancel_futures=True)


# Articles per task are at most this over twice the worker count (`task_size`).
MAX_TASK_BATCH = 16


def task_size(batch_size: int, workers: int) -> int:
    """Articles per task. Several small tasks per worker keep both cores busy to the end of the
    dump: with whole ``--batch-size`` tasks, the last one ran alone while the other worker
    idled (171 articles in 11 tasks of 16 cost about a tenth of the run). Every article is
    processed on its own (models batch within one article), so the bytes do not change."""
    return max(1, min(batch_size, MAX_TASK_BATCH) // (2 * workers))


def _pool(stage: str, settings: RunSettings, workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")  # torch and fork do not mix safely
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                               initargs=(stage, settings, os.getpid()))


def _next_result(in_flight: deque, pool: ProcessPoolExecutor, stage: str,
                 settings: RunSettings, workers: int) -> tuple[list, ProcessPoolExecutor]:
    """The oldest batch's outcomes; if a worker died, error records for every batch that was
    in flight, and a fresh pool for what comes next."""
    batch, future = in_flight.popleft()
    try:
        return future.result(), pool
    except BrokenProcessPool:
        lost = [batch] + [waiting for waiting, _ in in_flight]
        in_flight.clear()
        pool.shutdown(cancel_futures=True)
        return [lost_outcome(item, stage) for b in lost for item in b], _pool(
            stage, settings, workers)


def lost_outcome(item, stage: str):
    """An error record for an item whose worker process died before returning it."""
    from claimtrace.pipeline.ingest import ArticleError
    from claimtrace.pipeline.runner import Outcome, failure, item_key

    if isinstance(item, ArticleError):
        return Outcome(item_key(item), error=item)
    return Outcome(item_key(item), error=failure(item, stage, RuntimeError(
        "the worker process processing it died (killed by the system, e.g. out of memory); "
        "rerun this article alone or with more memory")))
