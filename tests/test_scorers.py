"""Scorer unit tests on tiny hand-made cases; every expected figure is worked out by hand."""

from __future__ import annotations

import pytest

from claimtrace.evaluation.scorers import (
    PRF,
    SpanAttribution,
    TokenIndex,
    cohen_kappa,
    mean_prf,
    names_agree,
    normalise_span,
    prepare_span,
    score_attributions,
    score_boundaries,
    score_claims,
)


def at(text: str, snippet: str, after: int = 0) -> tuple[tuple[int, int], ...]:
    """One-fragment span of `snippet` in `text` (so tests state spans as text, not numbers)."""
    start = text.index(snippet, after)
    return ((start, start + len(snippet)),)


def attr(text: str, content: str, source: str | None = None, cue: str | None = None,
         **labels: str) -> SpanAttribution:
    return SpanAttribution(at(text, source) if source else None, at(text, cue) if cue else None,
                           at(text, content), **labels)


def figures(prf: PRF) -> tuple:
    return prf.precision, prf.recall, prf.f1


# ----------------------------------------------------------------------- normalisation


@pytest.mark.parametrize("text, selected, role, expected", [
    ('He said "the plan is dead," and left.', '"the plan is dead,"', "content",
     "the plan is dead"),
    ("He said that the plan is dead.", "that the plan is dead.", "content", "the plan is dead"),
    ("“That’s over,” he said.", "“That’s over,”", "content", "That’s over"),  # not "that "
    ("He  said  it.", " said ", "cue", "said"),
    ("Trump: yes", ":", "cue", ":"),  # a span that would vanish keeps its stripped text
    ("the source that spoke", "the source that spoke", "source", "the source that spoke"),
    ("It said: “‘No’ — and that was it.”", ": “‘No’ — and that was it.”", "content",
     "No’ — and that was it"),  # repeated until stable; inner marks stay
])
def test_normalise_span(text: str, selected: str, role: str, expected: str) -> None:
    ((start, end),) = at(text, selected)
    s, e = normalise_span(text, start, end, role)
    assert text[s:e] == expected


def test_token_index_touches_partial_tokens() -> None:
    index = TokenIndex("ab cd, ef")  # tokens: ab | cd | , | ef
    assert index.tokens(0, 2) == {0}
    assert index.tokens(4, 8) == {1, 2, 3}
    assert index.tokens(2, 3) == frozenset()  # only a space


# ----------------------------------------------------------------------- span matching

TEXT = 'Police said "the man was arrested," on Monday. He added that it was over.'


def test_exact_after_normalisation_and_overlap() -> None:
    # Gold drops quotes and the comma; the prediction keeps them: still an exact match.
    gold = [attr(TEXT, "the man was arrested", "Police", "said")]
    pred = [attr(TEXT, '"the man was arrested,"', "Police", "said")]
    score = score_attributions(TEXT, gold, pred)
    for mode in ("exact", "overlap"):
        assert figures(score.roles[mode]["content"]) == (1.0, 1.0, 1.0)
        assert figures(score.whole[mode]) == (1.0, 1.0, 1.0)


def test_exact_fails_where_overlap_matches() -> None:
    gold = [attr(TEXT, "the man was arrested", "Police", "said")]
    pred = [attr(TEXT, 'the man was arrested," on Monday', "Police", "said")]
    score = score_attributions(TEXT, gold, pred)
    # exact: the prediction is spurious and the gold span is missed -> TP 0, FP 1, FN 1
    assert figures(score.roles["exact"]["content"]) == (0.0, 0.0, 0.0)
    assert figures(score.roles["overlap"]["content"]) == (1.0, 1.0, 1.0)
    # whole attribution follows its weakest role
    assert figures(score.whole["exact"]) == (0.0, 0.0, 0.0)
    assert figures(score.whole["overlap"]) == (1.0, 1.0, 1.0)
    # source and cue agree exactly in both modes
    assert figures(score.roles["exact"]["source"]) == (1.0, 1.0, 1.0)


def test_gold_span_matched_at_most_once() -> None:
    # Two predictions inside one gold content: TP 1, FP 1 -> P 1/2, R 1, F1 2/3.
    gold = [attr(TEXT, "the man was arrested")]
    pred = [attr(TEXT, "the man"), attr(TEXT, "was arrested")]
    p, r, f1 = figures(score_attributions(TEXT, gold, pred).roles["overlap"]["content"])
    assert (p, r) == (0.5, 1.0)
    assert f1 == pytest.approx(2 / 3)


