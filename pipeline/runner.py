"""Stream articles through a stage (or all of them) and write JSONL plus ``errors.jsonl``.

Every input item ends up in exactly one place: the stage's output (all the article's
records, written in one piece) or the errors file, with the stage and a plain reason.
One bad article never stops the run.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from spacy.language import Language
from spacy.tokens import Doc

from claimtrace.errors import Errors
from claimtrace.pipeline.checkpoint import (
    Checkpoint,
    load_checkpoint,
    log_done,
    progress_path_for,
    rewrite_progress,
    truncate_to,
)
from claimtrace.pipeline.export import doc_to_statements
from claimtrace.pipeline.ingest import Article, ArticleError, ingest
from claimtrace.pipeline.nlp import build_nlp, model_versions
from claimtrace.pipeline.split import sentence_spans
from claimtrace.pipeline.state import STATE_SCHEMA, doc_to_state, restore_doc
from claimtrace.settings import RunSettings

log = logging.getLogger(__name__)

DEFAULT_OUTPUTS = {
    "ingest": "articles.jsonl", "split": "sentences.jsonl", "attribute": "attributions.jsonl",
    "classify": "claims.jsonl", "export": "statements.jsonl", "run": "statements.jsonl",
}
ERRORS_FILE = "errors.jsonl"
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

    @property
    def articles_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        noun = "statements" if self.stage in {"run", "export"} else "records"
        return (f"claimtrace {self.stage}: {self.articles} articles, {self.processed} processed, "
                f"{self.sentences} sentences, {self.records} {noun}, {self.errors} errors, "
                f"{self.skipped} skipped as done, "
                f"{self.seconds:.1f} s, {self.articles_per_second:.2f} articles/s")

    def to_dict(self) -> dict:
        return {"stage": self.stage, "articles": self.articles, "processed": self.processed,
                "sentences": self.sentences, "records": self.records, "errors": self.errors,
                "skipped": self.skipped,
                "seconds": round(self.seconds, 3),
                "articles_per_second": round(self.articles_per_second, 3),
                "error_reasons": self.error_reasons}


# ---------------------------------------------------------------- reading inputs


def read_states(path: str | Path) -> Iterator[Article | ArticleError | dict]:
    """The previous stage's JSONL: states as dicts, bad lines as errors."""
    handle = sys.stdin.buffer if str(path) == "-" else Path(path).open("rb")
    name = "<stdin>" if str(path) == "-" else Path(path).name
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                state = json.loads(line)
                if not isinstance(state, dict) or "article" not in state:
                    raise ValueError(Errors.E021.format(stage="input", field="article"))
                yield state
            except (json.JSONDecodeError, ValueError, UnicodeDecodeError) as err:
                yield ArticleError("read", f"{name}:{number}: {err}", origin=f"{name}:{number}")


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
    if isinstance(item, ArticleError):
        return f"error:{item.origin}:{item.article_id}"
    if isinstance(item, dict):
        return f"article:{item['article']['id']}"
    return f"article:{item.id}"


def _process_batch(nlp: Language, batch: list[Article | dict], stage: str,
                   settings: RunSettings) -> Iterator[tuple[Doc | None, ArticleError | None]]:
    """Process a batch together; if it fails, again one by one to isolate the bad article."""
    try:
        docs = list(nlp.pipe([_make_doc(nlp, item) for item in batch],
                             batch_size=settings.batch_size))
        yield from ((doc, None) for doc in docs)
        return
    except Exception:  # noqa: BLE001 — isolate below, then report per article
        log.debug("batch failed; retrying article by article", exc_info=True)
    for item in batch:
        try:
            yield nlp(_make_doc(nlp, item)), None
        except Exception as err:  # noqa: BLE001 — one article's failure is reported, not fatal
            article = item if isinstance(item, Article) else Article.from_dict(item["article"])
            reason = Errors.E020.format(stage=stage, detail=f"{type(err).__name__}: {err}")
            yield None, ArticleError(stage, reason, article.id, article.origin)


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
                yield Outcome(item_key(item), _output_records(doc, stage, settings),
                              len(sentence_spans(doc)))
        pending.clear()

    for item in items:
        if isinstance(item, ArticleError):
            yield from flush()  # keep output order equal to input order
            yield Outcome(item_key(item), error=item)
            continue
        if stage == "ingest":
            yield _ingest_outcome(item)
            continue
        article = item if isinstance(item, Article) else Article.from_dict(item["article"])
        error = _too_long(article, settings) or _wrong_language(article, settings)
        if error is not None:
            yield from flush()
            yield Outcome(item_key(item), error=error)
            continue
        pending.append(item)
        if len(pending) >= settings.batch_size:
            yield from flush()
    yield from flush()


