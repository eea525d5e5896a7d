"""Stream articles through a stage (or all of them) and write JSONL plus its side files.

Every input item ends up in exactly one place: the stage's output (all the article's
records, written in one piece) or the errors file, with the stage and a plain reason.
One bad article never stops the run.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from claimtrace.errors import ClaimtraceError, Errors, json_error_detail
from claimtrace.pipeline.checkpoint import (
    OutputFiles,
    errors_path_for,
    progress_path_for,
    run_fingerprint,
    skip_done,
    summary_path_for,
)
from claimtrace.pipeline.export import doc_to_statements
from claimtrace.pipeline.ingest import (
    Article,
    ArticleError,
    article_identity,
    decode_utf8,
    deduplicate,
    ingest,
    input_kind,
    make_article,
    printable,
)
from claimtrace.pipeline.nlp import (
    build_nlp,
    claim_model_available,
    model_versions,
    parse_batch_size,
)
from claimtrace.pipeline.split import sentence_spans
from claimtrace.pipeline.state import STATE_SCHEMA, StateError, doc_to_state, restore_doc
from claimtrace.schema import SCHEMA_ID
from claimtrace.settings import RunSettings

log = logging.getLogger(__name__)

DEFAULT_OUTPUTS = {
    "ingest": "articles.jsonl", "split": "sentences.jsonl", "attribute": "attributions.jsonl",
    "classify": "claims.jsonl", "export": "statements.jsonl", "run": "statements.jsonl",
}
PROGRESS_DELAY_SECONDS = 1.0  # the bar appears only on runs longer than a few articles


@dataclass
class Summary:
    stage: str
    articles: int = 0  # input items seen, good or bad
    processed: int = 0
    sentences: int = 0
    records: int = 0
    errors: int = 0
    skipped: int = 0  # already complete in the output (--resume)
    seconds: float = 0.0
    error_reasons: dict[str, int] = field(default_factory=dict)
    settings: dict = field(default_factory=dict)  # RunSettings.to_dict() of the run
    # Ids of the articles this run processed that hold no statement (no attribution and no
    # check-worthy sentence): in neither the output nor the errors file, so named here.
    no_statements: list[str] = field(default_factory=list)

    @property
    def articles_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        noun = "statements" if self.stage in {"run", "export"} else "records"
        empty = " (the input holds no articles)" if self.articles == self.skipped == 0 else ""
        return (f"claimtrace {self.stage}: {self.articles} articles{empty}, "
                f"{self.processed} processed, "
                f"{self.sentences} sentences, {self.records} {noun}, {self.errors} errors, "
                f"{self.skipped} skipped as done, "
                f"{self.seconds:.1f} s, {self.articles_per_second:.2f} articles/s")

    def to_dict(self) -> dict:
        return {"stage": self.stage, "articles": self.articles, "processed": self.processed,
                "sentences": self.sentences, "records": self.records, "errors": self.errors,
                "skipped": self.skipped,
                "seconds": round(self.seconds, 3),
                "articles_per_second": round(self.articles_per_second, 3),
                "error_reasons": self.error_reasons, "no_statements": self.no_statements,
                "settings": self.settings}


# ---------------------------------------------------------------- reading inputs


def _state_or_error(line: bytes, name: str, number: int) -> dict | ArticleError:
    """One line of a previous stage's file: a state whose article is valid, or why not."""
    origin = f"{name}:{number}"
    try:
        state = json.loads(decode_utf8(line))  # a BOM as ingest reads it: dropped
    except UnicodeDecodeError as err:
        reason = Errors.E005.format(position=err.start, detail=err.reason)
        return ArticleError("read", reason, origin=printable(origin))
    except (ValueError, RecursionError) as err:  # bad JSON, bad UTF-8, huge ints, deep nests
        detail = json_error_detail(err)
        return ArticleError("read", Errors.E001.format(line=number, detail=detail),
                            origin=printable(origin))
    article = state.get("article") if isinstance(state, dict) else None
    if not isinstance(article, dict) or _is_statement(state):
        return ArticleError("read", _not_a_state(state), origin=printable(origin))
    checked = make_article(article, origin)
    if isinstance(checked, ArticleError):
        return ArticleError("read", checked.reason, checked.article_id, checked.origin)
    if article.get("sha256") not in (None, checked.sha256):  # offsets index the recorded text
        return ArticleError("read", Errors.E075, checked.id, printable(origin))
    # The article as the previous stage wrote it (origin included), with valid fields only.
    origin = article.get("origin")
    kept = printable(origin) if isinstance(origin, str) and origin else checked.origin
    state["article"] = {**checked.to_dict(), "origin": kept}
    return state


