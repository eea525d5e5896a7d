#!/usr/bin/env bash
# A non-editable install works: build the wheel, install it into a fresh virtualenv outside
# the checkout, and run the shipped sample through it from another folder. The run must find
# both models (package data inside site-packages), the lexicon and the schema, and give the
# same statements as the checkout's own install. CI runs this after `make test`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3.11}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Built from a copy, so no stale build/ folder of the checkout can slip old files in.
mkdir "$work/src"
tar -C "$repo" --exclude=./.venv --exclude=./.git --exclude=./build --exclude=./runs \
    --exclude=./data/processed --exclude='*.egg-info' -cf - . | tar -C "$work/src" -xf -
"$repo/.venv/bin/pip" wheel --quiet --no-deps "$work/src" -w "$work/dist"
"$python" -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --upgrade pip
"$work/venv/bin/pip" install --quiet torch==2.13.0   # pinned first: the CPU build
"$work/venv/bin/pip" install --quiet "$work"/dist/claimtrace-*.whl
mkdir "$work/elsewhere" && cd "$work/elsewhere"
"$work/venv/bin/claimtrace" run "$repo/data/raw/sample" -o wheel.jsonl --quiet
"$repo/.venv/bin/claimtrace" run "$repo/data/raw/sample" -o checkout.jsonl --quiet
"$work/venv/bin/python" - "$work/venv" <<'PY'
import json
import sys
from pathlib import Path

from claimtrace.schema import schema_file

venv = Path(sys.argv[1]).resolve()
summary = json.loads(Path("wheel.summary.json").read_text())
assert summary["processed"] == 3 and summary["errors"] == 0, summary
for key in ("claim_model", "attribution_model"):
    assert Path(summary["settings"][key]).resolve().is_relative_to(venv), summary["settings"]
records = [json.loads(line) for line in Path("wheel.jsonl").open()]
assert any(r["attributions"] for r in records), "no attribution found"
assert all(r["claim"]["score"] is not None for r in records), "a sentence has no claim score"
assert Path("wheel.jsonl").read_bytes() == Path("checkout.jsonl").read_bytes(), "differs"
assert schema_file(2).is_file() and schema_file(2).resolve().is_relative_to(venv), schema_file(2)
print(f"wheel install: {len(records)} statements from 3 articles, same bytes as the checkout")
PY