# ---------------------------------------------------------------- writing


def errors_path_for(output: Path) -> Path:
    return output.parent / ERRORS_FILE


def _write_error(handle: BinaryIO, error: ArticleError, summary: Summary) -> None:
    handle.write((json.dumps(error.to_dict(), ensure_ascii=False) + "\n").encode("utf-8"))
    summary.errors += 1
    key = error.reason.split(":")[0][:60]
    summary.error_reasons[key] = summary.error_reasons.get(key, 0) + 1


def _items(stage: str, inputs: list[str | Path]) -> Iterable:
    if stage in {"run", "ingest"}:
        return ingest(inputs)
    return (item for path in inputs for item in read_states(path))


def _outcomes(items: Iterable, stage: str, settings: RunSettings, nlp: Language | None,
              workers: int) -> Iterator[Outcome]:
    if workers > 1:
        from claimtrace.pipeline.parallel import process_in_workers

        return process_in_workers(items, stage, settings, workers)
    if nlp is None and stage != "ingest":
        nlp = build_nlp(settings, stage)
    return process(items, nlp, stage, settings)


def _open_outputs(stage: str, output: Path, resume: bool) -> tuple[BinaryIO, BinaryIO, BinaryIO,
                                                                      Checkpoint]:
    output.parent.mkdir(parents=True, exist_ok=True)
    errors = errors_path_for(output)
    checkpoint = load_checkpoint(output) if resume else Checkpoint()
    if resume:
        # Cut back to the last complete article: a killed run may have left half of one.
        truncate_to(output, checkpoint.output_offset)
        if checkpoint.errors_offset is not None:
            truncate_to(errors, checkpoint.errors_offset)
        rewrite_progress(output)
        modes = ("ab", "ab", "ab")
    else:
        # The first stage starts a fresh errors file; later stages add theirs to it.
        modes = ("wb", "wb" if stage in {"run", "ingest"} else "ab", "wb")
    handles = (output.open(modes[0]), errors.open(modes[1]),
               progress_path_for(output).open(modes[2]))
    return (*handles, checkpoint)


def run_stage(stage: str, inputs: list[str | Path], output: Path, settings: RunSettings,
              nlp: Language | None = None, workers: int = 1, resume: bool = False) -> Summary:
    """Run one stage (or ``run`` = all stages) from inputs to ``output`` and ``errors.jsonl``.

    Each article's records are written in one piece and then logged as done, so a killed
    run can continue with ``resume=True`` and every article lands exactly once.
    """
    started = time.perf_counter()
    summary = Summary(stage)
    out, errors, progress, checkpoint = _open_outputs(stage, output, resume)
    items = (i for i in _items(stage, inputs) if item_key(i) not in checkpoint.done)
    summary.skipped = len(checkpoint.done)
    total = _progress_total(inputs, settings, summary.skipped)
    with out, errors, progress:
        for outcome in _with_progress(_outcomes(items, stage, settings, nlp, workers), settings,
                                      total):
            record_outcome(outcome, out, errors, summary)
            out.flush()
            errors.flush()
            log_done(progress, outcome.key, out.tell(), errors.tell())
    summary.seconds = time.perf_counter() - started
    return summary


def record_outcome(outcome: Outcome, out: BinaryIO, errors: BinaryIO, summary: Summary) -> None:
    summary.articles += 1
    if outcome.error is not None:
        _write_error(errors, outcome.error, summary)
        return
    summary.processed += 1
    summary.records += len(outcome.records)
    summary.sentences += outcome.sentences
    # All of an article's records in one write: a reader never sees half an article.
    out.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in outcome.records)
              .encode("utf-8"))


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
