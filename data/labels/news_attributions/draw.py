"""How `selection.json` was drawn (run once, from the repository root).

Rows of the Wikinews 2019 CSV outside the gold and news-dev selections, with 150-900 words
and at least four quotation marks (the news-dev rule), shuffled with seed 2028. The first 32
were labelled as batch 1, the next 32 as batch 2; each batch was dealt round-robin by row
order to four annotators.
"""

import csv
import hashlib
import json
import random
import sys

CSV = "../shared/data/wikinews/wikinews_2019.csv"
OUT = "data/labels/news_attributions/selection.json"


def main() -> None:
    csv.field_size_limit(sys.maxsize)
    held_out = {a["row"] for path in ("evaluation/gold/selection.json",
                                      "evaluation/dev/selection.json")
                for a in json.load(open(path, encoding="utf-8"))["articles"]}
    with open(CSV, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    candidates = []
    for i, row in enumerate(rows):
        text = row["text"]
        words, quotes = len(text.split()), sum(text.count(c) for c in '"“”')
        if i in held_out or not 150 <= words <= 900 or quotes < 4:
            continue
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        candidates.append({"row": i, "id": digest[:16], "sha256": digest, "url": row["url"],
                           "words": words})
    random.Random(2028).shuffle(candidates)
    chosen = []
    for batch, start in ((1, 0), (2, 32)):
        drawn = sorted(candidates[start:start + 32], key=lambda a: a["row"])
        chosen += [{**article, "batch": batch} for article in drawn]
    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump({"source": CSV, "seed": 2028, "rule": "rows outside the gold and news-dev "
                   "selections, 150-900 words, >= 4 quotation marks; 32 drawn per batch",
                   "articles": chosen}, handle, indent=1)
    print(f"{len(candidates)} candidates, {len(chosen)} drawn")


if __name__ == "__main__":
    main()
