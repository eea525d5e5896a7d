"""Assemble the news claim labels from the annotators' files (run once; kept for provenance).

Reads ``chunk_{C}.jsonl`` (sentences with offsets), ``labels_{C}.jsonl`` (annotator C's
labels of chunk C) and ``second_{C}_on_{D}.jsonl`` (annotator C's independent labels of 50
sentences of chunk D) from the folder given, and writes, beside this file, labels and
offsets only (no sentence text): ``labels.jsonl`` and ``agreement.json``.

    python data/labels/news_claims/assemble.py /work/labels
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from sklearn.metrics import cohen_kappa_score

HERE = Path(__file__).resolve().parent
CLASSES = ("CFS", "UFS", "NFS")
KEEP = ("row", "article_id", "sha256", "start", "end")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def assemble(source: Path) -> tuple[list[dict], dict]:
    records, first = [], {}
    for chunk in sorted(source.glob("chunk_*.jsonl")):
        c = chunk.stem.split("_")[1]
        labels = {x["uid"]: x["label"] for x in read_jsonl(source / f"labels_{c}.jsonl")}
        for item in read_jsonl(chunk):
            label = labels.get(item["uid"])
            if label is None:
                raise SystemExit(f"{chunk.name}: {item['uid']} has no label")
            if label not in CLASSES:
                raise SystemExit(f"{item['uid']}: label {label!r} not in {CLASSES}")
            first[item["uid"]] = label
            records.append({**{k: item[k] for k in KEEP}, "label": label,
                            "annotator": f"annotator-{c}"})
    pairs = []
    for second in sorted(source.glob("second_*_on_*.jsonl")):
        pairs += [(first[x["uid"]], x["label"]) for x in read_jsonl(second)]
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    binary = lambda labels: [x == "CFS" for x in labels]  # noqa: E731
    agreement = {
        "pairs": len(pairs),
        "design": "4 annotators x 50 sentences: annotator C relabelled 50 sentences of "
                  "chunk C+1 (mod 4) independently, without seeing the first labels",
        "kappa_3class": round(float(cohen_kappa_score(a, b, labels=list(CLASSES))), 4),
        "kappa_cfs_vs_rest": round(float(cohen_kappa_score(binary(a), binary(b))), 4),
        "observed_agreement_3class": round(sum(x == y for x, y in pairs) / len(pairs), 4),
        "observed_agreement_cfs_vs_rest": round(
            sum((x == "CFS") == (y == "CFS") for x, y in pairs) / len(pairs), 4),
    }
    return records, agreement


def main() -> None:
    records, agreement = assemble(Path(sys.argv[1]))
    records.sort(key=lambda r: (r["row"], r["start"]))
    with (HERE / "labels.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    (HERE / "agreement.json").write_text(json.dumps(agreement, indent=2) + "\n", "utf-8")
    print(len(records), "labels;", json.dumps(agreement))


if __name__ == "__main__":
    main()
