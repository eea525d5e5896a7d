"""Where one process's time goes: wall seconds per pipeline component, models inline.

    .venv/bin/python scripts/profile_components.py [--limit 171] [--attribution hybrid]

Builds the pipeline `claimtrace run` builds (with ``models_ahead=0``, so each model runs in
the main thread and its time is its own), then runs every article through the components
one at a time and sums each component's wall time. The total is the CPU a one-worker run
has to spend; `claimtrace bench pipeline` gives the wall time the run actually takes.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from claimtrace.pipeline.ingest import Article, ingest
from claimtrace.pipeline.nlp import build_nlp
from claimtrace.settings import REPO_ROOT, RunSettings

WIKINEWS = REPO_ROOT.parent / "shared" / "data" / "wikinews" / "wikinews_2019.csv"


def component_seconds(texts: list[str], settings: RunSettings) -> tuple[Counter, int]:
    """(seconds per component, sentences) over `texts`, one article at a time."""
    nlp = build_nlp(settings)
    seconds: Counter = Counter()
    sentences = 0
    for text in texts:
        started = time.perf_counter()
        doc = nlp.make_doc(text)
        seconds["make_doc"] += time.perf_counter() - started
        for name, component in nlp.pipeline:
            started = time.perf_counter()
            doc = component(doc)
            seconds[name] += time.perf_counter() - started
        sentences += sum(1 for _ in doc.sents)
    return seconds, sentences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, default=WIKINEWS)
    parser.add_argument("--limit", type=int, default=0, help="first N articles (0: all)")
    parser.add_argument("--attribution", default="hybrid")
    args = parser.parse_args()
    texts = [a.text for a in ingest([str(args.input)]) if isinstance(a, Article)]
    texts = texts[:args.limit] if args.limit else texts
    settings = RunSettings(models_ahead=0, attribution_method=args.attribution)
    seconds, sentences = component_seconds(texts, settings)
    for name, value in seconds.items():
        print(f"{name:32s} {value:7.2f} s")
    print(f"{'total':32s} {sum(seconds.values()):7.2f} s  ({len(texts)} articles, "
          f"{sentences} sentences)")


if __name__ == "__main__":
    main()
