"""Training path for the claim model: a tiny end-to-end run plus unit checks."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from claimtrace.artifacts import verify_artifact, write_manifest
from claimtrace.pipeline.ingest import stable_id, text_sha256
from claimtrace.training.claims import (
    ALLOWED,
    ClaimBaseline,
    ClaimTrainingConfig,
    allowed_nll,
    choose_joint_threshold,
    class_weights,
    evaluate,
    load_splits,
    retune_threshold,
    three_way_state,
    train_claims,
)
from claimtrace.training.news_claims import (
    load_news_claims,
    load_polnear_claims,
    split_by_article,
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


# Written for these tests: four short "articles", each sentence labelled.
ARTICLES = [
    [("Unemployment fell to 3.9% in May.", "CFS"), ("It was a sunny day.", "UFS"),
     ('"He was a gentle soul," the mayor said.', "NFS")],
    [("The city spent $4 million on roads.", "CFS"), ("Thank you all.", "NFS"),
     ("The meeting started at noon.", "UFS")],
    [("Police said 39 people died in the fire.", "CFS"), ("What a day!", "NFS")],
    [("Exports rose 12 percent in 2018.", "CFS"), ("The hall was full.", "UFS")],
]


def write_news(folder: Path, articles=ARTICLES) -> tuple[Path, Path, Path]:
    """A Wikinews-like CSV, its labels file (offsets only) and an empty gold selection."""
    csv_path, labels_path = folder / "news.csv", folder / "labels.jsonl"
    selection = folder / "selection.json"
    rows, labels = [], []
    for row, sentences in enumerate(articles):
        text = " ".join(s for s, _ in sentences)
        rows.append({"title": f"t{row}", "text": text})
        offset = 0
        for sentence, label in sentences:
            start = text.index(sentence, offset)
            offset = start + len(sentence)
            labels.append({"row": row, "article_id": stable_id(text),
                           "sha256": text_sha256(text), "start": start, "end": offset,
                           "label": label, "annotator": "test"})
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["title", "text"])
        writer.writeheader()
        writer.writerows(rows)
    labels_path.write_text("".join(json.dumps(x) + "\n" for x in labels), encoding="utf-8")
    selection.write_text(json.dumps({"articles": []}), encoding="utf-8")
    return csv_path, labels_path, selection


def write_polnear(folder: Path, articles=ARTICLES[:2]) -> tuple[Path, Path]:
    """A PolNeAR-like folder (``train/text/*.txt``) and its claim labels, naming files."""
    root, labels = folder / "polnear", []
    (root / "train" / "text").mkdir(parents=True)
    for k, sentences in enumerate(articles):
        text = "\n\n".join(s for s, _ in sentences)
        name = f"train/text/outlet_{k}.txt"
        (root / name).write_text(text, encoding="utf-8")
        for sentence, label in sentences:
            start = text.index(sentence)
            labels.append({"file": name, "article_id": stable_id(text),
                           "sha256": text_sha256(text), "start": start,
                           "end": start + len(sentence), "label": label, "annotator": "test"})
    labels_path = folder / "polnear_labels.jsonl"
    labels_path.write_text("".join(json.dumps(x) + "\n" for x in labels), encoding="utf-8")
    return root, labels_path


@pytest.fixture(scope="module")
def tiny_run(tiny_data: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("run")
    csv_path, labels_path, selection = write_news(out)
    polnear, polnear_labels = write_polnear(out)
    config = ClaimTrainingConfig(
        news_labels=str(labels_path),
        news_texts=str(csv_path),
        extra_news_labels=str(polnear_labels),
        extra_news_texts=str(polnear),
        extra_news_repeat=2,
        gold_selection=str(selection),
        news_dev_fraction=0.5,
        data_path=str(tiny_data),
        run_name="tiny",
        output_dir=str(out / "model"),
        run_dir=str(out / "work"),
        dev_fraction=0.25,
        max_length=24,
        batch_size=8,
        eval_batch_size=16,
        epochs=1,
        max_steps=3,
        threads=1,
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
    assert classifier.classes == ("CFS", "UFS", "NFS")
    results = classifier.scores(["writer : Thank you all.", "writer : Taxes rose 5% in 2019."])
    for result in results:
        assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert result.score == result.probabilities["CFS"]
        assert (result.label == "CFS") == result.checkworthy
    assert classifier.model_name == "claim-checkworthiness@0.0.0-test"
    assert classifier.threshold == pytest.approx(metrics["threshold"], abs=1e-6)


def test_tiny_training_run_reports_dev_metrics(tiny_run) -> None:
    config, metrics = tiny_run
    rows = metrics["rows"]
    assert rows["claimbuster_dev"] == 12 and rows["claimbuster_train"] == 36
    assert rows["news_train"] + rows["news_dev"] == sum(len(a) for a in ARTICLES)
    assert rows["news_train_articles"] == rows["news_dev_articles"] == 2
    assert rows["extra_news_train"] == len(ARTICLES[0]) + len(ARTICLES[1])
    assert rows["extra_news_articles"] == 2
    for key in ("transformer_fp32", "committed_int8", "baseline_tfidf_lr"):
        assert set(metrics[key]["claimbuster"]) >= {"precision", "recall", "f1", "pr_auc"}
        assert set(metrics[key]["news"]) >= {"f1", "macro_f1", "accuracy"}
    saved = ClaimTrainingConfig.from_json(Path(config.output_dir) / "training_config.json")
    assert saved == config


def test_tiny_run_card_is_generated_from_its_metrics(tiny_run) -> None:
    from claimtrace.training.cards import MODEL_SPECS, render_card

    config, metrics = tiny_run
    out = Path(config.output_dir)
    card = (out / "README.md").read_text(encoding="utf-8")
    expected = render_card(MODEL_SPECS["claim-checkworthiness"], metrics, config.to_dict())
    assert card == str(expected)
    assert card.startswith("---\n") and "# claim-checkworthiness 0.0.0-test" in card
    assert f"value: {metrics['committed_int8']['joint_f1']}" in card
    assert "Only this run" in card  # not promoted yet: no runs tried recorded


def test_models_promote_ships_a_claims_run_with_runs_tried(tiny_run, tmp_path: Path) -> None:
    """`claimtrace models promote` handles the claim model: comparison, manifest, card."""
    import shutil

    from claimtrace.training.promote import promote as promote_run

    config, metrics = tiny_run
    run = Path(config.output_dir)
    other = tmp_path / "runs" / "other" / "model"
    shutil.copytree(run, other)
    target = tmp_path / "models" / "claim-checkworthiness"
    comparison = promote_run(run, "claim-checkworthiness", target, tried=[other],
                             unfinished=["runs/x: stopped for time"])
    assert comparison.shipped is None and comparison.headline == "joint_f1"
    assert comparison.run["joint_f1"] == metrics["committed_int8"]["joint_f1"]
    verify_artifact(target)  # metrics.json changed: the manifest was rewritten
    promoted = json.loads((target / "metrics.json").read_text())
    assert [r["chosen"] for r in promoted["runs_tried"]] == [False, True]
    assert promoted["runs_tried"][1]["dev"] == metrics["committed_int8"]
    assert promoted["runs_unfinished"] == ["runs/x: stopped for time"]
    card = (target / "README.md").read_text()
    assert "## Runs tried" in card and "runs/x: stopped for time" in card
    assert card.count("| **yes** |") == 1 and card.count("| no |") == 1


def test_a_second_promotion_keeps_the_runs_the_card_listed(tiny_run, tmp_path: Path) -> None:
    """The earlier runs stay on the card (their folders are usually gone), none chosen."""
    import shutil

    from claimtrace.training.promote import promote as promote_run

    config, _ = tiny_run
    first = tmp_path / "runs" / "first" / "model"
    second = tmp_path / "runs" / "second" / "model"
    shutil.copytree(Path(config.output_dir), first)
    shutil.copytree(Path(config.output_dir), second)
    target = tmp_path / "models" / "claim-checkworthiness"
    promote_run(first, "claim-checkworthiness", target, unfinished=["runs/x: stopped"])
    shutil.rmtree(first)
    promote_run(second, "claim-checkworthiness", target, force=True)
    promoted = json.loads((target / "metrics.json").read_text())
    assert [(Path(r["run"]).parent.name, r["chosen"]) for r in promoted["runs_tried"]] == [
        ("first", False), ("second", True)]
    assert promoted["runs_unfinished"] == ["runs/x: stopped"]
    card = (target / "README.md").read_text()
    assert card.count("| **yes** |") == 1 and card.count("| no |") == 1


def test_models_promote_refuses_a_worse_claims_run(tiny_run, tmp_path: Path) -> None:
    import shutil

    from typer.testing import CliRunner

    from claimtrace.cli import app
    from claimtrace.training.promote import promote as promote_run

    config, metrics = tiny_run
    target = tmp_path / "models" / "claim-checkworthiness"
    shutil.copytree(Path(config.output_dir), target)
    shipped = json.loads((target / "metrics.json").read_text())
    shipped["committed_int8"]["joint_f1"] = metrics["committed_int8"]["joint_f1"] + 0.01
    (target / "metrics.json").write_text(json.dumps(shipped))
    before = (target / "metrics.json").read_bytes()
    result = CliRunner().invoke(app, ["models", "promote", config.output_dir,
                                      "claim-checkworthiness", "--models-dir",
                                      str(tmp_path / "models")])
    assert result.exit_code == 2, result.output
    assert "joint_f1" in result.output and "-0.010" in result.output
    assert (target / "metrics.json").read_bytes() == before
    promote_run(Path(config.output_dir), "claim-checkworthiness", target, force=True)
    assert json.loads((target / "metrics.json").read_text())["committed_int8"] == \
        metrics["committed_int8"]


def test_a_failed_promotion_leaves_the_shipped_model_and_no_staging(tiny_run,
                                                                    tmp_path: Path) -> None:
    import shutil

    from claimtrace.training.promote import promote as promote_run

    config, metrics = tiny_run
    target = tmp_path / "models" / "claim-checkworthiness"
    shutil.copytree(Path(config.output_dir), target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    run = tmp_path / "runs" / "broken" / "model"
    shutil.copytree(Path(config.output_dir), run)
    broken = {k: v for k, v in metrics.items() if k != "hardware"}  # the card needs it
    (run / "metrics.json").write_text(json.dumps(broken))
    write_manifest(run, extra={"model": metrics["model"]})
    with pytest.raises(KeyError, match="hardware"):
        promote_run(run, "claim-checkworthiness", target, force=True)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["claim-checkworthiness"]


def test_retune_rewrites_head_metrics_manifest_and_card(tiny_run, tmp_path: Path) -> None:
    import shutil

    config, metrics = tiny_run
    run = tmp_path / "run"
    shutil.copytree(Path(config.output_dir), run)
    head = json.loads((run / "claim_head.json").read_text())
    head["threshold"] = 0.5  # as if chosen on other scores
    (run / "claim_head.json").write_text(json.dumps(head))
    write_manifest(run, extra={"model": metrics["model"]})
    retuned = retune_threshold(run)
    assert retuned["threshold_before_retune"] == 0.5
    assert retuned["threshold"] == pytest.approx(metrics["threshold"], abs=1e-6)
    verify_artifact(run)
    assert f"Threshold {retuned['threshold']:.4f}" in (run / "README.md").read_text()


def test_training_refuses_to_write_into_the_shipped_models() -> None:
    with pytest.raises(ValueError, match="inside the shipped models"):
        train_claims(ClaimTrainingConfig(output_dir="models/claim-checkworthiness"))
    with pytest.raises(ValueError, match="inside the shipped models"):
        train_claims(ClaimTrainingConfig(output_dir="models/new-claims"))


def test_default_run_goes_to_runs() -> None:
    config = ClaimTrainingConfig()
    assert config.run_name.startswith("claims-")
    assert config.output_dir == f"runs/{config.run_name}/model"
    assert config.run_dir == f"runs/{config.run_name}/trainer"


def test_loss_is_cross_entropy_or_marginal_likelihood() -> None:
    import torch

    logits = torch.tensor([[2.0, 0.5, -1.0], [2.0, 0.5, -1.0]])
    labels = torch.tensor([ALLOWED["UFS"], ALLOWED["claimbuster:0"]], dtype=torch.float)
    probs = torch.softmax(logits[0], dim=-1)
    one = allowed_nll({"logits": logits[:1]}, labels[:1])
    both = allowed_nll({"logits": logits[1:]}, labels[1:])
    assert one.item() == pytest.approx(-math.log(probs[1].item()), abs=1e-5)
    assert both.item() == pytest.approx(-math.log(probs[1].item() + probs[2].item()), abs=1e-5)


def test_balanced_class_weights_count_a_coarse_label_as_shares() -> None:
    labels = [[*ALLOWED["CFS"], 1], [*ALLOWED["CFS"], 1], [*ALLOWED["claimbuster:0"], 0],
              [*ALLOWED["NFS"], 1]]
    # Counts: CFS 2, UFS 0.5, NFS 1.5 over 4 rows.
    assert class_weights(labels) == pytest.approx([4 / 6, 4 / 1.5, 4 / 4.5])


def test_weighted_loss_is_a_weighted_mean_of_the_rows() -> None:
    import torch

    logits = torch.tensor([[2.0, 0.5, -1.0], [0.0, 1.0, 0.2]])
    labels = torch.tensor([[*ALLOWED["CFS"], 1], [*ALLOWED["claimbuster:0"], 0]],
                          dtype=torch.float)
    rows = [allowed_nll({"logits": logits[i : i + 1]}, labels[i : i + 1]).item()
            for i in range(2)]
    plain = allowed_nll({"logits": logits}, labels).item()
    weighted = allowed_nll({"logits": logits}, labels, weights=[1.0, 2.0, 4.0]).item()
    assert plain == pytest.approx(sum(rows) / 2, abs=1e-5)
    # Row weights: CFS 1; the ClaimBuster 0 the mean of UFS and NFS, 3.
    assert weighted == pytest.approx((rows[0] + 3 * rows[1]) / 4, abs=1e-5)


def test_three_way_head_keeps_the_binary_model_scores() -> None:
    import torch

    from claimtrace.pipeline.classify import load_claim_model

    old = load_claim_model(Path(__file__).parents[1] / "models/claim-checkworthiness-1.0.0",
                           int8_kernels=False)
    state = three_way_state(Path(__file__).parents[1] / "models/claim-checkworthiness-1.0.0")
    hidden = torch.randn(4, 384)
    two = torch.softmax(hidden @ old.model.state_dict()["classifier.weight"].T
                        + old.model.state_dict()["classifier.bias"], dim=-1)
    three = torch.softmax(hidden @ state["classifier.weight"].T + state["classifier.bias"], -1)
    assert torch.allclose(three[:, 0], two[:, 1], atol=1e-6)
    assert torch.allclose(three[:, 1] + three[:, 2], two[:, 0], atol=1e-6)


def test_joint_threshold_balances_both_sources() -> None:
    domains = np.array(["a"] * 4 + ["b"] * 6)
    labels = np.array([0, 0, 1, 1, 0, 0, 0, 0, 1, 1])
    scores = np.array([0.1, 0.2, 0.6, 0.7, 0.3, 0.65, 0.66, 0.67, 0.8, 0.9])
    # a alone: 0.6 (F1 1). Both: 0.6 gives a 1.0, b 0.571; 0.7 gives a 0.667, b 1.0.
    assert choose_joint_threshold(domains[:4], labels[:4], scores[:4]) == 0.6
    assert choose_joint_threshold(domains, labels, scores) == 0.7


def test_joint_threshold_takes_the_highest_within_the_tolerance() -> None:
    # 20 positives scored 0.5..0.97 and one negative at 0.2: the lowest cut (0.2) has F1
    # 40/41 = 0.976, a cut above the negative 1.0; one positive below the cut costs 0.026.
    labels = np.array([0] + [1] * 20)
    scores = np.array([0.2, *np.linspace(0.5, 0.97, 20)])
    domains = np.array(["a"] * 21)
    assert choose_joint_threshold(domains, labels, scores, tolerance=0.0) == 0.5
    assert choose_joint_threshold(domains, labels, scores, tolerance=0.03) == pytest.approx(
        scores[2])  # drops one positive (F1 0.974), still within 0.03 of the best


def test_baseline_gives_three_class_probabilities() -> None:
    texts = [f"writer : {t}" for t, _ in sum(ARTICLES, [])] * 2
    allowed = [list(ALLOWED[label]) for _, label in sum(ARTICLES, [])] * 2
    probs = ClaimBaseline(seed=1).fit(texts, allowed).predict_proba(texts[:3])
    assert probs.shape == (3, 3)
    assert probs.sum(axis=1) == pytest.approx(np.ones(3))


def test_news_split_keeps_articles_whole_and_repeats(tmp_path: Path) -> None:
    csv_path, labels_path, _ = write_news(tmp_path)
    claims, articles = load_news_claims(labels_path, csv_path)
    assert [c.text for c in claims[:2]] == ["Unemployment fell to 3.9% in May.",
                                            "It was a sunny day."]
    assert set(articles) == {0, 1, 2, 3}
    train, dev = split_by_article(claims, 0.25, seed=3)
    assert not {c.article_id for c in train} & {c.article_id for c in dev}
    assert len({c.article_id for c in dev}) == 1
    assert split_by_article(claims, 0.25, seed=3) == (train, dev)


def test_polnear_claims_are_rebuilt_from_their_files(tmp_path: Path) -> None:
    root, labels_path = write_polnear(tmp_path)
    claims, texts = load_polnear_claims(labels_path, root)
    assert [c.text for c in claims] == [s for s, _ in ARTICLES[0] + ARTICLES[1]]
    assert {c.row for c in claims} == set(texts) == {0, 1}
    assert all(texts[c.row][c.start:c.end] == c.text for c in claims)


@pytest.mark.parametrize("change, message", [
    ({"sha256": "0" * 64}, "changed since it was labelled"),
    ({"file": "train/text/gone.txt"}, "PolNeAR article not found"),
    ({"label": "maybe"}, "is not one of"),
    ({"start": 5, "end": 2}, "is outside its article"),
])
def test_polnear_labels_are_checked(tmp_path: Path, change: dict, message: str) -> None:
    root, labels_path = write_polnear(tmp_path)
    _rewrite(labels_path, **change)
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        load_polnear_claims(labels_path, root)


def _rewrite(labels_path: Path, **change) -> None:
    rows = [json.loads(x) for x in labels_path.read_text().splitlines()]
    rows[0].update(change)
    labels_path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.mark.parametrize("change, excluded, message", [
    ({"sha256": "0" * 64}, set(), "offsets cannot be trusted"),
    ({"label": "claim"}, set(), "is not one of"),
    ({}, {0}, "is a gold-set article"),
    ({"end": 10_000}, set(), "is outside its article"),
])
def test_news_labels_are_checked(tmp_path: Path, change: dict, excluded: set,
                                 message: str) -> None:
    csv_path, labels_path, _ = write_news(tmp_path)
    _rewrite(labels_path, **change)
    with pytest.raises(ValueError, match=message):
        load_news_claims(labels_path, csv_path, excluded)


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
    config = ClaimTrainingConfig(seed=5, epochs=2.0)
    assert ClaimTrainingConfig.from_dict(config.to_dict()) == config


def test_threshold_maximises_f1() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1])
    scores = np.array([0.1, 0.2, 0.6, 0.55, 0.7, 0.9])
    threshold = choose_joint_threshold(np.array(["a"] * 6), labels, scores)
    assert threshold == 0.55  # flags 0.55, 0.6, 0.7, 0.9: P 3/4, R 1
    assert evaluate(labels, scores, threshold)["f1"] == pytest.approx(0.8571, abs=1e-4)


def test_epoch_metrics_do_not_depend_on_evaluation_order() -> None:
    """Trainer groups evaluation rows by length; domain and class travel in the labels."""
    from types import SimpleNamespace

    from claimtrace.training.claims import claimbuster_rows, compute_trainer_metrics, news_rows
    from claimtrace.training.news_claims import NewsClaim

    rng = np.random.default_rng(0)
    cb = claimbuster_rows({"text": [f"s{i}" for i in range(40)],
                           "label": [i % 2 for i in range(40)]})
    news = news_rows([NewsClaim(0, "a", 0, 1, ("CFS", "UFS", "NFS")[i % 3], "t", "x", "x")
                      for i in range(30)])
    labels = np.asarray([r["labels"] for r in cb + news])
    predictions = rng.normal(size=(len(labels), 3)) + 2 * labels[:, :3]
    order = rng.permutation(len(labels))
    ordered = compute_trainer_metrics(SimpleNamespace(predictions=predictions, label_ids=labels))
    shuffled = compute_trainer_metrics(
        SimpleNamespace(predictions=predictions[order], label_ids=labels[order]))
    assert ordered == shuffled
    assert set(ordered) >= {"joint_f1", "claimbuster_f1", "news_f1", "news_macro_f1"}


def test_a_shipped_graph_only_claim_model_is_a_warm_start() -> None:
    """The shipped folder holds only the ONNX graph; its weights are read back from it."""
    from transformers import BertConfig, BertForSequenceClassification

    folder = Path(__file__).parents[1] / "models/claim-checkworthiness"
    state = three_way_state(folder)
    assert state["classifier.weight"].shape == (3, 384)
    config = BertConfig.from_json_file(str(folder / "config.json"))
    BertForSequenceClassification(config).load_state_dict(state, strict=True)
