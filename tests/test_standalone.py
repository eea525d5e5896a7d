"""Stand-alone claim text: golden (text, expected claim.text) cases, replacements and refusals."""

from __future__ import annotations

import pytest

from claimtrace.pipeline.export import doc_to_statement_models


@pytest.mark.parametrize("text, expected", [
    pytest.param(  # the example: "it" is the previous sentence's subject
        "The harbour bridge plan was unveiled on Monday. Elena Marsh, a spokesman for the "
        "Northern Medical Association, said it would cost $3bn.",
        "the harbour bridge plan would cost $3bn", id="it-previous-subject"),
    pytest.param(
        "Officials said they had found 12 bodies in the rubble.",
        "officials had found 12 bodies in the rubble", id="they-group-speaker"),
    pytest.param(
        "The Harbour Commission says it has found no sign of damage to the pier.",
        "the Harbour Commission has found no sign of damage to the pier", id="it-org-speaker"),
    pytest.param(
        "Mayor John Smith visited the site. He said he would resign if the repairs failed.",
        "John Smith would resign if the repairs failed", id="he-only-person"),
    pytest.param(
        '"I will finish the work by 2030," Elena Marsh said.',
        "Elena Marsh will finish the work by 2030", id="i-direct-quote"),
    # Refusals: the reference stays as written.
    pytest.param(
        'Elena Marsh visited the site. "I am confident," Marsh said.',
        "I am confident", id="i-would-need-new-agreement"),
    pytest.param(  # a passive: "am" is the auxiliary of "saddened"
        '"I am saddened to report that the bridge has closed," Judge Ana Ruiz said.',
        "I am saddened to report that the bridge has closed", id="i-passive-new-agreement"),
    pytest.param(
        "Peter Hall met Anna Berg on Monday. She said he had lied.",
        "he had lied", id="two-people-no-guess"),
    pytest.param(  # "He said" shows Tom Green is a man: "she" is someone else
        "Tom Green spoke on Monday. He said she earned $2 million last year.",
        "she earned $2 million last year", id="she-not-a-known-man"),
    pytest.param(
        "Tom Green spoke on Monday. He said he earned $2 million last year.",
        "Tom Green earned $2 million last year", id="he-the-known-man"),
    pytest.param(
        "The plan was approved. Critics said it is clear that costs will rise.",
        "it is clear that costs will rise", id="expletive-it"),
    pytest.param(
        "The bridge opened in May. The engineer said it's safe.",
        "it's safe", id="contraction"),
    pytest.param(
        "The council sent the report to the ministry. Officials said it was late.",
        "it was late", id="rival-noun"),
    pytest.param(  # speakers call themselves "I": her "she" is somebody else
        '"She was a patient teacher and a gifted violinist," said her colleague Ines Varga.',
        "She was a patient teacher and a gifted violinist", id="she-in-own-quote-not-speaker"),
    pytest.param(
        'Peter Novak spoke at the memorial on Friday. "He never missed a rehearsal," Novak said.',
        "He never missed a rehearsal", id="he-in-own-quote-not-named-speaker"),
    pytest.param(  # the writer's own fact beside the report: the sentence is the claim
        "Firefighters pulled 14 people from the burning tower on Tuesday, and neighbours "
        "said the crews were heroes.",
        "Firefighters pulled 14 people from the burning tower on Tuesday, and neighbours "
        "said the crews were heroes.", id="writer-clause-beside-the-report"),
    pytest.param(  # a relative clause on the speaker is no claim of the writer's
        "Ana Ruiz, who arrived in Lima on Monday, said taxes would rise.",
        "taxes would rise", id="relative-clause-on-the-speaker"),
    pytest.param(  # one name for two "I"s would make the second someone else's
        '"I knew I had it when I came off the bend," Grace Okafor said.',
        "I knew I had it when I came off the bend", id="two-first-person-words"),
    pytest.param(  # "I have" stays, so "my" must too
        '"I have never seen water like this in my life," said Marta Ilic.',
        "I have never seen water like this in my life", id="my-after-kept-i"),
    pytest.param(  # in their own quotation speakers say "we": "It" is not the shopkeeper
        '"It was terrifying," said a shopkeeper.',
        "It was terrifying", id="it-in-own-quote-not-speaker"),
    pytest.param(
        '"They are lying to us," officials said.',
        "They are lying to us", id="they-in-own-quote-not-speaker"),
    pytest.param(  # an unnamed speaker is a person: "it" is not the spokesman
        "A spokesman said it had found no evidence of fraud.",
        "it had found no evidence of fraud", id="it-not-an-unnamed-person"),
])
def test_claim_text(nlp, rules_settings, text, expected):
    statements = doc_to_statement_models(nlp(text), rules_settings)
    claim = statements[-1].claim
    assert claim.text == expected
    assert text[claim.span.start:claim.span.end] == claim.span.text  # verbatim beside it


def test_a_name_is_put_in_once(nlp, rules_settings):
    text = ("Judge Clark Waddoups ruled on Tuesday. "
            "Waddoups said he would put a stay on his ruling.")
    claim = doc_to_statement_models(nlp(text), rules_settings)[-1].claim
    assert claim.text == "Clark Waddoups would put a stay on his ruling"


def test_the_component_keeps_the_texts_for_an_export_without_parse(nlp, rules_settings):
    from claimtrace.pipeline.ingest import make_article
    from claimtrace.pipeline.state import doc_to_state, restore_doc

    text = "Officials said they had found 12 bodies. The river rose."
    doc = nlp.make_doc(text)
    doc._.article = make_article({"text": text}, "test")
    doc = nlp(doc)
    start = text.index("they")
    assert doc._.standalone_texts == {f"{start}-{text.index('.')}":
                                      "officials had found 12 bodies"}
    restored = restore_doc(nlp.make_doc, doc_to_state(doc, "attribute"))  # no parse
    assert not restored.has_annotation("DEP")
    claims = [s.claim.text for s in doc_to_statement_models(restored, rules_settings)]
    assert claims == ["officials had found 12 bodies"]


def test_a_long_article_does_not_list_its_sentences_for_each_pronoun(nlp, rules_settings,
                                                                      monkeypatch):
    # Listing every sentence per pronoun made a long article quadratic (a 1 MB article,
    # under --max-chars, took tens of minutes in this component alone).
    from claimtrace.pipeline import standalone

    calls = []
    real = standalone.sentence_spans
    monkeypatch.setattr(standalone, "sentence_spans",
                        lambda doc: calls.append(1) or real(doc))
    text = ("The harbour bridge plan was unveiled on Monday. Elena Marsh, a spokesman for "
            "the Northern Medical Association, said it would cost $3bn.\n\n") * 40
    claims = [s.claim.text for s in doc_to_statement_models(nlp(text), rules_settings)]
    assert claims[-1] == "the harbour bridge plan would cost $3bn"  # unchanged
    assert len(calls) < 10