def _is_statement(line: dict) -> bool:
    return str(line.get("schema", "")).startswith(SCHEMA_ID.split("@")[0])  # any version


def _not_a_state(line: object) -> str:
    """Why a line is no stage state, naming what it looks like where it is a known kind."""
    if isinstance(line, dict) and _is_statement(line):
        return Errors.E082.format(
            what="a statement record (the output of run or export)",
            advice="give a stage the file the stage before it wrote")
    if isinstance(line, dict) and "text" in line:
        return Errors.E082.format(
            what="a raw article (it has 'text' and no 'article')",
            advice="run `claimtrace ingest` on the file first, or `claimtrace run`")
    return Errors.E021.format(stage="input", field="article")


def read_states(path: str | Path) -> Iterator[ArticleError | dict]:
    """The previous stage's JSONL: states as dicts, bad lines as errors."""
    handle = sys.stdin.buffer if str(path) == "-" else Path(path).open("rb")
    name = "<stdin>" if str(path) == "-" else str(path)
    with handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield _state_or_error(line, name, number)


# ---------------------------------------------------------------- processing


def _too_long(article: Article, settings: RunSettings) -> ArticleError | None:
    if len(article.text) <= settings.max_chars:
        return None
    reason = (f"article has {len(article.text):,} characters, over the limit of "
              f"{settings.max_chars:,} (--max-chars); split it or raise the limit")
    return ArticleError("split", reason, article.id, article.origin)


def _wrong_language(article: Article, settings: RunSettings) -> ArticleError | None:
    if settings.languages is None:
        return None
    from claimtrace.pipeline.language import detect_language

    detected = detect_language(article.text)
    if detected.language in settings.languages:
        return None
    reason = Errors.E022.format(language=detected.language or "unknown",
                                probability=detected.probability,
                                allowed=",".join(settings.languages))
    return ArticleError("ingest", reason, article.id, article.origin)


def _make_doc(nlp: Language, item: Article | dict) -> Doc:
    if isinstance(item, dict):
        doc = restore_doc(nlp.make_doc, item)
    else:
        doc = nlp.make_doc(item.text)
        doc._.article = item
    # Provenance: the models of earlier stages (from the state) plus this stage's.
    doc._.models = {**(doc._.models or {}), **model_versions(nlp)}
    return doc


def _output_records(doc: Doc, stage: str, settings: RunSettings) -> list[dict]:
    if stage in {"run", "export"}:
        return doc_to_statements(doc, settings)
    return [doc_to_state(doc, stage)]


@dataclass
class Outcome:
    """What became of one input item: its records, or its error. `key` names it for resume."""

    key: str
    records: list[dict] = field(default_factory=list)
    sentences: int = 0
    error: ArticleError | None = None


def item_key(item: Article | ArticleError | dict) -> str:
    """Stable name of an input item across runs of the same input (ids, or the input line)."""
    identity = article_identity(item)
    if identity is None:
        return f"error:{item.origin}:{item.article_id}"
    return f"article:{identity[0]}"


