"""Build the spaCy pipeline for a run or for one stage, from `RunSettings`."""

from __future__ import annotations

import logging
import weakref

import spacy
from spacy.language import Language

import claimtrace.pipeline.attribute  # noqa: F401  (registers the factories)
import claimtrace.pipeline.split  # noqa: F401
import claimtrace.pipeline.standalone  # noqa: F401
from claimtrace.errors import ClaimtraceError, Errors
from claimtrace.pipeline.ahead import usable_cores
from claimtrace.settings import RunSettings

log = logging.getLogger(__name__)

# Which spaCy components each stage needs; the rest are disabled to save time.
PARSE = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner"]
STAGE_COMPONENTS = {
    "split": ["tok2vec", "parser"],
    "attribute": PARSE,
    "classify": [],
    "export": [],
    "run": PARSE,
}


# Invisible characters that editors and feeds leave in text (zero-width space and non-joiner,
# word joiner, a byte-order mark). spaCy glues them to the word beside them, so
# '... Dupont said.\u200b' had the source "Dupont said.\u200b" and '\ufeffJose Martinez
# said' lost the given name. Each becomes a token of its own. The zero-width joiner is not
# among them: it holds emoji sequences together.
INVISIBLE = "\u200b\u200c\u2060\ufeff"


def load_spacy(settings: RunSettings, stage: str) -> Language:
    keep = STAGE_COMPONENTS[stage]
    nlp = spacy.load(settings.spacy_model, exclude=[n for n in PARSE if n not in keep])
    nlp.max_length = max(nlp.max_length, settings.max_chars + 1)
    separate_invisible(nlp)
    return nlp


def separate_invisible(nlp: Language) -> None:
    """Make the `INVISIBLE` characters prefixes, suffixes and infixes of the tokenizer."""
    from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

    extra = [f"[{INVISIBLE}]"]
    defaults = nlp.Defaults
    nlp.tokenizer.prefix_search = compile_prefix_regex([*defaults.prefixes, *extra]).search
    nlp.tokenizer.suffix_search = compile_suffix_regex([*defaults.suffixes, *extra]).search
    nlp.tokenizer.infix_finditer = compile_infix_regex([*defaults.infixes, *extra]).finditer


def claim_model_available(settings: RunSettings) -> bool:
    return settings.classify and (settings.claim_model / "manifest.json").exists()


def build_nlp(settings: RunSettings, stage: str = "run") -> Language:
    """spaCy's parse plus claimtrace's components, each added only where the stage needs it."""
    nlp = load_spacy(settings, stage)
    if stage in {"split", "attribute", "run"}:
        nlp.add_pipe("claimtrace_presplit", before="parser")
        nlp.add_pipe("claimtrace_sentences", after="parser")
    if stage in {"attribute", "run"}:
        add_attribution(nlp, settings)
        nlp.add_pipe("claimtrace_standalone")  # claim texts, while the parse is there
    if stage in {"classify", "run"}:
        if claim_model_available(settings):
            import claimtrace.pipeline.classify  # noqa: F401

            nlp.add_pipe("claimtrace_classify", config={
                "model_path": str(settings.claim_model), "num_threads": settings.threads,
                "runtime": settings.runtime, "ahead": models_ahead(settings)})
        elif settings.classify:
            # Claims were asked for: without them every statement would silently lose its
            # score (and --min-score would drop them all).
            raise ClaimtraceError(Errors.E040.format(
                path=settings.claim_model,
                hint="give --models-dir with the claim model, or --no-claims to run without"))
    return nlp


# Articles spaCy parses at a time where models run ahead in threads. spaCy's parser finishes
# its whole batch before it yields the first article, so with the run's 64 the model threads
# sat idle through every parse and the parse waited for them: one core in use (171 Wikinews
# 2019 articles, `--no-claims`: 46.6 s wall, 45.6 s CPU; with 8 and 16 articles ahead: 35.1 s
# wall, 51.5 s CPU; AMD EPYC, 2 cores).
PARSE_BATCH_AHEAD = 8


