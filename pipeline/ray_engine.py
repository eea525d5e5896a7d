"""``claimtrace run --engine ray``: the same stages on a Ray cluster, with Ray Data.

Flow: the driver streams `ingest` into Ray's object store in blocks -> ``map_batches`` on a
pool of actors, each building the spaCy pipeline once and running the local engine's own
`runner.process` -> rows come back to the driver in input order and are written to the one
output file and ``errors.jsonl``, exactly where and how the local engine writes them.

Two choices, and why:

- The driver reads the input, not the workers (``ray.data.read_json``). `ingest` gives
  every input kind (JSONL, gzip, CSV, folders, stdin), ids, cross-file deduplication and
  per-line error origins; ``read_json`` fails a whole file on one bad line, loses line
  numbers and cannot deduplicate, so its errors would differ from the local engine's. The
  inputs also need to exist only on the driver's machine. The cost: processing starts once
  the whole input is in the object store. That is small next to parsing (ingest is far
  faster), the driver holds one block at a time, and Ray spills the object store to disk
  when a dump outgrows memory.
- Results come back to the driver instead of workers writing shards (``write_json``). On a
  cluster, shards written to a local path land on each worker node's own disk, and the
  single output file has to be written on one machine anyway; streaming rows back gives
  that file directly, in input order (``preserve_order``), with no concatenation step.

Ingest errors travel through the pipeline as rows too, so ``errors.jsonl`` keeps the local
engine's order. ``ray`` is an optional extra (``pip install 'claimtrace[ray]'``); only this
module imports it, and only ``--engine ray`` imports this module.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import ray
from spacy.util import minibatch

from claimtrace.errors import ClaimtraceError, Errors
from claimtrace.pipeline.ingest import Article, ArticleError, ingest
from claimtrace.pipeline.nlp import build_nlp, claim_model_available
from claimtrace.pipeline.runner import Outcome, Summary, errors_path_for, process, record_outcome
from claimtrace.settings import RunSettings

# Rows per object-store block = batch_size * this: several batches per block keep the
# per-block overhead low, while a small dump still splits into blocks for several actors.
BATCHES_PER_BLOCK = 4

# Every Article field is a string; `error_json` carries an ingest error instead of an article.
INPUT_SCHEMA = pa.schema([(f.name, pa.string()) for f in dataclasses.fields(Article)]
                         + [("error_json", pa.string())])
OUTPUT_SCHEMA = pa.schema([("key", pa.string()), ("article_id", pa.string()),
                           ("records_json", pa.string()), ("sentences", pa.int64()),
                           ("error_json", pa.string())])


# ---------------------------------------------------------------- rows <-> pipeline items


def _error_json(error: ArticleError) -> str:
    return json.dumps(error.to_dict(), ensure_ascii=False)


def _input_row(item: Article | ArticleError) -> dict:
    if isinstance(item, ArticleError):
        return {"error_json": _error_json(item)}
    return {**item.to_dict(), "error_json": None}


def _item_from_row(row: dict) -> Article | ArticleError:
    if row["error_json"] is not None:
        return ArticleError.from_dict(json.loads(row["error_json"]))
    return Article.from_dict(row)


def _output_row(item: Article | ArticleError, outcome: Outcome) -> dict:
    article_id = item.article_id if isinstance(item, ArticleError) else item.id
    error = _error_json(outcome.error) if outcome.error is not None else None
    # The exact lines the local engine writes, so the text could go to a file unchanged.
    records = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in outcome.records)
    return {"key": outcome.key, "article_id": article_id, "records_json": records,
            "sentences": outcome.sentences, "error_json": error}


def _outcome_from_row(row: dict) -> Outcome:
    if row["error_json"] is not None:
        return Outcome(row["key"], error=ArticleError.from_dict(json.loads(row["error_json"])))
    # Split on "\n" only: json.dumps escapes it inside strings, but not U+2028 and the other
    # breaks that str.splitlines would also cut at.
    records = [json.loads(line) for line in row["records_json"].split("\n") if line]
    return Outcome(row["key"], records, row["sentences"])


# ---------------------------------------------------------------- the actor


class ArticleActor:
    """One per actor in the pool: builds the models once, then processes batches of rows."""

    def __init__(self, settings: RunSettings) -> None:
        self.settings = settings
        self.nlp = build_nlp(settings, "run")

    def __call__(self, batch: pa.Table) -> pa.Table:
        items = [_item_from_row(row) for row in batch.to_pylist()]
        # `process` yields exactly one outcome per item, in order, errors passed through.
        outcomes = process(items, self.nlp, "run", self.settings)
        rows = [_output_row(item, outcome)
                for item, outcome in zip(items, outcomes, strict=True)]
        return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)


def _cpus_per_actor(settings: RunSettings) -> int:
    # spaCy's parse is single-threaded; only the claim classifier runs `threads` torch threads.
    return settings.threads if claim_model_available(settings) else 1


# ---------------------------------------------------------------- driver


def _put_blocks(items: Iterable[Article | ArticleError], rows: int) -> list[ray.ObjectRef]:
    """Stream the items into the object store; the driver holds one block at a time."""
    return [ray.put(pa.Table.from_pylist([_input_row(item) for item in chunk],
                                         schema=INPUT_SCHEMA))
            for chunk in minibatch(items, size=rows)]


def process_on_ray(items: Iterable[Article | ArticleError],
                   settings: RunSettings) -> Iterator[Outcome]:
    """Like `runner.process` for the ``run`` stage, on the connected Ray cluster, in order."""
    blocks = _put_blocks(items, settings.batch_size * BATCHES_PER_BLOCK)
    if not blocks:
        return
    dataset = ray.data.from_arrow_refs(blocks).map_batches(
        ArticleActor, fn_constructor_args=(settings,), batch_size=settings.batch_size,
        batch_format="pyarrow", num_cpus=_cpus_per_actor(settings),
        # min 1, no max: the pool grows with the cluster (Ray 2.51+ API: `compute=`).
        compute=ray.data.ActorPoolStrategy(min_size=1, max_size=None))
    # Set on this dataset's own context, not the global one a caller may share.
    dataset.context.execution_options.preserve_order = True
    dataset.context.enable_progress_bars = settings.progress
    for row in dataset.iter_rows():
        yield _outcome_from_row(row)


def check_address(address: str | None) -> None:
    """Refuse Ray Client addresses up front: Ray Data's executor needs a driver that is part
    of the cluster, and through ``ray://`` it fails only once the run has started."""
    chosen = address or os.environ.get("RAY_ADDRESS") or ""
    if chosen.startswith("ray://"):
        raise ClaimtraceError(Errors.E050.format(address=chosen))


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
    """``claimtrace run`` on Ray: the same output file, errors file and summary."""
    started = time.perf_counter()
    summary = Summary("run")
    output.parent.mkdir(parents=True, exist_ok=True)
    with ray_session(address), output.open("wb") as out, \
            errors_path_for(output).open("wb") as errors:
        for outcome in process_on_ray(ingest(inputs), settings):
            record_outcome(outcome, out, errors, summary)
    summary.seconds = time.perf_counter() - started
    return summary
