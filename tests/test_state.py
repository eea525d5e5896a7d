"""The article-state JSON between stages (claimtrace.pipeline.state): inverse of restore_doc."""

from __future__ import annotations

import json

import pytest

import claimtrace.pipeline.export  # noqa: F401  (registers doc._.article and doc._.models)
from claimtrace.pipeline.attribute import attributions_of
from claimtrace.pipeline.ingest import make_article
from claimtrace.pipeline.state import (
    STATE_SCHEMA,
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
        assert attribution_from_dict(attribution_to_dict(attribution)) == attribution


def test_a_state_without_article_text_is_an_error():
    with pytest.raises(ValueError, match="article.text"):
        state_article({"stage": "split", "article": {"id": "x"}})
