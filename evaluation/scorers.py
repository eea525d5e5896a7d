"""Scorers for claimtrace's stages: pure functions over character offsets, no spaCy.

Every scorer compares gold and predicted offsets into one article text and returns counts
(`PRF`); corpus figures are micro-averages, i.e. the counts summed over articles.

Conventions (the harness report repeats them):

- **Span normalisation** (`normalise_span`), applied to gold and predictions alike before any
  comparison, because the sources disagree on what a span's edges include (PolNeAR contents
  keep quotation marks and a leading "that"; the project's gold drops them; annotators varied
  on a trailing comma or period inside a quote): strip whitespace, quotation marks
  (straight and curly, single and double, guillemets), the edge punctuation ``, . ; : — –``
  and, for contents only, a leading complementiser "that". Repeat until nothing changes. A
  span that would vanish (a cue that is just ":") keeps its whitespace-stripped text.
- **Exact match**: equal normalised (start, end). A discontinuous span (PolNeAR's
  multi-fragment contents) is compared by its covering span, first fragment start to last
  fragment end.
- **Overlap match**: the two spans share at least one token, tokens being words and single
  punctuation marks (`TOKEN`) inside the normalised fragments; a discontinuous span
  contributes only its fragments' tokens.
- **One-to-one**: each gold span and each prediction is matched at most once, greedily, best
  candidate pair first (token Jaccard, then gold order, then prediction order), so the result
  never depends on dict or set order.
- **Role scores count distinct spans**: two attributions that share a cue (a quote split by
  its cue, ``"A," he said, "B."``) contribute that cue once; null roles are not spans.
- **Whole attribution**: a gold and a predicted attribution match when every role matches
  (exact or overlap) and a role that is null in one is null in the other.
- **Undefined ratios are None**: precision with no predictions, recall with no gold, F1 with
  neither. F1 is 2TP / (2TP + FP + FN), so it is 0 when only one side is empty.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

Fragment = tuple[int, int]
Fragments = tuple[Fragment, ...]

ROLES = ("source", "cue", "content")
MODES = ("exact", "overlap")
CLAIM_CLASSES = ("CFS", "UFS", "NFS")
POSITIVE_CLASS = "CFS"

QUOTE_CHARS = "\"'\u201c\u201d\u2018\u2019\u201e\u201f\u00ab\u00bb\u2039\u203a`"
EDGE_PUNCT = ",.;:\u2014\u2013"
STRIP_CHARS = QUOTE_CHARS + EDGE_PUNCT
# A leading complementiser: "that" as a whole word followed by whitespace.
_THAT = re.compile(r"that\s", re.IGNORECASE)
TOKEN = re.compile(r"\w+|[^\w\s]")


# ----------------------------------------------------------------------------- counts


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class PRF:
    """True positives, false positives, false negatives; floats so annotators can be averaged."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    @property
    def precision(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float | None:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float | None:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def scaled(self, factor: float) -> PRF:
        return PRF(self.tp * factor, self.fp * factor, self.fn * factor)

    def to_dict(self, digits: int = 4) -> dict[str, float | None]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, digits)

        return {
            "precision": rounded(self.precision), "recall": rounded(self.recall),
            "f1": rounded(self.f1), "tp": rounded(self.tp), "fp": rounded(self.fp),
            "fn": rounded(self.fn),
        }


def sum_prf(counts: Iterable[PRF]) -> PRF:
    """The counts added up (micro-averaging)."""
    return sum(counts, PRF())


def mean_prf(counts: Sequence[PRF]) -> PRF:
    """Average counts (e.g. one article against each of its annotators): weight 1 per article."""
    if not counts:
        return PRF()
    return sum_prf(counts).scaled(1 / len(counts))


# ----------------------------------------------------------------------------- spans


def normalise_span(text: str, start: int, end: int, role: str = "") -> Fragment:
    """Trim whitespace, quotes, edge punctuation (and a content's leading "that")."""
    raw = _strip_whitespace(text, start, end)
    start, end = raw
    while True:
        before = (start, end)
        start, end = _strip_whitespace(text, start, end)
        while start < end and text[start] in STRIP_CHARS:
            start += 1
        while end > start and text[end - 1] in STRIP_CHARS:
            end -= 1
        if role == "content" and _THAT.match(text, start, end):
            start += 4
        if (start, end) == before:
            break
    return (start, end) if start < end else raw


def _strip_whitespace(text: str, start: int, end: int) -> Fragment:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class TokenIndex:
    """Token positions of one text, to map a character span to the tokens it touches."""

    def __init__(self, text: str) -> None:
        self.text = text
        matches = list(TOKEN.finditer(text))
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]

    def tokens(self, start: int, end: int) -> frozenset[int]:
        """Ids of tokens whose characters intersect [start, end)."""
        first = bisect.bisect_right(self.ends, start)  # first token ending after `start`
        last = bisect.bisect_left(self.starts, end)  # tokens starting before `end`
        return frozenset(range(first, last))


