"""Output formats: flat rows (CSV, Parquet), ClaimReview drafts, the HTML page, gzip, CLI."""

from __future__ import annotations

import codecs
import csv
import gzip
import json
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrace.cli import app
from claimtrace.formats import (
    COLUMN_NAMES,
    PLACEHOLDER,
    Format,
    claimreview,
    convert,
    flat_rows,
    format_for,
    read_records,
    web_url,
    write_records,
)
from claimtrace.review import render, segments
from claimtrace.settings import SAMPLE_INPUT

ARTICLE = {"id": "a1", "title": "Bridge <b>plan</b>", "url": "https://example.org/a1",
           "published": "2019-01-04", "published_raw": "Friday, January 4, 2019",
           "language": "en", "language_supported": True, "sha256": "ab" * 32}
SENTENCE_TEXT = 'Marsh said it would cost $3bn <script>document.body.dataset.pwned="1"</script>.'


def attribution(**source) -> dict:
    return {"id": "abababababababab:11-29:6-10",
            "source": {"text": "Marsh", "start": 100, "end": 105, "resolved": "Elena Marsh",
                       "description": "a spokesman", "type": "person", "role": "spokesman",
                       "organization": "Northern Medical Association", **source},
            "cue": {"text": "said", "start": 106, "end": 110},
            "content": {"text": "it would cost $3bn", "start": 111, "end": 129},
            "quote_type": "indirect", "kind": "speech", "method": "rules",
            "construction": "reported_clause", "confidence": 0.87}


def record(attributions: list[dict], checkworthy: bool | None = True, score: float = 0.9,
           start: int = 100) -> dict:
    return {"schema": "claimtrace/statement@2", "id": f"abababababababab:{start}-180",
            "article": ARTICLE,
            "sentence": {"index": 3, "start": start, "end": start + len(SENTENCE_TEXT),
                         "paragraph": 1},
            "text": SENTENCE_TEXT, "attributions": attributions,
            "claim": {"text": "the harbour plan would cost $3bn",
                      "span": {"text": "it would cost $3bn", "start": 111, "end": 129},
                      "checkworthy": checkworthy, "score": score, "threshold": 0.5,
                      "model": "m@1", "label": None, "probabilities": None},
            "provenance": {"pipeline_version": "0.1.0", "models": {}}}


RECORDS = [record([attribution(), attribution(text="she", resolved="Elena Marsh")]),
           record([], checkworthy=False, score=0.1, start=300),
           record([], checkworthy=None, score=None, start=500)]


def test_record_fixture_is_schema_valid(statement_validator):
    for item in RECORDS:
        statement_validator.validate(item)


@pytest.mark.parametrize("name, expected", [
    ("out.jsonl", Format.jsonl), ("out.jsonl.gz", Format.jsonl), ("x.parquet", Format.parquet),
    ("x.CSV", Format.csv), ("x.html", Format.html), ("x.claimreview.jsonl", Format.claimreview),
])
def test_format_follows_the_extension(name, expected):
    assert format_for(Path(name)) is expected


def test_flag_wins_and_unknown_extension_is_an_error():
    assert format_for(Path("x.jsonl"), "csv") is Format.csv
    with pytest.raises(ValueError, match="cannot tell the output format"):
        format_for(Path("x.txt"))


def test_flat_rows_one_per_attribution_and_one_for_none():
    rows = [row for item in RECORDS for row in flat_rows(item)]
    assert len(rows) == 4
    assert all(set(row) == set(COLUMN_NAMES) for row in rows)
    first = rows[0]
    assert (first["source_role"], first["source_organization"]) == (
        "spokesman", "Northern Medical Association")
    assert (first["cue"], first["content_start"], first["claim_score"]) == ("said", 111, 0.9)
    assert rows[2]["source"] is None and rows[2]["attribution_id"] is None
    assert rows[2]["statement_id"] == RECORDS[1]["id"]
    # The date as given and the language flag travel too: a null date or an unsupported
    # language is explained in the flat formats as in the JSONL.
    assert (first["article_published_raw"], first["article_language_supported"]) == (
        "Friday, January 4, 2019", True)


