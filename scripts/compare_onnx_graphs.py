"""Time two or more ONNX graphs of the same model on the same input, interleaved, and say how
often their labels agree with the first graph's on real article windows:

    git show 689a177:models/attribution/model.int8.onnx > /tmp/sdpa.int8.onnx
    .venv/bin/python scripts/compare_onnx_graphs.py /tmp/sdpa.int8.onnx \\
        models/attribution/model.int8.onnx

The first graph is the reference: pass an fp32 graph first to measure quantisation error
(`claimtrace.training.onnx_export.export_fp32` writes one from a run's torch weights).
Timings are milliseconds per call on one thread, the minimum over interleaved rounds, for a
window of random subword ids of each length; agreement is the share of subwords whose
argmax label equals the reference's over the first `--articles` Wikinews 2019 articles, cut
into 256-subword windows.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from claimtrace.evaluation.gold import read_csv_texts
from claimtrace.pipeline.runtime import SubwordTokenizer, onnx_session
from claimtrace.settings import REPO_ROOT

WIKINEWS = REPO_ROOT.parent / "shared" / "data" / "wikinews" / "wikinews_2019.csv"
TOKENIZER_DIR = REPO_ROOT / "models" / "attribution"
CLS, SEP, WINDOW = 101, 102, 254


def feed(ids: list[int]) -> dict[str, np.ndarray]:
    batch = np.asarray([[CLS, *ids, SEP]], dtype=np.int64)
    return {"input_ids": batch, "attention_mask": np.ones_like(batch)}


def timings(sessions: dict[str, object], length: int, rounds: int, calls: int) -> dict:
    rng = np.random.default_rng(0)
    inputs = feed(rng.integers(1000, 20000, size=length - 2).tolist())
    best = {name: float("inf") for name in sessions}
    for _ in range(rounds):
        for name, session in sessions.items():
            session.run(None, inputs)
            started = time.perf_counter()
            for _ in range(calls):
                session.run(None, inputs)
            best[name] = min(best[name], (time.perf_counter() - started) / calls * 1000)
    return best


def agreement(sessions: dict[str, object], articles: int) -> dict[str, tuple[float, float]]:
    """Per graph: the share of subwords labelled as by the first graph, and the largest
    difference of any logit from the first graph's."""
    tokenizer = SubwordTokenizer.from_folder(TOKENIZER_DIR)
    logits: dict[str, list[np.ndarray]] = {name: [] for name in sessions}
    for text in read_csv_texts(WIKINEWS)[:articles]:
        ids, _ = tokenizer.plain(text)
        for start in range(0, len(ids), WINDOW):
            inputs = feed(ids[start:start + WINDOW])
            for name, session in sessions.items():
                logits[name].append(session.run(None, inputs)[0][0])
    reference = np.concatenate(next(iter(logits.values())))
    result = {}
    for name, rows in logits.items():
        values = np.concatenate(rows)
        result[name] = (float((values.argmax(-1) == reference.argmax(-1)).mean()),
                        float(np.abs(values - reference).max()))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("graphs", nargs="+", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--articles", type=int, default=40)
    args = parser.parse_args()
    sessions = {str(path): onnx_session(path, 1) for path in args.graphs}
    for length, calls in ((40, 40), (256, 8)):
        for name, ms in timings(sessions, length, args.rounds, calls).items():
            print(f"{length:>4} subwords  {ms:7.2f} ms  {name}")
    for name, (share, gap) in agreement(sessions, args.articles).items():
        print(f"labels as the first graph's: {share:.4%}, largest logit difference "
              f"{gap:.2g}  {name}")


if __name__ == "__main__":
    main()
