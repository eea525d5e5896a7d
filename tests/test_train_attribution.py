"""A tiny training run through the real path: dataset, Trainer, dev scoring, int8 artifact."""

import json
from pathlib import Path

import pytest

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.errors import ClaimtraceError
from claimtrace.training.attribution import AttributionTrainConfig, train

FIXTURES = Path(__file__).parent / "fixtures" / "brat"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("attribution")
    config = AttributionTrainConfig(
        data_root=str(FIXTURES),
        train_split="dev",  # the fixture has one split; enough to prove the path
        dev_split="dev",
        output_dir=str(out / "model"),
        run_dir=str(out / "run"),
        max_length=24,
        train_overlap=4,
        predict_overlap=8,
        epochs=2,
        batch_size=4,
        evals_per_epoch=1,
    )
    return config, train(config)


def test_tiny_run_writes_a_verified_artifact(tiny_run):
    config, metrics = tiny_run
    out = Path(config.output_dir)
    for name in ("model.safetensors", "model.int8.onnx", "config.json", "tokenizer.json",
                 TRAINING_CONFIG):
        assert (out / name).is_file()
    saved = json.loads((out / TRAINING_CONFIG).read_text())
    assert AttributionTrainConfig.from_dict(saved) == config
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"model.safetensors", "model.int8.onnx"} <= set(manifest["files"])


def test_tiny_run_reports_learning_curve_and_artifact_scores(tiny_run):
    _, metrics = tiny_run
    assert [p["step"] for p in metrics["learning_curve"]] == sorted(
        p["step"] for p in metrics["learning_curve"]
    )
    # The one scorer (evaluation.harness.score_linked): the same keys `claimtrace evaluate`
    # reports, F1 as a fraction.
    for role in ("source", "cue", "content", "whole"):
        assert set(metrics["dev_artifact"][role]) == {"exact", "overlap"}
        for mode in ("exact", "overlap"):
            scores = metrics["dev_artifact"][role][mode]
            assert {"precision", "recall", "f1", "tp", "fp", "fn"} <= set(scores)
            assert scores["f1"] is None or 0.0 <= scores["f1"] <= 1.0


def test_tampered_artifact_fails_its_checksum(tiny_run, tmp_path):
    import shutil

    from claimtrace.pipeline.attribute.tagger import load_tagger

    config, _ = tiny_run
    copy = tmp_path / "model"
    shutil.copytree(config.output_dir, copy)
    with open(copy / "tokenizer.json", "a", encoding="utf-8") as handle:
        handle.write(" ")
    with pytest.raises(ClaimtraceError, match="corrupted"):
        load_tagger(copy)


