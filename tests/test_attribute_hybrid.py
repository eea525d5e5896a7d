"""The tagger + rules combination through the real pipeline (needs the committed model)."""

from __future__ import annotations

import pytest

from claimtrace.pipeline.attribute import attributions_of
from claimtrace.settings import MODELS_DIR, RunSettings

pytestmark = pytest.mark.skipif(not (MODELS_DIR / "attribution" / "manifest.json").exists(),
                                reason="no committed attribution model")

TEXT = ('Elena Marsh, the chief engineer of the transport department, said that inspectors '
        'had found corrosion in 14 cables. "We cannot wait another winter," Marsh said.\n\n'
        '"Safety comes first."\n\nThe repairs will cost $48 million, according to budget '
        'documents. Some residents fear the closure will hurt local shops.')


@pytest.fixture(scope="module")
def hybrid_nlp():
    from claimtrace.pipeline.nlp import build_nlp

    return build_nlp(RunSettings(classify=False, attribution_method="hybrid"), "run")


def test_hybrid_keeps_rule_spans_labels_and_rule_only_attributions(hybrid_nlp):
    doc = hybrid_nlp(TEXT)
    found = {a.content.text(doc): a for a in attributions_of(doc)}
    first = found["inspectors had found corrosion in 14 cables"]
    assert first.source.text(doc) == "Elena Marsh"
    assert first.description == "the chief engineer of the transport department"
    assert found["We cannot wait another winter"].resolved == "Elena Marsh"
    continuation = found["Safety comes first"]  # rules only: the tagger has no cue for it
    assert continuation.cue is None and continuation.resolved == "Elena Marsh"
    assert found["The repairs will cost $48 million"].cue.text(doc) == "according to"
    assert {a.method for a in found.values()} <= {"rules", "model", "hybrid"}
    assert "hybrid" in {a.method for a in found.values()}


def test_provenance_names_the_attribution_model(hybrid_nlp):
    from claimtrace.pipeline.nlp import model_versions

    assert model_versions(hybrid_nlp)["attribution"].startswith("attribution@")
