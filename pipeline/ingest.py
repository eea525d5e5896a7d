"""Stage 1 — ingest: read article dumps, normalise records, give every article a stable id.

Readers are generators, so a dump of any size streams through in constant memory. Every
input item comes out either as an `Article` or as an `ArticleError` with a plain reason:
nothing is dropped silently.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from claimtrace.errors import Errors
from claimtrace.pipeline.dates import normalise_date

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


def _clean_optional(value: object) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _published(raw: dict) -> dict[str, str | None]:
    raw_date = next((value for name in DATE_FIELDS
                     if (value := _clean_optional(raw.get(name))) is not None), None)
    return {"published": normalise_date(raw_date), "published_raw": raw_date}


def make_article(raw: dict, origin: str) -> Article | ArticleError:
    """Validate one raw record (from any reader) and normalise it."""
    if "text" not in raw:
        return ArticleError("ingest", Errors.E002, _clean_optional(raw.get("id")), origin)
    text = raw["text"]
    if not isinstance(text, str):
        reason = Errors.E004.format(type_name=type(text).__name__)
        return ArticleError("ingest", reason, _clean_optional(raw.get("id")), origin)
    if not text.strip():
        return ArticleError("ingest", Errors.E003, _clean_optional(raw.get("id")), origin)
    if "\x00" in text:
        return ArticleError("ingest", Errors.E012, _clean_optional(raw.get("id")), origin)
    article_id = _clean_optional(raw.get("id")) or stable_id(text)
    optional = {name: _clean_optional(raw.get(name)) for name in OPTIONAL_FIELDS}
    optional.update(_published(raw))
    return Article(id=article_id, text=text, sha256=text_sha256(text), origin=origin, **optional)


def _decode(data: bytes, origin: str) -> str | ArticleError:
    if b"\x00" in data:
        return ArticleError("ingest", Errors.E012, origin=origin)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        reason = Errors.E005.format(position=err.start, detail=err.reason)
        return ArticleError("ingest", reason, origin=origin)


def _read_json_lines(lines: Iterable[bytes], name: str) -> Iterator[Article | ArticleError]:
    for number, line in enumerate(lines, start=1):
        origin = f"{name}:{number}"
        decoded = _decode(line, origin)
        if isinstance(decoded, ArticleError):
            yield decoded
            continue
        if not decoded.strip():
            continue  # blank lines separate nothing and carry no article
        try:
            raw = json.loads(decoded)
        except json.JSONDecodeError as err:
            yield ArticleError("ingest", Errors.E001.format(line=number, detail=err.msg),
                               origin=origin)
            continue
        if not isinstance(raw, dict):
            yield ArticleError("ingest", Errors.E007.format(type_name=type(raw).__name__),
                               origin=origin)
            continue
        yield make_article(raw, origin)


def read_jsonl(path: Path) -> Iterator[Article | ArticleError]:
    with path.open("rb") as handle:
        yield from _read_json_lines(handle, path.name)


def read_jsonl_gz(path: Path) -> Iterator[Article | ArticleError]:
    count = 0
    try:
        with gzip.open(path, "rb") as handle:
            for item in _read_json_lines(handle, path.name):
                count += 1
                yield item
    except (EOFError, OSError, zlib.error) as err:
        # A truncated download: keep what was readable, report the rest once.
        yield ArticleError("ingest", Errors.E013.format(count=count, detail=err),
                           origin=f"{path.name}:after-line-{count}")


def read_stdin() -> Iterator[Article | ArticleError]:
    yield from _read_json_lines(sys.stdin.buffer, "<stdin>")


def read_csv(path: Path) -> Iterator[Article | ArticleError]:
    with path.open("rb") as binary:
        reader_text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
        reader = csv.DictReader(reader_text)
        # Wikinews texts run to 20,000 words; the default field limit (128 KiB) is too small.
        csv.field_size_limit(1 << 30)
        number = 1
        try:
            if reader.fieldnames is None or "text" not in reader.fieldnames:
                columns = ", ".join(reader.fieldnames or [])
                yield ArticleError("ingest", Errors.E009.format(columns=columns),
                                   origin=path.name)
                return
            for number, row in enumerate(reader, start=2):  # line 1 is the header
                yield make_article(row, f"{path.name}:row{number - 1}")
        except UnicodeDecodeError as err:
            reason = Errors.E005.format(position=err.start, detail=err.reason)
            yield ArticleError("ingest", reason, origin=f"{path.name}:after-row{number - 1}")
        except csv.Error as err:
            yield ArticleError("ingest", Errors.E008.format(detail=err), origin=path.name)


def read_txt(path: Path, root: Path | None = None) -> Iterator[Article | ArticleError]:
    """A plain-text article; in a folder its id is the relative path without extension."""
    name = path.relative_to(root).with_suffix("").as_posix() if root else path.stem
    decoded = _decode(path.read_bytes(), str(path))
    if isinstance(decoded, ArticleError):
        yield ArticleError(decoded.stage, decoded.reason, name, decoded.origin)
        return
    yield make_article({"id": name, "text": decoded}, str(path))


def read_folder(path: Path) -> Iterator[Article | ArticleError]:
    for file in sorted(path.rglob("*.txt")):
        yield from read_txt(file, root=path)


def read_articles(source: str | Path) -> Iterator[Article | ArticleError]:
    """Dispatch on the input kind. Unknown kinds raise: that is a usage error, not bad data."""
    if str(source) == "-":
        yield from read_stdin()
        return
    path = Path(source)
    if not path.exists():
        raise FileNotFoundError(Errors.E010.format(path=path))
    name = path.name.lower()
    if path.is_dir():
        yield from read_folder(path)
    elif name.endswith(".jsonl.gz") or name.endswith(".json.gz"):
        yield from read_jsonl_gz(path)
    elif name.endswith(".jsonl") or name.endswith(".json"):
        yield from read_jsonl(path)
    elif name.endswith(".csv"):
        yield from read_csv(path)
    elif name.endswith(".txt"):
        yield from read_txt(path)
    else:
        raise ValueError(Errors.E011.format(path=path))


def deduplicate(items: Iterable[Article | ArticleError]) -> Iterator[Article | ArticleError]:
    """Keep the first article of each id; later copies become errors, never silent drops."""
    first_seen: dict[str, str] = {}
    for item in items:
        if isinstance(item, Article):
            if item.id in first_seen:
                reason = Errors.E006.format(article_id=item.id, first_seen=first_seen[item.id])
                yield ArticleError("ingest", reason, item.id, item.origin)
                continue
            first_seen[item.id] = item.origin
        yield item


def ingest(sources: Iterable[str | Path]) -> Iterator[Article | ArticleError]:
    """All sources, in order, deduplicated across them."""

    def chained() -> Iterator[Article | ArticleError]:
        for source in sources:
            yield from read_articles(source)

    yield from deduplicate(chained())