@dataclass(frozen=True)
class NormalisedSpan:
    """A role span ready for matching: exact key (covering span) and overlap tokens."""

    key: Fragment
    fragments: Fragments
    tokens: frozenset[int]


def prepare_span(text: str, fragments: Fragments, role: str, index: TokenIndex) -> NormalisedSpan:
    ordered = tuple(sorted(fragments))
    key = normalise_span(text, ordered[0][0], ordered[-1][1], role)
    parts = tuple(normalise_span(text, s, e, role) for s, e in ordered)
    tokens = frozenset().union(*(index.tokens(s, e) for s, e in parts))
    return NormalisedSpan(key, parts, tokens)


def span_similarity(gold: NormalisedSpan, pred: NormalisedSpan, mode: str) -> float:
    """> 0 when the two spans match under `mode`; larger is a better match."""
    if mode == "exact":
        return 1.0 if gold.key == pred.key else 0.0
    if mode != "overlap":
        raise ValueError(f"unknown match mode {mode!r}; expected one of {MODES}")
    shared = len(gold.tokens & pred.tokens)
    if not shared:
        return 0.0
    return shared / len(gold.tokens | pred.tokens)


def greedy_match(
    n_gold: int, n_pred: int, similarity: Callable[[int, int], float]
) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, prediction index), best similarity first, ties by order."""
    candidates = []
    for g in range(n_gold):
        for p in range(n_pred):
            score = similarity(g, p)
            if score > 0:
                candidates.append((-score, g, p))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, g, p in candidates:
        if g not in used_gold and p not in used_pred:
            used_gold.add(g)
            used_pred.add(p)
            pairs.append((g, p))
    return sorted(pairs)


@dataclass
class SpanMatch:
    """Result of matching two lists of spans: counts plus who was left over."""

    counts: PRF
    pairs: list[tuple[int, int]]
    missed: list[int]  # gold indices without a partner
    spurious: list[int]  # prediction indices without a partner


def match_spans(gold: Sequence[NormalisedSpan], pred: Sequence[NormalisedSpan],
                mode: str) -> SpanMatch:
    pairs = greedy_match(len(gold), len(pred), lambda g, p: span_similarity(gold[g], pred[p], mode))
    matched_gold = {g for g, _ in pairs}
    matched_pred = {p for _, p in pairs}
    missed = [g for g in range(len(gold)) if g not in matched_gold]
    spurious = [p for p in range(len(pred)) if p not in matched_pred]
    return SpanMatch(PRF(len(pairs), len(spurious), len(missed)), pairs, missed, spurious)


# ----------------------------------------------------------------------------- attributions


@dataclass(frozen=True)
class SpanAttribution:
    """An attribution as the scorers see it, gold or predicted: fragments per role + labels."""

    source: Fragments | None
    cue: Fragments | None
    content: Fragments | None
    resolved: str | None = None
    quote_type: str | None = None
    kind: str | None = None

    def role(self, name: str) -> Fragments | None:
        return getattr(self, name)


def distinct_role_spans(text: str, attributions: Iterable[SpanAttribution], role: str,
                        index: TokenIndex) -> list[NormalisedSpan]:
    """The distinct non-null spans of one role, in text order (deduplicated by exact key)."""
    seen: dict[tuple, NormalisedSpan] = {}
    for attribution in attributions:
        fragments = attribution.role(role)
        if not fragments:
            continue
        span = prepare_span(text, fragments, role, index)
        seen.setdefault((span.key, span.fragments), span)
    return sorted(seen.values(), key=lambda s: (s.key, s.fragments))


def _prepared(text: str, attribution: SpanAttribution,
              index: TokenIndex) -> dict[str, NormalisedSpan | None]:
    prepared: dict[str, NormalisedSpan | None] = {}
    for role in ROLES:
        fragments = attribution.role(role)
        prepared[role] = prepare_span(text, fragments, role, index) if fragments else None
    return prepared


def attribution_similarity(gold: dict[str, NormalisedSpan | None],
                           pred: dict[str, NormalisedSpan | None], mode: str) -> float:
    """Sum of role similarities when every role matches (null with null), else 0."""
    total = 0.0
    for role in ROLES:
        g, p = gold[role], pred[role]
        if g is None and p is None:
            total += 1.0
            continue
        if g is None or p is None:
            return 0.0
        score = span_similarity(g, p, mode)
        if score == 0:
            return 0.0
        total += score
    return total


@dataclass
class AttributionScore:
    """One article's attribution figures against one gold annotation."""

    roles: dict[str, dict[str, PRF]]  # mode -> role -> counts
    whole: dict[str, PRF]  # mode -> counts
    role_errors: dict[str, dict[str, list[NormalisedSpan]]]  # role -> missed/spurious (overlap)
    # role -> (gold, predicted) pairs that overlap but differ at the edges (exact misses)
    boundary_errors: dict[str, list[tuple[NormalisedSpan, NormalisedSpan]]]
    aligned: list[tuple[SpanAttribution, SpanAttribution]]  # content-overlap pairs