def test_cli_builds_the_config_from_file_and_flags(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import claimtrace.training.attribution as attribution
    from claimtrace.training.cli import train_app

    seen = {}

    def fake_train(config):
        seen["config"] = config
        return {"dev_artifact": {}}

    monkeypatch.setattr(attribution, "train", fake_train)
    config_file = tmp_path / "run.json"
    config_file.write_text(json.dumps({"epochs": 2.0, "seed": 5}))
    result = CliRunner().invoke(
        train_app, ["attribution", "--config", str(config_file), "--seed", "7"]
    )
    assert result.exit_code == 0, result.output
    assert seen["config"].epochs == 2.0 and seen["config"].seed == 7
    bad = CliRunner().invoke(train_app, ["attribution", "--max-length", "4"])
    assert bad.exit_code != 0


def test_tiny_run_can_be_promoted_with_a_generated_card(tiny_run, tmp_path):
    from claimtrace.training.promote import promote

    config, metrics = tiny_run
    target = tmp_path / "models" / "attribution"
    comparison = promote(Path(config.output_dir), "attribution", target)
    assert comparison.shipped is None  # nothing shipped yet: nothing to compare with
    expected = round(sum(metrics["dev_artifact"][r]["exact"]["f1"]
                         for r in ("source", "cue", "content")) / 3, 4)
    assert comparison.run["mean_exact_f1"] == expected
    card = (target / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\n") and "model-index" in card
    assert (target / "model.int8.onnx").read_bytes() == (
        Path(config.output_dir) / "model.int8.onnx").read_bytes()
    assert not (target / "model.safetensors").exists()  # torch weights stay in runs/


GOLD_FIXTURES = Path(__file__).parent / "fixtures" / "gold"


def _news_config(**changes) -> AttributionTrainConfig:
    return AttributionTrainConfig(news_train_dir=str(GOLD_FIXTURES / "articles"),
                                  news_texts=str(GOLD_FIXTURES / "wikinews_tiny.csv"), **changes)


def test_news_labels_become_training_articles_with_their_spans():
    from claimtrace.evaluation.gold import load_gold
    from claimtrace.training.attribution import char_roles, news_training_articles

    (gold,) = load_gold(GOLD_FIXTURES / "articles", GOLD_FIXTURES / "wikinews_tiny.csv")
    (article,) = news_training_articles(_news_config())
    (attributions,) = article.annotations.values()
    assert article.text == gold.text
    assert [(a.source, a.cue, a.content) for a in attributions] == [
        (g.source, g.cue, g.content) for g in gold.attributions]
    role, _ = char_roles(len(article.text), attributions)
    cue_start, cue_end = gold.attributions[0].cue[0]
    assert set(role[cue_start:cue_end]) == {2}  # the cue's characters are labelled cue


def test_news_training_refuses_held_out_articles(tmp_path, monkeypatch):
    import claimtrace.evaluation.gold as gold_module
    from claimtrace.training.attribution import news_training_articles

    dev = tmp_path / "dev"
    dev.mkdir()
    for path in (GOLD_FIXTURES / "articles").glob("*.json"):
        (dev / path.name).write_text(path.read_text())
    monkeypatch.setattr(gold_module, "DEV_DIR", dev)
    with pytest.raises(ValueError, match="never train on them"):
        news_training_articles(_news_config())


def test_a_run_continues_from_a_tagger_with_news_articles(tiny_run, tmp_path):
    first, _ = tiny_run
    config = _news_config(
        data_root=str(FIXTURES), train_split="dev", dev_split="dev", max_train_articles=1,
        init_from=first.output_dir, news_repeat=2, output_dir=str(tmp_path / "model"),
        run_dir=str(tmp_path / "run"), max_length=24, train_overlap=4, predict_overlap=8,
        epochs=1, batch_size=4, evals_per_epoch=1, learning_rate=0.0)
    metrics = train(config)
    assert metrics["news_train_articles"] == 1
    assert metrics["train_articles"] == 1 + 2  # one PolNeAR article + the news one twice
    assert (tmp_path / "model" / "model.int8.onnx").is_file()
    assert metrics["polnear_train_articles"] == 1
    assert metrics["init_from_config"] == json.loads(
        (Path(first.output_dir) / TRAINING_CONFIG).read_text())
    from claimtrace.training.cards import attribution_body

    card = attribution_body(metrics, config.to_dict())
    assert "PolNeAR + Wikinews" in card and "**Two stages.**" in card
    assert f"`{config.news_train_dir}`, 1 Wikinews 2019 articles" in card
    # With a zero learning rate the weights are the starting tagger's, not a fresh head's.
    from safetensors.torch import load_file

    before = load_file(str(Path(first.output_dir) / "model.safetensors"))
    after = load_file(str(tmp_path / "model" / "model.safetensors"))
    assert before.keys() == after.keys()
    assert all(before[k].equal(after[k]) for k in before)


def test_encoder_layers_below_the_shared_layer_are_refused():
    with pytest.raises(ValueError, match="encoder_layers must be 0 or >= 4"):
        AttributionTrainConfig(encoder_layers=2)


def test_a_run_continues_with_its_top_layers_dropped(tiny_run, tmp_path):
    first, _ = tiny_run
    config = AttributionTrainConfig(
        data_root=str(FIXTURES), train_split="dev", dev_split="dev", init_from=first.output_dir,
        encoder_layers=4, output_dir=str(tmp_path / "model"), run_dir=str(tmp_path / "run"),
        max_length=24, train_overlap=4, predict_overlap=8, epochs=1, batch_size=4,
        evals_per_epoch=1, learning_rate=0.0)
    train(config)
    out = tmp_path / "model"
    assert json.loads((out / "config.json").read_text())["num_hidden_layers"] == 4
    from safetensors.torch import load_file

    before = load_file(str(Path(first.output_dir) / "model.safetensors"))
    after = load_file(str(out / "model.safetensors"))
    assert any(".layer.5." in k for k in before) and not any(".layer.4." in k for k in after)
    assert all(before[k].equal(after[k]) for k in after)  # lr 0: the first four, unchanged
    from claimtrace.pipeline.attribute.tagger import load_tagger

    tagger = load_tagger(out)  # the 4-layer graph, served by ONNX Runtime
    (spans,) = tagger.tag(["The minister said on Monday that taxes would rise."])
    assert all(0 <= start < end for _, start, end, _ in spans)
