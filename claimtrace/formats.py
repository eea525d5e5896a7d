"""Output formats for statement records: JSON Lines (optionally gzip), Parquet, CSV,
ClaimReview drafts and an HTML review page.

Every writer reads the records ``claimtrace run`` writes (``statement@2``; ``statement@1``
reads too, its missing fields empty), so ``claimtrace convert`` and ``run --format`` share
one code path: `write_records`.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from claimtrace.errors import Errors, json_error_detail
from claimtrace.pipeline.ingest import READ_ENCODING


class Format(StrEnum):
    jsonl = "jsonl"
    parquet = "parquet"
    csv = "csv"
    claimreview = "claimreview"
    html = "html"


_EXTENSIONS = {".jsonl": Format.jsonl, ".json": Format.jsonl, ".parquet": Format.parquet,
               ".csv": Format.csv, ".html": Format.html, ".htm": Format.html}
# A ClaimReview is a fact-checker's verdict: these fields are theirs to fill in.
PLACEHOLDER = "TO BE FILLED IN BY THE FACT-CHECKER"
PARQUET_ROWS_PER_GROUP = 10_000


def format_for(path: Path, given: Format | str | None = None) -> Format:
    """The format named by ``--format``, else the one the file name implies."""
    if given is not None:
        return Format(given)
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    if name.endswith((".claimreview.jsonl", ".claimreview.json")):
        return Format.claimreview
    suffix = Path(name).suffix
    if suffix not in _EXTENSIONS:
        raise ValueError(Errors.E070.format(path=path))
    return _EXTENSIONS[suffix]


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def _open_text(path: Path, mode: str) -> IO[str]:
    # Reading drops a leading byte-order mark, as every claimtrace reader does; writing adds none.
    encoding = READ_ENCODING if mode == "r" else "utf-8"
    if is_gzip(path):
        return gzip.open(path, mode + "t", encoding=encoding, newline="")
    return path.open(mode, encoding=encoding, newline="")


def read_records(path: Path) -> Iterator[dict]:
    """Statement records from JSON Lines (``.gz`` too); a bad line raises with its number."""
    with _open_text(path, "r") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except (ValueError, RecursionError) as err:  # syntax, or over a parser limit
                raise ValueError(f"{path}:{number}: " + Errors.E001.format(
                    line=number, detail=json_error_detail(err))) from err
            if not isinstance(record, dict) or "sentence" not in record:
                raise ValueError(f"{path}:{number}: " + Errors.E071)
            problem = record_problem(record)
            if problem is not None:
                raise ValueError(f"{path}:{number}: " + Errors.E079.format(detail=problem))
            yield record


def record_problem(record: dict) -> str | None:
    """Why a record is not a valid statement of the version it names, or None. The writers
    index fields freely, so a damaged record must stop here, with its line number."""
    from pydantic import ValidationError

    from claimtrace.schema import SCHEMA_V1_ID, Statement, StatementV1

    model = StatementV1 if record.get("schema") == SCHEMA_V1_ID else Statement
    try:
        model.model_validate(record)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        return f"{where}: {first['msg']}"
    except RecursionError:
        return "nested too deeply"
    return None


# ---------------------------------------------------------------- flat rows (CSV, Parquet)

# (column, arrow type): one row per attribution; a statement without one gets one row with
# empty attribution fields.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("statement_id", "string"), ("attribution_id", "string"),
    ("article_id", "string"), ("article_title", "string"), ("article_url", "string"),
    ("article_published", "string"), ("article_published_raw", "string"),
    ("article_language", "string"), ("article_language_supported", "bool"),
    ("article_sha256", "string"),
    ("sentence_index", "int64"), ("sentence_start", "int64"), ("sentence_end", "int64"),
    ("paragraph", "int64"), ("text", "string"),
    ("source", "string"), ("source_start", "int64"), ("source_end", "int64"),
    ("source_resolved", "string"), ("source_description", "string"),
    ("source_type", "string"), ("source_role", "string"), ("source_organization", "string"),
    ("cue", "string"), ("cue_start", "int64"), ("cue_end", "int64"),
    ("content", "string"), ("content_start", "int64"), ("content_end", "int64"),
    ("quote_type", "string"), ("kind", "string"), ("method", "string"),
    ("construction", "string"), ("confidence", "float64"),
    ("claim_text", "string"), ("claim_checkworthy", "bool"), ("claim_score", "float64"),
    ("claim_label", "string"),
)
COLUMN_NAMES = tuple(name for name, _ in COLUMNS)
_TEXT_COLUMNS = frozenset(name for name, kind in COLUMNS if kind == "string")
# A spreadsheet opening the CSV runs a cell that starts with one of these as a formula
# (OWASP, "CSV Injection"); a leading "'" makes it show as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _span_columns(prefix: str, span: dict | None) -> dict[str, Any]:
    span = span or {}
    return {prefix: span.get("text"), f"{prefix}_start": span.get("start"),
            f"{prefix}_end": span.get("end")}


def _attribution_columns(item: dict | None) -> dict[str, Any]:
    item = item or {}
    source = item.get("source") or {}
    row = {"attribution_id": item.get("id"), **_span_columns("source", source),
           "source_resolved": source.get("resolved"),
           "source_description": source.get("description"), "source_type": source.get("type"),
           "source_role": source.get("role"), "source_organization": source.get("organization"),
           **_span_columns("cue", item.get("cue")), **_span_columns("content", item.get("content"))}
    for name in ("quote_type", "kind", "method", "construction", "confidence"):
        row[name] = item.get(name)
    return row


def flat_rows(record: dict) -> list[dict[str, Any]]:
    article, sentence = record.get("article") or {}, record["sentence"]
    claim = record.get("claim") or {}
    base = {"statement_id": record.get("id"), "article_id": article.get("id"),
            "article_title": article.get("title"), "article_url": article.get("url"),
            "article_published": article.get("published"),
            # The date as given: what a null `article_published` could not read.
            "article_published_raw": article.get("published_raw"),
            "article_language": article.get("language"),
            "article_language_supported": article.get("language_supported"),
            "article_sha256": article.get("sha256"),
            "sentence_index": sentence.get("index"), "sentence_start": sentence.get("start"),
            "sentence_end": sentence.get("end"), "paragraph": sentence.get("paragraph"),
            "text": record.get("text"), "claim_text": claim.get("text", record.get("text")),
            "claim_checkworthy": claim.get("checkworthy"), "claim_score": claim.get("score"),
            "claim_label": claim.get("label")}
    attributions = record.get("attributions") or [None]
    return [{**base, **_attribution_columns(item)} for item in attributions]


def _spreadsheet_text(value: Any) -> Any:
    """A text cell that a spreadsheet cannot run as a formula; other values as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv_row(row: dict[str, Any]) -> dict[str, Any]:
    # Text columns only: numbers, offsets and booleans keep their value ("-0.5" stays one).
    return {name: _spreadsheet_text(value) if name in _TEXT_COLUMNS else value
            for name, value in row.items()}


