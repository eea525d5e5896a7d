"""The PolNeAR brat loader on a hand-written fixture (tests/fixtures/brat)."""

from pathlib import Path

import pytest

from claimtrace.evaluation.brat import (
    annotator_of,
    load_document,
    load_polnear_split,
    parse_ann,
    parse_fragments,
)

FIXTURES = Path(__file__).parent / "fixtures" / "brat"
DEV = FIXTURES / "dev"


@pytest.mark.parametrize(
    "offsets, expected",
    [
        ("3 7", ((3, 7),)),
        ("25 30;10 20", ((10, 20), (25, 30))),
        ("1 2;4 5;8 9", ((1, 2), (4, 5), (8, 9))),
    ],
)
def test_parse_fragments(offsets, expected):
    assert parse_fragments(offsets) == expected


def test_annotator_code_from_file_name():
    assert annotator_of(Path("x/bridge_d473.ann")) == ("bridge", "d473")
    assert annotator_of(Path("plain.ann")) == ("plain", "")


def test_document_roles_and_offsets():
    doc = load_document(DEV / "attributions" / "bridge_d473.ann", DEV / "text" / "bridge.txt")
    assert doc.annotator == "d473"
    first = doc.attributions[0]
    assert [doc.text[s:e] for s, e in first.source] == ["The mayor"]
    assert [doc.text[s:e] for s, e in first.cue] == ["said"]
    assert [doc.text[s:e] for s, e in first.content] == ["that the bridge will reopen in May"]


def test_discontinuous_content_keeps_both_fragments():
    doc = load_document(DEV / "attributions" / "bridge_d473.ann", DEV / "text" / "bridge.txt")
    added = doc.attributions[1]
    assert [doc.text[s:e] for s, e in added.content] == ['"It is safe,"', '"and it is cheaper."']


def test_attribution_without_source():
    doc = load_document(DEV / "attributions" / "bridge_d473.ann", DEV / "text" / "bridge.txt")
    no_source = [a for a in doc.attributions if not a.has_source]
    assert len(no_source) == 1
    assert no_source[0].source is None
    assert doc.text[slice(*no_source[0].cue[0])] == "according to"


def test_discard_discuss_and_notes_are_ignored():
    doc = load_document(DEV / "attributions" / "bridge_d473.ann", DEV / "text" / "bridge.txt")
    # E5 points only at a Discard span, T16 is Discuss with a two-line text, #1 is a note.
    assert [a.id for a in doc.attributions] == ["E1", "E2", "E3", "E4"]


def test_second_content_is_folded_in():
    ann = (
        "T1\tCue 0 4\tsaid\nT2\tContent 5 9\tthis\nT3\tContent 12 16\tthat\n"
        "T4\tAttribution 0 4\tsaid\nE1\tAttribution:T4 Cue:T1 Content:T2 Content2:T3\n"
    )
    (only,) = parse_ann(ann)
    assert only.content == ((5, 9), (12, 16))
    assert only.source is None


def test_split_groups_annotators_per_article():
    (article,) = load_polnear_split(FIXTURES, "dev")
    assert article.name == "bridge"
    assert article.annotators == ["4b22", "d473"]
    assert len(article.annotations["4b22"]) == 1
    assert len(article.annotations["d473"]) == 4


def test_missing_split_is_reported():
    with pytest.raises(FileNotFoundError, match="split folder"):
        load_polnear_split(FIXTURES, "test")
