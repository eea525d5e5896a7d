"""Stage 1 — ingest: read article dumps, normalise records, give every article a stable id.

Readers are generators, so a dump of any size streams through in constant memory. Every
input item comes out either as an `Article` or as an `ArticleError` with a plain reason:
nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import hashlib
import json
import logging
import os
import stat
import sys
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

from claimtrace.errors import Errors, json_error_detail
from claimtrace.pipeline.dates import normalise_date

log = logging.getLogger(__name__)

OPTIONAL_FIELDS = ("title", "url")
# The publication date, under whichever name the input uses (the Wikinews CSV says "date").
DATE_FIELDS = ("published", "datePublished", "date")
ID_HEX_DIGITS = 16


@dataclass(frozen=True)
class Article:
    """One normalised article. `text` is kept exactly as given: all offsets index it."""

    id: str
    text: str
    sha256: str
    title: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601 (pipeline/dates.py), or None if unreadable
    published_raw: str | None = None  # the date exactly as the input gave it
    origin: str = ""  # where it came from ("file.jsonl:12"), for error messages

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Article:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class ArticleError:
    """An input item that could not become an article, with the reason in plain words."""

    stage: str
    reason: str
    article_id: str | None = None
    origin: str = ""
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        record = {"article_id": self.article_id, "origin": self.origin, "stage": self.stage,
                  "reason": self.reason}
        record.update(self.extra)
        return record

    @classmethod
    def from_dict(cls, data: dict) -> ArticleError:
        """The inverse of `to_dict`: extra keys sit beside the fixed ones."""
        fixed = ("article_id", "origin", "stage", "reason")
        extra = {k: v for k, v in data.items() if k not in fixed}
        return cls(data["stage"], data["reason"], data.get("article_id"),
                   data.get("origin") or "", extra)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def stable_id(text: str) -> str:
    """Content-derived id: the same text always gets the same id, in any run or order."""
    return text_sha256(text)[:ID_HEX_DIGITS]


def printable(value: str) -> str:
    """`value` made safe to write as UTF-8: undecodable bytes and lone surrogates become
    visible escapes (``\\xe9``, ``\\ud800``) instead of crashing the writer."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:  # bytes smuggled in by `surrogateescape` (file names, argv): show them as bytes
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return value.encode("utf-8", "backslashreplace").decode("utf-8")


def _lone_surrogate(value: str) -> int | None:
    """Index of the first character that UTF-8 cannot encode (a lone surrogate), if any."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start
    return None


def _metadata_problem(raw: dict) -> str | None:
    """An id, title, url or date that is a list, an object or true/false: written as text it
    would read "['x']" or "False" (and a false date would hide a real one after it)."""
    for name in ("id", *OPTIONAL_FIELDS, *DATE_FIELDS, "published_raw"):
        value = raw.get(name)
        if value is not None and (isinstance(value, bool)
                                  or not isinstance(value, str | int | float)):
            return Errors.E023.format(field=name, type_name=_json_type(value))
    return None


def _json_type(value: object) -> str:
    names = {bool: "true/false", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _clean_optional(value: object) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _published(raw: dict) -> dict[str, str | None]:
    if "published_raw" in raw:  # an article an earlier stage wrote: the input's own date
        raw_date = _clean_optional(raw["published_raw"])
    else:
        raw_date = next((value for name in DATE_FIELDS
                         if (value := _clean_optional(raw.get(name))) is not None), None)
    return {"published": normalise_date(raw_date), "published_raw": raw_date}


def _text_problem(raw: dict) -> str | None:
    """Why the record's text cannot be an article, or None."""
    if "text" not in raw:
        return Errors.E002
    text = raw["text"]
    if not isinstance(text, str):
        return Errors.E004.format(type_name=type(text).__name__)
    if not text.strip():
        return Errors.E003
    if "\x00" in text:
        return Errors.E012
    return None


def _unicode_problem(fields: dict[str, str | None]) -> str | None:
    """Lone surrogates (JSON "\\ud800", non-UTF-8 file names) cannot be written as UTF-8."""
    for name, value in fields.items():
        index = None if value is None else _lone_surrogate(value)
        if index is not None:
            return Errors.E014.format(field=name, index=index,
                                      char=f"U+{ord(value[index]):04X}")
    return None


def _error(reason: str, article_id: str | None, origin: str) -> ArticleError:
    return ArticleError("ingest", reason, None if article_id is None else printable(article_id),
                        printable(origin))


