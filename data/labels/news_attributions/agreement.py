"""Write `agreement.json`: each second-pass file scored against its first pass (run from the
repository root). The first passes are in `articles/` (batch 1) and `articles_batch2/`."""

import json
import shutil
import tempfile
from pathlib import Path

from claimtrace.evaluation.agreement import agreement, load_pairs

HERE = Path("data/labels/news_attributions")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp)
        for folder in ("articles", "articles_batch2"):
            for path in (HERE / folder).glob("*.json"):
                shutil.copy(path, first / path.name)
        figures = agreement(load_pairs(first, HERE / "second_pass"))
    for key in ("claims", "sentence_boundaries"):  # attribution labels only
        figures.pop(key)
    (HERE / "agreement.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n",
                                         encoding="utf-8")
    print(json.dumps(figures["spans"]["exact"]["attribution"]))


if __name__ == "__main__":
    main()
