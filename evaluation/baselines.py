"""Baselines beside the pipeline: textacy's ``direct_quotations``, and claim baselines.

Claims (end of this module): the committed claim model, the previous model (1.0.0,
ClaimBuster only, plain sentences) and TF-IDF + logistic regression trained on the committed
model's training rows, each a `ClaimSystem` the harness scores on the same sentences.

Quotes:

textacy (``pip install 'claimtrace[baseline]'``) is an optional extra; without it the
harness skips this system with a note. ``direct_quotations`` finds quoted passages with a
reporting verb and its subject nearby (loosely after Krestel, Bergler and Witte 2008), so it
sees direct quotes only: its recall on indirect speech is 0 by construction, which is part
of what the comparison shows.

Adapter choices (listed in the report):
- speaker and cue come back as token lists (a speaker with conjuncts and compounds, a verb
  with auxiliaries and negation); each is scored as its covering span, first token to last;
- content comes back with its quotation marks; the scorers' normalisation removes them;
- textacy gives up on a whole document with an odd number of quotation marks. News text
  often has one stray mark, so the adapter then runs it paragraph by paragraph and drops
  only the paragraphs that still fail (counted in the report as ``fallbacks``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimtrace.evaluation.scorers import Fragments, SpanAttribution
from claimtrace.settings import SPACY_MODEL

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

INSTALL_HINT = "pip install -c constraints.txt 'textacy==0.13.0' (the 'baseline' extra)"


class SystemUnavailable(RuntimeError):
    """A system that cannot run here (missing package or model); the harness skips it."""


def _covering(tokens: list[Token]) -> Fragments:
    start = min(t.idx for t in tokens)
    end = max(t.idx + len(t.text) for t in tokens)
    return ((start, end),)


def _shift(fragments: Fragments, offset: int) -> Fragments:
    return tuple((start + offset, end + offset) for start, end in fragments)


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, paragraph text) for each non-empty line block."""
    offset = 0
    for line in text.split("\n"):
        if line.strip():
            yield offset, line
        offset += len(line) + 1


@dataclass
class TextacyQuotes:
    """``text -> attributions`` with textacy's direct quotations; counts its fall-backs."""

    nlp: Language
    fallbacks: int = 0  # articles re-run paragraph by paragraph
    dropped_paragraphs: int = 0
    notes: list[str] = field(default_factory=list)

    def _triples(self, doc: Doc, offset: int) -> list[SpanAttribution]:
        from textacy.extract.triples import direct_quotations

        found = []
        for speaker, cue, content in direct_quotations(doc):
            found.append(SpanAttribution(
                source=_shift(_covering(list(speaker)), offset),
                cue=_shift(_covering(list(cue)), offset),
                content=_shift(((content.start_char, content.end_char),), offset),
                quote_type="direct", kind="speech"))
        return found

    def __call__(self, text: str) -> list[SpanAttribution]:
        try:
            return self._triples(self.nlp(text), 0)
        except ValueError:  # unbalanced quotation marks: textacy refuses the whole document
            self.fallbacks += 1
        found: list[SpanAttribution] = []
        for offset, paragraph in _paragraphs(text):
            try:
                found.extend(self._triples(self.nlp(paragraph), offset))
            except ValueError:
                self.dropped_paragraphs += 1
        return found


def load_textacy(spacy_model: str = SPACY_MODEL) -> TextacyQuotes:
    """The textacy baseline on the same spaCy model as the pipeline (NER not needed)."""
    try:
        import textacy.extract.triples  # noqa: F401
    except ImportError as err:
        raise SystemUnavailable(f"textacy is not installed ({err}); {INSTALL_HINT}") from err
    import spacy

    return TextacyQuotes(spacy.load(spacy_model, exclude=["ner"]))


# ----------------------------------------------------------------------------- claims
# Claim models side by side: the committed model, the previous one, and TF-IDF + logistic
# regression trained on the committed model's own training rows.


