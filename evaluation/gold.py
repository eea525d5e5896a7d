"""Load the project's stand-off gold set and join it to the article texts.

A gold file (``evaluation/gold/articles/<article id>.json``, format in ``GUIDELINES.md``)
stores offsets, labels and the sha256 of the article text, never the text: the text stays in
``../shared/data/wikinews/wikinews_2019.csv``. The loader reads the CSV row the file names,
hashes its text and refuses to go on when the hash differs, because every offset would then
point at the wrong characters.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from claimtrace.evaluation.scorers import CLAIM_CLASSES, Fragment, SpanAttribution
from claimtrace.pipeline.ingest import allow_long_csv_fields, stable_id, text_sha256
from claimtrace.settings import REPO_ROOT

GOLD_DIR = Path(__file__).resolve().parent / "gold"  # package data in a wheel
PASS1_DIR = GOLD_DIR / "articles"
# Attribution-only labels of 24 further articles, for choices made on data (dev, not test).
DEV_DIR = GOLD_DIR.parent / "dev" / "articles"
PASS2_DIR = GOLD_DIR / "second_pass"
WIKINEWS_CSV = REPO_ROOT.parent / "shared" / "data" / "wikinews" / "wikinews_2019.csv"

# Messages written once so tests can match them.
HASH_MISMATCH = ("{file}: the text of {csv} row {row} has sha256 {actual}, but the gold file "
                 "was labelled on sha256 {expected}{hint}; its offsets cannot be trusted")
ROW_MISSING = "{file}: {csv} has no data row {row} (it has {count})"
BAD_OFFSETS = "{file}: {what} [{start}, {end}) is not inside the text (length {length})"
BAD_CLAIM = "{file}: sentence [{start}, {end}) has claim {claim!r}; expected one of {classes}"
MISSING_FIELD = "{file}: gold file lacks field {field!r}"
ID_MISMATCH = "{file}: article_id {article_id} is not the first 16 hex digits of its sha256"


class GoldError(ValueError):
    """A gold file that cannot be joined to its text or whose offsets are unusable."""


@dataclass(frozen=True)
class GoldSentence:
    start: int
    end: int
    claim: str


@dataclass
class GoldArticle:
    """One labelled article with its text, ready for the scorers."""

    article_id: str
    sha256: str
    row: int
    url: str | None
    annotator: str
    text: str
    sentences: list[GoldSentence] = field(default_factory=list)
    attributions: list[SpanAttribution] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)  # per attribution: type, description


def read_csv_texts(csv_path: Path) -> list[str]:
    """The ``text`` column of every data row, exactly as `csv.DictReader` gives it."""
    if not csv_path.is_file():
        raise FileNotFoundError(f"article texts not found: {csv_path}")
    allow_long_csv_fields()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def _role(value: dict | None) -> tuple[Fragment, ...] | None:
    if value is None:
        return None
    return ((int(value["start"]), int(value["end"])),)


def _check_span(name: str, what: str, start: int, end: int, text: str) -> None:
    if not 0 <= start < end <= len(text):
        raise GoldError(BAD_OFFSETS.format(file=name, what=what, start=start, end=end,
                                           length=len(text)))


def _text_for(data: dict, name: str, texts: list[str], csv_name: str) -> str:
    row = int(data["row"])
    if not 0 <= row < len(texts):
        raise GoldError(ROW_MISSING.format(file=name, csv=csv_name, row=row, count=len(texts)))
    text = texts[row]
    actual = text_sha256(text)
    if actual != data["sha256"]:
        elsewhere = [i for i, t in enumerate(texts) if text_sha256(t) == data["sha256"]]
        hint = f" (that text is row {elsewhere[0]})" if elsewhere else " (no row has it)"
        raise GoldError(HASH_MISMATCH.format(file=name, csv=csv_name, row=row, actual=actual,
                                             expected=data["sha256"], hint=hint))
    return text


def _sentences(data: dict, name: str, text: str) -> list[GoldSentence]:
    sentences = []
    for item in data.get("sentences", []):
        start, end, claim = int(item["start"]), int(item["end"]), item.get("claim")
        _check_span(name, "sentence", start, end, text)
        if claim not in CLAIM_CLASSES:
            raise GoldError(BAD_CLAIM.format(file=name, start=start, end=end, claim=claim,
                                             classes=CLAIM_CLASSES))
        sentences.append(GoldSentence(start, end, claim))
    return sorted(sentences, key=lambda s: (s.start, s.end))


def _attributions(data: dict, name: str, text: str) -> tuple[list[SpanAttribution], list[dict]]:
    attributions, labels = [], []
    for number, item in enumerate(data.get("attributions", [])):
        for role in ("source", "cue", "content"):
            if item.get(role) is not None:
                _check_span(name, f"attribution {number} {role}", int(item[role]["start"]),
                            int(item[role]["end"]), text)
        attributions.append(SpanAttribution(
            source=_role(item.get("source")), cue=_role(item.get("cue")),
            content=_role(item.get("content")), resolved=item.get("resolved"),
            quote_type=item.get("quote_type"), kind=item.get("kind")))
        labels.append({"source_type": item.get("source_type"),
                       "description": item.get("description")})
    return attributions, labels


def load_gold_file(path: Path, texts: list[str], csv_name: str = "wikinews_2019.csv"
                   ) -> GoldArticle:
    """Read one gold file, join it to its text (hash-checked) and validate its offsets."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for name in ("article_id", "sha256", "row"):
        if name not in data:
            raise GoldError(MISSING_FIELD.format(file=path.name, field=name))
    if data["article_id"] != data["sha256"][: len(data["article_id"])] or \
            len(data["article_id"]) != len(stable_id("")):
        raise GoldError(ID_MISMATCH.format(file=path.name, article_id=data["article_id"]))
    text = _text_for(data, path.name, texts, csv_name)
    attributions, labels = _attributions(data, path.name, text)
    return GoldArticle(
        article_id=data["article_id"], sha256=data["sha256"], row=int(data["row"]),
        url=data.get("url"), annotator=data.get("annotator", ""), text=text,
        sentences=_sentences(data, path.name, text), attributions=attributions, labels=labels)


def load_gold(gold_dir: Path = PASS1_DIR, csv_path: Path = WIKINEWS_CSV) -> list[GoldArticle]:
    """Every ``*.json`` gold file in `gold_dir`, sorted by article id (deterministic order)."""
    if not gold_dir.is_dir():
        raise FileNotFoundError(f"gold folder not found: {gold_dir}")
    texts = read_csv_texts(csv_path)
    articles = [load_gold_file(p, texts, csv_path.name) for p in sorted(gold_dir.glob("*.json"))]
    return sorted(articles, key=lambda a: a.article_id)
