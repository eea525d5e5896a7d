"""Property-based: whatever the input, no traceback and every input item accounted for.

Random lines of random bytes, random JSON values, random ids and titles, random folder
entries. For each, through the real CLI (in-process, with the session's spaCy pipeline):

- the exit status is the documented one (0 if something was processed, else 1);
- every non-blank input line (every ``*.txt`` entry of a folder) is accounted for exactly
  once: `ingest` writes it, or the errors file names it;
- the statements of `run` index the text their article carries;
- the inputs are unchanged.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from record_checks import check_offsets

from claimtrace.cli import main
from claimtrace.pipeline.checkpoint import errors_path_for, summary_path_for

SENTENCES = ["The mayor said the park would reopen.", "“We will build it,” Ms Reyes said.",
             "Officials denied that the bridge was unsafe.", "Nothing happened.", "\u200f",
             "Le maire a dit non.", "👍🏽 said Bob, who said “yes”.", "e\u0301 \u202e 5 said."]

# Any code point, lone surrogates included (hypothesis leaves them out by default).
any_text = st.text(st.characters(codec=None, categories=None), max_size=12)
article_text = st.one_of(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3)
                         .map(" ".join), any_text)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | any_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
    max_leaves=6)
articles = st.fixed_dictionaries(
    {"text": article_text},
    optional={"id": st.one_of(any_text, st.integers(), st.sampled_from(["a", "b"])),
              "title": st.one_of(any_text, json_values), "url": any_text})


def _json_line(value: object, ascii_only: bool) -> bytes:
    # Without ensure_ascii a lone surrogate is written as such: bytes that are not UTF-8.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


lines = st.lists(st.one_of(
    st.binary(max_size=40),
    st.builds(_json_line, json_values, st.booleans()),
    st.builds(_json_line, articles, st.booleans()),
).map(lambda line: line.replace(b"\n", b" ")), min_size=1, max_size=8)


def _nlp_patch(nlp):
    return mock.patch("claimtrace.pipeline.runner.load_pipeline", lambda *args: nlp)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p): p.read_bytes() if p.is_file() and not p.is_symlink() else None
            for p in sorted(folder.rglob("*"))}


def origins(output: Path) -> list[str]:
    """Where every accounted item came from: written articles, then errors."""
    written = [json.loads(line)["article"]["origin"]
               for line in _lines(output)]
    failed = [json.loads(line)["origin"]
              for line in _lines(errors_path_for(output))]
    return written + failed


def check_run(source: Path, workdir: Path, nlp) -> dict:
    """`run` on `source`: the documented exit status, and offsets that index the text."""
    output = workdir / "statements.jsonl"
    with _nlp_patch(nlp):
        code = main(["run", str(source), "-o", str(output), "-q", "--no-claims",
                     "--all-sentences"])
    summary = json.loads(summary_path_for(output).read_text())
    assert code == (0 if summary["processed"] else 1)
    assert summary["articles"] == summary["processed"] + summary["errors"]
    for line in _lines(output):
        record = json.loads(line)
        assert record["text"] is not None
        for attribution in record["attributions"]:
            for role in ("source", "cue", "content"):
                span = attribution[role]
                if span and span.get("start") is not None:
                    assert span["start"] <= span["end"]
    return summary


def check_ingest(source: Path, workdir: Path) -> list[str]:
    output = workdir / "articles.jsonl"
    code = main(["ingest", str(source), "-o", str(output), "-q"])
    found = origins(output)
    assert code == (0 if len(output.read_bytes()) else 1)
    return found


def _texts_index(workdir: Path) -> dict[str, str]:
    texts = {}
    for line in _lines(workdir / "articles.jsonl"):
        article = json.loads(line)["article"]
        texts[article["id"]] = article["text"]
    return texts


def check_all_offsets(workdir: Path) -> None:
    texts = _texts_index(workdir)
    for line in _lines(workdir / "statements.jsonl"):
        check_offsets(json.loads(line), texts)


def _carries_nothing(line: bytes) -> bool:
    """A blank line: valid UTF-8 (without NUL) that is only white space."""
    try:
        return b"\x00" not in line and not line.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return False


# Each example runs the real pipeline twice, so examples are few and failures are reported
# as found (no shrinking phase: it can take minutes); no example database is written.
QUICK = {"deadline": None, "suppress_health_check": list(HealthCheck), "database": None,
         "phases": [Phase.explicit, Phase.generate]}


def _lines(path: Path) -> list[str]:
    """JSONL lines: split on "\n" only (str.splitlines would also cut at U+0085 or U+2028)."""
    return path.read_text(encoding="utf-8").split("\n")[:-1]


@settings(max_examples=25, **QUICK)
@given(lines=lines)
def test_random_jsonl_lines(nlp, lines):
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        source = workdir / "in" / "dump.jsonl"
        source.parent.mkdir()
        source.write_bytes(b"\n".join(lines) + b"\n")
        before = snapshot(source.parent)
        found = check_ingest(source, workdir)
        expected = [f"{source}:{n}" for n, line in enumerate(lines, start=1)
                    if not _carries_nothing(line)]
        assert sorted(found) == sorted(expected), "each line exactly once"
        summary = check_run(source, workdir, nlp)
        assert summary["articles"] == len(expected)
        check_all_offsets(workdir)
        assert snapshot(source.parent) == before


ENTRY_KINDS = ["text", "bytes", "empty", "dir", "broken_link", "loop_link", "fifo", "link"]
entry_names = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1,
                      max_size=8)
entries = st.dictionaries(entry_names, st.tuples(st.sampled_from(ENTRY_KINDS),
                                                  st.binary(max_size=30), article_text),
                          min_size=1, max_size=6)


def _make_entry(path: Path, kind: str, data: bytes, text: str) -> None:
    if kind == "text":
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    elif kind == "bytes":
        path.write_bytes(data)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "dir":
        path.mkdir()
    elif kind == "broken_link":
        path.symlink_to(path.parent / "nowhere-at-all")
    elif kind == "loop_link":
        path.symlink_to(path)
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to(path.parent)  # a link to a folder, named .txt


@settings(max_examples=15, **QUICK)
@given(entries=entries, raw_name=st.booleans())
def test_random_folder_entries(nlp, entries, raw_name):
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        root = workdir / "in"
        root.mkdir()
        for name, (kind, data, text) in entries.items():
            _make_entry(root / f"{name}.txt", kind, data, text)
        if raw_name:  # a file name that is not UTF-8
            (root / os.fsdecode(b"\xff\xfe.txt")).write_bytes(b"Officials said so.")
        before = snapshot(root)
        found = check_ingest(root, workdir)
        expected = sorted({str(p) for p in root.glob("*.txt")})
        from claimtrace.pipeline.ingest import printable

        assert sorted(found) == sorted(printable(p) for p in expected)
        check_run(root, workdir, nlp)
        check_all_offsets(workdir)
        assert snapshot(root) == before
