"""The output contract as pydantic models: ``claimtrace/statement@2`` (current) and
``claimtrace/statement@1`` (the earlier version, kept readable).

The committed JSON Schemas (``schema/statement-<n>.schema.json``) are generated from these
models (``claimtrace schema --version N``) and the tests validate output records against them.
What changed between versions is recorded in ``CHANGELOG.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from claimtrace.settings import SCHEMA_DIR

SCHEMA_ID = "claimtrace/statement@2"
SCHEMA_V1_ID = "claimtrace/statement@1"
SCHEMA_VERSIONS = (1, 2)
CURRENT_VERSION = 2
SCHEMA_FILE = SCHEMA_DIR / "statement-2.schema.json"

SourceType = Literal["person", "organization", "anonymous", "other"]
QuoteType = Literal["direct", "indirect", "mixed"]
Kind = Literal["speech", "belief"]
Method = Literal["rules", "model", "hybrid"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ``schema`` would shadow a BaseModel attribute, so the field is ``schema_`` with the alias
# "schema". Plain model_dump()/model_dump_json() must write the published key, not the
# Python name; records are read by the alias, Python callers may also pass ``schema_=``.
_STATEMENT_CONFIG = ConfigDict(extra="forbid", serialize_by_alias=True, validate_by_alias=True,
                               validate_by_name=True)


class SentenceRef(_Record):
    index: int = Field(ge=0)
    start: int = Field(ge=0, description="character offset into the article text")
    end: int = Field(ge=0)
    paragraph: int = Field(ge=0)


class TextSpan(_Record):
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Provenance(_Record):
    pipeline_version: str
    models: dict[str, str]


# ---------------------------------------------------------------- statement@2


class ArticleRef(_Record):
    id: str
    title: str | None = None
    url: str | None = None
    published: str | None = Field(
        default=None, description="ISO 8601: YYYY-MM-DD, or a full timestamp when one is known; "
        "null when there is no date or it could not be read")
    published_raw: str | None = Field(
        default=None, description="the date exactly as the input gave it")
    language: str | None = Field(
        default=None, description="ISO 639-1 code from a language detector; null when "
        "undetectable (too little text)")
    language_supported: bool = Field(
        default=True, description="false when the detected language is not one the models "
        "were trained on (English): the results are then unreliable")
    sha256: str = Field(description="sha256 of the exact article text all offsets index")


class Source(_Record):
    text: str | None = Field(description="the mention as written; null for a continuation")
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    resolved: str | None = Field(description="full name of the speaker, or the mention itself")
    description: str | None = Field(description="title or affiliation attached to the source")
    type: SourceType
    role: str | None = Field(default=None, description="the speaker's role where the text "
                             "gives one: 'spokesman', 'chief engineer'")
    organization: str | None = Field(default=None, description="the organisation the speaker "
                                     "speaks for, where the text gives one")


class AttributionRecord(_Record):
    id: str = Field(description="stable: <article sha256[:16]>:<content start>-<end>"
                    ":<cue start>-<end>, or '-' without a cue")
    source: Source
    cue: TextSpan | None
    content: TextSpan
    quote_type: QuoteType
    kind: Kind = "speech"
    method: Method = "rules"
    construction: str = Field(description="the rule construction or model that produced it")
    confidence: float = Field(ge=0.0, le=1.0, description="the tagger's probability, or the "
                              "documented value of the rule construction (CHANGELOG.md)")


class Claim(_Record):
    text: str = Field(description="stand-alone claim text: the verbatim span with pronouns "
                      "replaced by what they resolve to, where resolution is confident")
    span: TextSpan = Field(description="the verbatim text the claim was made from: the "
                           "first attribution's content, else the sentence (also where the "
                           "sentence states something in the writer's own voice besides)")
    checkworthy: bool | None = Field(description="null when no claim model ran")
    score: float | None = Field(ge=0.0, le=1.0)
    threshold: float | None = Field(ge=0.0, le=1.0)
    model: str | None
    label: str | None = Field(default=None, description="the model's class (CFS/UFS/NFS) "
                              "where it gives one")
    probabilities: dict[str, float] | None = Field(default=None, description="class "
                                                   "probabilities where the model gives them")


class Statement(_Record):
    schema_: Literal["claimtrace/statement@2"] = Field(SCHEMA_ID, alias="schema")
    id: str = Field(description="stable: <article sha256[:16]>:<sentence start>-<end>")
    article: ArticleRef
    sentence: SentenceRef
    text: str
    attributions: list[AttributionRecord]
    claim: Claim
    provenance: Provenance

    model_config = _STATEMENT_CONFIG

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


# ---------------------------------------------------------------- statement@1 (readable)


class ArticleRefV1(_Record):
    id: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    sha256: str = Field(description="sha256 of the exact article text all offsets index")


class SourceV1(_Record):
    text: str | None = Field(description="the mention as written; null for a continuation")
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    resolved: str | None = Field(description="full name of the speaker, or the mention itself")
    description: str | None = Field(description="title or affiliation attached to the source")
    type: SourceType


class AttributionRecordV1(_Record):
    source: SourceV1
    cue: TextSpan | None
    content: TextSpan
    quote_type: QuoteType
    kind: Kind = "speech"
    method: Method = "rules"


class ClaimV1(_Record):
    checkworthy: bool
    score: float = Field(ge=0.0, le=1.0)
    threshold: float = Field(ge=0.0, le=1.0)
    model: str


class StatementV1(_Record):
    schema_: Literal["claimtrace/statement@1"] = Field(SCHEMA_V1_ID, alias="schema")
    id: str = Field(description="<article id>#<sentence index>")
    article: ArticleRefV1
    sentence: SentenceRef
    text: str
    attributions: list[AttributionRecordV1]
    claim: ClaimV1 | None
    provenance: Provenance

    model_config = _STATEMENT_CONFIG

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


# ---------------------------------------------------------------- JSON Schema files

_MODELS: dict[int, type[BaseModel]] = {1: StatementV1, 2: Statement}
_IDS = {1: SCHEMA_V1_ID, 2: SCHEMA_ID}


def _check_version(version: int) -> int:
    if version not in SCHEMA_VERSIONS:
        raise ValueError(f"unknown schema version {version!r}: use one of {SCHEMA_VERSIONS}")
    return version


def schema_file(version: int = CURRENT_VERSION) -> Path:
    return SCHEMA_DIR / f"statement-{_check_version(version)}.schema.json"


def json_schema(version: int = CURRENT_VERSION) -> dict:
    schema = _MODELS[_check_version(version)].model_json_schema(by_alias=True)
    # pydantic names the classes after Python; version 1's names stay as they were published.
    if version == 1:
        schema = json.loads(json.dumps(schema).replace("V1", ""))
    schema["$id"] = _IDS[version]
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def write_json_schema(path: Path | None = None, version: int = CURRENT_VERSION) -> Path:
    path = path or schema_file(version)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(json_schema(version), indent=2, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def read_statement(record: dict) -> Statement | StatementV1:
    """Either version's record as its model (ValueError names an unknown ``schema``)."""
    tag = record.get("schema")
    if tag == SCHEMA_ID:
        return Statement.model_validate(record)
    if tag == SCHEMA_V1_ID:
        return StatementV1.model_validate(record)
    raise ValueError(f"not a claimtrace statement: schema is {tag!r}, expected "
                     f"{SCHEMA_ID!r} or {SCHEMA_V1_ID!r}")
