"""The gold loader joins stand-off labels to their texts and refuses a text whose hash differs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from claimtrace.evaluation.gold import GoldError, load_gold, load_gold_file, read_csv_texts

FIXTURES = Path(__file__).parent / "fixtures" / "gold"
CSV = FIXTURES / "wikinews_tiny.csv"
GOOD = FIXTURES / "articles" / "355101cd9886d56e.json"


def _copy_with(tmp_path: Path, **changes: object) -> Path:
    """A copy of the good gold file with some fields replaced, alone in its folder."""
    data = json.loads(GOOD.read_text(encoding="utf-8"))
    data.update(changes)
    folder = tmp_path / "articles"
    folder.mkdir()
    path = folder / GOOD.name
    path.write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_loads_and_joins_text() -> None:
    (article,) = load_gold(FIXTURES / "articles", CSV)
    assert article.article_id == "355101cd9886d56e"
    assert [s.claim for s in article.sentences] == ["UFS", "CFS", "NFS"]
    first = article.attributions[0]
    start, end = first.content[0]
    assert article.text[start:end] == "the bridge will reopen in May"
    assert first.resolved == "the mayor" and first.quote_type == "indirect"


def test_hash_mismatch_fails_clearly(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, sha256="355101cd9886d56e" + "0" * 48)
    with pytest.raises(GoldError, match=r"row 0 has sha256 355101cd.*offsets cannot be trusted"):
        load_gold(folder, CSV)


def test_hash_mismatch_names_the_right_row(tmp_path: Path) -> None:
    # The label file points at row 1, but its hash is that of row 0.
    folder = _copy_with(tmp_path, row=1)
    with pytest.raises(GoldError, match=r"that text is row 0"):
        load_gold(folder, CSV)


def test_edited_text_is_refused(tmp_path: Path) -> None:
    # The same labels against a text changed by one character: the hash no longer matches.
    shutil.copytree(FIXTURES / "articles", tmp_path / "articles")
    text = CSV.read_text(encoding="utf-8").replace("reopen in May", "reopen in June")
    edited = tmp_path / "tiny.csv"
    edited.write_text(text, encoding="utf-8")
    with pytest.raises(GoldError, match="sha256"):
        load_gold(tmp_path / "articles", edited)


def test_offsets_outside_text_fail(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, sentences=[{"start": 0, "end": 10_000, "claim": "CFS"}])
    with pytest.raises(GoldError, match=r"sentence \[0, 10000\) is not inside the text"):
        load_gold(folder, CSV)


def test_unknown_claim_class_fails(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, sentences=[{"start": 0, "end": 5, "claim": "YES"}])
    with pytest.raises(GoldError, match="claim 'YES'"):
        load_gold(folder, CSV)


def test_missing_row_fails(tmp_path: Path) -> None:
    folder = _copy_with(tmp_path, row=7)
    with pytest.raises(GoldError, match="has no data row 7"):
        load_gold_file(folder / GOOD.name, read_csv_texts(CSV))