def _process_batch(nlp: Language, batch: list[Article | dict], stage: str,
                   settings: RunSettings) -> Iterator[tuple[Doc | None, ArticleError | None]]:
    """Process a batch together; if it fails, again one by one to isolate the bad article."""
    try:
        docs = list(nlp.pipe([_make_doc(nlp, item) for item in batch],
                             batch_size=parse_batch_size(settings)))
        yield from ((doc, None) for doc in docs)
        return
    except Exception:  # noqa: BLE001 — isolate below, then report per article
        log.debug("batch failed; retrying article by article", exc_info=True)
    for item in batch:
        try:
            yield nlp(_make_doc(nlp, item)), None
        except Exception as err:  # noqa: BLE001 — one article's failure is reported, not fatal
            yield None, failure(item, stage, err)


def _article_of(item: Article | dict) -> Article:
    return item if isinstance(item, Article) else Article.from_dict(item["article"])


# The stage whose output each stage reads.
PREVIOUS_STAGE = {"split": "ingest", "attribute": "split", "classify": "attribute",
                  "export": "classify"}


def _out_of_order(item: Article | dict, article: Article, stage: str) -> ArticleError | None:
    """A state another stage wrote ("export" given ingest's file) would pass through with
    nothing done to it: no statements, no word why."""
    if not isinstance(item, dict) or stage not in PREVIOUS_STAGE:
        return None
    found, expected = item.get("stage"), PREVIOUS_STAGE[stage]
    if found == expected:
        return None
    reason = Errors.E078.format(found=printable(str(found)), stage=stage, expected=expected)
    return ArticleError("read", reason, article.id, article.origin)


def failure(item: Article | dict, stage: str, err: Exception) -> ArticleError:
    article = _article_of(item)
    if isinstance(err, StateError):  # the line's own fault, said in words
        reason = Errors.E081.format(detail=err)
    else:
        reason = Errors.E020.format(stage=stage, detail=f"{type(err).__name__}: {err}")
    return ArticleError(stage, reason, article.id, article.origin)


def _finish(item: Article | dict, doc: Doc, stage: str, settings: RunSettings) -> Outcome:
    """The article's records; a malformed annotation (say, from a hand-edited intermediate
    file) that breaks the export is this article's error."""
    try:
        return Outcome(item_key(item), _output_records(doc, stage, settings),
                       len(sentence_spans(doc)))
    except Exception as err:  # noqa: BLE001 — one article's failure is reported, not fatal
        log.debug("records of %s failed", item_key(item), exc_info=True)
        return Outcome(item_key(item), error=failure(item, stage, err))


def _ingest_outcome(article: Article) -> Outcome:
    state = {"schema": STATE_SCHEMA, "stage": "ingest", "article": article.to_dict(),
             "models": {}}
    return Outcome(item_key(article), [state])


def process(items: Iterable[Article | ArticleError | dict], nlp: Language | None, stage: str,
            settings: RunSettings) -> Iterator[Outcome]:
    """Yield, in input order, one `Outcome` per input item."""
    pending: list[Article | dict] = []

    def flush() -> Iterator[Outcome]:
        results = _process_batch(nlp, pending, stage, settings)
        for item, (doc, error) in zip(pending, results, strict=True):
            if error is not None:
                yield Outcome(item_key(item), error=error)
            else:
                yield _finish(item, doc, stage, settings)
        pending.clear()

    for item in items:
        if isinstance(item, ArticleError):
            yield from flush()  # keep output order equal to input order
            yield Outcome(item_key(item), error=item)
            continue
        if stage == "ingest":
            yield _ingest_outcome(item)
            continue
        article = _article_of(item)
        error = (_out_of_order(item, article, stage) or _too_long(article, settings)
                 or _wrong_language(article, settings))
        if error is not None:
            yield from flush()
            yield Outcome(item_key(item), error=error)
            continue
        pending.append(item)
        if len(pending) >= settings.batch_size:
            yield from flush()
    yield from flush()


# ---------------------------------------------------------------- checking the arguments
# Everything here runs before any output is opened or any model loaded, and raises
# ClaimtraceError with one line that names the bad value (the CLI exits 2 with it).

