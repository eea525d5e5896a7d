"""`claimtrace models promote` and the generated model cards, on small fake artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrace.artifacts import TRAINING_CONFIG, verify_artifact, write_manifest
from claimtrace.cli import app
from claimtrace.training.cards import MODEL_SPECS, render_card
from claimtrace.training.promote import artifact_folder, promote

ROLES = ("source", "cue", "content")
SHIPPED = Path(__file__).resolve().parent.parent / "models" / "attribution"


def _scores(exact: float) -> dict:
    """dev_artifact as training writes it (evaluation harness scorer, fractions)."""
    return {role: {"exact": {"precision": exact, "recall": exact, "f1": exact},
                   "overlap": {"precision": 0.9, "recall": 0.9, "f1": 0.9}}
            for role in (*ROLES, "whole")}


def make_run(folder: Path, exact: float, weights: bytes = b"weights",
             onnx: bool = True) -> Path:
    """A run as training leaves it: torch weights and (unless `onnx` is False) the graph."""
    folder.mkdir(parents=True)
    (folder / "model.safetensors").write_bytes(b"torch " + weights)
    if onnx:
        (folder / "model.int8.onnx").write_bytes(weights)
    (folder / "metrics.json").write_text(json.dumps({"dev_artifact": _scores(exact)}))
    (folder / TRAINING_CONFIG).write_text(json.dumps({"epochs": 1.0, "seed": 1}))
    write_manifest(folder)
    return folder


def test_promote_copies_a_better_run_with_manifest_and_card(tmp_path):
    target = make_run(tmp_path / "models" / "attribution", 0.5, b"old")
    run = make_run(tmp_path / "runs" / "r1" / "model", 0.6, b"new")
    comparison = promote(tmp_path / "runs" / "r1", "attribution", target)
    assert comparison.shipped["mean_exact_f1"] == 0.5
    assert comparison.run["mean_exact_f1"] == 0.6 and not comparison.regression
    assert (target / "model.int8.onnx").read_bytes() == b"new"
    # The shipped folder serves the ONNX graph alone; torch weights stay in the run.
    assert not (target / "model.safetensors").exists() and (run / "model.safetensors").exists()
    verify_artifact(target)
    card = (target / "README.md").read_text()
    assert card.startswith("---\n") and "model-index" in card and "value: 0.6" in card
    assert run.is_dir()  # the run is copied, not moved
    assert not list(target.parent.glob(".attribution.*"))  # no staging left behind


def test_promote_refuses_a_regression_unless_forced(tmp_path):
    target = make_run(tmp_path / "models" / "attribution", 0.6, b"old")
    run = make_run(tmp_path / "runs" / "r2", 0.599, b"new")
    with pytest.raises(ValueError, match="lower than the shipped model"):
        promote(run, "attribution", target)
    assert (target / "model.int8.onnx").read_bytes() == b"old"
    promote(run, "attribution", target, force=True)
    assert (target / "model.int8.onnx").read_bytes() == b"new"


def test_promote_refuses_a_tampered_run(tmp_path):
    target = make_run(tmp_path / "models" / "attribution", 0.5, b"old")
    run = make_run(tmp_path / "runs" / "r3", 0.7, b"new")
    (run / "model.int8.onnx").write_bytes(b"edited")
    with pytest.raises(Exception, match="sha256"):
        promote(run, "attribution", target)
    assert (target / "model.int8.onnx").read_bytes() == b"old"


def test_promote_refuses_a_run_without_the_served_graph(tmp_path):
    target = make_run(tmp_path / "models" / "attribution", 0.5, b"old")
    run = make_run(tmp_path / "runs" / "r5", 0.7, b"new", onnx=False)
    with pytest.raises(ValueError, match="export-onnx"):
        promote(run, "attribution", target)
    assert (target / "model.int8.onnx").read_bytes() == b"old"


def test_artifact_folder_needs_a_manifest(tmp_path):
    with pytest.raises(ValueError, match="no manifest.json"):
        artifact_folder(tmp_path)


def test_cli_prints_the_change_then_refuses_with_exit_2(tmp_path):
    make_run(tmp_path / "models" / "attribution", 0.6, b"old")
    make_run(tmp_path / "runs" / "r4", 0.55, b"new")
    result = CliRunner().invoke(app, ["models", "promote", str(tmp_path / "runs" / "r4"),
                                      "attribution", "--models-dir", str(tmp_path / "models")])
    assert result.exit_code == 2
    assert "mean_exact_f1" in result.output and "-0.050" in result.output


def shipped_card(folder: Path, model: str):
    """The card generated from a shipped folder's metrics and config, checked equal to the
    committed README.md (regenerate with `claimtrace models card MODEL` after changing
    either, or the card's prose); and the metrics."""
    metrics = json.loads((folder / "metrics.json").read_text())
    config = json.loads((folder / TRAINING_CONFIG).read_text())
    card = render_card(MODEL_SPECS[model], metrics, config)
    assert (folder / "README.md").read_text(encoding="utf-8") == str(card)
    return card, metrics


def test_shipped_attribution_card_is_the_generated_one():
    card, metrics = shipped_card(SHIPPED, "attribution")
    data = card.data.to_dict()
    assert data["language"] == "en" and data["base_model"].endswith("all-MiniLM-L6-v2")
    values = {m["name"]: m["value"] for m in data["model-index"][0]["results"][0]["metrics"]}
    # the shipped model was re-scored as served (`train rescore-attribution`), harness scorer
    served = metrics["dev_artifact"]
    assert metrics["served"]["runtime"].startswith("onnxruntime-")
    assert values["source exact F1 (dev, harness)"] == served["source"]["exact"]["f1"]
    assert values["whole exact F1 (dev, harness)"] == served["whole"]["exact"]["f1"]


CLAIMS = SHIPPED.parent / "claim-checkworthiness"


def test_shipped_claim_card_is_the_generated_one():
    card, metrics = shipped_card(CLAIMS, "claim-checkworthiness")
    data = card.data.to_dict()
    assert data["language"] == "en" and data["datasets"] == ["ClaimBuster", "Wikinews"]
    results = {r["dataset"]["name"]: {m["name"]: m["value"] for m in r["metrics"]}
               for r in data["model-index"][0]["results"]}
    served = metrics["committed_int8"]
    assert results["ClaimBuster 2.5xNCS"]["ClaimBuster CFS-vs-rest F1 (dev, as served)"] == \
        served["claimbuster"]["f1"]
    assert results["Wikinews 2019 news claim labels"][
        "news three-class macro-F1 (dev, as served)"] == served["news"]["macro_f1"]
    text = str(card)
    for run in metrics["runs_tried"]:  # every run tried, and the stopped ones
        assert f"`{run['run']}`" in text
    assert all(note in text for note in metrics["runs_unfinished"])
    assert "promote-claims" not in text and "opt-in" not in text


def test_claim_card_follows_the_folder_not_the_shipped_model():
    """Another run in the folder: every figure on the card is that run's."""
    metrics = json.loads((CLAIMS / "metrics.json").read_text())
    config = json.loads((CLAIMS / TRAINING_CONFIG).read_text())
    metrics["committed_int8"]["claimbuster"]["f1"] = 0.1234
    metrics["threshold"] = 0.4321
    metrics["artifact_bytes"] = 12_300_000
    metrics.pop("runs_tried")
    config.update(model_version="9.9.9", epochs=7.0, news_labels="")
    text = str(render_card(MODEL_SPECS["claim-checkworthiness"], metrics, config))
    assert "# claim-checkworthiness 9.9.9" in text and "value: 0.1234" in text
    assert "Threshold 0.4321" in text and "12.3 MB" in text and "7 epochs" in text
    assert "Only this run" in text and "- Wikinews" not in text


def test_claim_metrics_without_news_leave_the_news_figures_out():
    metrics = json.loads((CLAIMS / "metrics.json").read_text())
    metrics["committed_int8"].pop("news")
    values = MODEL_SPECS["claim-checkworthiness"].dev_metrics(metrics)
    assert "joint_f1" in values and "claimbuster_f1" in values
    assert not any(key.startswith("news_") for key in values)
    metrics["committed_int8"].pop("joint_f1")
    with pytest.raises(KeyError, match="joint_f1"):
        MODEL_SPECS["claim-checkworthiness"].dev_metrics(metrics)


def test_runs_tried_are_refused_for_the_attribution_card(tmp_path):
    target = make_run(tmp_path / "models" / "attribution", 0.5, b"old")
    run = make_run(tmp_path / "runs" / "r5" / "model", 0.6, b"new")
    with pytest.raises(ValueError, match="lists no runs tried"):
        promote(run, "attribution", target, tried=[run])
    assert (target / "model.int8.onnx").read_bytes() == b"old"


def test_promote_refuses_a_models_folder_that_does_not_exist(tmp_path, capsys):
    # a typo made the folder and promoted into it, with no shipped model to compare against
    from claimtrace.cli import main

    missing = tmp_path / "typo"
    code = main(["models", "promote", str(tmp_path / "run"), "attribution", "--models-dir",
                 str(missing)])
    assert code == 2 and "is not a folder" in capsys.readouterr().err
    assert not missing.exists()