def score_attributions(text: str, gold: Sequence[SpanAttribution],
                       pred: Sequence[SpanAttribution]) -> AttributionScore:
    index = TokenIndex(text)
    roles: dict[str, dict[str, PRF]] = {mode: {} for mode in MODES}
    errors: dict[str, dict[str, list[NormalisedSpan]]] = {}
    edges: dict[str, list[tuple[NormalisedSpan, NormalisedSpan]]] = {}
    for role in ROLES:
        gold_spans = distinct_role_spans(text, gold, role, index)
        pred_spans = distinct_role_spans(text, pred, role, index)
        for mode in MODES:
            result = match_spans(gold_spans, pred_spans, mode)
            roles[mode][role] = result.counts
            if mode == "overlap":
                errors[role] = {"missed": [gold_spans[g] for g in result.missed],
                                "spurious": [pred_spans[p] for p in result.spurious]}
                edges[role] = [(gold_spans[g], pred_spans[p]) for g, p in result.pairs
                               if gold_spans[g].key != pred_spans[p].key]
    gold_prepared = [_prepared(text, a, index) for a in gold]
    pred_prepared = [_prepared(text, a, index) for a in pred]
    whole = {}
    for mode in MODES:
        pairs = greedy_match(len(gold), len(pred), lambda g, p, m=mode: attribution_similarity(
            gold_prepared[g], pred_prepared[p], m))
        whole[mode] = PRF(len(pairs), len(pred) - len(pairs), len(gold) - len(pairs))
    aligned = align_by_content(gold_prepared, pred_prepared, gold, pred)
    return AttributionScore(roles, whole, errors, edges, aligned)


def align_by_content(gold_prepared: list[dict], pred_prepared: list[dict],
                     gold: Sequence[SpanAttribution],
                     pred: Sequence[SpanAttribution]) -> list[tuple[SpanAttribution,
                                                                    SpanAttribution]]:
    """Pairs of attributions whose contents overlap (one-to-one): the base for label accuracy."""

    def similarity(g: int, p: int) -> float:
        a, b = gold_prepared[g]["content"], pred_prepared[p]["content"]
        return 0.0 if a is None or b is None else span_similarity(a, b, "overlap")

    pairs = greedy_match(len(gold), len(pred), similarity)
    return [(gold[g], pred[p]) for g, p in pairs]


# ----------------------------------------------------------------------------- labels


def normalise_name(name: str | None) -> str | None:
    """Compare speaker names case- and spacing-insensitively; a leading "the" is dropped."""
    if name is None:
        return None
    words = name.casefold().split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words) or None


def names_agree(gold: str | None, pred: str | None, lenient: bool = False) -> bool:
    """Exact: equal after `normalise_name`. Lenient: one name's words contain the other's
    (``Minnis`` vs ``Hubert Minnis``); both null agree in either mode."""
    g, p = normalise_name(gold), normalise_name(pred)
    if g is None or p is None:
        return g is None and p is None
    if g == p:
        return True
    if not lenient:
        return False
    gw, pw = set(g.split()), set(p.split())
    return gw <= pw or pw <= gw


@dataclass
class Accuracy:
    correct: float = 0.0
    total: float = 0.0

    @property
    def value(self) -> float | None:
        return _ratio(self.correct, self.total)

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    def scaled(self, factor: float) -> Accuracy:
        return Accuracy(self.correct * factor, self.total * factor)

    def to_dict(self, digits: int = 4) -> dict[str, float | None]:
        value = self.value
        return {"accuracy": None if value is None else round(value, digits),
                "correct": round(self.correct, digits), "total": round(self.total, digits)}


def label_accuracy(aligned: Iterable[tuple[SpanAttribution, SpanAttribution]]
                   ) -> dict[str, Accuracy]:
    """Resolved-speaker (exact and lenient) and quote-type accuracy over aligned pairs.

    Quote type is counted only where the prediction has one (the tagger and textacy do not
    label it), so a system without the label gets "n/a", not 0.
    """
    result = {"resolved": Accuracy(), "resolved_lenient": Accuracy(), "quote_type": Accuracy()}
    for gold, pred in aligned:
        result["resolved"] += Accuracy(float(names_agree(gold.resolved, pred.resolved)), 1)
        result["resolved_lenient"] += Accuracy(
            float(names_agree(gold.resolved, pred.resolved, lenient=True)), 1)
        if pred.quote_type is not None:
            result["quote_type"] += Accuracy(float(gold.quote_type == pred.quote_type), 1)
    return result


