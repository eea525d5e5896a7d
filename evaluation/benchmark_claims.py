"""Sentences per second of the claim classifier: fp32 vs the committed int8 form, one run.

    python -m claimtrace.evaluation.benchmark_claims [--threads 1] [--sentences 2000]

Both forms score the same sentences (the ClaimBuster development split, rebuilt from the
model's own `training_config.json`) with the same scoring code and thread count, one after
the other, after a warm-up; the dev F1 of each form is printed beside its speed.
"fp32" is the full-precision fine-tuned model that training leaves in ``<run_dir>/fp32``
(``run_dir`` of the model's saved config); without it (fresh clone), the committed weights
de-quantised to fp32 stand in, which costs the same compute as the original.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.pipeline.classify import (
    DEFAULT_MODEL_DIR,
    LoadedClaimModel,
    claim_input,
    class_probabilities,
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


def load_fp32(model_dir: Path, committed: LoadedClaimModel) -> tuple[LoadedClaimModel, str]:
    from transformers import AutoModelForSequenceClassification

    config = ClaimTrainingConfig.from_json(model_dir / TRAINING_CONFIG)
    fp32_dir = resolve(config.run_dir) / FP32_COPY
    if (fp32_dir / "model.safetensors").is_file():
        model = AutoModelForSequenceClassification.from_pretrained(fp32_dir).eval()
        return LoadedClaimModel(model, committed.tokenizer, committed.head), str(fp32_dir)
    dequantised = load_claim_model(model_dir, int8_kernels=False)
    return dequantised, f"committed weights de-quantised to fp32 (no {fp32_dir})"


def time_form(loaded: LoadedClaimModel, texts: list[str], batch_size: int) -> tuple[float, list]:
    """Sentences per second and p(CFS) per text."""
    max_length = int(loaded.head["max_length"])
    positive = head_classes(loaded.head).index("CFS")
    if "classes" in loaded.head:  # 2.x models read the attribution-marked input
        texts = [claim_input(text, 0) for text in texts]
    class_probabilities(loaded.model, loaded.tokenizer, texts[:batch_size], batch_size, max_length)
    started = time.perf_counter()
    rows = class_probabilities(loaded.model, loaded.tokenizer, texts, batch_size, max_length)
    rate = len(texts) / (time.perf_counter() - started)
    return rate, [row[positive] for row in rows]


def main(argv: list[str] | None = None) -> dict:
    import numpy as np
    import torch

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--sentences", type=int, default=0, help="0: the whole dev split")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    config = ClaimTrainingConfig.from_json(args.model_dir / TRAINING_CONFIG)
    _, dev = load_splits(resolve(config.data_path), config.dev_fraction, config.seed)
    texts, labels = list(dev["text"]), np.asarray(dev["label"])
    if args.sentences:
        texts, labels = texts[: args.sentences], labels[: args.sentences]

    # int8 weights, fp32 compute (the pipeline's default adds int8 kernels: the last form)
    committed = load_claim_model(args.model_dir, int8_kernels=False)
    fp32, fp32_source = load_fp32(args.model_dir, committed)
    threshold = float(committed.head["threshold"])
    results: dict = {"threads": args.threads, "batch_size": args.batch_size,
                     "sentences": len(texts), "fp32_source": fp32_source, "forms": {}}
    forms = {
        "fp32": fp32,
        "committed (int8 weights, fp32 compute)": committed,
        "committed + int8 kernels (the default)": load_claim_model(args.model_dir,
                                                                   int8_kernels=True),
    }
    for name, loaded in forms.items():
        rate, scores = time_form(loaded, texts, args.batch_size)
        f1 = evaluate(labels, np.asarray(scores), threshold)["f1"]
        results["forms"][name] = {"sentences_per_second": round(rate, 1), "dev_f1": f1}
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
