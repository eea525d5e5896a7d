"""Sentence units: offsets into the original text, datelines apart, quotes intact."""

from __future__ import annotations

import pytest

from claimtrace.pipeline.split import sentence_spans


def units(nlp, text: str) -> list[str]:
    return [s.text for s in sentence_spans(nlp(text))]


WRAPPED = ("The board of the Dunmore Clinic said on Tuesday that waiting times at the\n"
           "new clinic had fallen by a third since March, after the hiring of twelve\n"
           "nurses. Ana Ruiz, the clinic's director, told reporters that the\n"
           "Orwell Bank would fund a second wing, which is due to open in the spring\n"
           "of next year.")


@pytest.mark.parametrize("text, expected", [
    ("Friday, March 8, 2019 \n\n\nA warehouse roof fell in on Monday. Rescuers came.",
     ["Friday, March 8, 2019", "A warehouse roof fell in on Monday.",
      "Rescuers came."]),
    ("WASHINGTON (AP) — The Senate voted on Monday. It passed.",
     ["WASHINGTON (AP) —", "The Senate voted on Monday.", "It passed."]),
    ("DORWICH, May 3 — The Orwell Bank said it would close 40 branches.",
     ["DORWICH, May 3 —", "The Orwell Bank said it would close 40 branches."]),
    ('"We are pleased. This is a big day. Really," said Sen. John Smith. Critics disagreed.',
     ['"We are pleased. This is a big day. Really," said Sen. John Smith.',
      "Critics disagreed."]),
    ("Bridge to close for repairs\n\nThe bridge will close on April 1.",
     ["Bridge to close for repairs", "The bridge will close on April 1."]),
    ("By Jane Doe\nThe U.S. economy grew 3% in May, officials said.",
     ["By Jane Doe", "The U.S. economy grew 3% in May, officials said."]),
    # a quotation over several paragraphs: each re-opens the mark, the last one closes it;
    # the open paragraph is still one quoted passage with its attribution
    ('Ada Penn said: "We warned them in March. Nobody listened.\n\n"Now we need help."',
     ['Ada Penn said: "We warned them in March. Nobody listened.', '"Now we need help."']),
    # a question's speaker after it is in its sentence; another sentence after it is not
    ('"Why now?" Ivo Marsh asked. Nobody knew.', ['"Why now?" Ivo Marsh asked.', "Nobody knew."]),
    ('"We did it!" captain Ola Brenn shouted after the final whistle.',
     ['"We did it!" captain Ola Brenn shouted after the final whistle.']),
    ('Protesters carried signs reading "Why now?" The police watched from Dorwich Road.',
     ['Protesters carried signs reading "Why now?"', "The police watched from Dorwich Road."]),
    # a list item's marker belongs to its item's sentence
    ("The audit found:\n- rents rose 12 percent in Dunmore\n- wages stayed flat",
     ["The audit found:", "- rents rose 12 percent in Dunmore", "- wages stayed flat"]),
    ("The plan would:\n\u2022 cut the tax in April\n1. raise pensions",
     ["The plan would:", "\u2022 cut the tax in April", "1. raise pensions"]),
    # a hard-wrapped text: a line break in mid-sentence wraps it, and once the text breaks
    # before lower-case words three times, also before a capital ("the|Orwell Bank")
    (WRAPPED, ["The board of the Dunmore Clinic said on Tuesday that waiting times at the\n"
               "new clinic had fallen by a third since March, after the hiring of twelve\n"
               "nurses.", "Ana Ruiz, the clinic's director, told reporters that the\nOrwell Bank "
               "would fund a second wing, which is due to open in the spring\nof next year."]),
    # ... but a headline on the line above the body is its own sentence
    ("Volunteers clear two tonnes of rubbish from the Lintel River banks\nMore than 300 "
     "volunteers took part on Saturday.",
     ["Volunteers clear two tonnes of rubbish from the Lintel River banks",
      "More than 300 volunteers took part on Saturday."]),
])
def test_sentence_units(nlp, text, expected):
    assert units(nlp, text) == expected


def test_offsets_index_the_original_text_and_paragraphs_count(nlp):
    text = "  Title line\r\n\r\nFirst “quoted” sentence.  Second one!\n\nThird paragraph here."
    doc = nlp(text)
    spans = sentence_spans(doc)
    for span in spans:
        assert text[span.start_char:span.end_char] == span.text
        assert span.text == span.text.strip()
    assert [s._.paragraph for s in spans] == [0, 1, 1, 2]
    assert [s._.index for s in spans] == [0, 1, 2, 3]


def test_unbalanced_quote_does_not_crash(nlp):
    text = 'He said "this never closes. Then more text follows. And more.'
    # an unclosed quote does not glue the rest of the paragraph into one sentence
    assert units(nlp, text) == ['He said "this never closes.', "Then more text follows.",
                                "And more."]


def test_a_doc_the_split_stage_never_saw_falls_back_to_spacy_then_to_the_whole_doc():
    import spacy
    from spacy.tokens import Doc

    blank = spacy.blank("en")
    doc = blank("One sentence. Another one.")
    assert [s.text for s in sentence_spans(doc)] == ["One sentence. Another one."]
    sentenced = Doc(blank.vocab, words=["A", ".", "B", "."],
                    sent_starts=[True, False, True, False])
    assert [s.text for s in sentence_spans(sentenced)] == ["A .", "B ."]
    assert sentence_spans(blank("")) == []