@dataclass
class ClaimSystem:
    """Sentences in, class probabilities out; `threshold` applies to p(CFS).

    `probabilities(raw, marked)` takes each sentence twice: as written, and as the 2.x
    models read it (`claimtrace.pipeline.classify.claim_input`); a system uses one of them.
    Binary systems return {"CFS", "rest"} only (no three-class figures).
    """

    name: str
    description: str
    threshold: float
    probabilities: Callable[[list[str], list[str]], list[dict[str, float]]]
    classes: tuple[str, ...] = ("CFS", "UFS", "NFS")
    # Scores one article's sentence spans from its Doc, for a head that reads the tagger's
    # states (`classify.SharedHead`); None: the system reads sentence texts.
    doc_probabilities: Callable[[Any, list[Any]], list[dict[str, float]]] | None = None

    @property
    def three_class(self) -> bool:
        return set(self.classes) == {"CFS", "UFS", "NFS"}


def model_claim_system(name: str, model_dir: Path) -> ClaimSystem:
    """A committed claim artifact as the classify stage loads and runs it."""
    from claimtrace.pipeline.classify import CLAIM_CLASSES, ClaimClassifier

    if not (model_dir / "manifest.json").is_file():
        raise SystemUnavailable(f"claim model not found at {model_dir}")
    # The classify stage's defaults (int8 kernels included): the figures are what it serves.
    classifier = ClaimClassifier(str(model_dir), num_threads=1)
    three = set(classifier.classes) == set(CLAIM_CLASSES)

    def probabilities(raw: list[str], marked: list[str]) -> list[dict[str, float]]:
        # 1.x models were trained on plain sentences, 2.x on attribution-marked ones.
        probs = classifier.probabilities(marked if classifier.reads_marks else raw)
        if three:
            return probs
        return [{"CFS": p["CFS"], "rest": 1.0 - p["CFS"]} for p in probs]

    def doc_probabilities(doc: Any, spans: list[Any]) -> list[dict[str, float]]:
        return [dict(zip(CLAIM_CLASSES, row, strict=True))
                for row in classifier.shared.probabilities(doc, spans)]

    inputs = "attribution-marked" if classifier.reads_marks else "plain"
    if classifier.shared is not None:
        inputs = "tagger-state"
    return ClaimSystem(name, f"{classifier.model_name} ({model_dir.parent.name}/"
                       f"{model_dir.name}), {inputs} sentences, threshold "
                       f"{classifier.threshold:.4f} from its head", classifier.threshold,
                       probabilities, CLAIM_CLASSES if three else ("CFS", "rest"),
                       doc_probabilities if classifier.shared is not None else None)


def tfidf_claim_system(config_path: Path) -> ClaimSystem:
    """TF-IDF + LR trained on the training rows named by a claim model's training config,
    with its threshold chosen on that config's development rows the same way."""
    import numpy as np

    from claimtrace.pipeline.classify import CLAIM_CLASSES
    from claimtrace.training.claims import (
        ClaimBaseline,
        build_datasets,
        choose_joint_threshold,
        claim_data_config,
    )

    config = claim_data_config(config_path)
    train, dev, _ = build_datasets(config)
    baseline = ClaimBaseline(config.seed).fit(list(train["text"]), list(train["labels"]))
    dev_probs = baseline.predict_proba(list(dev["text"]))
    labels = np.asarray([g == "CFS" for g in dev["gold"]], dtype=int)
    threshold = choose_joint_threshold(np.asarray(dev["domain"]), labels, dev_probs[:, 0])

    def probabilities(raw: list[str], marked: list[str]) -> list[dict[str, float]]:
        if not marked:
            return []
        return [dict(zip(CLAIM_CLASSES, row, strict=True))
                for row in baseline.predict_proba(marked).tolist()]

    rows = "ClaimBuster + news" if config.news_labels else "ClaimBuster"
    return ClaimSystem("tfidf-lr", f"TF-IDF + logistic regression on the claim model's "
                       f"training rows ({rows}, {len(train)} rows), threshold {threshold:.4f} "
                       "chosen on its development rows", threshold, probabilities,
                       CLAIM_CLASSES)