# ----------------------------------------------------------------------------- sentences


def boundary_starts(text: str, sentences: Iterable[Fragment]) -> set[int]:
    """Sentence starts (first non-space character), less the text's own start (free)."""
    first = len(text) - len(text.lstrip())
    starts = {_strip_whitespace(text, s, e)[0] for s, e in sentences}
    starts.discard(first)
    return starts


def score_boundaries(text: str, gold: Iterable[Fragment], pred: Iterable[Fragment]) -> PRF:
    """Boundary P/R/F1: a boundary is where a sentence starts, other than the first."""
    g, p = boundary_starts(text, gold), boundary_starts(text, pred)
    return PRF(len(g & p), len(p - g), len(g - p))


def align_sentences(gold: Sequence[Fragment], pred: Sequence[Fragment]) -> list[int | None]:
    """For each gold sentence, the predicted sentence sharing most characters (None if none).

    Ties go to the earlier prediction. Used to carry a predicted claim score to a gold sentence
    when the two splits differ.
    """
    starts = [s for s, _ in pred]
    aligned: list[int | None] = []
    for g_start, g_end in gold:
        best, best_overlap = None, 0
        # Predictions are in text order: start the scan just before the first candidate.
        for i in range(max(0, bisect.bisect_right(starts, g_start) - 1), len(pred)):
            p_start, p_end = pred[i]
            if p_start >= g_end:
                break
            overlap = min(g_end, p_end) - max(g_start, p_start)
            if overlap > best_overlap:
                best, best_overlap = i, overlap
        aligned.append(best)
    return aligned


@dataclass
class ClaimCounts:
    """Gold class x predicted (check-worthy or not), plus scores for a precision-recall curve."""

    confusion: dict[str, dict[str, int]] = field(default_factory=lambda: {
        c: {"checkworthy": 0, "rest": 0} for c in CLAIM_CLASSES})
    labels: list[int] = field(default_factory=list)  # 1 = gold CFS
    scores: list[float] = field(default_factory=list)
    predicted: list[int] = field(default_factory=list)  # 1 = predicted check-worthy

    def add(self, gold_class: str, checkworthy: bool, score: float) -> None:
        if gold_class not in self.confusion:
            raise ValueError(f"unknown claim class {gold_class!r}; expected {CLAIM_CLASSES}")
        self.confusion[gold_class]["checkworthy" if checkworthy else "rest"] += 1
        self.labels.append(int(gold_class == POSITIVE_CLASS))
        self.scores.append(score)
        self.predicted.append(int(checkworthy))

    def extend(self, other: ClaimCounts) -> None:
        for gold_class, row in other.confusion.items():
            for column, n in row.items():
                self.confusion[gold_class][column] += n
        self.labels.extend(other.labels)
        self.scores.extend(other.scores)
        self.predicted.extend(other.predicted)

    def positive(self) -> PRF:
        """Check-worthy (CFS) against the rest (UFS + NFS)."""
        tp = self.confusion[POSITIVE_CLASS]["checkworthy"]
        fn = self.confusion[POSITIVE_CLASS]["rest"]
        fp = sum(self.confusion[c]["checkworthy"] for c in CLAIM_CLASSES if c != POSITIVE_CLASS)
        return PRF(tp, fp, fn)


def score_claims(gold: Sequence[tuple[Fragment, str]],
                 pred: Sequence[tuple[Fragment, bool, float]]) -> ClaimCounts:
    """Gold sentences (span, class) against predicted sentences (span, checkworthy, score).

    A gold sentence takes the prediction of the predicted sentence it overlaps most; one that
    overlaps none counts as predicted "rest" with score 0.
    """
    counts = ClaimCounts()
    alignment = align_sentences([g[0] for g in gold], [p[0] for p in pred])
    for (_, gold_class), index in zip(gold, alignment, strict=True):
        if index is None:
            counts.add(gold_class, False, 0.0)
        else:
            counts.add(gold_class, pred[index][1], pred[index][2])
    return counts


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two labellings of the same items (`sklearn.metrics.cohen_kappa_score`);
    None when undefined: no items, or both labellings use one and the same class."""
    from sklearn.metrics import cohen_kappa_score

    if len(first) != len(second):
        raise ValueError(f"kappa needs equal-length labellings, got {len(first)} and "
                         f"{len(second)}")
    if not first or len(set(first) | set(second)) == 1:
        return None
    return float(cohen_kappa_score(list(first), list(second)))
