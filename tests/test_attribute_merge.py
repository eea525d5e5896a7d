"""Merging the producers' span groups (`pipeline.attribute.merge`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from claimtrace.pipeline.attribute import Attribution, CharSpan, attributions_of
from claimtrace.pipeline.attribute.merge import merge
from claimtrace.settings import RunSettings, model_dir

needs_model = pytest.mark.skipif(not (model_dir("attribution") / "manifest.json").exists(),
                                 reason="no committed attribution model")


def attribution(content: tuple[int, int], method: str, **fields) -> Attribution:
    return Attribution(content=CharSpan(*content), source=None, cue=None, quote_type="indirect",
                       method=method, **fields)


RULES = [attribution((12, 30), "rules", resolved="Ann Lee"),
         attribution((45, 60), "rules", construction="continuation")]
TAGGER = [attribution((9, 30), "model", confidence=0.8),
          attribution((70, 90), "model", confidence=0.6)]


def test_rules_method_keeps_the_rules_only():
    assert merge(RULES, TAGGER, "rules") == RULES


def test_model_method_takes_the_rule_where_both_found_one():
    first, second = merge(RULES, TAGGER, "model")
    assert first.content == CharSpan(12, 30) and first.resolved == "Ann Lee"
    assert first.method == "hybrid" and first.confidence == 0.8
    assert second.content == CharSpan(70, 90) and second.method == "model"


def test_hybrid_adds_rule_attributions_the_tagger_did_not_touch():
    merged = merge(RULES, TAGGER, "hybrid")
    assert [a.method for a in merged] == ["hybrid", "rules", "model"]
    assert [a.content.start for a in merged] == [12, 45, 70]  # text order


def test_hybrid_keeps_a_rule_report_nested_in_a_kept_content():
    # "Hale said the minister had told him the plan was safe": the outer content holds the
    # inner report's source, cue and content; a rule content that only overlaps is a twin.
    outer = Attribution(content=CharSpan(10, 60), source=CharSpan(0, 4), cue=CharSpan(5, 9),
                        quote_type="indirect", method="rules")
    inner = Attribution(content=CharSpan(40, 60), source=CharSpan(10, 22),
                        cue=CharSpan(23, 32), quote_type="indirect", method="rules")
    twin = Attribution(content=CharSpan(30, 70), source=CharSpan(0, 4), cue=CharSpan(5, 9),
                       quote_type="indirect", method="rules")
    tagged = [replace(outer, method="model", content=CharSpan(10, 61), confidence=0.9)]
    merged = merge([outer, inner, twin], tagged, "hybrid")
    assert [(a.content, a.method) for a in merged] == [(CharSpan(10, 60), "hybrid"),
                                                        (CharSpan(40, 60), "rules")]


def test_hybrid_keeps_the_speaker_of_a_passive_report():
    # "Mira Solberg is reported to have said the talks had failed": the inner report's source
    # is the passive's subject, before the outer content its cue opens.
    outer = Attribution(content=CharSpan(26, 59), source=None, cue=CharSpan(13, 25),
                        quote_type="indirect", method="rules")
    inner = Attribution(content=CharSpan(39, 59), source=CharSpan(0, 12),
                        cue=CharSpan(26, 38), quote_type="indirect", method="rules")
    tagged = [replace(outer, method="model", confidence=0.9)]
    merged = merge([outer, inner], tagged, "hybrid")
    assert [(a.content, a.method) for a in merged] == [(CharSpan(26, 59), "hybrid"),
                                                        (CharSpan(39, 59), "rules")]


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="attribution method"):
        merge(RULES, TAGGER, "both")


TEXT = ('Elena Marsh, the chief engineer of the transport department, said that inspectors '
        'had found corrosion in 14 cables. "We cannot wait another winter," Marsh said.\n\n'
        '"Safety comes first."\n\nThe repairs will cost $48 million, according to budget '
        'documents. Some residents fear the closure will hurt local shops.')


@pytest.fixture(scope="module")
def hybrid_nlp():
    from claimtrace.pipeline.nlp import build_nlp

    return build_nlp(RunSettings(classify=False, attribution_method="hybrid"), "run")


@needs_model
def test_hybrid_pipeline_keeps_rule_spans_labels_and_rule_only_attributions(hybrid_nlp):
    doc = hybrid_nlp(TEXT)
    found = {a.content.text(doc): a for a in attributions_of(doc)}
    first = found["inspectors had found corrosion in 14 cables"]
    assert first.source.text(doc) == "Elena Marsh"
    assert first.description == "the chief engineer of the transport department"
    assert found["We cannot wait another winter"].resolved == "Elena Marsh"
    continuation = found["Safety comes first"]  # rules only: the tagger has no cue for it
    assert continuation.cue is None and continuation.resolved == "Elena Marsh"
    assert found["The repairs will cost $48 million"].cue.text(doc) == "according to"
    assert "hybrid" in {a.method for a in found.values()}


@needs_model
def test_provenance_names_the_attribution_model(hybrid_nlp):
    from claimtrace.pipeline.nlp import model_versions

    assert model_versions(hybrid_nlp)["attribution"].startswith("attribution@")


@pytest.mark.parametrize("cue, confidence, kept", [
    ("said", 0.79, False), ("said", 0.80, True),        # a lexicon cue needs 0.8
    ("approved", 0.84, False), ("approved", 0.85, True),  # any other cue needs 0.85
])
def test_scope_keeps_a_tagger_only_attribution_by_cue_and_confidence(nlp, cue, confidence,
                                                                    kept):
    from claimtrace.pipeline.attribute import load_lexicon
    from claimtrace.pipeline.attribute.merge import Scope

    doc = nlp(f"The agency {cue} the plan was ready.")
    at = doc.text.index(cue)
    found = Attribution(content=CharSpan(at + len(cue) + 1, len(doc.text) - 1),
                        source=CharSpan(0, 10), cue=CharSpan(at, at + len(cue)),
                        quote_type="indirect", method="model", confidence=confidence)
    assert Scope()(doc, found, load_lexicon()) is kept


@pytest.mark.parametrize("confidence, kept", [(0.49, False), (0.5, True), (0.79, True)])
def test_scope_keeps_according_to_from_half_confidence(nlp, confidence, kept):
    from claimtrace.pipeline.attribute import load_lexicon
    from claimtrace.pipeline.attribute.merge import Scope

    doc = nlp("Prices rose by a third, according to the agency.")
    cue, source = doc.text.index("according to"), doc.text.index("the agency")
    found = Attribution(content=CharSpan(0, doc.text.index(",")),
                        source=CharSpan(source, source + 10), cue=CharSpan(cue, cue + 12),
                        quote_type="indirect", method="model", confidence=confidence)
    assert Scope()(doc, found, load_lexicon()) is kept


@pytest.mark.parametrize("text, kept", [
    ("The ferry left Brelle at 9:40 a.m., according to schedule.", False),
    ("The vote was held according to the rules of the assembly.", False),
    ("The ferry left Brelle at 9:40 a.m., according to the harbour master.", True),
])
def test_scope_drops_according_to_a_plan_or_rule_however_sure(nlp, text, kept):
    from claimtrace.pipeline.attribute import load_lexicon
    from claimtrace.pipeline.attribute.merge import Scope

    doc = nlp(text)
    cue = doc.text.index("according to")
    found = Attribution(content=CharSpan(0, cue - 1), source=CharSpan(cue + 13, len(text) - 1),
                        cue=CharSpan(cue, cue + 12), quote_type="indirect", method="model",
                        confidence=0.99)
    assert Scope()(doc, found, load_lexicon()) is kept


@pytest.mark.parametrize("text, verb, content, kept", [
    ("The governor declared a state of emergency.", "declared", "a state of emergency",
     False),
    ("The governor declared that the state would sue.", "declared", "the state would sue",
     True),
    ("The governor proposed a bill to cut taxes.", "proposed", "a bill to cut taxes", False),
    ("The governor supported the campaign of her rival.", "supported",
     "the campaign of her rival", False),
    ("The governor declined the invitation.", "declined", "the invitation", False),
    ("The governor congratulated the winners.", "congratulated", "the winners", False),
    ("The minister defended the budget on Tuesday.", "defended", "the budget", False),
    ("The mayor criticised the decision.", "criticised", "the decision", False),
    ("The coach praised the players for their grit.", "praised",
     "the players for their grit", False),
    ("The mayor praised the scheme as a model for Brelle.", "praised",
     "the scheme as a model for Brelle", False),
    ('The mayor praised the scheme as "a model for Brelle".', "praised",
     'the scheme as "a model for Brelle', True),  # her words for it: a report
    ("The mayor thanked the volunteers for their work.", "thanked",
     "the volunteers for their work", False),
    ("The minister condemned the attack.", "condemned", "the attack", False),
    ("The union welcomed the ruling.", "welcomed", "the ruling", False),
    ("Police charged the driver with arson.", "charged", "the driver with arson", False),
    ("Prosecutors charged that the firm hid its debts.", "charged",
     "the firm hid its debts", True),
    # the object of "inform" / "notify" is the person told, not what they were told
    ("The clinic informed the family of his death.", "informed", "the family of his death",
     False),
    ("The bank notified the regulator on Monday.", "notified", "the regulator", False),
    ("The clinic informed the family that he had died.", "informed", "he had died", True),
    # "assured" + a thing is "secured"; + a person, the person told
    ("The striker assured her place in the final.", "assured", "her place in the final",
     False),
    ("The minister assured the families of her support.", "assured",
     "the families of her support", False),
    ("The minister assured the families that help would come.", "assured",
     "help would come", True),
    # "considered" + a noun phrase is weighing it; a small clause is a view
    ("The board considered the bid on Monday.", "considered", "the bid", False),
    ("The panel considered it unfair.", "considered", "it unfair", True),
])
def test_scope_drops_an_act_on_an_object_however_sure(nlp, text, verb, content, kept):
    assert kept_by_scope(nlp, text, subject_before(text, verb), verb, content) is kept


@pytest.mark.parametrize("text, cue, content, kept", [
    ("Ana Ruiz wondered whether the plan would work.", "wondered",
     "whether the plan would work", False),
    ("Ana Ruiz did not mention if anyone was hurt.", "did not mention",
     "if anyone was hurt", False),
    ("Ana Ruiz said if the rain stops, the fair will open.", "said",
     "if the rain stops, the fair will open", True),
    ("Ana Ruiz would not say where the man was held.", "would not say",
     "where the man was held", False),
    ("Ana Ruiz explained how the bridge was built.", "explained",
     "how the bridge was built", True),
])
def test_scope_drops_an_open_question_however_sure(nlp, text, cue, content, kept):
    assert kept_by_scope(nlp, text, subject_before(text, cue), cue, content) is kept


@pytest.mark.parametrize("text, cue, content, kept", [
    ("The Orvik council has plans to widen the road.", "has plans", "to widen the road", False),
    ("The Orvik council agreed to support the bill.", "agreed", "to support the bill", False),
    ("The Orvik council is considering moving the market.", "is considering",
     "moving the market", False),
    ("The Orvik council voted for Ruiz to lead the board.", "voted for",
     "Ruiz to lead the board", False),
    ("The Orvik council agreed that the vote was fair.", "agreed", "the vote was fair", True),
    ("The Orvik council considered it unfair to close the market.", "considered",
     "it unfair to close the market", True),
    ("The Orvik union seeks to remove the levy.", "seeks", "to remove the levy", False),
    ("The Orvik council wants to widen the road.", "wants", "to widen the road", True),
])
def test_scope_drops_an_intention_however_sure(nlp, text, cue, content, kept):
    assert kept_by_scope(nlp, text, subject_before(text, cue), cue, content) is kept


@pytest.mark.parametrize("text, verb, content, kept", [
    ("A spokesman for the ministry declined to comment on the audit.", "declined",
     "to comment on the audit", False),
    ("The club declined to comment further.", "declined", "to comment further", False),
    ("The minister refused to elaborate on the plan.", "refused", "to elaborate on the plan",
     False),
    ("The governor declined to say whether the state would sue.", "declined",
     "to say whether the state would sue", False),  # with a clause of its own too
])
def test_scope_drops_a_refusal_to_speak_however_sure(nlp, text, verb, content, kept):
    from claimtrace.pipeline.attribute import load_lexicon
    from claimtrace.pipeline.attribute.merge import Scope

    doc = nlp(text)
    at, cue = doc.text.index(content), doc.text.index(verb)
    found = Attribution(content=CharSpan(at, at + len(content)), source=CharSpan(0, cue - 1),
                        cue=CharSpan(cue, cue + len(verb)), quote_type="indirect",
                        method="model", confidence=0.99)
    assert Scope()(doc, found, load_lexicon()) is kept


@needs_model
def test_hybrid_pipeline_keeps_the_inner_report(hybrid_nlp):
    doc = hybrid_nlp("Tom Hale said the minister, Ana Ruiz, had told him the plan was safe.")
    found = {(a.resolved, a.content.text(doc)) for a in attributions_of(doc)}
    assert ("Ana Ruiz", "the plan was safe") in found


@needs_model
def test_hybrid_drops_a_wish_not_to_be_named(hybrid_nlp):
    doc = hybrid_nlp("One witness, who asked not to be named, said she saw two men running.")
    assert [a.content.text(doc) for a in attributions_of(doc)] == ["she saw two men running"]


@needs_model
def test_hybrid_drops_a_refusal_to_comment(hybrid_nlp):
    doc = hybrid_nlp("A spokesman for the ministry declined to comment on the audit.")
    assert attributions_of(doc) == []


def kept_by_scope(nlp, text: str, source: str, verb: str, content: str) -> bool:
    """Whether the merge's `Scope` keeps a sure tagger attribution with these spans."""
    from claimtrace.pipeline.attribute import load_lexicon
    from claimtrace.pipeline.attribute.merge import Scope

    doc = nlp(text)
    at, cue, by = doc.text.index(content), doc.text.index(verb), doc.text.index(source)
    found = Attribution(content=CharSpan(at, at + len(content)),
                        source=CharSpan(by, by + len(source)),
                        cue=CharSpan(cue, cue + len(verb)), quote_type="indirect",
                        method="model", confidence=0.99)
    return Scope()(doc, found, load_lexicon())