def test_csv_and_parquet_are_readable_by_pandas_and_duckdb(tmp_path):
    pandas = pytest.importorskip("pandas")
    duckdb = pytest.importorskip("duckdb")
    csv_path, parquet_path = tmp_path / "s.csv", tmp_path / "s.parquet"
    assert write_records(RECORDS, csv_path) == 4
    assert write_records(RECORDS, parquet_path) == 4
    frame = pandas.read_parquet(parquet_path)
    assert list(frame.columns) == list(COLUMN_NAMES)
    assert frame["confidence"].dtype == "float64"
    assert frame["content_start"].tolist()[:2] == [111, 111]
    assert pandas.read_csv(csv_path)["statement_id"].nunique() == 3
    for source in (f"'{parquet_path}'", f"read_csv_auto('{csv_path}')"):
        rows = duckdb.sql(f"select count(*), count(source_role) from {source}").fetchall()
        assert rows == [(4, 2)]


def test_csv_text_cells_cannot_start_a_spreadsheet_formula(tmp_path):
    # OWASP CSV injection: a spreadsheet runs a cell starting with = + - @ tab or CR. Text
    # cells get a leading "'"; numbers keep their value even when negative; Parquet is
    # not opened by spreadsheets and keeps the text as it is.
    title = '=HYPERLINK("http://evil","click")'
    source = attribution(resolved="+Marsh", description="-a spokesman", role="\tchief",
                         organization="\rNMA", text="@marsh")
    item = {**record([source], score=-0.5), "article": {**ARTICLE, "title": title}}
    write_records([item], tmp_path / "s.csv")
    with (tmp_path / "s.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["article_title"] == "'" + title
    assert [row[name] for name in ("source_resolved", "source_description", "source_role",
                                   "source_organization", "source")] == [
        "'+Marsh", "'-a spokesman", "'\tchief", "'\rNMA", "'@marsh"]
    assert (row["content"], row["statement_id"]) == ("it would cost $3bn", item["id"])
    assert (row["claim_score"], row["content_start"], row["claim_checkworthy"]) == (
        "-0.5", "111", "True")
    import pyarrow.parquet as pq

    write_records([item], tmp_path / "s.parquet")
    assert pq.read_table(tmp_path / "s.parquet").column("article_title").to_pylist() == [title]


def test_empty_input_still_writes_readable_files(tmp_path):
    pandas = pytest.importorskip("pandas")
    write_records([], tmp_path / "e.parquet")
    write_records([], tmp_path / "e.csv")
    assert list(pandas.read_parquet(tmp_path / "e.parquet").columns) == list(COLUMN_NAMES)
    with (tmp_path / "e.csv").open() as handle:
        assert next(csv.reader(handle)) == list(COLUMN_NAMES)


def test_jsonl_gz_round_trips(tmp_path):
    path = tmp_path / "s.jsonl.gz"
    write_records(RECORDS, path)
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        assert [json.loads(line) for line in handle] == RECORDS
    assert list(read_records(path)) == RECORDS


# Google's fact-check markup (developers.google.com, "Fact check (ClaimReview) structured
# data"): required and recommended properties per type.
GOOGLE_CLAIMREVIEW = {"required": ("claimReviewed", "reviewRating", "url"),
                      "recommended": ("author", "datePublished", "itemReviewed")}
GOOGLE_CLAIM = {"recommended": ("author", "datePublished", "appearance")}
GOOGLE_RATING = {"required": ("alternateName",),
                 "recommended": ("bestRating", "ratingValue", "worstRating")}


def check_google_fields(review: dict) -> None:
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    for name in GOOGLE_CLAIMREVIEW["required"] + GOOGLE_CLAIMREVIEW["recommended"]:
        assert review.get(name), name
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    for name in GOOGLE_CLAIM["recommended"]:
        assert item.get(name) or name == "datePublished", name  # no date known: left out
    if "datePublished" in item:  # schema.org wants a Date or DateTime: ISO 8601
        datetime.fromisoformat(item["datePublished"])
    assert item["author"]["@type"] in {"Person", "Organization"} and item["author"]["name"]
    assert item["appearance"]["@type"] == "CreativeWork"
    assert item["appearance"]["url"] and item["appearance"]["headline"]
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    for name in GOOGLE_RATING["required"] + GOOGLE_RATING["recommended"]:
        assert rating.get(name), name


def test_claimreview_drafts_only_check_worthy_statements(tmp_path):
    path = tmp_path / "c.claimreview.jsonl"
    assert write_records(RECORDS, path) == 1
    (review,) = [json.loads(line) for line in path.read_text().splitlines()]
    check_google_fields(review)
    assert review["claimReviewed"] == "the harbour plan would cost $3bn"
    assert review["itemReviewed"]["author"] == {
        "@type": "Person", "name": "Elena Marsh",
        "affiliation": {"@type": "Organization", "name": "Northern Medical Association"}}
    assert review["itemReviewed"]["datePublished"] == "2019-01-04"
    assert review["itemReviewed"]["appearance"]["url"] == "https://example.org/a1"
    # The verdict and the review's own address are the fact-checker's to fill in.
    assert review["url"] == review["reviewRating"]["alternateName"] == PLACEHOLDER


@pytest.mark.parametrize("source, author", [
    ({"text": "He", "resolved": None, "organization": None},  # no antecedent: not "He"
     {"@type": "Person", "name": PLACEHOLDER}),
    ({"text": "A spokesman for the ministry", "resolved": "A spokesman for the ministry",
      "type": "anonymous", "organization": "ministry"},  # an unnamed person is a Person
     {"@type": "Person", "name": "A spokesman for the ministry",
      "affiliation": {"@type": "Organization", "name": "ministry"}}),
    ({"text": "The ministry", "resolved": "Interior Ministry", "type": "organization",
      "organization": None}, {"@type": "Organization", "name": "Interior Ministry"}),
])
def test_claimreview_author_is_who_the_speaker_is(source, author):
    review = claimreview(record([attribution(**source)], checkworthy=True))
    check_google_fields(review)
    assert review["itemReviewed"]["author"] == author


def test_claimreview_of_an_unattributed_claim_names_the_publication():
    review = claimreview(record([], checkworthy=True))
    check_google_fields(review)
    assert review["itemReviewed"]["author"] == {"@type": "Organization", "name": "example.org"}


def test_claimreview_leaves_out_an_unknown_claim_date():
    # A placeholder is not a date; only the review's own fields are the fact-checker's.
    review = claimreview({**record([attribution()]), "article": {**ARTICLE, "published": None}})
    check_google_fields(review)
    assert "datePublished" not in review["itemReviewed"]
    assert review["datePublished"] == PLACEHOLDER


@pytest.mark.parametrize("url, host", [
    ("https://example.org/a1", "example.org"), ("HTTPS://EXAMPLE.ORG/b2", "example.org"),
    ("http://user@example.org:8080/x?q=1#f", "example.org"),
    ("//evil.example/x", None), ("javascript:alert(1)", None), ("file:///etc/passwd", None),
    ("https:///no-host", None), ('https://example.org/a6 "onmouseover=alert(1)', None),
    ("https://example.org/a'7", None), ("https://example.org/<b>", None),
    ("https://example.org/\tx", None), ("https://[::1/x", None), ("", None), (None, None),
])
def test_one_check_decides_where_an_article_url_is_used(url, host):
    # ClaimReview (appearance url, the author of an unattributed claim) and the review
    # page's link must agree on which URLs are usable.
    item = {**record([]), "article": {**ARTICLE, "url": url}}
    reviewed = claimreview(item)["itemReviewed"]
    page = render([item])
    assert web_url(url) == (url if host else None)
    assert reviewed["appearance"]["url"] == (url if host else PLACEHOLDER)
    assert reviewed["author"]["name"] == (host or PLACEHOLDER)
    assert ("<a href=" in page) is bool(host)
    if host:
        assert f'<a href="{url}"' in page


def test_claimreview_drafts_are_safe_inside_a_script_block(tmp_path):
    # Drafts go into <script type="application/ld+json"> on a fact-check page: a headline
    # with "</script>" must not end the block, and only web addresses become the url.
    hostile = {**ARTICLE, "title": "</script><script>alert(1)</script> & more",
               "url": "javascript:alert(2)"}
    path = tmp_path / "c.claimreview.jsonl"
    assert write_records([{**record([attribution()]), "article": hostile}], path) == 1
    line = path.read_text(encoding="utf-8")
    assert "<" not in line and ">" not in line and "&" not in line
    review = json.loads(line)
    assert review["itemReviewed"]["appearance"]["headline"] == hostile["title"]
    assert review["itemReviewed"]["appearance"]["url"] == PLACEHOLDER


def test_claimreview_with_no_claims_is_refused_up_front(tmp_path):
    result = cli.invoke(app, ["run", str(SAMPLE_INPUT), "-o", str(tmp_path / "c.claimreview.jsonl"),
                              "--no-claims", "-q"])
    assert result.exit_code == 2 and "drop --no-claims" in result.output
    assert not list(tmp_path.iterdir())


def test_html_escapes_article_text_and_highlights_spans():
    page = render(RECORDS)
    assert "<script>document.body" not in page
    assert "&lt;script&gt;document.body" in page
    assert "Bridge &lt;b&gt;plan&lt;/b&gt;" in page
    assert '<mark class="ct-content">it would cost $3bn</mark>' in page
    assert 'data-score="0.9"' in page and 'data-score=""' in page


def test_review_page_shows_the_claim_class():
    # Fact-checkers tell a trivial fact (UFS) from an opinion (NFS) by the class, not the score.
    labelled = [record([]) | {"claim": {**record([])["claim"], "label": label}}
                for label in ("CFS", "UFS", "NFS")]
    page = render(labelled)
    for text in ("CFS (check-worthy factual)", "UFS (unimportant factual)",
                 "NFS (not factual)"):
        assert text in page
    assert "(check-worthy)" in render([RECORDS[0]])  # no class: the flag as before


def test_review_page_element_ids_are_unique_for_syndicated_copies():
    # Statement ids come from the text, so one story run by two outlets repeats them;
    # the page's element ids must not repeat (anchors, valid HTML).
    other = {**ARTICLE, "id": "a2 wire copy", "url": "https://example.net/a2"}
    page = render([RECORDS[0], {**RECORDS[0], "article": other}])
    assert 'id="a1/abababababababab:100-180"' in page
    assert 'id="a2_wire_copy/abababababababab:100-180"' in page
    assert page.count('data-statement-id="abababababababab:100-180"') == 2


def test_segments_cover_the_sentence_and_clip_outside_spans():
    item = record([attribution(text="Someone", start=0, end=7)])  # source outside the sentence
    parts = segments(item)
    assert "".join(p.text for p in parts) == SENTENCE_TEXT
    assert [p.text for p in parts if p.roles] == ["said", "it would cost $3bn"]


# ---------------------------------------------------------------- a real browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install "
                    "chromium); .ci/run installs it")
