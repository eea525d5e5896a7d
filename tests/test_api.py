"""The Python API: ``claimtrace.load()``, ``extract``, ``pipe``, and spaCy entry points."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import claimtrace
from claimtrace.api import settings_from_options
from claimtrace.cli import app
from claimtrace.schema import Statement
from claimtrace.settings import SAMPLE_INPUT

TEXT = ("The harbour bridge plan was unveiled on Monday. Elena Marsh, a spokesman for the "
        "Northern Medical Association, said it would cost $3bn.")


@pytest.fixture(scope="module")
def pipe():
    return claimtrace.load(claims=False, batch_size=2)


def test_options_match_run():
    settings = settings_from_options(attribution="hybrid", claims=False, kinds="speech",
                                     languages="en")
    assert settings.attribution_method == "hybrid" and settings.classify is False
    assert settings_from_options(min_score=0.5).min_score == 0.5
    assert settings.kinds == ("speech",) and settings.languages == ("en",)
    assert settings.progress is False


@pytest.mark.parametrize("options, error", [
    ({"atribution": "rules"}, TypeError), ({"attribution": "llm"}, ValueError),
    ({"kinds": "speech,gossip"}, ValueError), ({"min_score": 2.0}, ValueError),
    ({"progress": True}, TypeError), ({"languages": "en,xx"}, ValueError),
])
def test_bad_options_are_refused_by_name(options, error):
    with pytest.raises(error, match=next(iter(options)).rstrip("s")[:5]):
        settings_from_options(**options)


def test_extract_returns_statement_models(pipe):
    statements = pipe.extract(TEXT, id="bridge-1", title="Bridge", url="https://example.org/b",
                              published="Friday, January 4, 2019")
    assert statements and all(isinstance(s, Statement) for s in statements)
    (statement,) = statements
    assert statement.article.id == "bridge-1" and statement.article.title == "Bridge"
    assert (statement.article.published, statement.article.published_raw) == (
        "2019-01-04", "Friday, January 4, 2019")
    attribution = statement.attributions[0]
    assert attribution.source.resolved == "Elena Marsh"
    assert attribution.content.text == TEXT[attribution.content.start:attribution.content.end]


def test_extract_refuses_bad_text(pipe):
    with pytest.raises(ValueError, match="empty"):
        pipe.extract("   ")


def test_pipe_streams_in_input_order(pipe):
    seen = []

    def endless():
        for number in itertools.count():
            seen.append(number)
            yield {"id": f"a{number}", "text": TEXT if number % 2 else "Nothing was said."}

    first = list(itertools.islice(pipe.pipe(endless()), 3))
    assert [len(s) for s in first] == [0, 1, 0]
    assert first[1][0].article.id == "a1"
    assert len(seen) < 10  # it read only as far as the batches it needed


def test_pipe_takes_articles_and_skips_bad_ones_on_request(pipe):
    from claimtrace.pipeline.ingest import make_article

    article = make_article({"id": "x", "text": TEXT}, "test")
    results = list(pipe.pipe([{"text": ""}, article], errors="skip"))
    assert results[0] == [] and results[1][0].article.id == "x"
    with pytest.raises(ValueError, match="dicts with 'text'"):  # that item's error
        list(pipe.pipe(["just a string"]))


def test_skipped_articles_reach_on_error_as_run_writes_them(pipe):
    # An API caller keeps the reasons as `claimtrace run` keeps errors.jsonl.
    kept: list[dict] = []
    items = [{"id": "empty", "text": ""}, {"id": "ok", "text": TEXT}]
    results = list(pipe.pipe(items, errors="skip", on_error=kept.append))
    assert [len(r) > 0 for r in results] == [False, True]
    assert [(e["article_id"], e["stage"]) for e in kept] == [("empty", "ingest")]
    assert set(kept[0]) >= {"article_id", "origin", "stage", "reason"} and kept[0]["reason"]


def test_api_gives_the_records_of_the_cli(pipe, tmp_path):
    out = tmp_path / "statements.jsonl"
    result = CliRunner().invoke(app, ["run", str(SAMPLE_INPUT), "-o", str(out), "--quiet",
                                      "--no-claims"])
    assert result.exit_code == 0, result.output
    from claimtrace.pipeline.ingest import ingest

    articles = [a for a in ingest([SAMPLE_INPUT])]
    from_api = [s.to_json_dict() for statements in pipe.pipe(articles) for s in statements]
    from_cli = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert from_api == from_cli


def test_languages_option_refuses_other_languages():
    french = claimtrace.load(claims=False, languages="en")
    with pytest.raises(ValueError, match="language is 'fr'"):
        french.extract("Le maire a déclaré que le pont coûterait trois milliards de dollars, "
                       "selon les journalistes présents à la réunion du conseil municipal.")


def test_spacy_finds_the_components_through_entry_points():
    # No claimtrace import anywhere: spaCy loads the factories from the entry points.
    code = ("import sys, spacy\n"
            "assert not any(m.startswith('claimtrace') for m in sys.modules)\n"
            "nlp = spacy.blank('en')\n"
            "for name in ('claimtrace_presplit', 'sentencizer', 'claimtrace_sentences', "
            "'claimtrace_attribute_rules', 'claimtrace_attribute_merge', "
            "'claimtrace_speakers'):\n"
            "    nlp.add_pipe(name)\n"
            "doc = nlp('Marsh said the bridge would cost $3bn.')\n"
            "print(nlp.pipe_names, len(doc.spans['sentences']))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "claimtrace_speakers" in result.stdout


def test_pipe_skips_every_kind_of_bad_item_and_rechecks_articles():
    from claimtrace.pipeline.ingest import Article

    pipe = claimtrace.load(claims=False, attribution="rules")
    text = "Police said the bridge was closed."
    items = [{"id": "d1", "text": text}, "a string", Article(id="a7", text=None, sha256="x"),
             Article(id="a8", text=text, sha256="bogus")]
    results = list(pipe.pipe(items, errors="skip"))
    assert [len(r) for r in results] == [1, 0, 0, 1]  # one list per item, in order
    assert results[3][0].article.sha256 == results[0][0].article.sha256  # recomputed
    with pytest.raises(ValueError, match="article 2 is a str"):
        list(pipe.pipe(items))
    with pytest.raises(TypeError, match="for one, use extract"):
        list(pipe.pipe({"text": text}))


def test_pipe_refuses_what_run_refuses_duplicate_ids_and_own_records(pipe):
    # `claimtrace run` makes a later copy of an id, and a statement record given as an
    # article, errors; the API gives the same records, so it must too.
    statement = pipe.extract(TEXT, id="bridge-1")[0].to_json_dict()
    items = [{"id": "d", "text": TEXT}, {"id": "d", "text": TEXT + " More."}, statement]
    results = list(pipe.pipe(items, errors="skip"))
    assert [len(r) for r in results] == [1, 0, 0]
    with pytest.raises(ValueError, match="duplicate article id 'd'"):
        list(pipe.pipe(items[:2]))
    with pytest.raises(ValueError, match="a statement record"):
        list(pipe.pipe([statement]))


def test_pipe_yields_what_it_read_before_its_source_fails(pipe):
    # A feed that drops after one article (batch_size=2: that article still waits for its
    # batch) raises its own error, but only after the article read before it is yielded.
    def feed():
        yield {"id": "s1", "text": TEXT}
        raise OSError("feed dropped")

    results = []
    with pytest.raises(OSError, match="feed dropped"):
        for statements in pipe.pipe(feed()):
            results.append(statements)
    assert [s[0].article.id for s in results] == ["s1"]


@pytest.mark.parametrize("given, expected", [("EN", ("en",)), (["en", " FR "], ("en", "fr")),
                                             (("en",), ("en",))])
def test_languages_option_reads_as_the_cli_does(given, expected):
    assert settings_from_options(languages=given).languages == expected


@pytest.mark.parametrize("given", ["", " , ", [], ()])
def test_no_languages_at_all_is_refused(given):
    # --languages "" is a usage error; languages=() would send every article to the errors.
    with pytest.raises(ValueError, match="ISO 639-1"):
        settings_from_options(languages=given)


@pytest.mark.parametrize("options", [
    {"all_sentences": "false"}, {"claims": "no"}, {"claims": None}, {"min_score": "0.5"},
    {"batch_size": "8"}, {"batch_size": 2.5}, {"threads": True}, {"max_chars": None},
])
def test_options_of_the_wrong_type_are_refused_by_name(options):
    # "false" is a true string: all_sentences="false" silently wrote every sentence.
    with pytest.raises(TypeError, match=next(iter(options))):
        settings_from_options(**options)


def test_model_paths_may_be_strings(tmp_path):
    settings = settings_from_options(claim_model=str(tmp_path / "claims"))
    assert settings.claim_model == tmp_path / "claims"