def subject_before(text: str, cue: str) -> str:
    """The words before the cue: the source of the one-clause test sentences here."""
    return text[:text.index(cue)].strip()


@pytest.mark.parametrize("text, source, verb, content, kept", [
    ("The mayor told reporters the delay was over.", "The mayor", "told",
     "the delay was over", True),
    ("The mayor was asked about the delay but did not answer.", "The mayor", "was asked",
     "the delay", False),  # the person asked says nothing
    ("Kell Varga was told about the crash by a neighbour.", "Kell Varga", "was told about",
     "the crash by a neighbour", False),
    ("Grasso is expected to say on Monday whether the plant will close.", "Grasso",
     "is expected", "to say on Monday whether the plant will close", False),
    ("Grasso refused to say whether the plant would close.", "Grasso", "to say",
     "the plant would close", False),
    ("No one said the plant at Vellmar would close.", "No one", "said",
     "the plant at Vellmar would close", False),
    ("Asked whether he would resign, Tomas Grell said no.", "Tomas Grell", "Asked",
     "whether he would resign", False),  # the question put to him, not his words
])
def test_scope_drops_what_no_one_says_however_sure(nlp, text, source, verb, content, kept):
    assert kept_by_scope(nlp, text, source, verb, content) is kept


@pytest.mark.parametrize("text, source, verb, content, kept", [
    ("They talked about the weather for hours.", "They", "talked about",
     "the weather for hours", False),
    ("Jon Arvik spoke about the importance of reading.", "Jon Arvik", "spoke about",
     "the importance of reading", False),
    ("He spoke about his years in the navy.", "He", "spoke", "his years in the navy", False),
    ("Ana Telby wrote about the history of the Merrow valley.", "Ana Telby", "wrote about",
     "the history of the Merrow valley", False),
    ("She spoke of her pride in the team.", "She", "spoke of", "her pride in the team",
     True),  # "spoke of" objects are labelled
    ("The mayor talked about how the bridge would be rebuilt.", "The mayor", "talked about",
     "how the bridge would be rebuilt", True),  # a clause, not a topic
])
def test_scope_drops_the_topic_of_talk_however_sure(nlp, text, source, verb, content, kept):
    assert kept_by_scope(nlp, text, source, verb, content) is kept


