"""The article-state JSON between stages (claimtrace.pipeline.state): inverse of restore_doc."""

from __future__ import annotations

import json
import re

import pytest

import claimtrace.pipeline.export  # noqa: F401  (registers doc._.article and doc._.models)
from claimtrace.pipeline.attribute import attributions_of
from claimtrace.pipeline.ingest import make_article
from claimtrace.pipeline.state import (
    STATE_SCHEMA,
    StateError,
    attribution_from_dict,
    attribution_to_dict,
    doc_to_state,
    restore_doc,
    state_article,
)

TEXT = ("Elena Marsh, a spokesman for the association, said the bridge would cost $3bn.\n\n"
        '"We will finish by 2030," she added.')


@pytest.fixture(scope="module")
def parsed(nlp):
    doc = nlp.make_doc(TEXT)
    doc._.article = make_article({"id": "bridge", "text": TEXT}, "test")
    return nlp(doc)


def test_state_carries_the_article_sentences_and_attributions(parsed):
    state = doc_to_state(parsed, "attribute")
    assert state["schema"] == STATE_SCHEMA and state["stage"] == "attribute"
    assert state["article"]["id"] == "bridge" and state["article"]["text"] == TEXT
    assert [s["index"] for s in state["sentences"]] == list(range(len(state["sentences"])))
    assert len(state["attributions"]) == 2
    json.dumps(state)  # JSON-ready


def test_restore_doc_gives_back_the_same_state(nlp, parsed):
    state = json.loads(json.dumps(doc_to_state(parsed, "attribute")))
    restored = restore_doc(nlp.make_doc, state)
    assert doc_to_state(restored, "attribute") == state
    assert [a.content for a in attributions_of(restored)] == [
        a.content for a in attributions_of(parsed)]


def test_attribution_dict_round_trip(parsed):
    for attribution in attributions_of(parsed):
        data = attribution_to_dict(attribution)
        assert attribution_from_dict(data, len(parsed.text)) == attribution


@pytest.mark.parametrize("tag, reason", [
    (None, "schema is None, expected 'claimtrace/article-state@1'"),
    ("claimtrace/statement@2", "schema is 'claimtrace/statement@2', expected"),
    ("missing", "a field is missing: 'schema'")])
def test_a_state_must_name_its_schema(nlp, parsed, tag, reason):
    # "schema": null (or a foreign tag, or none) is the line's error, never read as a state.
    state = json.loads(json.dumps(doc_to_state(parsed, "attribute")))
    if tag == "missing":
        del state["schema"]
    else:
        state["schema"] = tag
    with pytest.raises(StateError, match=re.escape(reason)):
        restore_doc(nlp.make_doc, state)


def test_a_state_without_article_text_is_an_error():
    with pytest.raises(ValueError, match="article.text"):
        state_article({"stage": "split", "article": {"id": "x"}})


@pytest.mark.parametrize("damage", ["sentence_end", "attribution_end", "sentence_index", "text"])
def test_a_damaged_state_is_the_lines_error_not_a_silent_loss(tmp_path, parsed, damage):
    # A hand-edited intermediate file: offsets past the text, an attribution pointing at no
    # sentence, or a text edited under its old sha256 cost that line, with a reason.
    from claimtrace.cli import main

    state = json.loads(json.dumps(doc_to_state(parsed, "classify")))  # what export reads
    if damage == "sentence_end":
        state["sentences"][0]["end"] = 10**9
    elif damage == "attribution_end":
        state["attributions"][0]["content"]["end"] = 10**6
    elif damage == "sentence_index":
        state["attributions"][0]["sentence_index"] = 99
    else:
        state["article"]["text"] = state["article"]["text"].replace("e", "Y")
    source = tmp_path / "attributed.jsonl"
    source.write_text(json.dumps(state) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["export", str(source), "-o", str(out), "--quiet"]) == 1
    (error,) = [json.loads(line) for line in
                (tmp_path / "out.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert any(word in error["reason"] for word in ("do not fit", "names no sentence", "sha256"))
