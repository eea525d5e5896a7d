"""The committed JSON Schemas are exactly what the pydantic models generate, for both versions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimtrace.cli import app
from claimtrace.schema import (
    SCHEMA_FILE,
    SCHEMA_ID,
    SCHEMA_V1_ID,
    Statement,
    StatementV1,
    json_schema,
    read_statement,
    schema_file,
)

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("version", [1, 2])
def test_committed_schema_is_current(version):
    committed = json.loads(schema_file(version).read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(json_schema(version)))


def test_current_schema_is_version_2():
    assert SCHEMA_FILE == schema_file(2)
    assert json_schema()["$id"] == SCHEMA_ID == "claimtrace/statement@2"
    assert json_schema(1)["$id"] == SCHEMA_V1_ID


@pytest.mark.parametrize("version", [1, 2])
def test_cli_prints_either_version(version):
    result = CliRunner().invoke(app, ["schema", "--version", str(version)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(json.dumps(json_schema(version)))


def test_cli_writes_a_schema_file(tmp_path):
    out = tmp_path / "s.json"
    result = CliRunner().invoke(app, ["schema", "--version", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == json.loads(schema_file(1).read_text())


def test_cli_rejects_an_unknown_version():
    result = CliRunner().invoke(app, ["schema", "--version", "3"])
    assert result.exit_code == 2
    assert "use one of" in result.output


V1_RECORD = {
    "schema": "claimtrace/statement@1", "id": "a#0",
    "article": {"id": "a", "title": None, "url": None, "published": "2019", "sha256": "0" * 64},
    "sentence": {"index": 0, "start": 0, "end": 10, "paragraph": 0}, "text": "He said so.",
    "attributions": [{"source": {"text": "He", "start": 0, "end": 2, "resolved": "He",
                                 "description": None, "type": "person"},
                      "cue": {"text": "said", "start": 3, "end": 7},
                      "content": {"text": "so", "start": 8, "end": 10},
                      "quote_type": "indirect", "kind": "speech", "method": "rules"}],
    "claim": None, "provenance": {"pipeline_version": "0.1.0", "models": {}},
}


def test_version_1_records_stay_readable():
    statement = read_statement(V1_RECORD)
    assert isinstance(statement, StatementV1)
    assert statement.to_json_dict() == V1_RECORD


def test_version_2_requires_the_new_fields():
    record = json.loads(json.dumps(V1_RECORD))
    record["schema"] = SCHEMA_ID
    with pytest.raises(ValueError):  # no attribution id, confidence, claim text …
        read_statement(record)
    assert Statement.model_fields["claim"].is_required()


def test_unknown_schema_tag_is_refused():
    with pytest.raises(ValueError, match="not a claimtrace statement"):
        read_statement({"schema": "other@1"})


def test_changelog_records_statement_2():
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "statement@2" in changelog
    for field in ("published_raw", "language", "confidence", "construction", "role",
                  "organization", "claim.text"):
        assert field in changelog, field


V2_RECORD = {
    "schema": SCHEMA_ID, "id": "0000000000000000:0-11",
    "article": {"id": "a", "title": None, "url": None, "published": None,
                "published_raw": None, "language": "en", "language_supported": True,
                "sha256": "0" * 64},
    "sentence": {"index": 0, "start": 0, "end": 11, "paragraph": 0}, "text": "He said so.",
    "attributions": [],
    "claim": {"text": "He said so.", "span": {"text": "He said so.", "start": 0, "end": 11},
              "checkworthy": None, "score": None, "threshold": None, "model": None,
              "label": None, "probabilities": None},
    "provenance": {"pipeline_version": "0.1.0", "models": {}},
}


def test_plain_dumps_use_the_published_key_schema(statement_validator):
    # API users call model_dump()/model_dump_json(), not to_json_dict(): both must give
    # records that pass the published JSON Schema ("schema", never the Python "schema_").
    statement = read_statement(V2_RECORD)
    for dumped in (statement.model_dump(), json.loads(statement.model_dump_json())):
        assert dumped == V2_RECORD and "schema_" not in dumped
        statement_validator.validate(dumped)
    assert StatementV1.model_validate(V1_RECORD).model_dump()["schema"] == SCHEMA_V1_ID
    # Reading works by the published key and, for Python callers, by the field name.
    by_name = {**{k: v for k, v in V2_RECORD.items() if k != "schema"}, "schema_": SCHEMA_ID}
    assert Statement.model_validate(by_name) == statement
