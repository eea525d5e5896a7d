"""Run a component's model on the next articles in a thread of its own.

spaCy's parse and the rules run in the main thread and use one core. ONNX Runtime releases
the GIL while it computes, so on a machine with a second core a model can score the articles
already parsed while the main thread parses the next ones. `work_ahead` is that overlap for
one component's per-article work; the results and their order do not change, since every
article is still scored on its own (see the components' ``pipe``).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def usable_cores() -> int:
    """Cores this process may run on (its affinity mask, not the machine's count)."""
    return len(os.sched_getaffinity(0))


def work_ahead(items: Iterable[Item], work: Callable[[Item], Result], depth: int
               ) -> Iterator[tuple[Item, Result]]:
    """``(item, work(item))`` in input order. With ``depth >= 1``, `work` runs in one
    background thread on up to ``depth + 1`` items while the loop pulls the next ones from
    `items`; with ``depth == 0`` it is the plain loop. An exception in `work` is raised here,
    for its item, as in the plain loop."""
    if depth < 1:
        for item in items:
            yield item, work(item)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="claimtrace-model") as pool:
        pending: deque[tuple[Item, Future[Result]]] = deque()
        for item in items:
            pending.append((item, pool.submit(work, item)))
            if len(pending) > depth:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
