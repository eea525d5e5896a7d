"""One encoder pass, two heads: the tagger's windows also feed the claim head.

The attribution tagger's graph has a second output, ``hidden``: the states of encoder layer
`SHARED_LAYER` for every subword of a window. The claim model that pairs with it is a small
head (no encoder of its own) that reads, for each sentence, three things pooled from them:

1. the mean over the sentence's subwords;
2. the mean over the subwords inside reported content (an attribution's content span), or
   zeros when the sentence has none;
3. whether it has any (1.0 or 0.0).

The second and third tell the head whose voice the sentence is in, which the separate claim
model read from marks in its input text (`classify.claim_input`). A sentence is pooled in the
one window that holds most of it (`sentence_window`), the same way in training
(`claimtrace.training.multitask`) and here. Only numpy is needed at run time.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

HEAD_WEIGHTS = "claim_head.safetensors"
HIDDEN = "hidden"  # the graph output the claim head reads
# Which encoder layer that output is (1-6 in MiniLM-L6). Heads trained on the shipped tagger's
# frozen states, ClaimBuster + news dev joint F1 (scripts/probe_shared_layers.py): layer 2
# 0.818, 3 0.829, 4 0.834, 5 0.822, 6 (the last, which the token head reads) 0.814: the last
# layers have specialised in attribution tags.
SHARED_LAYER = 4
# What the head reads, recorded in its claim_head.json; a head with another value is refused.
POOLING = f"layer{SHARED_LAYER}:sentence-mean+content-mean+has-content@1"

# Set by the tagger when its graph returns states; the classify stage reads it, then drops it.
Doc.set_extension("encoding", default=None, force=True)


@dataclass
class Encoding:
    """One article through the encoder: subword offsets, the windows (subword ranges, CLS and
    SEP excluded) and each window's last-layer states, one row per subword."""

    offsets: list[tuple[int, int]]
    windows: list[tuple[int, int]]
    hidden: list[Any]  # numpy [window length, hidden size] per window
    graph: str = ""  # the graph file that computed them, so a head never reads another's


def subword_range(offsets: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Subwords ``[a, b)`` whose characters overlap ``[start, end)`` (offsets are sorted)."""
    ends = [e for _, e in offsets]
    starts = [s for s, _ in offsets]
    return bisect_right(ends, start), bisect_left(starts, end)


def sentence_window(first: int, stop: int, windows: Sequence[tuple[int, int]]) -> int:
    """The window holding most of subwords ``[first, stop)``; on a tie, the one in which the
    sentence sits farthest from an edge. -1 when there are no windows."""
    best, key = -1, (-1, -1)
    for w, (start, end) in enumerate(windows):
        inside = max(0, min(stop, end) - max(first, start))
        margin = min(first - start, end - stop)
        if (inside, margin) > key:
            best, key = w, (inside, margin)
    return best


def content_flags(offsets: Sequence[tuple[int, int]],
                  contents: Iterable[tuple[int, int]]) -> list[bool]:
    """Per subword: True where its characters overlap a content span."""
    flags = [False] * len(offsets)
    for start, end in contents:
        a, b = subword_range(offsets, start, end)
        for i in range(a, b):
            flags[i] = True
    return flags


def pooled_features(rows: Any, content: Sequence[bool]) -> Any:
    """The head's input for one sentence from its rows of states (see the module docstring)."""
    import numpy as np

    rows = np.asarray(rows, dtype=np.float32)
    mask = np.asarray(content, dtype=bool)
    inside = rows[mask].mean(axis=0) if mask.any() else np.zeros(rows.shape[1], np.float32)
    flag = np.array([1.0 if mask.any() else 0.0], dtype=np.float32)
    return np.concatenate([rows.mean(axis=0), inside, flag])


def sentence_features(encoding: Encoding, start: int, end: int, flags: Sequence[bool]) -> Any:
    """Pooled features of the sentence at characters ``[start, end)``; `flags` from
    `content_flags` over the whole article. None when it has no subwords."""
    first, stop = subword_range(encoding.offsets, start, end)
    w = sentence_window(first, stop, encoding.windows)
    if first >= stop or w < 0:
        return None
    w_start, w_end = encoding.windows[w]
    a, b = max(first, w_start), min(stop, w_end)
    return pooled_features(encoding.hidden[w][a - w_start : b - w_start], flags[a:b])


class ClaimHead:
    """The claim head's two layers in numpy: tanh(x W1 + b1) W2 + b2, softmax."""

    def __init__(self, weights: dict[str, Any]) -> None:
        self.w1, self.b1 = weights["hidden.weight"].T, weights["hidden.bias"]
        self.w2, self.b2 = weights["out.weight"].T, weights["out.bias"]

    @classmethod
    def from_folder(cls, folder: Path) -> ClaimHead:
        from safetensors.numpy import load_file

        return cls(load_file(str(Path(folder) / HEAD_WEIGHTS)))

    def probabilities(self, features: Any) -> Any:
        import numpy as np

        x = np.atleast_2d(np.asarray(features, dtype=np.float32))
        logits = (np.tanh(x @ self.w1 + self.b1) @ self.w2 + self.b2).astype(np.float64)
        exp = np.exp(logits - logits.max(axis=-1, keepdims=True))
        return exp / exp.sum(axis=-1, keepdims=True)
