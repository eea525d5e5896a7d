"""The committed JSON Schema is exactly what the pydantic models generate."""

from __future__ import annotations

import json

from claimtrace.schema import SCHEMA_FILE, json_schema


def test_committed_schema_is_current():
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == json.loads(
        json.dumps(json_schema()))
