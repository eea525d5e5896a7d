"""The output contract, ``claimtrace/statement@1``, as pydantic models.

The committed JSON Schema (``schema/statement-1.schema.json``) is generated from these
models (``claimtrace schema``) and every test validates output records against it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_ID = "claimtrace/statement@1"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "statement-1.schema.json"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ArticleRef(_Record):
    id: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    sha256: str = Field(description="sha256 of the exact article text all offsets index")


class SentenceRef(_Record):
    index: int = Field(ge=0)
    start: int = Field(ge=0, description="character offset into the article text")
    end: int = Field(ge=0)
    paragraph: int = Field(ge=0)


class TextSpan(_Record):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Source(_Record):
    text: str | None = Field(description="the mention as written; null for a continuation")
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    resolved: str | None = Field(description="full name of the speaker, or the mention itself")
    description: str | None = Field(description="title or affiliation attached to the source")
    type: Literal["person", "organization", "anonymous", "other"]


class AttributionRecord(_Record):
    source: Source
    cue: TextSpan | None
    content: TextSpan
    quote_type: Literal["direct", "indirect", "mixed"]
    kind: Literal["speech", "belief"] = "speech"
    method: Literal["rules", "model", "hybrid"] = "rules"


class Claim(_Record):
    checkworthy: bool
    score: float = Field(ge=0.0, le=1.0)
    threshold: float = Field(ge=0.0, le=1.0)
    model: str


class Provenance(_Record):
    pipeline_version: str
    models: dict[str, str]


class Statement(_Record):
    schema_: Literal["claimtrace/statement@1"] = Field(SCHEMA_ID, alias="schema")
    id: str = Field(description="<article id>#<sentence index>")
    article: ArticleRef
    sentence: SentenceRef
    text: str
    attributions: list[AttributionRecord]
    claim: Claim | None
    provenance: Provenance

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


def json_schema() -> dict:
    schema = Statement.model_json_schema(by_alias=True)
    schema["$id"] = SCHEMA_ID
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_json_schema(path: Path = SCHEMA_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
