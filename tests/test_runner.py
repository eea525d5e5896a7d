"""End to end through the CLI: the sample, every stage alone, and bad input never fatal."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from record_checks import check_offsets
from typer.testing import CliRunner

from claimtrace.cli import app
from claimtrace.pipeline.checkpoint import errors_path_for, summary_path_for
from claimtrace.settings import SAMPLE_INPUT

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, [*args, "--quiet", "--no-claims"])


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def sample_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in SAMPLE_INPUT.glob("*.txt")}


def test_run_on_sample_is_schema_valid_with_exact_offsets(tmp_path, statement_validator):
    out = tmp_path / "statements.jsonl"
    result = invoke("run", "-o", str(out))
    assert result.exit_code == 0, result.output
    records = read(out)
    texts = sample_texts()
    summary = json.loads(summary_path_for(out).read_text())
    assert (summary["processed"], summary["errors"]) == (len(texts), 0)
    assert len(records) == summary["records"] and len(records) >= 20
    assert {r["article"]["id"] for r in records} == set(texts)  # every article has statements
    for record in records:
        statement_validator.validate(record)
        check_offsets(record, texts)
    kinds = {a["quote_type"] for r in records for a in r["attributions"]}
    assert kinds >= {"direct", "indirect"}
    assert errors_path_for(out).read_text() == ""


def test_stages_one_by_one_equal_the_single_run(tmp_path):
    paths = {name: tmp_path / f"{name}.jsonl" for name in
             ("ingest", "split", "attribute", "classify", "export", "run")}
    ingested = runner.invoke(app, ["ingest", str(SAMPLE_INPUT), "-o", str(paths["ingest"]), "-q"])
    assert ingested.exit_code == 0, ingested.output
    previous = paths["ingest"]
    for stage in ("split", "attribute", "classify", "export"):  # with the claim model
        result = runner.invoke(app, [stage, str(previous), "-o", str(paths[stage]), "-q"])
        assert result.exit_code == 0, result.output
        previous = paths[stage]
    ran = runner.invoke(app, ["run", str(SAMPLE_INPUT), "-o", str(paths["run"]), "-q"])
    assert ran.exit_code == 0, ran.output
    assert paths["export"].read_bytes() == paths["run"].read_bytes()  # provenance order too


def test_stages_keep_the_input_date(tmp_path):
    """The date as the input wrote it survives the stages (each stage re-validates the
    article; it used to take the normalised date, or nothing, for the raw one)."""
    source = tmp_path / "dated.jsonl"
    source.write_text(
        '{"id": "a", "text": "Police said the bridge closed.", "published": "Friday, January 4, '
        '2019"}\n{"id": "b", "text": "The mayor said it reopened.", "date": "last spring"}\n',
        encoding="utf-8")
    previous = source
    for stage in ("ingest", "split", "attribute", "classify", "export"):
        out = tmp_path / f"{stage}.jsonl"
        result = runner.invoke(app, [stage, str(previous), "-o", str(out), "-q", *(
            ["--no-claims"] if stage != "ingest" else [])])
        assert result.exit_code == 0, result.output
        previous = out
    ran = tmp_path / "run.jsonl"
    assert runner.invoke(app, ["run", str(source), "-o", str(ran), "-q",
                               "--no-claims"]).exit_code == 0
    assert previous.read_bytes() == ran.read_bytes()
    dates = [(r["article"]["published"], r["article"]["published_raw"]) for r in read(ran)]
    assert dates == [("2019-01-04", "Friday, January 4, 2019"), (None, "last spring")]


def test_all_sentences_writes_every_sentence(tmp_path):
    out = tmp_path / "all.jsonl"
    assert invoke("run", "--all-sentences", "-o", str(out)).exit_code == 0
    split = tmp_path / "only.jsonl"
    assert invoke("run", "-o", str(split)).exit_code == 0
    assert len(read(out)) > len(read(split))


BAD_INPUTS = {
    "empty.jsonl": b"",
    "notjson.jsonl": b'{"text": "Good article. Police said it rained."}\n{oops\n',
    "notext.jsonl": b'{"id": "a"}\n{"id": "b", "text": 5}\n{"id": "c", "text": "Fine."}\n',
    "badutf8.jsonl": b'{"id": "u", "text": "caf\xe9"}\n{"id": "ok", "text": "Fine."}\n',
    "dupes.jsonl": b'{"id": "d", "text": "One."}\n{"id": "d", "text": "Two."}\n',
    "binary.txt": bytes(range(256)) * 4,
    "binary.jsonl": bytes(range(256)) * 4 + b"\n" + b'{"id": "ok", "text": "Fine."}\n',
    "five_mb.jsonl": (json.dumps({"id": "huge", "text": "The council met. " * 310_000})
                      + "\n" + json.dumps({"id": "ok", "text": "Fine."}) + "\n").encode(),
    "long_sentence.jsonl": (json.dumps({"id": "long", "text": "Officials said that "
                                        + "the river rose and " * 5000 + "it rained."})
                            + "\n").encode(),
    "german.jsonl": (json.dumps({"id": "de", "text": "Die Regierung sagte, dass die Brücke "
                                 "am Montag geschlossen wird. „Wir haben keine Wahl“, sagte "
                                 "die Ministerin."}, ensure_ascii=False) + "\n").encode(),
    "html.jsonl": (json.dumps({"id": "html", "text": "<p>The mayor <b>said</b> the park "
                               "would reopen.</p><script>alert(1)</script>"}) + "\n").encode(),
    "truncated.jsonl.gz": gzip.compress("".join(
        json.dumps({"id": str(i), "text": f"Police said {i} cars crashed. " * 40}) + "\n"
        for i in range(60)).encode())[:1500],
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_reported_and_the_run_goes_on(tmp_path, name):
    source = tmp_path / name
    source.write_bytes(BAD_INPUTS[name])
    out = tmp_path / "out" / "statements.jsonl"
    result = invoke("run", str(source), "--all-sentences", "-o", str(out))
    errors = read(errors_path_for(out))
    summary = json.loads(out.with_suffix(".summary.json").read_text())
    assert summary["articles"] == summary["processed"] + summary["errors"]
    assert summary["errors"] == len(errors)
    for error in errors:
        assert error["reason"] and error["stage"]
    if summary["processed"] == 0:
        assert result.exit_code == 1
    else:
        assert result.exit_code == 0
        assert {r["article"]["id"] for r in read(out)}


@pytest.mark.slow  # spawns worker processes that load the models
def test_workers_give_the_same_bytes_as_one_process(tmp_path):
    one, two = tmp_path / "one" / "s.jsonl", tmp_path / "two" / "s.jsonl"
    assert invoke("run", "--all-sentences", "--batch-size", "1", "-o", str(one)).exit_code == 0
    result = invoke("run", "--all-sentences", "--batch-size", "1", "--workers", "2",
                    "-o", str(two))
    assert result.exit_code == 0, result.output
    assert one.read_bytes() == two.read_bytes()


def test_every_article_lands_in_output_or_errors(tmp_path):
    rows = [{"id": "good1", "text": "The mayor said the park would reopen."},
            {"id": "empty", "text": ""}, {"id": "good2", "text": "Nothing was said."},
            {"id": "good1", "text": "Duplicate."}]
    source = tmp_path / "in.jsonl.gz"
    with gzip.open(source, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in rows)
    out = tmp_path / "s.jsonl"
    assert invoke("run", str(source), "--all-sentences", "-o", str(out)).exit_code == 0
    done = {r["article"]["id"] for r in read(out)}
    failed = [e["article_id"] for e in read(errors_path_for(out))]
    assert done == {"good1", "good2"} and sorted(failed) == ["empty", "good1"]


def test_missing_input_path_is_a_usage_error(tmp_path):
    result = invoke("run", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2


def test_stdin_input(tmp_path):
    out = tmp_path / "s.jsonl"
    line = json.dumps({"id": "s1", "text": "Officials said the dam held."}) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "claimtrace.cli", "run", "-", "-o", str(out), "-q",
         "--no-claims"], input=line.encode(), capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert read(out)[0]["attributions"][0]["cue"]["text"] == "said"


def test_too_long_article_goes_to_errors(tmp_path):
    source = tmp_path / "long.jsonl"
    rows = [{"id": "big", "text": "Word. " * 2000}, {"id": "small", "text": "Small one."}]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "s.jsonl"
    result = runner.invoke(app, ["run", str(source), "-o", str(out), "--max-chars", "5000",
                                 "--all-sentences", "-q", "--no-claims"])
    assert result.exit_code == 0
    errors = read(errors_path_for(out))
    assert [e["article_id"] for e in errors] == ["big"] and "over the limit" in errors[0]["reason"]


@pytest.mark.slow  # spawns worker processes that load the models
def test_claim_scores_do_not_depend_on_batching_or_workers(tmp_path):
    """int8 kernels quantise per batch; batching per article keeps scores reproducible."""
    outputs = []
    for name, extra in (("a", ["--batch-size", "1"]), ("b", ["--batch-size", "3"]),
                        ("c", ["--batch-size", "1", "--workers", "2"])):
        out = tmp_path / name / "s.jsonl"
        result = runner.invoke(app, ["run", "--all-sentences", "-q", "-o", str(out), *extra])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert all(r["claim"] is not None for r in read(tmp_path / "a" / "s.jsonl"))


def test_articles_without_statements_are_named_in_the_summary(tmp_path):
    # An article with no attribution and no check-worthy sentence writes no record and is no
    # error: the summary names it, so every input article is accounted for.
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "quiet", "text": "!?.,;:--...!!!"}) + "\n"
                      + json.dumps({"id": "loud", "text": "The mayor said the bridge is safe."})
                      + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = invoke("run", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    summary = json.loads(summary_path_for(out).read_text())
    assert summary["no_statements"] == ["quiet"]
    assert {r["article"]["id"] for r in read(out)} == {"loud"}


def test_summary_counts_errors_by_kind_not_by_value():
    from claimtrace.pipeline.runner import reason_kind

    lines = [reason_kind(f"line {n} is not valid JSON: Expecting value at column {n}")
             for n in (2, 17)]
    duplicates = [reason_kind(f"duplicate article id '{i}' (first seen at in.jsonl:{n}); later "
                              "copy skipped") for i, n in (("a", 1), ("b", 9))]
    assert lines == ["line … is not valid JSON"] * 2
    assert duplicates[0] == duplicates[1] == "duplicate article id … …; later copy skipped"


def test_a_stage_given_another_stages_file_says_so(tmp_path):
    articles = tmp_path / "articles.jsonl"
    assert runner.invoke(app, ["ingest", str(SAMPLE_INPUT), "-o", str(articles),
                               "-q"]).exit_code == 0
    out = tmp_path / "statements.jsonl"
    result = runner.invoke(app, ["export", str(articles), "-o", str(out), "-q", "--no-claims"])
    assert result.exit_code == 1  # nothing could be processed, and every article says why
    errors = [json.loads(line) for line in errors_path_for(out).read_text().splitlines()]
    assert len(errors) == 3 and all("written by stage 'ingest'" in e["reason"] for e in errors)
