"""Building the spaCy pipeline from RunSettings (claimtrace.pipeline.nlp)."""

from __future__ import annotations

import json

import pytest

from claimtrace.errors import ClaimtraceError
from claimtrace.pipeline.nlp import (
    attribution_model_version,
    build_nlp,
    claim_model_available,
    model_versions,
)
from claimtrace.settings import ATTRIBUTION_MODEL, RunSettings, model_dir

OURS = ["claimtrace_presplit", "claimtrace_sentences", "claimtrace_attribute_tagger",
        "claimtrace_attribute_rules", "claimtrace_attribute_merge", "claimtrace_speakers",
        "claimtrace_standalone", "claimtrace_classify"]


def ours(nlp) -> list[str]:
    return [name for name in nlp.pipe_names if name.startswith("claimtrace_")]


@pytest.mark.parametrize("stage, method, classify, expected", [
    ("split", "rules", True, ["claimtrace_presplit", "claimtrace_sentences"]),
    ("attribute", "rules", True, ["claimtrace_presplit", "claimtrace_sentences",
                                  "claimtrace_attribute_rules", "claimtrace_attribute_merge",
                                  "claimtrace_speakers", "claimtrace_standalone"]),
    ("export", "rules", True, []),
    ("run", "hybrid", True, OURS),
    ("run", "rules", False, [n for n in OURS if n not in (
        "claimtrace_attribute_tagger", "claimtrace_classify")]),
])
def test_each_stage_gets_only_the_components_it_needs(stage, method, classify, expected):
    settings = RunSettings(attribution_method=method, classify=classify, progress=False)
    assert ours(build_nlp(settings, stage)) == expected


def test_a_missing_claim_model_is_refused_when_claims_are_asked_for(tmp_path):
    # Left out with a warning, every statement lost its score (and --min-score dropped them).
    settings = RunSettings(classify=True, progress=False, attribution_method="rules",
                           claim_model=tmp_path / "none")
    assert not claim_model_available(settings)
    with pytest.raises(ClaimtraceError, match="--no-claims to run without"):
        build_nlp(settings, "classify")
    settings.classify = False
    assert "claimtrace_classify" not in build_nlp(settings, "classify").pipe_names


def test_model_versions_name_every_model_loaded():
    nlp = build_nlp(RunSettings(progress=False), "run")
    versions = model_versions(nlp)
    assert versions["spacy"].startswith("en_core_web_sm")
    assert versions["claims"] == "claim-checkworthiness@2.3.0"  # the three-class news model
    manifest = json.loads((model_dir(ATTRIBUTION_MODEL) / "manifest.json").read_text())
    expected = f"attribution@{manifest['files']['model.int8.onnx']['sha256'][:12]}"
    assert versions["attribution"] == expected
    assert attribution_model_version(str(model_dir(ATTRIBUTION_MODEL))) == expected
    # Both shipped models run on ONNX Runtime, and the records say so.
    assert versions["runtime"].startswith("onnxruntime-") and " int8 " in versions["runtime"]


@pytest.mark.parametrize("text, source", [
    ('"Growth was 2 percent," Dupont said.\u200b', "Dupont"),  # a trailing zero-width space
    ("\ufeffJose Martinez said the port would close.", "Jose Martinez"),  # a byte-order mark
])
def test_invisible_characters_stay_out_of_names(nlp, text, source):
    from claimtrace.pipeline.attribute import attributions_of

    doc = nlp(text)
    (only,) = attributions_of(doc)
    assert only.source.text(doc) == source and only.resolved == source
