"""Measure the confidence values of `pipeline/export.py`'s RULE_CONFIDENCE table.

For each attribution construction: the share of its attributions on the project's gold set
(``evaluation/gold/``, 40 Wikinews articles) whose content overlaps a gold attribution's
content by at least one character and whose cue, when both have one, overlaps that gold
attribution's cue, smoothed by the rule of succession, (correct + 1) / (n + 2), so a
construction seen a few times is not given certainty. Usage::

    .venv/bin/python scripts/rule_confidence.py [--attribution rules|hybrid|model]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter

from claimtrace.evaluation.gold import load_gold
from claimtrace.pipeline.attribute import attributions_of
from claimtrace.pipeline.nlp import build_nlp
from claimtrace.settings import RunSettings


def _overlaps(span, fragments) -> bool:
    return bool(fragments) and any(span.start < end and start < span.end
                                   for start, end in fragments)


def _correct(attribution, gold) -> bool:
    for item in gold:
        if not _overlaps(attribution.content, item.content):
            continue
        if attribution.cue is None or not item.cue or _overlaps(attribution.cue, item.cue):
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attribution", default="rules")
    args = parser.parse_args()
    settings = RunSettings(classify=False, progress=False, attribution_method=args.attribution)
    nlp = build_nlp(settings, "run")
    total, correct = Counter(), Counter()
    for article in load_gold():
        for attribution in attributions_of(nlp(article.text)):
            total[attribution.construction] += 1
            correct[attribution.construction] += _correct(attribution, article.attributions)
    table = {name: {"n": total[name], "correct": correct[name],
                    "confidence": round((correct[name] + 1) / (total[name] + 2), 2)}
             for name in sorted(total)}
    print(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
