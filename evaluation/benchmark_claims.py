"""Sentences per second of the claim classifier, each form it can run in, one run.

    claimtrace bench claims [--threads 1] [--sentences 2000]

Every form scores the same sentences (the ClaimBuster development split, rebuilt from the
model's own `training_config.json`) with the pipeline's scoring code and the same thread
count, one after the other, after a warm-up; the dev F1 of each form is printed beside its
speed. The shipped model runs on ONNX Runtime (int8, the pipeline's form). Torch forms need
torch weights: the fp32 copy training leaves in ``<run_dir>/fp32`` (``run_dir`` of the
model's saved config), and ``model.safetensors`` where the folder has it (a training run).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.evaluation.arguments import at_least, existing
from claimtrace.pipeline.classify import (
    DEFAULT_MODEL_DIR,
    LoadedClaimModel,
    claim_input,
    head_classes,
    load_claim_model,
)
from claimtrace.training.claims import (
    FP32_COPY,
    ClaimTrainingConfig,
    evaluate,
    load_splits,
    resolve,
)


def torch_forms(model_dir: Path, served: LoadedClaimModel,
                threads: int) -> dict[str, LoadedClaimModel]:
    """The torch forms this folder and its run allow (none for a fresh clone's shipped model)."""
    from transformers import AutoModelForSequenceClassification

    from claimtrace.pipeline.runtime import TORCH_FILE

    forms = {}
    config = ClaimTrainingConfig.from_json(model_dir / TRAINING_CONFIG)
    fp32_dir = resolve(config.run_dir) / FP32_COPY
    if (fp32_dir / TORCH_FILE).is_file():
        model = AutoModelForSequenceClassification.from_pretrained(fp32_dir).eval()
        forms["torch fp32 (training's full-precision copy)"] = LoadedClaimModel(
            model, load_claim_model(model_dir, runtime="torch").tokenizer, served.head)
    if (model_dir / TORCH_FILE).is_file():
        forms["torch, int8 weights, fp32 compute"] = load_claim_model(
            model_dir, int8_kernels=False, runtime="torch", threads=threads)
        forms["torch, int8 weights and kernels"] = load_claim_model(
            model_dir, int8_kernels=True, runtime="torch", threads=threads)
    return forms


def time_form(loaded: LoadedClaimModel, texts: list[str], batch_size: int) -> tuple[float, list]:
    """Sentences per second and p(CFS) per text."""
    max_length = int(loaded.head["max_length"])
    positive = head_classes(loaded.head).index("CFS")
    if "classes" in loaded.head:  # 2.x models read the attribution-marked input
        texts = [claim_input(text, 0) for text in texts]
    loaded.class_rows(texts[:batch_size], batch_size, max_length)  # warm-up
    started = time.perf_counter()
    rows = loaded.class_rows(texts, batch_size, max_length)
    rate = len(texts) / (time.perf_counter() - started)
    return rate, [row[positive] for row in rows]


def main(argv: list[str] | None = None) -> dict:
    import numpy as np

    parser = argparse.ArgumentParser(prog="claimtrace bench claims",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=existing, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--threads", type=at_least(1), default=1)
    parser.add_argument("--batch-size", type=at_least(1), default=64)
    parser.add_argument("--sentences", type=at_least(0), default=0,
                        help="0: the whole dev split")
    args = parser.parse_args(argv)

    config = ClaimTrainingConfig.from_json(args.model_dir / TRAINING_CONFIG)
    _, dev = load_splits(resolve(config.data_path), config.dev_fraction, config.split_seed)
    texts, labels = list(dev["text"]), np.asarray(dev["label"])
    if args.sentences:
        texts, labels = texts[: args.sentences], labels[: args.sentences]

    served = load_claim_model(args.model_dir, runtime="auto", threads=args.threads)
    threshold = float(served.head["threshold"])
    label = served.runtime.label if served.runtime else "unknown"
    results: dict = {"threads": args.threads, "batch_size": args.batch_size,
                     "sentences": len(texts), "forms": {}}
    forms = {f"served: {label}": served, **torch_forms(args.model_dir, served, args.threads)}
    for name, loaded in forms.items():
        rate, scores = time_form(loaded, texts, args.batch_size)
        f1 = evaluate(labels, np.asarray(scores), threshold)["f1"]
        results["forms"][name] = {"sentences_per_second": round(rate, 1), "dev_f1": f1}
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