def test_prediction_matched_at_most_once() -> None:
    # One prediction across two gold contents: TP 1, FN 1 -> P 1, R 1/2, F1 2/3.
    gold = [attr(TEXT, "the man"), attr(TEXT, "was arrested")]
    pred = [attr(TEXT, "man was")]
    p, r, f1 = figures(score_attributions(TEXT, gold, pred).roles["overlap"]["content"])
    assert (p, r) == (1.0, 0.5)
    assert f1 == pytest.approx(2 / 3)


def test_best_pair_first_not_first_come() -> None:
    # gold G1 = "a b c d", G2 = "e f"; P1 = "d e" touches both (Jaccard 1/5 with G1, 1/2 with
    # G2), P2 = "a" only G1 (1/4). Best-first pairs P1-G2 and P2-G1: TP 2, FP 0, FN 0. Taking
    # gold in order (G1 grabs P1) would leave G2 unmatched.
    text = "a b c d e f"
    gold = [attr(text, "a b c d"), attr(text, "e f")]
    pred = [attr(text, "d e"), attr(text, "a")]
    assert figures(score_attributions(text, gold, pred).roles["overlap"]["content"]) == (
        1.0, 1.0, 1.0)


def test_empty_predictions() -> None:
    gold = [attr(TEXT, "the man was arrested", "Police", "said")]
    score = score_attributions(TEXT, gold, [])
    # No predictions: precision undefined, recall 0, F1 = 2*0 / (0 + 0 + 1) = 0.
    assert figures(score.roles["exact"]["content"]) == (None, 0.0, 0.0)
    assert figures(score.whole["overlap"]) == (None, 0.0, 0.0)


def test_empty_gold() -> None:
    pred = [attr(TEXT, "it was over", "He", "added")]
    score = score_attributions(TEXT, [], pred)
    # Nothing to find: recall undefined, precision 0, F1 0.
    assert figures(score.roles["overlap"]["cue"]) == (0.0, None, 0.0)


def test_both_empty_is_undefined() -> None:
    score = score_attributions(TEXT, [], [])
    assert figures(score.whole["exact"]) == (None, None, None)


def test_null_roles_must_agree() -> None:
    # Gold continuation: no source, no cue. A prediction with a source does not match whole.
    gold = [attr(TEXT, "it was over")]
    with_source = [attr(TEXT, "it was over", "He")]
    without = [attr(TEXT, "it was over")]
    assert figures(score_attributions(TEXT, gold, with_source).whole["overlap"]) == (
        0.0, 0.0, 0.0)
    assert figures(score_attributions(TEXT, gold, without).whole["overlap"]) == (1.0, 1.0, 1.0)
    # The source is then spurious for the source role: TP 0, FP 1, no gold.
    assert figures(score_attributions(TEXT, gold, with_source).roles["exact"]["source"]) == (
        0.0, None, 0.0)


def test_shared_cue_counts_once() -> None:
    # "A," he said, "B." as two gold attributions sharing source and cue; the system finds A.
    text = '"We won," he said, "and we will win again."'
    gold = [attr(text, "We won", "he", "said"), attr(text, "and we will win again", "he", "said")]
    pred = [attr(text, "We won", "he", "said")]
    score = score_attributions(text, gold, pred)
    assert figures(score.roles["exact"]["cue"]) == (1.0, 1.0, 1.0)  # one distinct cue
    p, r, _ = figures(score.roles["exact"]["content"])
    assert (p, r) == (1.0, 0.5)
    assert figures(score.whole["exact"])[:2] == (1.0, 0.5)


def test_discontinuous_gold_content() -> None:
    # PolNeAR style: one content of two fragments. Exact uses the covering span (which here
    # includes "he said"), overlap the fragments' tokens.
    text = '"We won," he said, "and we will win again."'
    content = at(text, '"We won,"') + at(text, '"and we will win again."')
    gold = [SpanAttribution(at(text, "he"), at(text, "said"), content)]
    pred = [attr(text, "We won", "he", "said"), attr(text, "and we will win again", "he", "said")]
    score = score_attributions(text, gold, pred)
    assert figures(score.roles["exact"]["content"]) == (0.0, 0.0, 0.0)
    # overlap: the first prediction takes the gold content, the second is spurious
    p, r, f1 = figures(score.roles["overlap"]["content"])
    assert (p, r) == (0.5, 1.0)
    assert f1 == pytest.approx(2 / 3)


def test_fragments_prepared_separately() -> None:
    text = '"We won," he said, "and we will win again."'
    content = at(text, '"We won,"') + at(text, '"and we will win again."')
    span = prepare_span(text, content, "content", TokenIndex(text))
    assert text[span.key[0]:span.key[1]] == 'We won," he said, "and we will win again'
    assert [text[s:e] for s, e in span.fragments] == ["We won", "and we will win again"]


