"""Export: `Doc` annotations -> statement@2 records (ids, confidence, language, no article)."""

from __future__ import annotations

import dataclasses

import pytest

from claimtrace.pipeline.attribute import Attribution, CharSpan, set_attributions
from claimtrace.pipeline.export import (
    RULE_CONFIDENCE,
    attribution_id,
    doc_to_statement_models,
    doc_to_statements,
    statement_id,
)
from claimtrace.pipeline.ingest import make_article, stable_id, text_sha256

TEXT = ("The harbour bridge plan was unveiled on Monday. Elena Marsh, a spokesman for the "
        "Northern Medical Association, said it would cost $3bn.\n\n"
        "\"We will finish the work by 2030,\" she added. Critics were not convinced.")


def parsed(nlp, text: str, article_id: str | None = None):
    doc = nlp.make_doc(text)
    if article_id is not None:
        doc._.article = make_article({"id": article_id, "text": text}, "test")
    return nlp(doc)


def test_export_works_without_an_article(nlp, rules_settings, statement_validator):
    records = doc_to_statements(parsed(nlp, TEXT), rules_settings)
    assert records, "two attributed sentences"
    for record in records:
        statement_validator.validate(record)
        assert record["article"]["id"] == stable_id(TEXT)
        assert record["article"]["sha256"] == text_sha256(TEXT)


def test_ids_come_from_the_text_hash_and_offsets(nlp, rules_settings):
    first = doc_to_statement_models(parsed(nlp, TEXT, "a"), rules_settings)
    again = doc_to_statement_models(parsed(nlp, TEXT, "another-id"), rules_settings)
    assert [s.id for s in first] == [s.id for s in again]
    assert ([a.id for s in first for a in s.attributions]
            == [a.id for s in again for a in s.attributions])
    sha = text_sha256(TEXT)
    for statement in first:
        assert statement.id == statement_id(sha, statement.sentence.start, statement.sentence.end)
    ids = [a.id for s in first for a in s.attributions]
    assert len(ids) == len(set(ids)) >= 2
    assert all(i.startswith(sha[:16] + ":") for i in ids)


def test_moved_spans_get_new_ids(nlp, rules_settings):
    before = {s.text: s.id for s in doc_to_statement_models(parsed(nlp, TEXT), rules_settings)}
    shifted = "Updated. " + TEXT
    after = {s.text: s.id for s in doc_to_statement_models(parsed(nlp, shifted), rules_settings)}
    assert before.keys() & after.keys()
    assert all(before[t] != after[t] for t in before.keys() & after.keys())


def test_every_attribution_has_id_confidence_and_construction(nlp, rules_settings):
    statements = doc_to_statement_models(parsed(nlp, TEXT), rules_settings)
    attributions = [a for s in statements for a in s.attributions]
    assert {a.construction for a in attributions} >= {"reported_clause", "quote_with_cue"}
    for attribution in attributions:
        assert attribution.id
        assert attribution.confidence == RULE_CONFIDENCE[attribution.construction]


def test_claim_without_a_classifier_keeps_the_verbatim_span(nlp, rules_settings):
    statements = doc_to_statement_models(parsed(nlp, TEXT), rules_settings)
    for statement in statements:
        claim = statement.claim
        assert claim.checkworthy is None and claim.score is None and claim.model is None
        assert TEXT[claim.span.start:claim.span.end] == claim.span.text
        assert claim.span.text == statement.attributions[0].content.text


def test_language_is_detected_and_other_languages_flagged(nlp, rules_settings):
    french = ("Le maire a déclaré que le pont coûterait trois milliards de dollars. "
              "« Nous finirons en 2030 », a-t-elle ajouté devant les journalistes.")
    english = doc_to_statement_models(parsed(nlp, TEXT), rules_settings)[0].article
    assert (english.language, english.language_supported) == ("en", True)
    settings = dataclasses.replace(rules_settings, all_sentences=True)
    other = doc_to_statement_models(parsed(nlp, french), settings)[0].article
    assert (other.language, other.language_supported) == ("fr", False)


def test_published_date_is_iso_with_the_raw_string_beside_it(nlp, rules_settings):
    doc = nlp.make_doc(TEXT)
    doc._.article = make_article({"text": TEXT, "date": "Friday, January 4, 2019"}, "t")
    article = doc_to_statement_models(nlp(doc), rules_settings)[0].article
    assert (article.published, article.published_raw) == ("2019-01-04",
                                                           "Friday, January 4, 2019")


def _hand_built(doc, **fields) -> Attribution:
    text = doc.text
    source = CharSpan(text.index("Elena"), text.index("Elena") + len("Elena Marsh"))
    cue = CharSpan(text.index("said"), text.index("said") + 4)
    content = CharSpan(text.index("it would"), text.index("$3bn") + 4)
    return Attribution(content=content, source=source, cue=cue, quote_type="indirect",
                       resolved="Elena Marsh", source_type="person",
                       construction="reported_clause", sentence_index=1, **fields)


def _needs_field(name: str) -> None:
    if name not in {f.name for f in dataclasses.fields(Attribution)}:
        pytest.skip(f"Attribution has no '{name}' field yet (issue 10 adds it)")


def test_role_and_organisation_are_exported(nlp, rules_settings):
    _needs_field("role")
    doc = parsed(nlp, TEXT)
    set_attributions(doc, [_hand_built(doc, role="spokesman",
                                       organization="Northern Medical Association")])
    source = doc_to_statement_models(doc, rules_settings)[0].attributions[0].source
    assert (source.role, source.organization) == ("spokesman", "Northern Medical Association")


def test_an_attributions_own_confidence_wins(nlp, rules_settings):
    _needs_field("confidence")
    doc = parsed(nlp, TEXT)
    set_attributions(doc, [_hand_built(doc, confidence=0.4321)])
    assert doc_to_statement_models(doc, rules_settings)[0].attributions[0].confidence == 0.4321


def test_attribution_id_names_content_and_cue():
    attribution = Attribution(content=CharSpan(5, 9), source=None, cue=None, quote_type="direct")
    assert attribution_id("ab" * 32, attribution) == "abababababababab:5-9:-"