def _article_fields(raw: dict) -> dict | str:
    """The article's fields from a raw record, or why there is no article in it."""
    problem = _metadata_problem(raw)
    if problem is not None:
        return problem
    raw_id = _clean_optional(raw.get("id"))
    problem = _text_problem(raw)
    optional = {name: _clean_optional(raw.get(name)) for name in OPTIONAL_FIELDS}
    problem = problem or _unicode_problem({"id": raw_id, "text": raw["text"], **optional})
    if problem is not None:
        return problem
    dates = _published(raw)
    problem = _unicode_problem({"published": dates["published_raw"]})
    if problem is not None:
        return problem
    text = raw["text"]
    return {"id": raw_id or stable_id(text), "text": text, "sha256": text_sha256(text),
            **optional, **dates}


def make_article(raw: dict, origin: str) -> Article | ArticleError:
    """Validate one raw record (from any reader) and normalise it."""
    try:
        fields = _article_fields(raw)
        if isinstance(fields, str):
            return _error(fields, _clean_optional(raw.get("id")), origin)
    except Exception as err:  # noqa: BLE001 — one odd value (a 10,000-deep title) is one error
        return _error(Errors.E015.format(detail=f"{type(err).__name__}: {err}"), None, origin)
    return Article(**fields, origin=printable(origin))


# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
WIDE_MARKS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
              (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"))


def wide_encoding(head: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when the bytes open with that byte-order mark (as spreadsheet
    exports often do), else None: such a file is all NUL bytes to a UTF-8 reader."""
    return next((name for mark, name in WIDE_MARKS if head.startswith(mark)), None)


# UTF-8 with a leading byte-order mark dropped: Excel and Notepad save files with one, and
# every reader of claimtrace (articles, stage files, statements) accepts it alike.
READ_ENCODING = "utf-8-sig"


def decode_utf8(data: bytes) -> str:
    """UTF-8 bytes as text, a leading byte-order mark dropped (`READ_ENCODING`); raises
    UnicodeDecodeError for bytes that are not UTF-8."""
    return data.decode(READ_ENCODING)


def _decode(data: bytes, origin: str) -> str | ArticleError:
    if (encoding := wide_encoding(data[:4])) is not None:
        return _error(Errors.E024.format(encoding=encoding), None, origin)
    if b"\x00" in data:
        return _error(Errors.E012, None, origin)
    try:
        return decode_utf8(data)
    except UnicodeDecodeError as err:
        reason = Errors.E005.format(position=err.start, detail=err.reason)
        return _error(reason, None, origin)


# The stage that reads what each stage writes, for the advice on a stage file given as articles.
NEXT_STAGE = {"ingest": "split", "split": "attribute", "attribute": "classify",
              "classify": "export"}


def own_record_problem(raw: dict) -> str | None:
    """Why a line of claimtrace's own output (a statement, a stage state) is no raw article.

    Both carry a "text" or an "article", so read as articles they would give statements
    about statements (a statement's sentence as an article with the statement's id)."""
    tag = raw.get("schema")
    if not isinstance(tag, str):
        return None
    if tag.startswith("claimtrace/statement@"):  # any version
        return Errors.E027.format(
            what="a statement record (the output of claimtrace run or export)",
            advice="give run the articles the statements came from; claimtrace convert "
                   "turns statements into CSV, Parquet or HTML")
    if tag.startswith("claimtrace/article-state@"):
        stage = raw.get("stage")
        if isinstance(stage, str) and stage in NEXT_STAGE:  # a list is no dict key
            return Errors.E027.format(
                what=f"a stage state written by claimtrace {stage}",
                advice=f"give the file to claimtrace {NEXT_STAGE[stage]}, or give run the "
                       "articles themselves")
        return Errors.E027.format(what="a stage state (claimtrace's file between stages)",
                                  advice="give run the articles themselves")
    return None


def _parse_json_line(decoded: str, number: int, origin: str) -> Article | ArticleError:
    try:
        raw = json.loads(decoded)
    except (ValueError, RecursionError) as err:  # all one bad line
        detail = json_error_detail(err)
        return _error(Errors.E001.format(line=number, detail=detail), None, origin)
    if not isinstance(raw, dict):
        return _error(Errors.E007.format(type_name=type(raw).__name__), None, origin)
    return raw_article(raw, origin)


def raw_article(raw: dict, origin: str) -> Article | ArticleError:
    """One raw record as an article, or why not; claimtrace's own records (a statement, a
    stage state) are refused by name. A JSONL line and a dict given to the API alike."""
    problem = own_record_problem(raw)
    if problem is not None:
        return _error(problem, None, origin)
    return make_article(raw, origin)


def _read_json_lines(lines: Iterable[bytes], name: str) -> Iterator[Article | ArticleError]:
    for number, line in enumerate(lines, start=1):
        origin = f"{name}:{number}"
        decoded = _decode(line, origin)
        if isinstance(decoded, ArticleError):
            yield decoded
        elif decoded.strip():  # blank lines separate nothing and carry no article
            yield _parse_json_line(decoded, number, origin)


def read_jsonl(path: Path) -> Iterator[Article | ArticleError]:
    with path.open("rb") as handle:
        yield from _read_json_lines(handle, str(path))


def read_jsonl_gz(path: Path) -> Iterator[Article | ArticleError]:
    count = 0
    try:
        with gzip.open(path, "rb") as handle:
            for item in _read_json_lines(handle, str(path)):
                count += 1
                yield item
    except (EOFError, OSError, zlib.error) as err:
        # A truncated download: keep what was readable, report the rest once.
        yield _error(Errors.E013.format(count=count, detail=err), None,
                     f"{path}:after-line-{count}")


def read_stdin() -> Iterator[Article | ArticleError]:
    yield from _read_json_lines(sys.stdin.buffer, "<stdin>")


# ---------------------------------------------------------------- CSV
# Rows are parsed line by line from the bytes, so that one undecodable byte or one stray
# quotation mark costs exactly its own row: the row is reported (row number, line, byte
# offset) and parsing goes on with the next line. `strict` quoting is what notices an
# unterminated quote: without it, csv silently merges the following rows into one field.


@dataclass
class _Line:
    number: int  # 1-based line number in the file
    offset: int  # byte offset of the line's start
    raw: bytes


class _CsvLines:
    """The file's lines, decoded for `csv`, remembering the raw lines of the current row.

    Lines of a row that turned out malformed can be pushed back and parsed again."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle, self.pushed, self.row = handle, deque(), []
        self.number, self.offset = 0, 0

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = self.pushed.popleft() if self.pushed else self._read()
        self.row.append(line)
        return line.raw.decode("utf-8", "surrogateescape")

    def _read(self) -> _Line:
        raw = self.handle.readline()
        if not raw:
            raise StopIteration
        if self.number == 0 and raw.startswith(codecs.BOM_UTF8):
            self.offset, raw = len(codecs.BOM_UTF8), raw[len(codecs.BOM_UTF8):]
        self.number += 1
        line = _Line(self.number, self.offset, raw)
        self.offset += len(raw)
        return line

    def take_row(self) -> list[_Line]:
        row, self.row = self.row, []
        return row

    def push_back(self, lines: list[_Line]) -> None:
        self.pushed.extendleft(reversed(lines))


def _bad_byte(lines: list[_Line]) -> str | None:
    """E005 with the absolute byte offset of the first undecodable byte of a row, if any."""
    for line in lines:
        try:
            line.raw.decode("utf-8")
        except UnicodeDecodeError as err:
            return Errors.E005.format(position=line.offset + err.start, detail=err.reason)
    return None


def _csv_records(lines: _CsvLines) -> Iterator[tuple[list[str] | str, list[_Line]]]:
    """(fields, raw lines) per record, or (why it is malformed, its first line)."""
    while True:
        reader = csv.reader(lines, strict=True)
        try:
            for fields in reader:
                yield fields, lines.take_row()
            return
        except csv.Error as err:
            # Report the record's first line only; the lines it swallowed are parsed again.
            row = lines.take_row()
            lines.push_back(row[1:])
            yield Errors.E018.format(detail=err), row[:1]


# Columns only claimtrace's own CSV of statements has (claimtrace.formats.COLUMNS).
STATEMENT_COLUMNS = ("statement_id", "attribution_id", "sentence_index")


def _csv_origin(path: Path, number: int, first: _Line) -> str:
    return f"{path}:row{number}(line{first.number},byte{first.offset})"


def _csv_header(records: Iterator, path: Path) -> list[str] | ArticleError:
    fields, lines = next(records, ([], []))
    problem = fields if isinstance(fields, str) else _bad_byte(lines)
    if problem is not None:
        return _error(Errors.E008.format(detail=f"header: {problem}"), None, str(path))
    repeated = sorted({name for name in fields if fields.count(name) > 1})
    if repeated:  # "id,text,text": a row would silently keep the last of the two values
        return _error(Errors.E025.format(columns=", ".join(repeated)), None, str(path))
    if set(STATEMENT_COLUMNS) <= set(fields):  # its "text" is a sentence, not an article
        return _error(Errors.E028, None, str(path))
    if "text" not in fields:
        reason = Errors.E009.format(columns=", ".join(fields) or "none: the file is empty")
        if len(fields) == 1 and any(mark in fields[0] for mark in ";\t|"):
            reason += "; claimtrace reads comma-separated CSV, and this header is one field"
        return _error(reason, None, str(path))
    return fields


def _csv_row(header: list[str], fields: list[str] | str, lines: list[_Line],
             origin: str) -> Article | ArticleError:
    problem = fields if isinstance(fields, str) else _bad_byte(lines)
    too_wide = len(fields) > len(header) if problem is None else False
    if too_wide or (problem is None and len(lines) > 1 and len(fields) != len(header)):
        # Extra fields, or a record that spans lines with the wrong width: rows merged by a
        # stray quotation mark, never a row to take silently.
        why = ("a stray or unterminated quotation mark probably merged rows" if len(lines) > 1
               else "a comma inside a field that is not quoted?")
        problem = Errors.E019.format(count=len(fields), expected=len(header), why=why)
    if problem is not None:
        return _error(problem, None, origin)
    return make_article(dict(zip(header, fields, strict=False)), origin)


def allow_long_csv_fields() -> None:
    """Let the csv module read fields of up to 1 GiB: Wikinews texts run to 20,000 words,
    and the default limit (128 KiB) is too small."""
    csv.field_size_limit(1 << 30)


def read_csv(path: Path) -> Iterator[Article | ArticleError]:
    allow_long_csv_fields()
    with path.open("rb") as handle:
        records = _csv_records(_CsvLines(handle))
        header = _csv_header(records, path)
        if isinstance(header, ArticleError):
            yield header
            return
        number = 0
        for fields, lines in records:
            if fields == []:
                continue  # a blank line carries no row
            number += 1
            yield _csv_row(header, fields, lines, _csv_origin(path, number, lines[0]))


def _txt_id(path: Path, root: Path | None) -> str:
    return path.relative_to(root).with_suffix("").as_posix() if root else path.stem


def _not_regular(path: Path) -> str | None:
    """Why `path` is not a readable regular file (checked before opening: a FIFO would hang)."""
    try:
        mode = os.stat(path).st_mode  # follows links: a link to a regular file is fine
    except OSError as err:
        if os.path.islink(path):
            kind = "a symbolic link loop" if err.errno == errno.ELOOP else "a broken symbolic link"
            return Errors.E016.format(kind=kind)
        return Errors.E008.format(detail=err.strerror or err)
    if stat.S_ISREG(mode):
        return None
    return Errors.E016.format(kind=_file_kind(mode))


def _file_kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a directory", stat.S_ISFIFO: "a FIFO (named pipe)",
             stat.S_ISSOCK: "a socket", stat.S_ISCHR: "a character device",
             stat.S_ISBLK: "a block device"}
    return next((name for test, name in kinds.items() if test(mode)), "not a regular file")


