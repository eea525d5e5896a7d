"""Article language, from ``py3langid`` (a maintained fork of langid.py; its model ships
inside the package, so detection works offline and gives the same answer every run).

claimtrace's models are English; an article in another language is flagged in the output
(``article.language_supported = false``), or, with ``--languages en``, sent to the errors
file instead of through an English model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

SUPPORTED_LANGUAGES = frozenset({"en"})
# Enough characters for a stable answer: longer articles are judged by their opening.
SAMPLE_CHARS = 4000
MIN_LETTERS = 20  # below this there is too little text to tell; language is left unknown


@dataclass(frozen=True)
class Detected:
    language: str | None  # ISO 639-1, or None when too little text
    probability: float | None

    @property
    def supported(self) -> bool:
        return self.language is None or self.language in SUPPORTED_LANGUAGES


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=1)
def detectable_languages() -> frozenset[str]:
    """The ISO 639-1 codes the detector can answer: `--languages` accepts only these (an
    unknown code would send every article to the errors file)."""
    return frozenset(code for code in _identifier().nb_classes if len(code) == 2)


def check_languages(codes: tuple[str, ...]) -> tuple[str, ...]:
    unknown = sorted(set(codes) - detectable_languages())
    if unknown:
        raise ValueError(f"unknown language code(s) {', '.join(unknown)}: give ISO 639-1 "
                         "codes the language detector knows, such as en or en,fr")
    return codes


def language_codes(given: str | Iterable[str]) -> tuple[str, ...]:
    """The languages a run keeps, as ``--languages`` and the API's ``languages=`` give them:
    "en,fr" or ["EN", " fr "] -> ("en", "fr"). None at all is refused (every article would
    go to the errors), as is a code that is not two letters or that the detector lacks."""
    codes = given.split(",") if isinstance(given, str) else list(given)
    chosen = tuple(str(code).strip().lower() for code in codes if str(code).strip())
    if not chosen or any(len(code) != 2 or not code.isalpha() for code in chosen):
        raise ValueError(f"{given!r}: give ISO 639-1 codes such as en or en,fr")
    return check_languages(chosen)


def detect_language(text: str) -> Detected:
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return Detected(None, None)
    language, probability = _identifier().classify(sample)
    return Detected(str(language), round(float(probability), 4))
