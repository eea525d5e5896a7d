"""Training path for the check-worthiness model: a tiny end-to-end run plus unit checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from claimtrace.artifacts import verify_artifact
from claimtrace.training.claims import (
    ClaimTrainingConfig,
    choose_threshold,
    evaluate,
    load_splits,
    train_claims,
)

# Written for these tests (not ClaimBuster rows): 24 claims and 24 non-claims.
CLAIMS = [
    f"The {thing} rose by {n} percent in {year}."
    for thing, n, year in zip(
        ["deficit", "tax rate", "crime rate", "price of oil", "debt", "wage", "budget",
         "export total", "jobless rate", "rent", "tuition", "imports"],
        [3, 7, 12, 4, 9, 2, 15, 6, 8, 5, 11, 10],
        [1999, 2003, 2008, 2011, 2014, 2016, 2001, 2005, 2010, 2012, 2018, 2020],
        strict=True,
    )
] + [
    f"{who} spent {n} billion dollars on {what} last year."
    for who, n, what in zip(
        ["Congress", "The state", "The city", "The army", "Ohio", "Texas",
         "The county", "Canada", "The agency", "The navy", "Florida", "The school board"],
        [2, 40, 3, 90, 5, 7, 1, 12, 6, 30, 8, 4],
        ["roads", "schools", "parks", "fuel", "bridges", "prisons", "buses", "health",
         "housing", "ships", "ports", "books"],
        strict=True,
    )
]
NON_CLAIMS = [
    f"{opening}, {closing}."
    for opening in ["Thank you", "Good evening", "Well", "Look", "Let me be clear", "Folks"]
    for closing in ["everyone", "my friends", "I think we should talk", "here we go"]
]


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "tiny.jsonl"
    rows = [{"sentence_id": i, "text": t, "label": 1} for i, t in enumerate(CLAIMS)]
    rows += [{"sentence_id": 100 + i, "text": t, "label": 0} for i, t in enumerate(NON_CLAIMS)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny_run(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("run")
    config = ClaimTrainingConfig(
        data_path=str(tiny_data),
        output_dir=str(out / "model"),
        work_dir=str(out / "work"),
        dev_fraction=0.25,
        max_length=24,
        batch_size=8,
        eval_batch_size=16,
        num_epochs=1,
        max_steps=3,
        model_version="0.0.0-test",
    )
    return config, train_claims(config)


def test_tiny_training_run_writes_loadable_artifact(tiny_run) -> None:
    from claimtrace.pipeline.classify import ClaimClassifier

    config, metrics = tiny_run
    out = Path(config.output_dir)
    manifest = verify_artifact(out)
    for name in ("model.safetensors", "claim_head.json", "metrics.json",
                 "training_config.json", "tokenizer.json"):
        assert name in manifest["files"]
    for name in ("README.md", "pr_curve.png"):  # written, but documentation: not checksummed
        assert (out / name).is_file() and name not in manifest["files"]
    assert not list(out.glob("*.bin")) and not list(out.glob("*.pt")), "no pickles"
    classifier = ClaimClassifier(str(out))
    scores = classifier.predict(["Thank you all.", "Taxes rose 5% in 2019."])
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert classifier.model_name == "claim-checkworthiness@0.0.0-test"
    assert classifier.threshold == pytest.approx(metrics["transformer_fp32"]["threshold"])


def test_tiny_training_run_reports_dev_metrics(tiny_run) -> None:
    config, metrics = tiny_run
    assert metrics["dev_rows"] == 12 and metrics["train_rows"] == 36
    for key in ("transformer_fp32", "committed_int8", "baseline_tfidf_lr"):
        assert set(metrics[key]) >= {"precision", "recall", "f1", "roc_auc", "pr_auc"}
    saved = ClaimTrainingConfig.from_json(Path(config.output_dir) / "training_config.json")
    assert saved == config


def test_split_is_stratified_disjoint_and_repeatable(tiny_data: Path) -> None:
    train, dev = load_splits(tiny_data, 0.25, seed=7)
    again_train, again_dev = load_splits(tiny_data, 0.25, seed=7)
    assert dev["sentence_id"] == again_dev["sentence_id"]
    assert not set(train["sentence_id"]) & set(dev["sentence_id"])
    assert sum(dev["label"]) == len(dev) // 2  # same 50% positive rate as the file


def test_bad_label_is_reported_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a", "label": 0}\n{"text": "b", "label": 2}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="row 1: label must be 0 or 1"):
        load_splits(path, 0.5, seed=1)


@pytest.mark.parametrize(
    "values, message",
    [
        ({"learning_rte": 1e-4}, "unknown training option"),
        ({"dev_fraction": 1.5}, "dev_fraction must be in"),
        ({"batch_size": 0}, "batch_size must be >= 1"),
    ],
)
def test_config_rejects_bad_values(values: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClaimTrainingConfig.from_dict(values)


def test_config_round_trips() -> None:
    config = ClaimTrainingConfig(seed=5, num_epochs=2.0)
    assert ClaimTrainingConfig.from_dict(config.to_dict()) == config


def test_threshold_maximises_f1() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    scores = np.array([0.1, 0.2, 0.6, 0.55, 0.7, 0.9])
    threshold = choose_threshold(labels, scores)
    assert evaluate(labels, scores, threshold)["f1"] == pytest.approx(0.8571, abs=1e-4)
