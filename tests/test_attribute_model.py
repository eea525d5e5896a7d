"""Learned attribution: span linking, cue kinds, and the committed model on new sentences."""

import pytest
import spacy

from claimtrace.pipeline.attribute_model import (
    DEFAULT_MODEL_DIR,
    cue_kind,
    filter_kinds,
    link_spans,
    merge_with_rules,
    predict_attributions,
)


def tag(text: str, *marked: tuple[str, str]) -> list[tuple[str, int, int]]:
    """Tagged spans from (role, phrase) pairs; a phrase's first occurrence is used."""
    spans = []
    for role, phrase in marked:
        start = text.index(phrase)
        spans.append((role, start, start + len(phrase)))
    return spans


def texts(text: str, attribution: dict) -> dict:
    return {
        role: None if attribution[role] is None else [text[s:e] for s, e in attribution[role]]
        for role in ("source", "cue", "content")
    }


def test_one_triple():
    text = "The mayor said the bridge will reopen in May."
    spans = tag(
        text, ("source", "The mayor"), ("cue", "said"), ("content", "the bridge will reopen in May")
    )
    (only,) = link_spans(text, spans)
    assert texts(text, only) == {
        "source": ["The mayor"],
        "cue": ["said"],
        "content": ["the bridge will reopen in May"],
    }
    assert only["kind"] == "speech"


def test_contents_around_a_cue_merge_into_one_discontinuous_content():
    text = '"It is safe," he added, "and it is cheaper."'
    spans = tag(
        text,
        ("content", '"It is safe,"'),
        ("source", "he"),
        ("cue", "added"),
        ("content", '"and it is cheaper."'),
    )
    (only,) = link_spans(text, spans)
    assert texts(text, only)["content"] == ['"It is safe,"', '"and it is cheaper."']
    assert texts(text, only)["source"] == ["he"]


def test_second_cue_shares_the_source_in_its_sentence():
    text = "She said taxes will rise and added that schools will close."
    spans = tag(
        text,
        ("source", "She"),
        ("cue", "said"),
        ("content", "taxes will rise"),
        ("cue", "added"),
        ("content", "that schools will close"),
    )
    first, second = link_spans(text, spans)
    assert texts(text, first)["source"] == texts(text, second)["source"] == ["She"]
    assert texts(text, second)["cue"] == ["added"]


def test_source_is_not_shared_across_sentences():
    text = "Officials said the road is open. According to the police, it is not."
    spans = tag(
        text,
        ("source", "Officials"),
        ("cue", "said"),
        ("content", "the road is open"),
        ("cue", "According to"),
        ("source", "the police"),
        ("content", "it is not"),
    )
    first, second = link_spans(text, spans)
    assert texts(text, first)["source"] == ["Officials"]
    assert texts(text, second)["source"] == ["the police"]


def test_quote_running_on_into_the_next_paragraph_keeps_its_cue():
    text = 'The senator said: "We will win.\n"And we will win big."'
    spans = tag(
        text,
        ("source", "The senator"),
        ("cue", "said"),
        ("content", '"We will win.'),
        ("content", '"And we will win big."'),
    )
    (only,) = link_spans(text, spans)
    assert len(only["content"]) == 2


def test_content_without_any_cue_and_cue_without_content_are_dropped():
    text = "It is a scandal.\n\nThe minister declined."
    assert link_spans(text, tag(text, ("content", "It is a scandal"), ("cue", "declined"))) == []


@pytest.mark.parametrize(
    "cue, kind",
    [
        ("said", "speech"),
        ("told reporters", "speech"),
        ("according to", "speech"),
        ("wrote", "speech"),
        ("announced", "speech"),
        ("thinks", "belief"),
        ("fears", "belief"),
        ("wants", "belief"),
        ("believed", "belief"),
        ("is worried", "belief"),
        ("planned", "belief"),
    ],
)
def test_cue_kind(cue, kind):
    assert cue_kind(cue) == kind


def test_filter_kinds():
    attributions = [{"kind": "speech"}, {"kind": "belief"}]
    assert filter_kinds(attributions, ["belief"]) == [{"kind": "belief"}]
    assert filter_kinds(attributions, None) == attributions


def test_merge_with_rules_takes_rule_labels_and_adds_what_the_model_missed():
    model = [{"source": [[0, 3]], "cue": [[4, 8]], "content": [[9, 30]], "kind": "speech"}]
    rules = [
        {"source": [[0, 3]], "cue": [[4, 8]], "content": [[12, 30]], "resolved": "Ann Lee"},
        {"source": None, "cue": [[40, 44]], "content": [[45, 60]], "resolved": None},
    ]
    merged = merge_with_rules(model, rules)
    assert [a["method"] for a in merged] == ["hybrid", "rules"]
    assert merged[0]["resolved"] == "Ann Lee" and merged[0]["content"] == [[9, 30]]
    assert len(merge_with_rules(model, rules, add_unmatched_rules=False)) == 1


# --- the committed model, on sentences written for this test (not from PolNeAR) ---

NEW_SENTENCES = [
    (
        "The harbour master said that the ferry would resume service next week.",
        "The harbour master",
        "said",
        "the ferry would resume service",
    ),
    (
        '"We have no money left," the school principal told the council.',
        "the school principal",
        "told",
        "We have no money left",
    ),
    (
        "Farmers in the valley fear that the drought will destroy this year's harvest.",
        "Farmers",
        "fear",
        "the drought will destroy",
    ),
]


def _covers(text: str, fragments: list | None, phrase: str) -> bool:
    return bool(fragments) and any(phrase in text[s:e] or text[s:e] in phrase for s, e in fragments)


@pytest.mark.skipif(not DEFAULT_MODEL_DIR.is_dir(), reason="no committed attribution model")
@pytest.mark.parametrize("text, source, cue, content", NEW_SENTENCES)
def test_committed_model_finds_source_cue_content(text, source, cue, content):
    found = predict_attributions(text)
    assert any(
        _covers(text, a["source"], source)
        and _covers(text, a["cue"], cue)
        and _covers(text, a["content"], content)
        for a in found
    ), found


@pytest.mark.skipif(not DEFAULT_MODEL_DIR.is_dir(), reason="no committed attribution model")
def test_spacy_component_stores_attributions_on_the_doc():
    nlp = spacy.blank("en")
    nlp.add_pipe("claimtrace_attribute_model")
    docs = list(nlp.pipe([NEW_SENTENCES[0][0], "No attribution here at all."]))
    assert docs[0]._.model_attributions
    assert docs[0]._.model_attributions[0]["kind"] == "speech"
    assert docs[1]._.model_attributions == []