STDOUT_NAMES = {"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare the paths
        return os.path.abspath(a) == os.path.abspath(b)


def _check_stdin(inputs: list[str]) -> os.stat_result:
    """Stdin is given once and can be read; what it reads (a file, a pipe)."""
    if inputs.count("-") > 1:
        raise ClaimtraceError(Errors.E059)
    try:
        stdin = sys.stdin.buffer if sys.stdin is not None else None
        if stdin is None or stdin.closed:
            raise ValueError("closed")
        return os.fstat(stdin.fileno())
    except (OSError, ValueError, AttributeError) as err:
        raise ClaimtraceError(Errors.E058) from err


def _check_input(source: str, stage: str) -> None:
    """The input exists, is readable, and is of a kind the stage reads."""
    shown = printable(source)
    try:
        info = os.stat(source)
    except OSError as err:
        raise ClaimtraceError(Errors.E010.format(path=shown)) from err
    kind = input_kind(source)
    if stage not in {"run", "ingest"} and kind in {"folder", "csv", "txt", "jsonl.gz"}:
        shown_kind = {"folder": "a folder", "jsonl.gz": "a gzip file"}.get(kind, f"a {kind} file")
        raise ClaimtraceError(Errors.E074.format(stage=stage, kind=shown_kind, path=shown))
    if stage in {"run", "ingest"} and kind is None:
        raise ClaimtraceError(Errors.E011.format(path=shown))
    folder_ok = stage in {"run", "ingest"} and stat.S_ISDIR(info.st_mode)
    if not (stat.S_ISREG(info.st_mode) or folder_ok):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, FIFO or socket"
        raise ClaimtraceError(Errors.E060.format(path=shown, kind=kind))
    if not os.access(source, os.R_OK | (os.X_OK if folder_ok else 0)):
        raise ClaimtraceError(Errors.E061.format(path=shown, detail="permission denied"))


def _check_target(role: str, path: Path) -> None:
    """An output or side file: a regular file or nothing yet, and never a link."""
    if path.is_symlink():
        raise ClaimtraceError(Errors.E055.format(role=role, path=path))
    if path.is_dir():
        raise ClaimtraceError(Errors.E053.format(path=path))
    if path.exists() and not path.is_file():
        raise ClaimtraceError(Errors.E056.format(path=path))
    if path.exists() and not os.access(path, os.W_OK):  # before the run, not at its end
        raise ClaimtraceError(Errors.E062.format(path=path, detail="permission denied"))


def _check_parent(output: Path) -> None:
    """The output's folder exists or can be made, and can be written."""
    parent = output.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise ClaimtraceError(Errors.E054.format(path=output, parent=parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ClaimtraceError(Errors.E068.format(parent=parent, detail="permission denied"))


def run_files(output: Path) -> dict[str, Path]:
    return {"the output": output, "the errors file": errors_path_for(output),
            "the summary": summary_path_for(output), "the progress log": progress_path_for(output)}


def _check_collisions(inputs: list[str], output: Path,
                      stdin: os.stat_result | None = None) -> None:
    """No file this run writes may be one it reads (``stdin``: what '-' reads), or be read
    from an input folder."""
    if stdin is not None and stat.S_ISREG(stdin.st_mode):
        for role, path in run_files(output).items():
            try:  # "-o out.jsonl < out.jsonl": opening the output would empty stdin's file
                info = os.stat(path)
            except OSError:
                continue  # not there yet: it cannot be what stdin reads
            if (info.st_dev, info.st_ino) == (stdin.st_dev, stdin.st_ino):
                raise ClaimtraceError(Errors.E051.format(role=role, path=path))
    for source in (s for s in inputs if s != "-"):
        folder = Path(source).is_dir()
        for role, path in run_files(output).items():
            if folder and _inside(path, Path(source)):
                raise ClaimtraceError(Errors.E052.format(role=role, path=path, folder=source))
            if not folder and _same_file(Path(source), path):
                raise ClaimtraceError(Errors.E051.format(role=role, path=path))


def _inside(path: Path, folder: Path) -> bool:
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))


def check_arguments(stage: str, inputs: list[str], output: Path, resume: bool) -> None:
    """Every argument of a run, before anything is opened: raise ClaimtraceError if bad."""
    if str(output) in STDOUT_NAMES:
        raise ClaimtraceError(Errors.E057.format(path=output))
    if not output.name:  # "", ".", "/": a folder, and no name for the side files
        raise ClaimtraceError(Errors.E053.format(path=str(output) or "''"))
    if stage != "run" and output.name.lower().endswith(".gz"):  # `run` compresses at the end
        raise ClaimtraceError(Errors.E073.format(stage=stage, path=output))
    stdin = _check_stdin(inputs) if "-" in inputs else None
    if stdin is not None and resume:
        raise ClaimtraceError(Errors.E067)
    for source in inputs:
        if source != "-":
            _check_input(source, stage)
    for role, path in run_files(output).items():
        _check_target(role, path)
    _check_parent(output)
    _check_collisions(inputs, output, stdin)


# ---------------------------------------------------------------- writing


def _jsonl(records: Iterable[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def _error_bytes(error: ArticleError) -> bytes:
    """An error record always writes: odd strings in it are shown as escapes."""
    record = {k: printable(v) if isinstance(v, str) else v for k, v in error.to_dict().items()}
    try:
        return _jsonl([record])
    except (TypeError, ValueError, UnicodeEncodeError):  # an exotic value in `extra`
        return _jsonl([{k: printable(str(v)) for k, v in record.items()}])


# Ids, quoted values, parenthesised details and numbers: what differs between errors of one kind.
_REASON_VALUES = re.compile(r"'[^']*'|\([^)]*\)|\d[\d,.]*")


def reason_kind(reason: str) -> str:
    """The kind of an error, for the summary's counts: its words before the detail, values
    left out ("line … is not valid JSON", "duplicate article id … …; later copy skipped")."""
    head = _REASON_VALUES.sub("…", reason).split(": ")[0]
    return " ".join(head.split())[:80]


def _count_error(error: ArticleError, summary: Summary) -> None:
    summary.errors += 1
    key = reason_kind(error.reason)
    summary.error_reasons[key] = summary.error_reasons.get(key, 0) + 1


def encode_outcome(outcome: Outcome, summary: Summary) -> tuple[bytes, bytes]:
    """The output and errors bytes of one outcome, counted in `summary`.

    An article whose records cannot be written (a value UTF-8 cannot encode) becomes an
    error record instead: one article's failure, never the run's.
    """
    summary.articles += 1
    if outcome.error is None:
        try:
            records = _jsonl(outcome.records)
        except (TypeError, ValueError, UnicodeEncodeError, RecursionError) as err:
            article_id = outcome.key.removeprefix("article:")
            reason = Errors.E020.format(stage="write", detail=f"{type(err).__name__}: {err}")
            outcome = Outcome(outcome.key, error=ArticleError("write", reason, article_id))
        else:
            summary.processed += 1
            summary.records += len(outcome.records)
            if not outcome.records and summary.stage in {"run", "export"}:
                summary.no_statements.append(outcome.key.removeprefix("article:"))
            summary.sentences += outcome.sentences
            return records, b""
    _count_error(outcome.error, summary)
    return b"", _error_bytes(outcome.error)


def _items(stage: str, inputs: list[str | Path]) -> Iterable:
    if stage in {"run", "ingest"}:
        return ingest(inputs)
    return deduplicate((item for path in inputs for item in read_states(path)), "read")


def _outcomes(items: Iterable, stage: str, settings: RunSettings, nlp: Language | None,
              workers: int) -> Iterator[Outcome]:
    if workers > 1:
        from claimtrace.pipeline.parallel import process_in_workers

        return process_in_workers(items, stage, settings, workers)
    if nlp is None and stage != "ingest":
        nlp = load_pipeline(settings, stage)
    return process(items, nlp, stage, settings)


def load_pipeline(settings: RunSettings, stage: str) -> Language:
    """The stage's pipeline with every model loaded now, not at the first article: a missing
    or corrupted model is a set-up error of the run (exit 2), not an error per article."""
    nlp = build_nlp(settings, stage)
    nlp("The mayor said the park would reopen.")  # models load lazily on first use
    return nlp


def verify_models(settings: RunSettings, stage: str) -> None:
    """Check every model artifact the stage will load against its manifest, without loading
    it: with --workers the workers load the models, after the output files are open."""
    from claimtrace.artifacts import verify_artifact

    folders = []
    if stage in {"attribute", "run"} and settings.attribution_method != "rules":
        folders.append(settings.attribution_model)
    if stage in {"classify", "run"} and claim_model_available(settings):
        folders.append(settings.claim_model)  # the same test build_nlp uses to add it
    for folder in folders:
        verify_artifact(folder)


def open_run_files(stage: str, inputs: list[str | Path], output: Path, settings: RunSettings,
                   resume: bool) -> OutputFiles:
    """Check the arguments, then open and lock the run's files (resuming if asked)."""
    inputs = [str(s) for s in inputs]
    check_arguments(stage, inputs, output, resume)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a broken or looping link on the way, /proc, /sys
        detail = ("a link to nowhere or to itself is on the way"
                  if isinstance(err, FileExistsError) else err.strerror or str(err))
        raise ClaimtraceError(Errors.E068.format(
            parent=printable(str(output.parent)), detail=detail)) from err
    fingerprint = run_fingerprint(stage, [s for s in inputs if s != "-"], settings.to_dict())
    return OutputFiles(output, fingerprint, resume)


def run_stage(stage: str, inputs: list[str | Path], output: Path, settings: RunSettings,
              nlp: Language | None = None, workers: int = 1, resume: bool = False) -> Summary:
    """Run one stage (or ``run`` = all stages) from inputs to ``output`` and its side files.

    Each article's records are written in one piece and then logged as done, so a killed
    run can continue with ``resume=True`` and every article lands exactly once. Raises
    ClaimtraceError, before writing anything, for bad arguments or a refused resume.
    """
    started = time.perf_counter()
    summary = Summary(stage, settings=settings.to_dict())
    check_arguments(stage, [str(s) for s in inputs], output, resume)
    if nlp is None and workers == 1 and stage != "ingest":
        nlp = load_pipeline(settings, stage)  # a bad model fails before any file is touched
    elif workers > 1 and stage != "ingest":
        verify_models(settings, stage)  # the workers load them; check them here, first
    with open_run_files(stage, inputs, output, settings, resume) as files:
        marks = files.checkpoint.marks
        items = skip_done(_items(stage, inputs), marks, item_key)
        summary.skipped = len(marks)
        total = _progress_total(inputs, settings, summary.skipped)
        for outcome in _with_progress(_outcomes(items, stage, settings, nlp, workers), settings,
                                      total):
            files.write(outcome.key, *encode_outcome(outcome, summary))
        summary.seconds = time.perf_counter() - started
        files.write_summary(summary.to_dict())
    return summary


def _progress_total(inputs: list[str | Path], settings: RunSettings, done: int) -> int | None:
    """Input items still to do, when the inputs can be counted: the bar then shows an ETA."""
    if not settings.progress:
        return None
    from claimtrace.pipeline.progress import count_inputs

    total = count_inputs(inputs)
    return max(total - done, 0) if total is not None else None


def _with_progress(results: Iterable, settings: RunSettings, total: int | None = None
                   ) -> Iterable:
    if not settings.progress:
        return results
    from tqdm import tqdm

    return tqdm(results, unit="article", delay=PROGRESS_DELAY_SECONDS, file=sys.stderr,
                dynamic_ncols=True, total=total)
