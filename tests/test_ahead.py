"""Models scoring articles in a thread beside the parse (claimtrace.pipeline.ahead)."""

from __future__ import annotations

import json
import random
import time

import pytest

from claimtrace.pipeline import nlp as nlp_module
from claimtrace.pipeline.ahead import work_ahead
from claimtrace.pipeline.nlp import build_nlp
from claimtrace.settings import SAMPLE_INPUT, RunSettings


def slow_square(n: int) -> int:
    time.sleep(random.random() / 500)  # results finish out of step with submission
    return n * n


@pytest.mark.parametrize("depth", [0, 1, 3, 50])
def test_results_come_back_in_input_order_whatever_the_depth(depth):
    pulled = []

    def items():
        for n in range(20):
            pulled.append(n)
            yield n

    assert list(work_ahead(items(), slow_square, depth)) == [(n, n * n) for n in range(20)]
    assert pulled == list(range(20))


def test_the_loop_pulls_at_most_depth_items_ahead_of_what_it_yields():
    pulled = []

    def items():
        for n in range(10):
            pulled.append(n)
            yield n

    for item, _ in work_ahead(items(), slow_square, depth=2):
        assert len(pulled) - 1 - item <= 2


@pytest.mark.parametrize("depth", [0, 3])
def test_an_error_in_the_work_is_raised_for_its_item_after_the_ones_before(depth):
    def work(n: int) -> int:
        if n == 4:
            raise ValueError("bad article")
        return n

    seen = []
    with pytest.raises(ValueError, match="bad article"):
        for item, _ in work_ahead(range(10), work, depth):
            seen.append(item)
    assert seen == [0, 1, 2, 3]


def test_models_work_ahead_only_with_a_second_core_to_spare():
    settings = RunSettings(models_ahead=4)
    assert settings.models_ahead_for(1) == 0
    assert settings.models_ahead_for(2) == 4
    with pytest.raises(ValueError, match="models_ahead"):
        RunSettings(models_ahead=-1).check()


def test_spacy_parses_small_batches_only_where_models_work_beside_it(monkeypatch):
    # The parser yields nothing until its whole batch is parsed: with the run's batch the
    # model threads would wait through every parse.
    monkeypatch.setattr(nlp_module, "usable_cores", lambda: 2)
    assert nlp_module.parse_batch_size(RunSettings()) == nlp_module.PARSE_BATCH_AHEAD
    assert nlp_module.parse_batch_size(RunSettings(batch_size=3)) == 3
    assert nlp_module.parse_batch_size(RunSettings(models_ahead=0)) == 64
    monkeypatch.setattr(nlp_module, "usable_cores", lambda: 1)
    assert nlp_module.parse_batch_size(RunSettings()) == 64


def test_the_models_give_the_same_annotations_in_their_own_threads(monkeypatch):
    monkeypatch.setattr(nlp_module, "usable_cores", lambda: 2)  # whatever this machine has
    texts = [path.read_text(encoding="utf-8") for path in sorted(SAMPLE_INPUT.glob("*.txt"))]
    texts = texts * 3  # more articles than the look-ahead

    def annotations(ahead: int) -> list:
        nlp = build_nlp(RunSettings(models_ahead=ahead, progress=False))
        assert nlp.get_pipe("claimtrace_classify").ahead == ahead
        assert nlp.get_pipe("claimtrace_attribute_tagger").ahead == ahead
        return [([(s.start_char, s.end_char) for s in doc.spans["attributions_tagger"]],
                 [sent._.claim for sent in doc.spans["sentences"]])
                for doc in nlp.pipe(texts, batch_size=2)]

    inline = annotations(0)
    assert any(tagged for tagged, _ in inline) and all(claims for _, claims in inline)
    assert annotations(2) == inline


def test_a_model_failing_on_one_article_in_its_thread_costs_only_that_article(
        monkeypatch, tmp_path):
    from claimtrace.pipeline.attribute.tagger import AttributeTagger
    from claimtrace.pipeline.checkpoint import errors_path_for
    from claimtrace.pipeline.runner import run_stage

    monkeypatch.setattr(nlp_module, "usable_cores", lambda: 2)
    tag_one = AttributeTagger.tag_one

    def failing(self, doc):
        if "POISON" in doc.text:
            raise RuntimeError("tagger failed")
        return tag_one(self, doc)

    monkeypatch.setattr(AttributeTagger, "tag_one", failing)
    rows = [{"id": f"a{n}", "text": f"The mayor said the park {n} would reopen."} for n in range(6)]
    rows[3]["text"] = "POISON. The mayor said the park would close."
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    summary = run_stage("run", [source], output, RunSettings(models_ahead=4, progress=False))
    errors = [json.loads(line) for line in errors_path_for(output).read_text().splitlines()]
    assert [e["article_id"] for e in errors] == ["a3"] and "tagger failed" in errors[0]["reason"]
    assert summary.processed == 5