def _read_regular(path: Path) -> bytes | str:
    """The file's bytes, or why they could not be read."""
    problem = _not_regular(path)
    if problem is not None:
        return problem
    try:
        # O_NONBLOCK: should the entry have become a FIFO since the check, do not wait on it.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as err:
        return Errors.E008.format(detail=err.strerror or err)


def read_txt(path: Path, root: Path | None = None) -> Iterator[Article | ArticleError]:
    """A plain-text article; in a folder its id is the relative path without extension."""
    name = _txt_id(path, root)
    data = _read_regular(path)
    if isinstance(data, str):
        yield _error(data, name, str(path))
        return
    decoded = _decode(data, str(path))
    if isinstance(decoded, ArticleError):
        yield ArticleError(decoded.stage, decoded.reason, printable(name), decoded.origin)
        return
    yield make_article({"id": name, "text": decoded}, str(path))


def _walk_error(err: OSError) -> None:
    raise err


def folder_entries(path: Path) -> Iterator[Path | ArticleError]:
    """Every entry named ``*.txt`` under `path`, in sorted order; unreadable sub-folders as
    errors. Symbolic links to folders are not followed (a link loop would never end), and
    each is an error, so the articles it holds are not lost unseen."""
    found: list[Path] = []
    problems: list[ArticleError] = []

    def unreadable(err: OSError) -> None:
        where = err.filename or path
        problems.append(_error(Errors.E008.format(detail=err.strerror or err), None, str(where)))

    for folder, dirs, files in os.walk(path, onerror=unreadable, followlinks=False):
        # A directory named x.txt (or a link to one) is an entry too: it gets its error.
        found.extend(Path(folder, n) for n in files + dirs if n.lower().endswith(".txt"))
        problems.extend(_error(Errors.E026, None, str(Path(folder, n))) for n in dirs
                        if not n.lower().endswith(".txt") and Path(folder, n).is_symlink())
    yield from problems
    yield from sorted(found, key=lambda p: p.relative_to(path).parts)


