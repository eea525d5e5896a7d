"""Print the sample used to judge stand-alone claim text (``claim.text``) by hand.

The sample: 50 sentences of the gold set (``evaluation/gold/``) that the annotators labelled
check-worthy (CFS), chosen by the sha256 of "<article id>:<start>" (no choice by hand), each
with the previous sentence for context, the verbatim span and the rewritten text. The
judgments are in ``docs/standalone-claims.md``. Usage::

    .venv/bin/python scripts/standalone_sample.py [--size 50] [--skip 50] [--pronouns]

``--pronouns`` samples only sentences whose span holds a pronoun the rules handle.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re

from claimtrace.evaluation.gold import load_gold
from claimtrace.pipeline.export import doc_to_statement_models
from claimtrace.pipeline.nlp import build_nlp
from claimtrace.settings import RunSettings

PRONOUN = re.compile(r"\b(he|she|him|his|her|i|me|my|it|its|they|them|their)\b", re.I)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N chosen")
    parser.add_argument("--pronouns", action="store_true")
    args = parser.parse_args()
    settings = RunSettings(classify=False, progress=False, all_sentences=True)
    nlp = build_nlp(settings, "run")
    candidates = []
    for article in load_gold():
        for sentence in article.sentences:
            if sentence.claim != "CFS":
                continue
            key = hashlib.sha256(f"{article.article_id}:{sentence.start}".encode()).hexdigest()
            candidates.append((key, article, sentence))
    candidates.sort(key=lambda item: item[0])
    docs: dict[str, list] = {}
    shown = 0
    for _key, article, sentence in candidates:
        if article.article_id not in docs:
            docs[article.article_id] = doc_to_statement_models(nlp(article.text), settings)
        statements = docs[article.article_id]
        index = next((i for i, s in enumerate(statements)
                      if s.sentence.start <= sentence.start < s.sentence.end), None)
        if index is None:
            continue
        statement = statements[index]
        if args.pronouns and not PRONOUN.search(statement.claim.span.text):
            continue
        shown += 1
        if shown <= args.skip:
            continue
        print(json.dumps({
            "article": article.article_id, "start": sentence.start,
            "previous": statements[index - 1].text if index else "",
            "sentence": statement.text, "span": statement.claim.span.text,
            "text": statement.claim.text}, ensure_ascii=False))
        if shown == args.skip + args.size:
            break


if __name__ == "__main__":
    main()
