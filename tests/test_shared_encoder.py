"""One encoder pass for both heads: pooling, window choice, training rows, ONNX round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from claimtrace.pipeline.shared_encoder import (
    ClaimHead,
    Encoding,
    content_flags,
    pooled_features,
    sentence_features,
    sentence_window,
    subword_range,
)
from claimtrace.settings import model_dir

OFFSETS = [(0, 3), (4, 9), (9, 10), (11, 15), (16, 20), (20, 21)]  # "The cats. Dogs bark."


def test_subword_range_takes_every_subword_a_span_touches():
    assert subword_range(OFFSETS, 0, 10) == (0, 3)
    assert subword_range(OFFSETS, 11, 21) == (3, 6)
    assert subword_range(OFFSETS, 5, 12) == (1, 4)  # partial subwords count
    assert subword_range(OFFSETS, 10, 11) == (3, 3)  # the space alone: none


def test_sentence_window_prefers_the_window_holding_most_then_the_central_one():
    windows = [(0, 10), (6, 16), (12, 22)]
    assert sentence_window(7, 12, windows) == 1  # whole in 1, partly in 0
    assert sentence_window(13, 15, windows) == 1  # whole in 1 and 2; farther from 1's edges
    assert sentence_window(18, 21, windows) == 2
    assert sentence_window(0, 2, []) == -1


def test_content_flags_mark_subwords_inside_reported_content():
    assert content_flags(OFFSETS, [(11, 20)]) == [False, False, False, True, True, False]
    assert content_flags(OFFSETS, []) == [False] * 6


def test_pooled_features_are_sentence_mean_content_mean_and_flag():
    rows = np.arange(12, dtype=np.float32).reshape(4, 3)
    features = pooled_features(rows, [False, True, True, False])
    np.testing.assert_allclose(features[:3], rows.mean(axis=0))
    np.testing.assert_allclose(features[3:6], rows[1:3].mean(axis=0))
    assert features[6] == 1.0
    plain = pooled_features(rows, [False] * 4)
    assert plain[3:].tolist() == [0.0] * 4


def test_sentence_features_pool_inside_the_chosen_window_only():
    hidden = [np.ones((4, 2), np.float32), np.full((4, 2), 2.0, np.float32)]
    encoding = Encoding(OFFSETS, [(0, 4), (2, 6)], hidden)
    features = sentence_features(encoding, 11, 21, [False] * 6)  # subwords 3-5: window 1
    assert features[:2].tolist() == [2.0, 2.0]
    assert sentence_features(encoding, 10, 11, [False] * 6) is None


def test_torch_pooling_in_training_matches_numpy_pooling_at_inference():
    torch = pytest.importorskip("torch")
    from claimtrace.training.multitask import pooled_batch

    rng = np.random.default_rng(3)
    states = rng.normal(size=(2, 6, 4)).astype(np.float32)
    sentence_ids = np.array([[-1, 0, 0, 1, 1, -1], [-1, 0, 0, 0, -1, -1]])
    content = np.array([[0, 0, 1, 1, 1, 0], [0, 0, 0, 0, 0, 0]])
    pooled = pooled_batch(torch.tensor(states), torch.tensor(sentence_ids),
                          torch.tensor(content), 2).numpy()
    for b, k in ((0, 0), (0, 1), (1, 0)):
        rows = sentence_ids[b] == k
        expected = pooled_features(states[b][rows], content[b][rows].astype(bool))
        np.testing.assert_allclose(pooled[b, k], expected, rtol=1e-5, atol=1e-6)


def test_numpy_head_matches_the_trained_torch_head():
    torch = pytest.importorskip("torch")
    from claimtrace.training.multitask import shared_model_class

    class Tagger(torch.nn.Module):
        config = type("Config", (), {"hidden_size": 4})()

    torch.manual_seed(0)
    model = shared_model_class()(Tagger(), head_hidden=5).eval()
    head = ClaimHead({f"{layer}.{kind}": getattr(getattr(model, layer), kind).detach().numpy()
                      for layer in ("hidden", "out") for kind in ("weight", "bias")})
    features = torch.randn(3, 9)
    expected = torch.softmax(model.claim_logits(features), dim=-1).detach().numpy()
    np.testing.assert_allclose(head.probabilities(features.numpy()), expected, rtol=1e-5)


def test_training_windows_mark_the_subwords_inference_pools():
    from claimtrace.pipeline.runtime import SubwordTokenizer
    from claimtrace.training.multitask import article_claim_rows

    tokenizer = SubwordTokenizer.from_folder(model_dir("attribution"))
    text = " ".join(f"Sentence number {i} says the mayor." for i in range(30))
    first = text.index("Sentence number 12")
    second = text.index("Sentence number 25")
    sentences = [(first, text.index(".", first) + 1, "CFS"),
                 (second, text.index(".", second) + 1, "NFS")]
    rows = article_claim_rows(text, sentences, [(first + 9, first + 18)], tokenizer,
                              max_length=64, overlap=16)
    ids, offsets = tokenizer.plain(text)
    marked = {tuple(r["input_ids"][p] for p, k in enumerate(r["sentence_ids"]) if k == target)
              for r in rows for target in range(len(r["claim_allowed"]))}
    expected = {tuple(ids[slice(*subword_range(offsets, s, e))]) for s, e, _ in sentences}
    assert marked == expected  # each sentence whole, in one window, as inference pools it
    assert sum(len(r["claim_allowed"]) for r in rows) == 2
    assert sum(sum(r["content"]) for r in rows) >= 1


@pytest.mark.slow
def test_weights_read_back_from_the_shipped_graph_export_to_the_same_int8(tmp_path):
    pytest.importorskip("torch")
    import onnx
    from onnx import numpy_helper

    from claimtrace.training.onnx_export import export_fp32, quantize
    from claimtrace.training.onnx_import import torch_model_from_onnx

    folder = model_dir("attribution")
    model = torch_model_from_onnx(folder, token_level=True)
    export_fp32(model, tmp_path / "fp32.onnx", token_level=True)
    quantize(tmp_path / "fp32.onnx", tmp_path / "int8.onnx")

    def int8_tensors(path):
        graph = onnx.load(str(path)).graph
        return sorted(numpy_helper.to_array(i).tobytes() for i in graph.initializer
                      if i.name.endswith("_quantized"))

    assert int8_tensors(folder / "model.int8.onnx") == int8_tensors(tmp_path / "int8.onnx")


# --------------------------------------------------------------------------- in the pipeline

TEXT = ("The council approved the budget on Monday. \"We will cut bus fares by 10 percent,\" "
        "said Mayor Ana Ruiz. She added that the plan was the best in a decade.")


def build_shared_pair(folder: Path) -> Path:
    """A models folder with the shipped tagger's graph (re-exported with its `hidden` output)
    and a seeded random claim head trained on nothing: the pipeline's mechanics, not its
    figures."""
    import json
    import shutil

    from safetensors.numpy import save_file

    from claimtrace.artifacts import sha256_file, write_manifest
    from claimtrace.pipeline.shared_encoder import HEAD_WEIGHTS, POOLING
    from claimtrace.training.onnx_export import export_onnx

    tagger = Path(shutil.copytree(model_dir("attribution"), folder / "attribution"))
    export_onnx(tagger)
    head = folder / "claim-checkworthiness"
    head.mkdir()
    rng = np.random.default_rng(0)
    width = 2 * 384 + 1
    save_file({"hidden.weight": rng.normal(0, 0.05, (16, width)).astype(np.float32),
               "hidden.bias": np.zeros(16, np.float32),
               "out.weight": rng.normal(0, 0.5, (3, 16)).astype(np.float32),
               "out.bias": np.zeros(3, np.float32)}, str(head / HEAD_WEIGHTS))
    (head / "claim_head.json").write_text(json.dumps({
        "name": "test-head", "version": "0", "classes": ["CFS", "UFS", "NFS"], "threshold": 0.4,
        "pooling": POOLING, "encoder": {"model": "attribution",
                                        "sha256": sha256_file(tagger / "model.int8.onnx")}}))
    write_manifest(head)
    return folder


@pytest.fixture(scope="module")
def shared_models(tmp_path_factory) -> Path:
    shipped = model_dir("claim-checkworthiness")
    if (shipped / "claim_head.safetensors").is_file():
        return shipped.parent
    return build_shared_pair(tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="module")
def shared_nlp(shared_models):
    from claimtrace.pipeline.nlp import build_nlp
    from claimtrace.settings import RunSettings

    settings = RunSettings(progress=False, models_ahead=0).with_models_dir(shared_models)
    return build_nlp(settings, "run")


SHARED = pytest.mark.slow  # the fixture exports a graph when the shipped models are separate


@SHARED
def test_claim_head_reads_the_taggers_pass_and_gets_what_a_pass_of_its_own_gives(
        shared_nlp, monkeypatch):
    from claimtrace.pipeline.split import sentence_spans

    classify = shared_nlp.get_pipe("claimtrace_classify")
    head = classify.classifier.shared
    calls = []
    monkeypatch.setattr(type(head.tagger), "encode",
                        lambda self, text: calls.append(text) or Encoding([], [], []))
    doc = shared_nlp(TEXT)
    assert calls == [], "the classify stage ran the encoder again"
    assert doc._.encoding is None, "the states are dropped once read"
    monkeypatch.undo()
    served = [span._.claim.probabilities for span in sentence_spans(doc)]
    fresh = head.probabilities(doc, sentence_spans(doc))  # no encoding left: its own pass
    for got, row in zip(served, fresh, strict=True):
        assert list(got.values()) == pytest.approx(row, abs=1e-6)


@SHARED
def test_claim_head_scores_with_rules_only_from_a_pass_of_its_own(shared_models):
    from claimtrace.pipeline.nlp import build_nlp
    from claimtrace.pipeline.split import sentence_spans
    from claimtrace.settings import RunSettings

    settings = RunSettings(progress=False, models_ahead=0, attribution_method="rules")
    nlp = build_nlp(settings.with_models_dir(shared_models), "run")
    assert "claimtrace_attribute_tagger" not in nlp.pipe_names
    doc = nlp(TEXT)
    scores = [span._.claim for span in sentence_spans(doc)]
    assert scores and all(s is not None and s.label in ("CFS", "UFS", "NFS") for s in scores)


@SHARED
def test_claim_head_refuses_a_graph_it_was_not_trained_on(shared_models, tmp_path):
    import json
    import shutil

    from claimtrace.artifacts import relist_manifest
    from claimtrace.errors import ClaimtraceError
    from claimtrace.pipeline.classify import load_claim_model

    claims = Path(shutil.copytree(shared_models / "claim-checkworthiness", tmp_path / "claims"))
    shutil.copytree(shared_models / "attribution", tmp_path / "attribution")
    head = json.loads((claims / "claim_head.json").read_text())
    head["encoder"]["sha256"] = "0" * 64
    (claims / "claim_head.json").write_text(json.dumps(head))
    relist_manifest(claims)
    with pytest.raises(ClaimtraceError, match="trained on another attribution graph"):
        load_claim_model(claims)