def test_mean_over_annotators() -> None:
    # Against annotator 1: TP 1 FP 0 FN 1; against annotator 2: TP 1 FP 0 FN 0.
    # Mean counts: TP 1, FP 0, FN 0.5 -> R = 1 / 1.5 = 2/3.
    mean = mean_prf([PRF(1, 0, 1), PRF(1, 0, 0)])
    assert (mean.tp, mean.fp, mean.fn) == (1, 0, 0.5)
    assert mean.recall == pytest.approx(2 / 3)


# ----------------------------------------------------------------------- labels


def test_resolution_and_quote_type_on_aligned_pairs() -> None:
    from claimtrace.evaluation.scorers import label_accuracy

    gold = [attr(TEXT, "the man was arrested", "Police", "said", resolved="Police",
                 quote_type="mixed"),
            attr(TEXT, "it was over", "He", "added", resolved="John Smith",
                 quote_type="indirect")]
    pred = [attr(TEXT, "the man was arrested", "Police", "said", resolved="police",
                 quote_type="direct"),
            attr(TEXT, "it was over", "He", "added", resolved="Smith", quote_type="indirect")]
    labels = label_accuracy(score_attributions(TEXT, gold, pred).aligned)
    assert labels["resolved"].value == 0.5  # "police" = "Police"; "Smith" != "John Smith"
    assert labels["resolved_lenient"].value == 1.0  # "Smith" is inside "John Smith"
    assert labels["quote_type"].value == 0.5


@pytest.mark.parametrize("gold, pred, lenient, expected", [
    ("The ministry", "ministry", False, True),
    ("Hubert Minnis", "Minnis", False, False),
    ("Hubert Minnis", "Minnis", True, True),
    (None, None, False, True),
    ("experts", None, True, False),
])
def test_names_agree(gold: str | None, pred: str | None, lenient: bool, expected: bool) -> None:
    assert names_agree(gold, pred, lenient) is expected


# ----------------------------------------------------------------------- sentences, claims

SENTENCES = "One two. Three four. Five six."


def test_boundaries() -> None:
    gold = [(0, 8), (9, 20), (21, 30)]
    merged = [(0, 20), (21, 30)]  # the system glued the first two sentences
    # gold boundaries {9, 21}, predicted {21}: TP 1, FN 1 -> P 1, R 1/2, F1 2/3
    prf = score_boundaries(SENTENCES, gold, merged)
    assert (prf.tp, prf.fp, prf.fn) == (1, 0, 1)
    assert prf.f1 == pytest.approx(2 / 3)
    # leading whitespace does not move a boundary; the first sentence start is not counted
    assert figures(score_boundaries(SENTENCES, gold, [(0, 8), (8, 20), (20, 30)])) == (
        1.0, 1.0, 1.0)


def test_claims_confusion_and_positive_class() -> None:
    gold = [((0, 8), "CFS"), ((9, 20), "UFS"), ((21, 30), "CFS")]
    # Predicted split glues sentences 1+2 (flagged) and leaves 3 (not flagged).
    pred = [((0, 20), True, 0.9), ((21, 30), False, 0.2)]
    counts = score_claims(gold, pred)
    # gold 1 (CFS) -> flagged, gold 2 (UFS) -> flagged, gold 3 (CFS) -> not flagged
    assert counts.confusion["CFS"] == {"checkworthy": 1, "rest": 1}
    assert counts.confusion["UFS"] == {"checkworthy": 1, "rest": 0}
    assert counts.confusion["NFS"] == {"checkworthy": 0, "rest": 0}
    # TP 1, FP 1, FN 1 -> P = R = F1 = 1/2
    assert figures(counts.positive()) == (0.5, 0.5, 0.5)
    assert counts.scores == [0.9, 0.9, 0.2] and counts.labels == [1, 0, 1]


def test_claim_without_predicted_sentence_is_rest() -> None:
    counts = score_claims([((0, 8), "CFS")], [])
    assert counts.confusion["CFS"] == {"checkworthy": 0, "rest": 1}


def test_cohen_kappa() -> None:
    # observed 3/4; expected 1/2 * 1/4 + 1/2 * 3/4 = 1/2; kappa = (3/4 - 1/2) / (1/2) = 1/2
    assert cohen_kappa(list("aabb"), list("abbb")) == pytest.approx(0.5)
    assert cohen_kappa(list("ab"), list("ab")) == 1.0
    assert cohen_kappa([], []) is None
    with pytest.raises(ValueError, match="equal-length"):
        cohen_kappa(["a"], [])
