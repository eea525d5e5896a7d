"""``--workers`` (`pipeline.parallel`): order, and a worker that dies mid-run."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

from claimtrace.pipeline import parallel
from claimtrace.pipeline.ingest import ArticleError, make_article
from claimtrace.settings import RunSettings


class DeadPool:
    def __init__(self):
        self.shut = False

    def shutdown(self, cancel_futures: bool = False) -> None:
        self.shut = True


def broken() -> Future:
    future: Future = Future()
    future.set_exception(BrokenProcessPool("a worker died"))
    return future


def test_batches_in_flight_when_a_worker_dies_become_error_records(monkeypatch):
    fresh = object()
    monkeypatch.setattr(parallel, "_pool", lambda *args: fresh)
    first = [make_article({"id": "a", "text": "One."}, "in:1"),
             ArticleError("ingest", "malformed JSON", None, "in:2")]
    second = [make_article({"id": "b", "text": "Two."}, "in:3")]
    in_flight = deque([(first, broken()), (second, broken())])
    dead = DeadPool()
    outcomes, pool = parallel._next_result(in_flight, dead, "run", RunSettings(), 2)
    assert pool is fresh and dead.shut and not in_flight
    assert [o.key for o in outcomes] == ["article:a", "error:in:2:None", "article:b"]
    assert "worker process" in outcomes[0].error.reason and outcomes[0].error.article_id == "a"
    assert outcomes[1].error.reason == "malformed JSON"  # an input error stays what it was


def test_results_come_back_in_input_order():
    articles = [make_article({"id": str(i), "text": f"Officials said it was day {i}."}, f"in:{i}")
                for i in range(5)]
    settings = RunSettings(classify=False, progress=False, attribution_method="rules",
                           batch_size=1)
    outcomes = list(parallel.process_in_workers(articles, "run", settings, 2))
    assert [o.key for o in outcomes] == [f"article:{i}" for i in range(5)]
    assert all(o.error is None and o.records for o in outcomes)
