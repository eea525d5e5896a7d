"""Every input kind, stable ids, and bad input reported with a reason (never dropped)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import signal

import pytest

from claimtrace.errors import Errors
from claimtrace.pipeline import ingest as ingest_module
from claimtrace.pipeline.ingest import (
    Article,
    ArticleError,
    ingest,
    make_article,
    printable,
    stable_id,
    text_sha256,
)


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


@pytest.mark.parametrize("encoding, named", [("utf-16", "UTF-16"), ("utf-16-be", None),
                                             ("utf-32", "UTF-32")])
def test_utf16_and_utf32_files_are_named_as_such_once(tmp_path, encoding, named):
    # Spreadsheet exports are often UTF-16 with a byte-order mark: say so, once per file,
    # rather than "looks binary" once per line.
    text = '{"id": "a", "text": "One."}\n{"id": "b", "text": "Two."}\n'
    mark = "\ufeff" if encoding == "utf-16-be" else ""  # utf-16 and utf-32 write one
    folder = tmp_path / "texts"
    folder.mkdir()
    sources = {"a.jsonl": text, "b.csv": "id,text\na,One.\n", "texts/c.txt": "One."}
    for name, content in sources.items():
        (tmp_path / name).write_bytes((mark + content).encode(encoding))
    got = items(tmp_path / "a.jsonl", tmp_path / "b.csv", folder)
    expected = named or "UTF-16"
    assert [type(x) for x in got] == [ArticleError] * 3
    assert all(x.reason.startswith(f"file is {expected} ") for x in got), got


def test_truncated_gzip_keeps_what_was_readable(tmp_path):
    rows = "".join(json.dumps({"id": str(i), "text": f"Article {i}. " * 200}) + "\n"
                   for i in range(50))
    data = gzip.compress(rows.encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    got = items(path)
    assert isinstance(got[-1], ArticleError) and "truncated" in got[-1].reason
    kept = got[:-1]  # every article read before the cut, in order, whole
    assert 0 < len(kept) < 50 and all(isinstance(x, Article) for x in kept)
    assert [(a.id, a.text) for a in kept] == [
        (str(i), f"Article {i}. " * 200) for i in range(len(kept))]


def test_unknown_input_kind_is_a_usage_error(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValueError, match="unsupported input"):
        items(tmp_path / "a.pdf")


# ---------------------------------------------------------------- odd values never crash


@pytest.mark.parametrize("line, reason", [
    ('{"id": "\\ud800", "text": "Fine text."}', "field 'id' is not valid Unicode"),
    ('{"title": "\\udfff x", "text": "Fine text."}', "field 'title' is not valid Unicode"),
    ('{"text": "Lone \\ud83d surrogate."}', "field 'text' is not valid Unicode"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply to read"),
    ('{"text": "x", "id": ' + "9" * 5000 + "}", "not valid JSON: Exceeds the limit"),
    ('{"text": "x', "not valid JSON: Invalid control character at column 12"),
    ('{"text": "x", "title": ' + "[" * 50_000 + "]" * 50_000 + "}", "not valid JSON"),
    ('{"text": "x\\u0000y"}', Errors.E012),
])
def test_odd_json_values_are_one_error_each(tmp_path, line, reason):
    path = tmp_path / "odd.jsonl"
    path.write_text(line + "\n" + json.dumps({"text": "Good."}) + "\n", encoding="utf-8")
    bad, good = items(path)
    assert isinstance(bad, ArticleError) and reason in bad.reason, bad
    assert isinstance(good, Article)
    json.dumps(bad.to_dict(), ensure_ascii=False).encode("utf-8")  # the error record writes


def test_printable_shows_bad_bytes_and_surrogates():
    assert printable("caf\udce9") == "caf\\xe9"  # a surrogateescape'd byte
    assert printable("a\ud800") == "a\\ud800"
    assert printable("plain ✓") == "plain ✓"


# ---------------------------------------------------------------- folders


def test_folder_entries_that_are_not_regular_files_are_errors(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A good article.", encoding="utf-8")
    (folder / "dir.txt").mkdir()
    (folder / "dir.txt" / "inner.txt").write_text("Inside a folder named .txt.")
    (folder / "broken.txt").symlink_to(tmp_path / "nowhere")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "linked.txt").symlink_to(folder / "good.txt")
    (folder / "subdir_link").symlink_to(folder)  # a folder link loop: not followed
    os.mkfifo(folder / "fifo.txt")  # opening it would wait for a writer for ever
    (folder / "binary.txt").write_bytes(b"\x00\x01")
    (folder / os.fsdecode(b"caf\xe9.txt")).write_text("Bad file name.", encoding="utf-8")
    got = {(getattr(x, "id", None) or x.article_id, type(x).__name__): x
           for x in with_alarm(lambda: items(folder))}
    reasons = {key: x.reason for key, x in got.items() if isinstance(x, ArticleError)}
    assert {key for key, x in got.items() if isinstance(x, Article)} == {
        ("good", "Article"), ("linked", "Article"), ("dir.txt/inner", "Article")}
    assert "a directory" in reasons[("dir", "ArticleError")]
    assert "broken symbolic link" in reasons[("broken", "ArticleError")]
    assert "symbolic link loop" in reasons[("loop", "ArticleError")]
    assert "FIFO" in reasons[("fifo", "ArticleError")]
    assert "binary" in reasons[("binary", "ArticleError")]
    assert "not valid Unicode" in reasons[("caf\\xe9", "ArticleError")]
    # The linked folder is not read, and says so: its articles are not lost unseen.
    assert "not followed" in reasons[(None, "ArticleError")]
    assert got[(None, "ArticleError")].origin == str(folder / "subdir_link")
    assert len(got) == 10


def with_alarm(function, seconds: int = 20):
    """Fail instead of hanging (a FIFO opened for reading waits for a writer)."""
    def timeout(*_):
        raise TimeoutError("reading the folder hung")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        return function()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_failing_file_costs_only_its_rest(tmp_path, monkeypatch):
    first = write_jsonl(tmp_path / "a.jsonl", [{"text": "One."}, {"text": "Two."}])
    second = write_jsonl(tmp_path / "b.jsonl", [{"text": "Three."}])

    def flaky(path):
        yield from ingest_module.read_jsonl(path)
        if path == first:
            raise OSError(5, "Input/output error")

    monkeypatch.setitem(ingest_module.READERS, "jsonl", flaky)
    got = items(first, second)
    assert [type(x).__name__ for x in got] == ["Article", "Article", "ArticleError", "Article"]
    assert "stopped being readable after 2 items" in got[2].reason


# ---------------------------------------------------------------- CSV


def test_csv_undecodable_byte_costs_exactly_its_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b'id,text\na,first row\nb,caf\xe9 bad\nc,"multi\nline, quoted"\nd,last\n')
    got = items(path)
    assert [getattr(x, "id", None) for x in got] == ["a", None, "c", "d"]
    error = got[1]
    assert error.origin == f"{path}:row2(line3,byte20)"
    assert "at byte 25" in error.reason  # the offset of \xe9 in the file
    assert path.read_bytes()[25:26] == b"\xe9"
    assert got[2].text == "multi\nline, quoted"


@pytest.mark.parametrize("data", [
    b'id,text\na,"never closed\nb,second row\nc,"third"\n',
    b'id,text\na,"never closed\nb,second row\n',
    b'id,text\na,"stray" quote\nb,second row\n',
])
def test_csv_unterminated_quote_never_merges_rows(tmp_path, data):
    path = tmp_path / "quote.csv"
    path.write_bytes(data)
    got = items(path)
    assert isinstance(got[0], ArticleError) and "quotation mark" in got[0].reason
    assert got[0].origin.startswith(f"{path}:row1(line2,")
    assert [x.id for x in got[1:]][:1] == ["b"] and got[1].text == "second row"
    assert all("\n" not in x.text for x in got[1:])


def test_csv_wikinews_layout_with_bom_and_crlf(tmp_path):
    path = tmp_path / "news.csv"
    path.write_bytes(b'\xef\xbb\xbfurl,title,text\r\nu1,T1,"Para one.\r\n\r\nPara two."\r\n'
                     b"u2,T2,Plain text.\r\n")
    first, second = items(path)
    assert first.text == "Para one.\r\n\r\nPara two." and first.title == "T1"
    assert second.text == "Plain text." and second.origin == f"{path}:row2(line5,byte51)"


def test_csv_bad_header_is_one_error(tmp_path):
    path = tmp_path / "nohead.csv"
    path.write_bytes(b"id,body\na,b\n")
    (error,) = items(path)
    assert "no 'text' column" in error.reason


@pytest.mark.parametrize("header", [b"id,text,text", b"id,text,id"])
def test_csv_header_with_a_repeated_column_is_one_error(tmp_path, header):
    # The last copy used to win silently: the article's text became the second column's.
    path = tmp_path / "twice.csv"
    path.write_bytes(header + b"\nd1,The minister said so.,other\n")
    (error,) = items(path)
    assert "repeats column(s)" in error.reason and error.origin == str(path)


def test_csv_with_another_delimiter_says_so(tmp_path):
    path = tmp_path / "semicolons.csv"
    path.write_bytes(b'id;text\na;"The mayor said so."\n')
    (error,) = items(path)
    assert "reads comma-separated CSV" in error.reason


def test_folder_reads_txt_files_whatever_the_case_of_their_suffix(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "LOUD.TXT").write_text("The mayor said so.", encoding="utf-8")
    (tmp_path / "in" / "quiet.txt").write_text("She said yes.", encoding="utf-8")
    (tmp_path / "in" / "notes.md").write_text("Not an article.", encoding="utf-8")
    assert sorted(a.id for a in items(tmp_path / "in")) == ["LOUD", "quiet"]


def test_csv_row_too_wide_on_one_line_suspects_an_unquoted_comma(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(b"id,text\na,The mayor said so, twice.\nb,Fine.\n")
    error, good = items(path)
    assert "comma inside a field that is not quoted" in error.reason
    assert good.id == "b"


@pytest.mark.parametrize("field, value, shown", [
    ("id", ["x"], "a list"), ("title", {"t": 1}, "an object"), ("url", True, "true/false"),
    ("published", False, "true/false")])
def test_metadata_that_is_not_text_is_the_articles_error(field, value, shown):
    # Written as text it would read "['x']" or "False"; a false date hid a real one after it.
    result = make_article({"text": "The mayor said so.", field: value,
                           "datePublished": "2019-01-04"}, "in.jsonl:1")
    assert isinstance(result, ArticleError)
    assert result.reason == f"field '{field}' is {shown}, not text or a number"


@pytest.mark.parametrize("line, said", [
    ({"schema": "claimtrace/statement@2", "id": "a1:0-18", "text": "The mayor said so.",
      "article": {"id": "a1"}, "sentence": {"index": 0}},
     "this line is a statement record (the output of claimtrace run or export)"),
    ({"schema": "claimtrace/statement@1", "text": "The mayor said so."}, "a statement record"),
    ({"schema": "claimtrace/article-state@1", "stage": "split",
      "article": {"id": "a1", "text": "The mayor said so."}},
     "a stage state written by claimtrace split, not a raw article: give the file to "
     "claimtrace attribute"),
    ({"schema": "claimtrace/article-state@1", "stage": ["odd"], "text": "The mayor said."},
     "a stage state (claimtrace's file between stages)"),
])
def test_claimtraces_own_output_given_as_articles_is_named(tmp_path, line, said):
    # `claimtrace run statements.jsonl` made articles of statements (the statement id as the
    # article id); a stage file's lines were "no 'text' field". Each line now says what it is.
    path = write_jsonl(tmp_path / "out.jsonl", [line, {"id": "real", "text": "She said so."}])
    wrong, real = items(path)
    assert isinstance(wrong, ArticleError) and said in wrong.reason, wrong.reason
    assert wrong.origin == f"{path}:1" and wrong.reason.startswith("this line is")
    assert isinstance(real, Article) and real.id == "real"


def test_a_schema_field_of_another_kind_is_still_an_article(tmp_path):
    # Only claimtrace's own tags are recognised: a feed's "schema" field is the feed's.
    path = write_jsonl(tmp_path / "feed.jsonl", [
        {"schema": "https://schema.org/NewsArticle", "text": "The mayor said so."},
        {"schema": None, "text": "She said so."}])
    assert all(isinstance(item, Article) for item in items(path))


def test_claimtraces_own_csv_of_statements_given_as_articles_is_one_error(tmp_path):
    # Its "text" column holds sentences: each row used to become an article, silently.
    from claimtrace.formats import COLUMN_NAMES

    path = tmp_path / "statements.csv"
    row = ["" if name != "text" else "The mayor said so." for name in COLUMN_NAMES]
    path.write_text(",".join(COLUMN_NAMES) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    (error,) = items(path)
    assert "statements export" in error.reason and error.origin == str(path)