def parse_batch_size(settings: RunSettings) -> int:
    """Articles per spaCy batch inside one of the run's batches (`RunSettings.batch_size`)."""
    if models_ahead(settings) == 0:
        return settings.batch_size
    return min(settings.batch_size, PARSE_BATCH_AHEAD)


def models_ahead(settings: RunSettings) -> int:
    """How far the models may work ahead of the parse in this process (`pipeline.ahead`):
    workers and Ray actors get settings with ``models_ahead=0`` where they share the cores."""
    return settings.models_ahead_for(usable_cores())


def add_attribution(nlp: Language, settings: RunSettings) -> None:
    """Producers, then their merge, then one speaker-resolution pass (see pipeline.attribute).

    The rules run for every method: even ``model`` takes the rules' spans where both agree.
    """
    if settings.attribution_method != "rules":
        nlp.add_pipe("claimtrace_attribute_tagger", config={
            "model_dir": str(settings.attribution_model), "threads": settings.threads,
            "runtime": settings.runtime, "ahead": models_ahead(settings)})
    nlp.add_pipe("claimtrace_attribute_rules")
    nlp.add_pipe("claimtrace_attribute_merge", config={"method": settings.attribution_method})
    nlp.add_pipe("claimtrace_speakers")


# Per pipeline: its pipe names and their model versions. Weak keys, so a pipeline that is
# dropped (evaluation builds several) is not kept alive by the cache.
_VERSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_versions(nlp: Language) -> dict[str, str]:
    """The models `nlp` runs, for provenance. Computed once per pipeline (it reads a manifest
    and package metadata), not once per article; recomputed if pipes were added since."""
    names = tuple(nlp.pipe_names)
    cached = _VERSIONS.get(nlp)
    if cached is None or cached[0] != names:
        cached = _VERSIONS[nlp] = (names, _model_versions(nlp))
    return dict(cached[1])


def _model_versions(nlp: Language) -> dict[str, str]:
    versions = {"spacy": f"{nlp.meta['lang']}_{nlp.meta['name']}@{nlp.meta['version']}"}
    if "claimtrace_classify" in nlp.pipe_names:
        component = nlp.get_pipe("claimtrace_classify")
        name = getattr(component, "model_name", None)
        versions["claims"] = name() if callable(name) else str(name or "claim-checkworthiness")
    if "claimtrace_attribute_tagger" in nlp.pipe_names:
        versions["attribution"] = attribution_model_version(
            nlp.get_pipe("claimtrace_attribute_tagger").model_dir)
    runtimes = model_runtimes(nlp)
    if runtimes:
        # One engine for both models is the rule; name each model only when they differ.
        labels = set(runtimes.values())
        versions["runtime"] = labels.pop() if len(labels) == 1 else "; ".join(
            f"{model}: {label}" for model, label in sorted(runtimes.items()))
    return versions


def model_runtimes(nlp: Language) -> dict[str, str]:
    """Engine, precision and CPU level each loaded model runs with (`pipeline.runtime`)."""
    found = {}
    if "claimtrace_classify" in nlp.pipe_names:
        runtime = nlp.get_pipe("claimtrace_classify").classifier.loaded.runtime
        found["claims"] = runtime.label if runtime else "unknown"
    if "claimtrace_attribute_tagger" in nlp.pipe_names:
        runtime = nlp.get_pipe("claimtrace_attribute_tagger").tagger.runtime
        found["attribution"] = runtime.label if runtime else "unknown"
    return found


def attribution_model_version(model_dir: str) -> str:
    import json
    from pathlib import Path

    from claimtrace.pipeline.runtime import ONNX_FILE, TORCH_FILE

    manifest = json.loads((Path(model_dir) / "manifest.json").read_text(encoding="utf-8"))
    listed = manifest["files"]
    weights = listed[ONNX_FILE if ONNX_FILE in listed else TORCH_FILE]["sha256"][:12]
    return manifest.get("model") or f"attribution@{weights}"  # the weights name the version
