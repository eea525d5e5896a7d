"""Assemble the second round of claim labels from the annotators' files (run once; kept for
provenance).

Round 2 labelled the Wikinews 2019 sentences round 1 had left out (articles over 30
sentences) and a seeded sample of PolNeAR training articles. Reads, from the folder given,
``chunk_{C}.jsonl`` (sentences with offsets and a ``source``), ``labels_{C}.jsonl``
(annotator C's labels of chunk C) and ``second_{C}_on_{D}.jsonl`` (annotator C's
independent labels of 40 sentences of chunk D). Writes offsets and labels only (no text):
the PolNeAR sentences to ``labels.jsonl`` beside this file, the Wikinews ones into
``../news_claims/labels.jsonl`` (merged with round 1, in row order), and round 2's
agreement to ``agreement.json``.

    python data/labels/polnear_claims/assemble.py /tmp/labels
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).resolve().parent
NEWS = HERE.parent / "news_claims" / "labels.jsonl"
CLASSES = ("CFS", "UFS", "NFS")
KEEP = {"wikinews": ("row", "article_id", "sha256", "start", "end"),
        "polnear": ("file", "article_id", "sha256", "start", "end")}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def labelled(source: Path) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """Records per source, and each sentence's first label by uid."""
    records: dict[str, list[dict]] = {"wikinews": [], "polnear": []}
    first = {}
    for chunk in sorted(source.glob("chunk_*.jsonl")):
        c = chunk.stem.split("_")[1]
        labels = {x["uid"]: x["label"] for x in read_jsonl(source / f"labels_{c}.jsonl")}
        for item in read_jsonl(chunk):
            label = labels.get(item["uid"])
            if label not in CLASSES:
                raise SystemExit(f"{item['uid']}: label {label!r} not in {CLASSES}")
            first[item["uid"]] = label
            records[item["source"]].append(
                {**{k: item[k] for k in KEEP[item["source"]]}, "label": label,
                 "annotator": f"round2-annotator-{c}"})
    return records, first


def agreement(source: Path, first: dict[str, str]) -> dict:
    pairs = [(first[x["uid"]], x["label"])
             for second in sorted(source.glob("second_*_on_*.jsonl"))
             for x in read_jsonl(second)]
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    return {
        "pairs": len(pairs),
        "design": "6 annotators x 40 sentences: annotator C relabelled a seeded sample of 40 "
                  "sentences of chunk C+1 (mod 6) independently, without seeing the first "
                  "labels; chunks mix Wikinews and PolNeAR sentences",
        "kappa_3class": round(float(cohen_kappa_score(a, b, labels=list(CLASSES))), 4),
        "kappa_cfs_vs_rest": round(float(cohen_kappa_score(
            [x == "CFS" for x in a], [x == "CFS" for x in b])), 4),
        "observed_agreement_3class": round(sum(x == y for x, y in pairs) / len(pairs), 4),
        "observed_agreement_cfs_vs_rest": round(
            sum((x == "CFS") == (y == "CFS") for x, y in pairs) / len(pairs), 4),
    }


def write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)


def main() -> None:
    source = Path(sys.argv[1])
    records, first = labelled(source)
    round1 = [r for r in read_jsonl(NEWS) if not r["annotator"].startswith("round2-")]
    write_jsonl(NEWS, sorted(round1 + records["wikinews"], key=lambda r: (r["row"], r["start"])))
    write_jsonl(HERE / "labels.jsonl",
                sorted(records["polnear"], key=lambda r: (r["file"], r["start"])))
    agreed = agreement(source, first)
    (HERE / "agreement.json").write_text(json.dumps(agreed, indent=2) + "\n", "utf-8")
    print({k: len(v) for k, v in records.items()}, json.dumps(agreed))


if __name__ == "__main__":
    main()
