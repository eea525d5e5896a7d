"""Do the shipped int8 models give the same answers on a CPU without AVX-512?

ONNX Runtime picks its int8 kernels from the CPU it runs on; the AVX2 ones (AMD EPYC Zen 2/3,
older Intel) multiply-add in 16 bits and could saturate where the VNNI ones do not. This
script scores fixed made-up text with both models and writes the scores to a JSON file; run it
natively and under an emulated AVX2-only CPU, then compare:

    .venv/bin/python scripts/avx2_agreement.py /tmp/native.json
    qemu-x86_64-static -cpu Haswell .venv/bin/python scripts/avx2_agreement.py /tmp/avx2.json
    .venv/bin/python scripts/avx2_agreement.py --compare /tmp/native.json /tmp/avx2.json

(``qemu-x86_64-static`` is Debian's ``qemu-user-static``; ONNX Runtime reads the emulated
CPU's features with ``cpuid``, so it runs its AVX2 kernels there. Emulation says nothing about
speed.)
"""

from __future__ import annotations

import argparse
import json
import sys

TEXT = (
    "The city council voted on Tuesday to close two libraries, a spokesman for the mayor "
    "said. \"We had no other choice,\" said Councillor Ana Ruiz, who chairs the budget "
    "committee. Ruiz added that 14 staff would move to other branches. According to the "
    "union, at least 30 jobs are at risk. Residents said they were angry. The libraries "
    "opened in 1962 and lend about 80,000 books a year, council figures show. "
) * 3
SENTENCES = [
    "Unemployment fell to 4.1 percent in March, the ministry said.",
    "I think we can do better than that.",
    "The bridge, built in 1932, carries 40,000 vehicles a day.",
    "Thank you all for coming tonight.",
]


def scores() -> dict:
    from claimtrace.pipeline.attribute.tagger import load_tagger
    from claimtrace.pipeline.classify import ClaimClassifier

    claims = ClaimClassifier()
    tagger = load_tagger()
    ids, _ = tagger.tokenizer.plain(TEXT)
    log_probs = [list(map(float, row))
                 for row in tagger._forward([ids[: tagger.windows.max_length - 2]])[0]]
    return {"runtime": claims.loaded.runtime.label,
            "claims": claims.probabilities(SENTENCES),
            "tagger_labels": [max(range(len(row)), key=row.__getitem__) for row in log_probs],
            "tagger_log_probs": log_probs}


def compare(first: dict, second: dict) -> dict:
    claim_gap = max(abs(a[c] - b[c]) for a, b in zip(first["claims"], second["claims"],
                                                      strict=True) for c in a)
    same = sum(a == b for a, b in zip(first["tagger_labels"], second["tagger_labels"],
                                      strict=True))
    logp_gap = max(abs(x - y) for a, b in zip(first["tagger_log_probs"],
                                              second["tagger_log_probs"], strict=True)
                   for x, y in zip(a, b, strict=True))
    return {"claims_max_probability_gap": claim_gap,
            "tagger_same_labels": f"{same}/{len(first['tagger_labels'])}",
            "tagger_max_log_probability_gap": logp_gap}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    if args.compare:
        first, second = (json.load(open(p, encoding="utf-8")) for p in args.paths[:2])
        json.dump(compare(first, second), sys.stdout, indent=2)
        print()
        return
    with open(args.paths[0], "w", encoding="utf-8") as out:
        json.dump(scores(), out)


if __name__ == "__main__":
    main()
