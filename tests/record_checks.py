"""Checks on exported statement records shared by several test modules."""

from __future__ import annotations


def check_offsets(record: dict, texts: dict[str, str]) -> None:
    """Every offset in `record` points at its own text in the article it came from."""
    text = texts[record["article"]["id"]]
    sentence = record["sentence"]
    assert text[sentence["start"]:sentence["end"]] == record["text"]
    for attribution in record["attributions"]:
        for role in ("source", "cue", "content"):
            span = attribution[role]
            if span and span.get("start") is not None:
                assert text[span["start"]:span["end"]] == span["text"], (role, span)
