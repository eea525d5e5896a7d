"""Span <-> BIO conversions of the attribution tagger, including windows and discontinuity."""

import re

import pytest

from claimtrace.evaluation.brat import BratAttribution
from claimtrace.training.attribution import (
    LABELS,
    AttributionTrainConfig,
    char_roles,
    labels_to_spans,
    merge_window_labels,
    normalize,
    sentence_starts,
    token_labels,
    window_starts,
)

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
    merged = merge_window_labels(len(offsets), windows, per_window)
    assert merged == labels
    assert labels_to_spans(merged, offsets) == [("cue", *offsets[3]), ("content", *content)]


def test_sentence_starts_after_end_punctuation_and_newlines():
    text = 'He left. She said "no."\nThen'
    offsets = words(text)
    flags = dict(zip([text[s:e] for s, e in offsets], sentence_starts(text, offsets), strict=False))
    assert flags["He"] and flags["She"] and flags["Then"] and not flags["said"]


def test_normalize_strips_and_joins_whitespace_gaps():
    text = "  ab  cd , ef"
    assert normalize(((0, 4), (4, 8)), text) == ((2, 8),)
    assert normalize(((2, 4), (10, 13)), text) == ((2, 4), (11, 13))
    assert normalize(((0, 2),), text) is None


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
    merged = merge_window_labels(len(offsets), windows, [e["labels"][1:-1] for e in examples])
    assert set(labels_to_spans(merged, offsets)) == gold_spans()


def test_config_round_trip_and_validation():
    config = AttributionTrainConfig(epochs=1.5, seed=3)
    assert AttributionTrainConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown training option"):
        AttributionTrainConfig.from_dict({"epoch": 2})
    with pytest.raises(ValueError, match="multi_annotator"):
        AttributionTrainConfig(multi_annotator="some")
