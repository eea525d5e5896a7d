"""News claim labels (``data/labels/news_claims/``): load, verify, split by article, mark.

The labels file holds offsets and labels only, one sentence a line::

    {"row": 1, "article_id": "…", "sha256": "…", "start": 28, "end": 170,
     "label": "CFS", "annotator": "annotator-0"}

`load_news_claims` rebuilds each sentence from its row of the Wikinews CSV and refuses to go
on when the row's text no longer has the sha256 the label was made on (every offset would
point at the wrong characters), when a row belongs to the gold set, or when a label is not
one of CFS / UFS / NFS. `mark_attributions` runs the pipeline's own split and attribution
stages over each article, so training sees the input the classify stage builds.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from claimtrace.pipeline.classify import CLAIM_CLASSES, claim_input

REQUIRED = ("row", "article_id", "sha256", "start", "end", "label")


@dataclass(frozen=True)
class NewsClaim:
    row: int  # the article's key in its loader's texts: the CSV data row for Wikinews
    article_id: str
    start: int
    end: int
    label: str
    annotator: str
    text: str  # the sentence, rebuilt from its article
    input: str = ""  # the model's input (`claim_input`), set by `mark_attributions`


def gold_rows(selection: Path) -> set[int]:
    """CSV rows of the gold articles (``evaluation/gold/selection.json``)."""
    return {int(a["row"]) for a in json.loads(selection.read_text("utf-8"))["articles"]}


def load_news_claims(
    labels_path: Path, csv_path: Path, excluded_rows: set[int] = frozenset()
) -> tuple[list[NewsClaim], dict[int, str]]:
    """Labelled sentences with their text, and the article text of each row used."""
    from claimtrace.evaluation.gold import read_csv_texts
    from claimtrace.pipeline.ingest import text_sha256

    if not labels_path.is_file():
        raise FileNotFoundError(f"news claim labels not found: {labels_path}")
    texts = read_csv_texts(csv_path)
    claims, articles = [], {}
    for line_no, line in enumerate(labels_path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        where = f"{labels_path.name} line {line_no}"
        missing = [k for k in REQUIRED if k not in item]
        if missing:
            raise ValueError(f"{where}: missing field(s) {missing}")
        row = int(item["row"])
        if row in excluded_rows:
            raise ValueError(f"{where}: row {row} is a gold-set article; never train on it")
        if not 0 <= row < len(texts):
            raise ValueError(f"{where}: {csv_path.name} has no data row {row}")
        text = texts[row]
        if row not in articles:
            actual = text_sha256(text)
            if actual != item["sha256"]:
                raise ValueError(f"{where}: row {row} has sha256 {actual}, labels were made on "
                                 f"{item['sha256']}; the offsets cannot be trusted")
            articles[row] = text
        claims.append(_claim(item, row, text, where))
    return claims, articles


def load_polnear_claims(
    labels_path: Path, polnear_dir: Path
) -> tuple[list[NewsClaim], dict[int, str]]:
    """Labelled sentences of PolNeAR articles (``data/labels/polnear_claims/``) and their texts.

    A label names its article by ``file``, a path under `polnear_dir`; `NewsClaim.row` is
    then the article's position among the labelled files (sorted), the key of the returned
    texts, so `mark_attributions` treats both sources alike.
    """
    from claimtrace.pipeline.ingest import text_sha256

    if not labels_path.is_file():
        raise FileNotFoundError(f"PolNeAR claim labels not found: {labels_path}")
    items = [json.loads(line) for line in labels_path.read_text("utf-8").splitlines()
             if line.strip()]
    keys = {name: k for k, name in enumerate(sorted({str(x.get("file", "")) for x in items}))}
    claims, articles = [], {}
    for line_no, item in enumerate(items, start=1):
        where = f"{labels_path.name} line {line_no}"
        missing = [k for k in ("file", *REQUIRED[1:]) if k not in item]
        if missing:
            raise ValueError(f"{where}: missing field(s) {missing}")
        key = keys[item["file"]]
        if key not in articles:
            path = polnear_dir / item["file"]
            if not path.is_file():
                raise FileNotFoundError(f"{where}: PolNeAR article not found: {path}")
            text = path.read_text("utf-8")
            if text_sha256(text) != item["sha256"]:
                raise ValueError(f"{where}: {item['file']} changed since it was labelled; "
                                 "the offsets cannot be trusted")
            articles[key] = text
        claims.append(_claim(item, key, articles[key], where))
    return claims, articles


def _claim(item: dict, key: int, text: str, where: str) -> NewsClaim:
    start, end = int(item["start"]), int(item["end"])
    if item["label"] not in CLAIM_CLASSES:
        raise ValueError(f"{where}: label {item['label']!r} is not one of {CLAIM_CLASSES}")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"{where}: [{start}, {end}) is outside its article ({len(text)})")
    return NewsClaim(key, item["article_id"], start, end, item["label"],
                     item.get("annotator", ""), text[start:end])


def split_by_article(
    claims: Sequence[NewsClaim], dev_fraction: float, seed: int
) -> tuple[list[NewsClaim], list[NewsClaim]]:
    """Whole articles go to train or dev (a seeded shuffle of the sorted article ids)."""
    if not 0.0 < dev_fraction < 1.0:
        raise ValueError(f"dev_fraction must be in (0, 1), got {dev_fraction}")
    ids = sorted({c.article_id for c in claims})
    random.Random(seed).shuffle(ids)
    dev_ids = set(ids[: max(1, round(len(ids) * dev_fraction))])
    train = [c for c in claims if c.article_id not in dev_ids]
    dev = [c for c in claims if c.article_id in dev_ids]
    return train, dev


def article_contents(rows: Sequence[int], articles: dict[int, str]) -> dict[int, list]:
    """Per row: the content spans (start, end) of the pipeline's own attributions, from its
    split and attribution stages as configured by default."""
    from claimtrace.pipeline.attribute import attributions_of
    from claimtrace.pipeline.nlp import build_nlp
    from claimtrace.settings import RunSettings

    nlp = build_nlp(RunSettings(classify=False, progress=False), "attribute")
    rows = sorted(rows)
    return {row: [(a.content.start, a.content.end) for a in attributions_of(doc)]
            for row, doc in zip(rows, nlp.pipe(articles[r] for r in rows), strict=True)}


def mark_attributions(claims: Sequence[NewsClaim], articles: dict[int, str]) -> list[NewsClaim]:
    """Each sentence as the classify stage sees it: the pipeline's attributions marked."""
    contents = article_contents({c.row for c in claims}, articles)
    return [replace(c, input=claim_input(c.text, c.start, contents[c.row])) for c in claims]
