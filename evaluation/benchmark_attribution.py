"""Throughput of the learned attribution stage against spaCy's parse, in one run.

    python -m claimtrace.evaluation.benchmark_attribution            # Wikinews, 1 thread
    python -m claimtrace.evaluation.benchmark_attribution --threads 2 --limit 50

The issue's target: the ``attribute`` stage (here the tagger plus span linking) runs at least
half as fast as spaCy's ``nlp.pipe`` parse of the same articles. Both are timed after their
models are loaded, on the same texts, with the same torch thread count, one after the other
(best of ``--repeat``), so machine load affects both alike. Writes
``evaluation/reports/benchmark_attribution.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from claimtrace.evaluation.gold import read_csv_texts
from claimtrace.settings import REPO_ROOT, SPACY_MODEL

WIKINEWS = REPO_ROOT.parent / "shared" / "data" / "wikinews" / "wikinews_2019.csv"
REPORT = REPO_ROOT / "evaluation" / "reports" / "benchmark_attribution.json"


def load_texts(path: Path, limit: int) -> list[str]:
    texts = [text for text in read_csv_texts(path) if text.strip()]
    return texts[:limit] if limit else texts


def _best_of(repeat: int, run) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def time_spacy(texts: list[str], repeat: int) -> float:
    import spacy

    nlp = spacy.load(SPACY_MODEL)
    return _best_of(repeat, lambda: list(nlp.pipe(texts, batch_size=32)))


def time_model(texts: list[str], repeat: int, threads: int, bf16: bool) -> float:
    from claimtrace.pipeline.attribute.linking import link_spans
    from claimtrace.pipeline.attribute.tagger import load_tagger

    tagger = load_tagger(threads=threads, precision="bf16" if bf16 else "fp32")

    def run() -> None:
        for text, spans in zip(texts, tagger.tag(texts), strict=True):
            link_spans(text, spans)

    return _best_of(repeat, run)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, default=WIKINEWS)
    parser.add_argument("--limit", type=int, default=0, help="first N articles (0: all)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    texts = load_texts(args.input, args.limit)
    words = sum(len(t.split()) for t in texts)
    spacy_s = time_spacy(texts, args.repeat)
    result: dict = {
        "input": str(args.input.name),
        "articles": len(texts),
        "words": words,
        "threads": args.threads,
        "spacy_parse": {"seconds": round(spacy_s, 2), "words_per_s": round(words / spacy_s)},
    }
    for name, bf16 in (("model_fp32", False), ("model_bf16", True)):
        seconds = time_model(texts, args.repeat, args.threads, bf16)
        result[name] = {
            "seconds": round(seconds, 2),
            "words_per_s": round(words / seconds),
            "speed_vs_spacy": round(spacy_s / seconds, 3),  # target >= 0.5
        }
    REPORT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
