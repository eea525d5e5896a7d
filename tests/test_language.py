"""Language detection, and ``--languages`` sending other languages to the errors file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from claimtrace.cli import app
from claimtrace.pipeline.language import detect_language

ENGLISH = "The mayor said the harbour bridge would cost three billion dollars next year."
FRENCH = "Le maire a déclaré que le pont coûterait trois milliards de dollars l'an prochain."
GERMAN = "Der Bürgermeister sagte, die neue Brücke werde im nächsten Jahr drei Milliarden kosten."


@pytest.mark.parametrize("text, language, supported", [
    (ENGLISH, "en", True), (FRENCH, "fr", False), (GERMAN, "de", False),
    ("OK.", None, True),  # too little text to tell: unknown, not flagged
])
def test_detect_language(text, language, supported):
    detected = detect_language(text)
    assert (detected.language, detected.supported) == (language, supported)
    if language:
        assert detected.probability > 0.9


def test_languages_option_sends_others_to_errors(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in
                              (("en", ENGLISH), ("fr", FRENCH))), encoding="utf-8")
    out = tmp_path / "statements.jsonl"
    result = CliRunner().invoke(app, ["run", str(source), "-o", str(out), "--languages", "en",
                                      "--quiet", "--no-claims"])
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["article"]["id"] for line in out.read_text().splitlines()} == {"en"}
    errors = (tmp_path / "statements.errors.jsonl").read_text().splitlines()
    (error,) = [json.loads(line) for line in errors]
    assert error["article_id"] == "fr"
    assert "language is 'fr'" in error["reason"] and "--languages en" in error["reason"]


def test_without_the_option_other_languages_run_flagged(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "fr", "text": FRENCH}) + "\n", encoding="utf-8")
    out = tmp_path / "statements.jsonl"
    result = CliRunner().invoke(app, ["run", str(source), "-o", str(out), "--all-sentences",
                                      "--quiet", "--no-claims"])
    assert result.exit_code == 0, result.output
    article = json.loads(out.read_text().splitlines()[0])["article"]
    assert (article["language"], article["language_supported"]) == ("fr", False)


def test_bad_languages_value_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(app, ["run", "-o", str(tmp_path / "o.jsonl"),
                                      "--languages", "english"])
    assert result.exit_code == 2 and "ISO 639-1" in result.output