def read_folder(path: Path) -> Iterator[Article | ArticleError]:
    for entry in folder_entries(path):
        if isinstance(entry, ArticleError):
            yield entry
        else:
            yield from read_txt(entry, root=path)


def input_kind(source: str | Path) -> str | None:
    """``stdin``, ``folder``, ``jsonl.gz``, ``jsonl``, ``csv`` or ``txt``; None if unsupported."""
    if str(source) == "-":
        return "stdin"
    if Path(source).is_dir():
        return "folder"
    name = str(source).lower()
    for suffix, kind in ((".jsonl.gz", "jsonl.gz"), (".json.gz", "jsonl.gz"), (".jsonl", "jsonl"),
                         (".json", "jsonl"), (".csv", "csv"), (".txt", "txt")):
        if name.endswith(suffix):
            return kind
    return None


READERS = {"stdin": lambda path: read_stdin(), "folder": read_folder, "jsonl.gz": read_jsonl_gz,
           "jsonl": read_jsonl, "csv": read_csv, "txt": read_txt}


def read_articles(source: str | Path) -> Iterator[Article | ArticleError]:
    """Dispatch on the input kind. Unknown kinds raise: that is a usage error, not bad data.

    Once reading has started, a failure of the file itself (an I/O error, a bug in a
    reader) becomes one error for the rest of that file, and the next input goes on.
    """
    kind = input_kind(source)
    if kind is None:
        raise ValueError(Errors.E011.format(path=printable(str(source))))
    if kind != "stdin" and not Path(source).exists():
        raise FileNotFoundError(Errors.E010.format(path=printable(str(source))))
    if kind in {"jsonl", "csv"} and (encoding := _file_wide_encoding(Path(source))):
        # One error for the file: read as UTF-8 lines it would be one per line, all "binary".
        yield _error(Errors.E024.format(encoding=encoding), None, printable(str(source)))
        return
    count = 0
    try:
        for item in READERS[kind](Path(source)):
            count += 1
            yield item
    except Exception as err:  # noqa: BLE001 — lose the rest of one file, not the batch
        log.debug("reading %s failed", source, exc_info=True)
        detail = f"{type(err).__name__}: {err}"
        yield _error(Errors.E017.format(count=count, detail=detail), None,
                     f"{source}:after-item-{count}")


def _file_wide_encoding(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return wide_encoding(handle.read(4))
    except OSError:  # the reader says what is wrong with the file
        return None


def article_identity(item: object) -> tuple[str, str] | None:
    """(id, origin) of an article, or of a previous stage's state (a dict holding one, as
    `runner.read_states` checked it); None for an error."""
    if isinstance(item, Article):
        return item.id, item.origin
    if isinstance(item, dict):
        return item["article"]["id"], item["article"]["origin"]
    return None


def deduplicate(items: Iterable, stage: str = "ingest") -> Iterator:
    """Keep the first article of each id; later copies become errors, never silent drops.
    Raw inputs and stage files alike: a stage file with one article twice would otherwise
    give two records under one statement id."""
    first_seen: dict[str, str] = {}
    for item in items:
        identity = article_identity(item)
        if identity is not None:
            article_id, origin = identity
            if article_id in first_seen:
                reason = Errors.E006.format(article_id=article_id,
                                            first_seen=first_seen[article_id])
                yield ArticleError(stage, reason, article_id, origin)
                continue
            first_seen[article_id] = origin
        yield item


def ingest(sources: Iterable[str | Path]) -> Iterator[Article | ArticleError]:
    """All sources, in order, deduplicated across them."""

    def chained() -> Iterator[Article | ArticleError]:
        for source in sources:
            yield from read_articles(source)

    yield from deduplicate(chained())

