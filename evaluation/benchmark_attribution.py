"""Throughput of the learned attribution stage against spaCy's parse, in one run.

    claimtrace bench attribution                       # Wikinews, 1 thread
    claimtrace bench attribution --limit 50 --torch-dir runs/attribution/model

The tagger plus span linking against spaCy's ``nlp.pipe`` parse of the same articles. Both are
timed after their models are loaded, on the same texts, with the same thread count, one after
the other (best of ``--repeat``), so machine load affects both alike. The shipped model runs on
ONNX Runtime (int8); ``--torch-dir``, a training run's folder with torch weights, adds its
torch fp32 speed for comparison. Writes ``evaluation/reports/benchmark_attribution.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from claimtrace.evaluation.arguments import at_least, existing
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


def time_model(texts: list[str], repeat: int, threads: int, folder: Path | None,
               runtime: str) -> float:
    from claimtrace.pipeline.attribute.linking import link_spans
    from claimtrace.pipeline.attribute.tagger import load_tagger

    tagger = load_tagger(folder, threads=threads, runtime=runtime)

    def run() -> None:
        for text, spans in zip(texts, tagger.tag(texts), strict=True):
            link_spans(text, spans)

    return _best_of(repeat, run)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="claimtrace bench attribution",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=existing, default=WIKINEWS)
    parser.add_argument("--limit", type=at_least(0), default=0,
                        help="first N articles (0: all)")
    parser.add_argument("--threads", type=at_least(1), default=1)
    parser.add_argument("--repeat", type=at_least(1), default=2)
    parser.add_argument("--torch-dir", type=existing, default=None,
                        help="a training run's artifact with model.safetensors: also time torch")
    args = parser.parse_args(argv)
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
    forms = {"model_onnx_int8": (None, "onnx")}
    if args.torch_dir:
        forms["model_torch_fp32"] = (args.torch_dir, "torch")
    for name, (folder, runtime) in forms.items():
        seconds = time_model(texts, args.repeat, args.threads, folder, runtime)
        result[name] = {
            "seconds": round(seconds, 2),
            "words_per_s": round(words / seconds),
            "speed_vs_spacy": round(spacy_s / seconds, 3),
        }
    REPORT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
