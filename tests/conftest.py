"""Shared fixtures: one real spaCy pipeline for the whole session (no downloads)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimtrace.settings import RunSettings

REPO = Path(__file__).resolve().parent.parent
SCHEMA_PATH = REPO / "schema" / "statement-2.schema.json"


@pytest.fixture(scope="session")
def rules_settings() -> RunSettings:
    # The rules alone: golden construction tests must not depend on the tagger.
    return RunSettings(classify=False, progress=False, attribution_method="rules")


@pytest.fixture(scope="session")
def nlp(rules_settings):
    from claimtrace.pipeline.nlp import build_nlp

    return build_nlp(rules_settings, "run")


@pytest.fixture(scope="session")
def statement_validator():
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)