@pytest.mark.parametrize("text, source, verb, content, kept", [
    ("Reporters asked the mayor about the flooding in Dellport.", "Reporters", "asked",
     "the mayor about the flooding in Dellport", False),
    ("The Harwick council asked the bank for a loan.", "The Harwick council", "asked",
     "the bank for a loan", False),
    ("She asked her lawyer for advice.", "She", "asked", "her lawyer for advice", False),
    ("The union asked the company to delay the vote.", "The union", "asked",
     "the company to delay the vote", True),  # the request, with its infinitive
])
def test_scope_drops_the_person_asked_however_sure(nlp, text, source, verb, content, kept):
    assert kept_by_scope(nlp, text, source, verb, content) is kept


@pytest.mark.parametrize("text, content", [
    ('Senator Mira Holt said the levy was "rushed and careless".',
     'the levy was "rushed and careless"'),
    ('Senator Mira Holt said the levy was "rushed and careless." The vote is on Monday.',
     'the levy was "rushed and careless."'),
    ('Minister Lena Vos described the plan as "the biggest investment in a generation".',
     'the plan as "the biggest investment in a generation"'),
    ('Mayor Tom Reed said the new road was "a disaster" for the town.',
     'the new road was "a disaster" for the town'),
])
def test_a_mixed_quote_keeps_its_closing_mark(nlp, text, content):
    doc = nlp(text)
    assert [a.content.text(doc) for a in attributions_of(doc)] == [content]


@needs_model
def test_hybrid_keeps_the_closing_mark_after_a_naming_verb(hybrid_nlp):
    doc = hybrid_nlp('Critics in Varn called the deal "a betrayal of voters".')
    assert [a.content.text(doc) for a in attributions_of(doc)] == [
        'the deal "a betrayal of voters"']