def write_csv(records: Iterable[dict], path: Path) -> int:
    count = 0
    with _open_text(path, "w") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMN_NAMES)
        writer.writeheader()
        for record in records:
            for row in flat_rows(record):
                writer.writerow(_csv_row(row))
                count += 1
    return count


def _arrow_schema():
    import pyarrow as pa

    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(),
             "bool": pa.bool_()}
    return pa.schema([(name, types[kind]) for name, kind in COLUMNS])


def write_parquet(records: Iterable[dict], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema, rows, count = _arrow_schema(), [], 0
    with pq.ParquetWriter(path, schema) as writer:
        for record in records:
            rows.extend(flat_rows(record))
            if len(rows) >= PARQUET_ROWS_PER_GROUP:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                count, rows = count + len(rows), []
        # Always one table, so a run without statements still writes a readable file.
        writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return count + len(rows)


# ---------------------------------------------------------------- ClaimReview drafts


# Unnamed people ("a spokesman for the ministry", "officials") are people all the same.
_PERSON_TYPES = {"person", "anonymous"}


def _claim_author(record: dict) -> dict:
    """The speaker of the first attribution with one: a Person (with the organisation they
    speak for as affiliation) or an Organization; a speaker nobody could identify ("he" with
    no antecedent) is the placeholder, not the pronoun. An unattributed claim is the
    publication's."""
    for item in record.get("attributions") or []:
        source = item.get("source") or {}
        if not (source.get("resolved") or source.get("text")):
            continue
        person = source.get("type") in _PERSON_TYPES
        author = {"@type": "Person" if person else "Organization",
                  "name": source.get("resolved") or PLACEHOLDER}
        if person and source.get("organization"):
            author["affiliation"] = {"@type": "Organization", "name": source["organization"]}
        return author
    url = web_url((record.get("article") or {}).get("url"))
    # The host, lower case, without credentials or port: the publication's name.
    return {"@type": "Organization", "name": urlsplit(url).hostname if url else PLACEHOLDER}


# Characters that end or break out of an HTML attribute or tag; a real article URL holds
# them percent-encoded, so one that has them raw is damaged or hostile.
_NOT_IN_URL = frozenset("\"'<>")


def web_url(url: object) -> str | None:
    """The article URL as given when it is an absolute http(s) URL with a host, else None.
    The one check for every place that uses an article URL (ClaimReview drafts, the review
    page), so they cannot disagree: "javascript:…", "//host/x", or a URL with whitespace,
    quotes, "<" or ">" is never linked, published or taken as the author."""
    if not isinstance(url, str) or any(c in _NOT_IN_URL or not c.isprintable() or c.isspace()
                                       for c in url):
        return None
    try:
        parts = urlsplit(url)  # lower-cases the scheme: "HTTPS://" counts
    except ValueError:  # a malformed host, e.g. "https://[::1/x"
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def script_safe_json(value: object) -> str:
    """JSON that can sit inside ``<script type="application/ld+json">``, where ClaimReview
    drafts go: "<", ">" and "&" as \\u escapes, so a headline holding "</script>" cannot end
    the block. The parsed value is unchanged."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def claimreview(record: dict) -> dict:
    """One schema.org ClaimReview draft. The verdict (`reviewRating`), the review's own
    `url`, `author` and `datePublished` are the fact-checker's: they hold `PLACEHOLDER`.
    The claim's `datePublished` must be ISO 8601, so it is left out when no date is known."""
    article, claim = record.get("article") or {}, record.get("claim") or {}
    appearance = {"@type": "CreativeWork", "url": web_url(article.get("url")) or PLACEHOLDER,
                  "headline": article.get("title") or PLACEHOLDER}
    item = {"@type": "Claim", "author": _claim_author(record)}
    if article.get("published"):
        item["datePublished"] = article["published"]
    item["appearance"] = appearance
    return {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "claimReviewed": claim.get("text") or record.get("text"),
        "itemReviewed": item,
        "reviewRating": {"@type": "Rating", "alternateName": PLACEHOLDER,
                         "ratingValue": PLACEHOLDER, "bestRating": PLACEHOLDER,
                         "worstRating": PLACEHOLDER},
        "url": PLACEHOLDER,
        "author": {"@type": "Organization", "name": PLACEHOLDER},
        "datePublished": PLACEHOLDER,
        "identifier": record.get("id"),
    }


def write_claimreview(records: Iterable[dict], path: Path) -> int:
    count = 0
    with _open_text(path, "w") as handle:
        for record in records:
            if (record.get("claim") or {}).get("checkworthy"):
                handle.write(script_safe_json(claimreview(record)) + "\n")
                count += 1
    return count


# ---------------------------------------------------------------- JSON Lines


def write_jsonl(records: Iterable[dict], path: Path) -> int:
    count = 0
    with _open_text(path, "w") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


# ---------------------------------------------------------------- dispatch


def write_records(records: Iterable[dict], path: Path, fmt: Format | str | None = None) -> int:
    """Write records to ``path`` in ``fmt`` (default: from the name); returns items written."""
    from claimtrace.review import write_html

    fmt = format_for(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    writers = {Format.jsonl: write_jsonl, Format.csv: write_csv, Format.parquet: write_parquet,
               Format.claimreview: write_claimreview, Format.html: write_html}
    return writers[fmt](records, path)


def convert(source: Path, output: Path, fmt: Format | str | None = None) -> int:
    """``claimtrace convert``: an existing statements JSONL into another format. The output
    is written under a temporary name and renamed when complete, so a failure leaves no
    half-written file and never touches the input."""
    if _same_file(source, output):
        raise ValueError(Errors.E072.format(path=output))
    if output.is_dir():
        raise ValueError(Errors.E053.format(path=output))
    records = list(read_records(source))  # every line checked before anything is written
    partial = output.with_name(f".converting-{output.name}")  # same suffixes: gzip stays
    try:
        written = write_records(records, partial, format_for(output, fmt))
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    return written


def _same_file(source: Path, output: Path) -> bool:
    """The same file by any name: a symbolic link, "./", or a hard link."""
    try:
        return source.resolve() == output.resolve() or output.samefile(source)
    except OSError:
        return False  # the output does not exist yet