def test_review_page_in_headless_chromium(tmp_path):
    page = tmp_path / "review.html"
    write_records(RECORDS, page)
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
               "--virtual-time-budget=2000", "--dump-dom", page.as_uri()]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120,
                         check=True).stdout
    assert dom.count('<mark class="ct-content">') == 1  # the page rendered, spans are there
    assert 'class="ct-source"' in dom and 'class="ct-cue"' in dom
    assert 'data-pwned' not in dom  # the article's script did not run …
    assert "&lt;script&gt;document.body.dataset.pwned" in dom  # … it shows as text
    # The page's own filter script ran: it filled in the score read-out.
    assert '<output id="ct-min-score-value">0.00</output>' in dom


# ---------------------------------------------------------------- CLI

cli = CliRunner()


def test_convert_command_writes_every_format(tmp_path):
    source = tmp_path / "statements.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    for name in ("s.parquet", "s.csv", "s.html", "s.jsonl.gz"):
        result = cli.invoke(app, ["convert", str(source), "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    # each file holds the records, not just some bytes
    import pyarrow.parquet as pq

    rows = [row for item in RECORDS for row in flat_rows(item)]
    table = pq.read_table(tmp_path / "s.parquet")
    assert table.column_names == list(COLUMN_NAMES) and table.num_rows == len(rows)
    with (tmp_path / "s.csv").open(encoding="utf-8", newline="") as handle:
        assert [r["statement_id"] for r in csv.DictReader(handle)] == [
            r["statement_id"] for r in rows]
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;document.body" in page and "Elena Marsh" in page
    assert list(read_records(tmp_path / "s.jsonl.gz")) == RECORDS
    result = cli.invoke(app, ["convert", str(source), "-o", str(tmp_path / "r.jsonl"),
                              "--format", "claimreview"])
    assert result.exit_code == 0, result.output
    check_google_fields(json.loads((tmp_path / "r.jsonl").read_text()))
    assert source.read_text(encoding="utf-8").count("\n") == 3  # input untouched


def test_convert_reads_past_a_byte_order_mark(tmp_path):
    # A statements file saved again by Notepad or Excel: line 1 was "not valid JSON".
    data = codecs.BOM_UTF8 + "".join(json.dumps(r) + "\n" for r in RECORDS).encode("utf-8")
    for name, opener in (("s.jsonl", open), ("s.jsonl.gz", gzip.open)):
        with opener(tmp_path / name, "wb") as handle:
            handle.write(data)
        assert list(read_records(tmp_path / name)) == RECORDS


def test_convert_reports_bad_input(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"not": "a statement"}\n', encoding="utf-8")
    result = cli.invoke(app, ["convert", str(source), "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2 and "not a claimtrace statement" in result.output
    result = cli.invoke(app, ["convert", str(tmp_path / "missing.jsonl"), "-o", "x.csv"])
    assert result.exit_code == 2
    with pytest.raises(ValueError, match="overwrite its own input"):
        convert(source, source)


def test_convert_names_a_damaged_record_and_writes_nothing(tmp_path):
    source = tmp_path / "statements.jsonl"
    damaged = {**RECORDS[0], "article": {"url": 5}}  # the writers would index it and crash
    good = json.dumps(RECORDS[1])
    files = {2: [good, json.dumps(damaged)], 3: [good, good, '{"sentence": ' + "[" * 5000]}
    for number, lines in files.items():
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        for name in ("x.csv", "x.html", "x.claimreview.jsonl"):
            result = cli.invoke(app, ["convert", str(source), "-o", str(tmp_path / name)])
            assert result.exit_code == 2, result.output
            assert f":{number}: line" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["statements.jsonl"]


def test_convert_refuses_its_input_by_any_name(tmp_path):
    source = tmp_path / "statements.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    before = source.read_bytes()
    os.link(source, tmp_path / "hard.jsonl")
    result = cli.invoke(app, ["convert", str(source), "-o", str(tmp_path / "hard.jsonl")])
    assert result.exit_code == 2 and "its own input" in result.output
    (tmp_path / "folder.csv").mkdir()
    result = cli.invoke(app, ["convert", str(source), "-o", str(tmp_path / "folder.csv")])
    assert result.exit_code == 2 and "is a directory" in result.output
    assert source.read_bytes() == before


def test_run_writes_the_format_of_the_output_extension(tmp_path):
    pandas = pytest.importorskip("pandas")
    out = tmp_path / "out" / "statements.parquet"
    result = cli.invoke(app, ["run", str(SAMPLE_INPUT), "-o", str(out), "--quiet",
                              "--no-claims"])
    assert result.exit_code == 0, result.output
    frame = pandas.read_parquet(out)
    assert len(frame) >= 20 and frame["statement_id"].str.contains(":").all()
    assert sorted(p.name for p in out.parent.iterdir()) == [  # all named after the output
        "statements.parquet", "statements.parquet.errors.jsonl", "statements.parquet.jsonl",
        "statements.parquet.progress.jsonl", "statements.parquet.summary.json"]
    gz = tmp_path / "gz" / "statements.jsonl.gz"
    result = cli.invoke(app, ["run", str(SAMPLE_INPUT), "-o", str(gz), "--quiet",
                              "--no-claims", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    with gzip.open(gz, "rt", encoding="utf-8") as handle:
        ids = [json.loads(line)["id"] for line in handle]
    assert sorted(ids) == sorted(frame["statement_id"].unique())
    assert sorted(p.name for p in gz.parent.iterdir()) == [  # no uncompressed copy stays
        "statements.jsonl.errors.jsonl", "statements.jsonl.gz", "statements.jsonl.summary.json"]


def test_format_run_resumes_after_it_finished_and_writes_when_all_fail(tmp_path):
    page = tmp_path / "review.html"
    args = ["run", str(SAMPLE_INPUT), "-o", str(page), "--quiet", "--no-claims"]
    assert cli.invoke(app, args).exit_code == 0
    again = cli.invoke(app, [*args, "--resume"])
    assert again.exit_code == 0 and "0 processed" in again.output  # nothing done twice
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": 5}\n', encoding="utf-8")
    failed = tmp_path / "failed.html"
    result = cli.invoke(app, ["run", str(bad), "-o", str(failed), "--quiet", "--no-claims"])
    assert result.exit_code == 1 and failed.exists()
    errors = (tmp_path / "failed.html.errors.jsonl").read_text(encoding="utf-8")
    assert '"x"' in errors


def test_statement_1_records_convert_too(tmp_path):
    V1_RECORD = {  # noqa: N806
        "schema": "claimtrace/statement@1", "id": "a#0", "article": {"id": "a", "sha256": "0"},
        "sentence": {"index": 0, "start": 0, "end": 11, "paragraph": 0}, "text": "He said so.",
        "attributions": [{"source": {"text": "He", "start": 0, "end": 2, "resolved": "He",
                                     "description": None, "type": "person"},
                          "cue": {"text": "said", "start": 3, "end": 7},
                          "content": {"text": "so", "start": 8, "end": 10},
                          "quote_type": "indirect", "kind": "speech", "method": "rules"}],
        "claim": None, "provenance": {"pipeline_version": "0.1.0", "models": {}}}
    rows = flat_rows(V1_RECORD)
    assert len(rows) == 1 and rows[0]["claim_text"] == V1_RECORD["text"]
    assert rows[0]["attribution_id"] is None and rows[0]["source"] == "He"
    assert write_records([V1_RECORD], tmp_path / "v1.claimreview.jsonl") == 0  # not scored
