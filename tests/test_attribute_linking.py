"""Linking the tagger's role spans into triples (`pipeline.attribute.linking`)."""

from claimtrace.pipeline.attribute.linking import link_spans


def tag(text: str, *marked: tuple[str, str], prob: float = 0.9
        ) -> list[tuple[str, int, int, float]]:
    """Tagged spans from (role, phrase) pairs; a phrase's first occurrence is used."""
    spans = []
    for role, phrase in marked:
        start = text.index(phrase)
        spans.append((role, start, start + len(phrase), prob))
    return spans


def texts(text: str, attribution: dict) -> dict:
    return {
        role: None if attribution[role] is None else [text[s:e] for s, e in attribution[role]]
        for role in ("source", "cue", "content")
    }


def test_one_triple():
    text = "The mayor said the bridge will reopen in May."
    spans = tag(
        text, ("source", "The mayor"), ("cue", "said"), ("content", "the bridge will reopen in May")
    )
    (only,) = link_spans(text, spans)
    assert texts(text, only) == {
        "source": ["The mayor"],
        "cue": ["said"],
        "content": ["the bridge will reopen in May"],
    }
    assert only["confidence"] == 0.9


def test_contents_around_a_cue_merge_into_one_discontinuous_content():
    text = '"It is safe," he added, "and it is cheaper."'
    spans = tag(
        text,
        ("content", '"It is safe,"'),
        ("source", "he"),
        ("cue", "added"),
        ("content", '"and it is cheaper."'),
    )
    (only,) = link_spans(text, spans)
    assert texts(text, only)["content"] == ['"It is safe,"', '"and it is cheaper."']
    assert texts(text, only)["source"] == ["he"]


def test_second_cue_shares_the_source_in_its_sentence():
    text = "She said taxes will rise and added that schools will close."
    spans = tag(
        text,
        ("source", "She"),
        ("cue", "said"),
        ("content", "taxes will rise"),
        ("cue", "added"),
        ("content", "that schools will close"),
    )
    first, second = link_spans(text, spans)
    assert texts(text, first)["source"] == texts(text, second)["source"] == ["She"]
    assert texts(text, second)["cue"] == ["added"]


def test_source_is_not_shared_across_sentences():
    text = "Officials said the road is open. According to the police, it is not."
    spans = tag(
        text,
        ("source", "Officials"),
        ("cue", "said"),
        ("content", "the road is open"),
        ("cue", "According to"),
        ("source", "the police"),
        ("content", "it is not"),
    )
    first, second = link_spans(text, spans)
    assert texts(text, first)["source"] == ["Officials"]
    assert texts(text, second)["source"] == ["the police"]


def test_a_source_run_on_from_a_headline_keeps_only_its_own_line():
    text = "Ferry news\n\nKelso Ferries announced a new route on Tuesday."
    spans = tag(text, ("source", "Ferry news\n\nKelso Ferries"), ("cue", "announced"),
                ("content", "a new route"))
    (only,) = link_spans(text, spans)
    assert texts(text, only)["source"] == ["Kelso Ferries"]


def test_quote_running_on_into_the_next_paragraph_keeps_its_cue():
    text = 'The senator said: "We will win.\n"And we will win big."'
    spans = tag(
        text,
        ("source", "The senator"),
        ("cue", "said"),
        ("content", '"We will win.'),
        ("content", '"And we will win big."'),
    )
    (only,) = link_spans(text, spans)
    assert len(only["content"]) == 2


def test_content_without_any_cue_and_cue_without_content_are_dropped():
    text = "It is a scandal.\n\nThe minister declined."
    assert link_spans(text, tag(text, ("content", "It is a scandal"), ("cue", "declined"))) == []


def test_a_content_takes_the_cue_of_its_own_sentence_before_a_nearer_one():
    text = 'Fares rose again in June, the operator said. "We had no choice," Ms. Ortiz added.'
    spans = tag(text, ("content", "Fares rose again in June"), ("source", "the operator"),
                ("cue", "said"), ("content", '"We had no choice,"'), ("source", "Ms. Ortiz"),
                ("cue", "added"))
    first, second = link_spans(text, spans)
    assert texts(text, first) == {"source": ["the operator"], "cue": ["said"],
                                  "content": ["Fares rose again in June"]}
    assert texts(text, second) == {"source": ["Ms. Ortiz"], "cue": ["added"],
                                   "content": ['"We had no choice,"']}


def test_a_long_paragraph_links_each_report_to_its_own_sentence():
    # Candidates are the nearest spans on each side (`NEIGHBOURS`), not the whole paragraph:
    # one long paragraph with hundreds of reports still links each within its sentence.
    sentence = "Officer {n} said the road {n} was closed. "
    text = "".join(sentence.format(n=n) for n in range(300))
    spans = []
    for n in range(300):
        start = text.index(f"Officer {n} said")
        spans += [("source", start, start + len(f"Officer {n}"), 0.9),
                  ("cue", start + len(f"Officer {n} "), start + len(f"Officer {n} said"), 0.9)]
        content = text.index(f"the road {n} was closed")
        spans.append(("content", content, content + len(f"the road {n} was closed"), 0.9))
    linked = [texts(text, a) for a in link_spans(text, spans)]
    assert linked == [{"source": [f"Officer {n}"], "cue": ["said"],
                       "content": [f"the road {n} was closed"]} for n in range(300)]
