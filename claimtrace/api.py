"""The Python API::

    import claimtrace

    pipe = claimtrace.load(attribution="rules", claims=True)
    statements = pipe.extract("The mayor said the bridge would cost $3bn.", title="Bridge")
    for article_statements in pipe.pipe(articles):  # dicts or Articles, streamed
        ...

Statements are the `claimtrace.schema.Statement` pydantic models (``statement@2``); the same
records ``claimtrace run`` writes, built by the same code.
"""

from __future__ import annotations

import logging
import numbers
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Literal

from claimtrace.schema import Statement
from claimtrace.settings import RunSettings

log = logging.getLogger(__name__)

# `claimtrace run` option names that differ from the `RunSettings` field they set.
_OPTION_FIELDS = {"attribution": "attribution_method", "claims": "classify"}
_NOT_OPTIONS = {"progress"}  # the API prints nothing


_FLAGS = {"all_sentences", "classify"}
_COUNTS = {"batch_size", "max_chars", "threads", "models_ahead"}
_PATHS = {"claim_model", "attribution_model"}


def _typed(option: str, name: str, value: Any) -> Any:
    """`value` of the type ``claimtrace run``'s option gives (typer checks the CLI's): a
    string "false" is no False (it is true), "0.5" no score, a str path no Path."""
    if name in _FLAGS and not isinstance(value, bool):
        raise TypeError(f"{option}={value!r}: give True or False")
    if name in _COUNTS and (isinstance(value, bool) or not isinstance(value, numbers.Integral)):
        raise TypeError(f"{option}={value!r}: give a whole number")
    if name == "min_score" and value is not None and (
            isinstance(value, bool) or not isinstance(value, numbers.Real)):
        raise TypeError(f"{option}={value!r}: give a number between 0 and 1, or None")
    if name in _PATHS:
        if not isinstance(value, str | os.PathLike):
            raise TypeError(f"{option}={value!r}: give a folder path")
        return Path(value).expanduser()
    return value


def settings_from_options(**options: Any) -> RunSettings:
    """`RunSettings` from `run`-style keywords (``attribution=``, ``claims=``, ``kinds=``, …)."""
    models_dir = options.pop("models_dir", None)  # both models from one folder
    known = {f.name for f in fields(RunSettings)} - _NOT_OPTIONS
    values: dict[str, Any] = {}
    for option, value in options.items():
        name = _OPTION_FIELDS.get(option, option)
        if name not in known:
            allowed = sorted((known - set(_OPTION_FIELDS.values())) | set(_OPTION_FIELDS))
            raise TypeError(f"claimtrace.load() got an unknown option {option!r}; "
                            f"known: {allowed}")
        values[name] = _typed(option, name, value)
    if isinstance(values.get("kinds"), str):
        values["kinds"] = tuple(v.strip() for v in values["kinds"].split(",") if v.strip())
    if values.get("languages") is not None:  # as --languages reads it
        from claimtrace.pipeline.language import language_codes

        values["languages"] = language_codes(values["languages"])
    settings = RunSettings(progress=False).with_models_dir(models_dir)
    return replace(settings, **values).check()


class Pipeline:
    """spaCy's parse plus claimtrace's components, loaded once; see `load`."""

    def __init__(self, settings: RunSettings) -> None:
        from claimtrace.pipeline.nlp import build_nlp

        self.settings = settings
        self.nlp = build_nlp(settings, "run")

    def extract(self, text: str, *, id: str | None = None, title: str | None = None,  # noqa: A002
                url: str | None = None, published: str | None = None) -> list[Statement]:
        """The statements of one article. Bad input raises ``ValueError`` with the reason."""
        article = {"id": id, "text": text, "title": title, "url": url, "published": published}
        return next(self.pipe([article]))

    def pipe(self, articles: Iterable[Any], *, errors: Literal["raise", "skip"] = "raise",
             on_error: Callable[[dict], Any] | None = None) -> Iterator[list[Statement]]:
        """Each article's statements, in input order, processed in batches as they stream in.

        ``articles`` holds dicts (``text``; optional ``id``, ``title``, ``url``,
        ``published``/``date``/``datePublished``) or `Article`s. An article that cannot be
        processed raises ``ValueError``; with ``errors="skip"`` it yields ``[]`` and logs why,
        and ``on_error`` (if given) receives the record `claimtrace run` writes to
        errors.jsonl (``article_id``, ``origin``, ``stage``, ``reason``), so a caller can
        keep them as a run does.
        """
        from claimtrace.pipeline.runner import process

        if errors not in {"raise", "skip"}:
            raise ValueError(f"errors={errors!r}: use 'raise' or 'skip'")
        # An exception from `articles` itself (a feed that drops) is raised only after the
        # articles read before it are processed and yielded: a batch holds up to
        # batch_size - 1 of them, which would otherwise be lost unseen.
        failed: list[Exception] = []
        for outcome in process(self._articles(articles, failed), self.nlp, "run",
                               self.settings):
            if outcome.error is None:
                yield [Statement.model_validate(record) for record in outcome.records]
                continue
            message = f"{outcome.error.article_id or outcome.error.origin}: {outcome.error.reason}"
            if errors == "raise":
                raise ValueError(message)
            log.warning("skipped article %s", message)
            if on_error is not None:
                on_error(outcome.error.to_dict())
            yield []
        if failed:
            raise failed[0]

    @staticmethod
    def _articles(articles: Iterable[Any], failed: list[Exception]) -> Iterator[Any]:
        """Every item checked as `claimtrace run` checks a line: Articles too (their text
        and sha256 are recomputed, not trusted); an item that is neither, claimtrace's own
        record (a statement, a stage state) or a later copy of an id already seen is that
        item's error, so ``errors="skip"`` goes on past it."""
        from claimtrace.pipeline.ingest import Article, deduplicate

        if isinstance(articles, dict | str | bytes | Article):
            raise TypeError("pipe() takes an iterable of articles; for one, use extract()")
        yield from deduplicate(Pipeline._checked(_until_failure(articles, failed)))

    @staticmethod
    def _checked(articles: Iterable[Any]) -> Iterator[Any]:
        from claimtrace.pipeline.ingest import Article, ArticleError, make_article, raw_article

        for number, item in enumerate(articles, start=1):
            origin = f"<api>:{number}"
            if isinstance(item, Article):
                yield make_article(item.to_dict(), origin)
            elif isinstance(item, dict):
                yield raw_article(item, origin)
            else:
                yield ArticleError("read", f"article {number} is a {type(item).__name__}; "
                                   "give dicts with 'text' or claimtrace Articles",
                                   origin=origin)


def _until_failure(items: Iterable[Any], failed: list[Exception]) -> Iterator[Any]:
    """`items` up to an exception raised while iterating them, which goes into `failed`."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except Exception as err:  # noqa: BLE001 — raised again once the rest is yielded
            failed.append(err)
            return
        yield item


def load(**options: Any) -> Pipeline:
    """A ready pipeline. Options match ``claimtrace run``: ``attribution`` ("rules", "model",
    "hybrid"), ``claims`` (False skips the classifier), ``kinds``, ``all_sentences``,
    ``min_score``, ``languages``, ``batch_size``, ``threads``, ``models_ahead``,
    ``max_chars``, ``models_dir`` (a folder holding both models; default
    `claimtrace.settings.models_dir()`)."""
    return Pipeline(settings_from_options(**options))
