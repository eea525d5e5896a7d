"""Dev F1 of claim runs alone and of their averaged probabilities (issue 13: "average a few
seeds' logits"). Every run is scored as served (int8 graph on ONNX Runtime) on the dev rows of
the first run's training config, each at its own joint threshold:

    .venv/bin/python scripts/claim_ensemble_dev.py runs/r6/model runs/r8/model runs/r7/model

The runs must share `split_seed` (the same dev rows); r6-r8 do.
"""

from __future__ import annotations

import argparse
from itertools import combinations
from pathlib import Path

import numpy as np

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.training.claims import (
    ClaimTrainingConfig,
    build_datasets,
    choose_joint_threshold,
    dev_metrics,
    served_probabilities,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="runs/<name>/model folders")
    runs = parser.parse_args().runs
    config = ClaimTrainingConfig.from_json(runs[0] / TRAINING_CONFIG)
    _, dev, _ = build_datasets(config)
    domains, gold = np.asarray(dev["domain"]), list(dev["gold"])
    labels = np.asarray([g == "CFS" for g in gold], dtype=int)
    probs = {run.parent.name: served_probabilities(run, list(dev["text"]), config)
             for run in runs}
    groups = [(name,) for name in probs]
    groups += [c for size in range(2, len(probs) + 1) for c in combinations(probs, size)]
    for group in groups:
        mean = np.mean([probs[name] for name in group], axis=0)
        threshold = choose_joint_threshold(domains, labels, mean[:, 0])
        m = dev_metrics(domains, gold, mean, threshold)
        print(f"{' + '.join(group):16} joint F1 {m['joint_f1']:.4f}  ClaimBuster "
              f"{m['claimbuster']['f1']:.4f}  news {m['news']['f1']:.4f}  news macro-F1 "
              f"{m['news']['macro_f1']:.4f}  threshold {threshold:.3f}")


if __name__ == "__main__":
    main()
