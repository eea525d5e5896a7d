"""``--workers N``: N processes, each loading the models once, output in input order.

The main process reads the input (streaming) and writes the output; workers only process
batches. At most ``2 * N`` batches are in flight, so memory stays flat however large the
dump, and results are taken back in submission order, so the output has the same bytes as
a one-worker run.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace

from spacy.util import minibatch

from claimtrace.settings import RunSettings

_WORKER: dict = {}


def _init_worker(stage: str, settings: RunSettings) -> None:
    from claimtrace.pipeline.runner import load_pipeline

    _WORKER["stage"], _WORKER["settings"] = stage, settings
    try:
        _WORKER["nlp"] = None if stage == "ingest" else load_pipeline(settings, stage)
    except Exception as err:  # noqa: BLE001 — raised from the first batch instead
        # A failing initializer makes the pool start new workers for ever (a hang); the
        # error travels back with the first result, to the main process.
        _WORKER["error"] = err


def _work(batch: list) -> list:
    from claimtrace.pipeline.runner import process

    if "error" in _WORKER:
        raise _WORKER["error"]
    return list(process(batch, _WORKER["nlp"], _WORKER["stage"], _WORKER["settings"]))


def process_in_workers(items: Iterable, stage: str, settings: RunSettings,
                       workers: int) -> Iterator:
    """Like `runner.process`, spread over `workers` processes; yields in input order."""
    # Threads are split between processes: oversubscribing 2 cores slows everyone down.
    worker_settings = replace(settings, threads=max(1, settings.threads // workers),
                              progress=False)
    context = multiprocessing.get_context("spawn")  # torch and fork do not mix safely
    with context.Pool(workers, initializer=_init_worker,
                      initargs=(stage, worker_settings)) as pool:
        in_flight: deque = deque()
        for batch in minibatch(items, size=settings.batch_size):
            in_flight.append(pool.apply_async(_work, (batch,)))
            while len(in_flight) >= 2 * workers:
                yield from in_flight.popleft().get()
        while in_flight:
            yield from in_flight.popleft().get()
