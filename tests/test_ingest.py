"""Every input kind, stable ids, and bad input reported with a reason (never dropped)."""

from __future__ import annotations

import csv
import gzip
import json

import pytest

from claimtrace.errors import Errors
from claimtrace.pipeline.ingest import Article, ArticleError, ingest, stable_id, text_sha256


def items(*sources):
    return list(ingest([str(s) for s in sources]))


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_jsonl_with_and_without_ids(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [
        {"id": "a1", "text": "One.", "title": "T", "url": "u", "published": "2020-01-01"},
        {"text": "Two."}])
    first, second = items(path)
    assert (first.id, first.title, first.url, first.published) == ("a1", "T", "u", "2020-01-01")
    assert second.id == stable_id("Two.") == text_sha256("Two.")[:16]
    assert second.sha256 == text_sha256("Two.")


def test_stable_id_does_not_depend_on_order(tmp_path):
    a = items(write_jsonl(tmp_path / "a.jsonl", [{"text": "X."}, {"text": "Y."}]))
    b = items(write_jsonl(tmp_path / "b.jsonl", [{"text": "Y."}, {"text": "X."}]))
    assert {x.id for x in a} == {x.id for x in b}


def test_jsonl_gz_csv_folder_and_txt(tmp_path):
    with gzip.open(tmp_path / "a.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "g", "text": "Gz."}) + "\n")
    with (tmp_path / "a.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["url", "date", "title", "text"])
        writer.writeheader()
        writer.writerow({"url": "u", "date": "d", "title": "t", "text": "Line one.\n\nLine, two."})
    folder = tmp_path / "folder" / "sub"
    folder.mkdir(parents=True)
    (folder / "story.txt").write_text("Folder text.", encoding="utf-8")
    (tmp_path / "single.txt").write_text("Single text.", encoding="utf-8")
    got = items(tmp_path / "a.jsonl.gz", tmp_path / "a.csv", tmp_path / "folder",
                tmp_path / "single.txt")
    assert all(isinstance(x, Article) for x in got)
    assert [x.id for x in got][0] == "g"
    assert got[1].text == "Line one.\n\nLine, two." and got[1].url == "u"
    assert got[2].id == "sub/story"
    assert got[3].id == "single"


@pytest.mark.parametrize("line, reason_start", [
    ("{not json", Errors.E001.split("{")[0]),
    (json.dumps({"id": "x"}), Errors.E002),
    (json.dumps({"id": "x", "text": "   "}), Errors.E003),
    (json.dumps({"id": "x", "text": 42}), Errors.E004.split("(")[0]),
    (json.dumps([1, 2]), Errors.E007.split("(")[0]),
])
def test_bad_jsonl_lines_become_errors(tmp_path, line, reason_start):
    path = tmp_path / "bad.jsonl"
    path.write_text(line + "\n" + json.dumps({"text": "Good."}) + "\n", encoding="utf-8")
    bad, good = items(path)
    assert isinstance(bad, ArticleError) and bad.reason.startswith(reason_start)
    assert bad.origin == f"{path}:1"  # the full input path: two a.jsonl never share a key
    assert isinstance(good, Article)


def test_invalid_utf8_and_duplicates(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\xe9"}\n'
                     b'{"id": "a", "text": "again"}\n')
    first, undecodable, duplicate = items(path)
    assert isinstance(first, Article)
    assert "not valid UTF-8" in undecodable.reason
    assert duplicate.article_id == "a" and "duplicate article id" in duplicate.reason


def test_truncated_gzip_keeps_what_was_readable(tmp_path):
    rows = "".join(json.dumps({"id": str(i), "text": f"Article {i}. " * 200}) + "\n"
                   for i in range(50))
    data = gzip.compress(rows.encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    got = items(path)
    assert isinstance(got[-1], ArticleError) and "truncated" in got[-1].reason
    assert any(isinstance(x, Article) for x in got)


def test_unknown_input_kind_is_a_usage_error(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValueError, match="unsupported input"):
        items(tmp_path / "a.pdf")
