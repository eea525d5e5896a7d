"""The learned attribution tagger: BIO tags over subword windows, decoded without broken spans.

The tagger (trained by `claimtrace.training.attribution`, artifact in ``models/attribution``)
scores each subword over overlapping windows. Each subword takes its scores from the window
in which it sits farthest from an edge; a constrained Viterbi pass then picks the best label
sequence in which every ``I-x`` follows ``B-x`` or ``I-x``, so no span starts mid-way or
changes role inside, and no span edge falls inside a word. Tagged spans are linked into
triples (`linking.link_spans`), read the project's way (`convention.tagger_attribution`) and
written to ``doc.spans["attributions_tagger"]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.pipeline.ahead import work_ahead
from claimtrace.pipeline.attribute.attribution import TAGGER_KEY, set_attributions
from claimtrace.pipeline.attribute.linking import TaggedSpan, link_spans
from claimtrace.pipeline.runtime import (
    ONNX_FILE,
    TORCH_FILE,
    Runtime,
    SubwordTokenizer,
    onnx_session,
    verified_runtime,
)
from claimtrace.pipeline.shared_encoder import HIDDEN, Encoding
from claimtrace.pipeline.text import doc_text
from claimtrace.settings import ATTRIBUTION_MODEL
from claimtrace.settings import model_dir as locate_model

# Besides these, the weights the chosen runtime loads (`runtime.verified_runtime`).
REQUIRED_FILES = ("config.json", "tokenizer.json", TRAINING_CONFIG)
LABELS = ("O", "B-source", "I-source", "B-cue", "I-cue", "B-content", "I-content")
ROLES = ("source", "cue", "content")
# A token after one of these (or after a line break) starts a sentence: a good window start.
_SENTENCE_END = {".", "!", "?", "”", '"', ":"}


# --------------------------------------------------------------------------- windows


def sentence_starts(text: str, offsets: Sequence[tuple[int, int]]) -> list[bool]:
    """True for a subword that starts a sentence (after end punctuation or a line break)."""
    starts = [True] * len(offsets)
    for i in range(1, len(offsets)):
        gap = text[offsets[i - 1][1] : offsets[i][0]]
        previous = text[offsets[i - 1][0] : offsets[i - 1][1]]
        starts[i] = "\n" in gap or (previous in _SENTENCE_END and gap != "")
    return starts


def window_starts(n_tokens: int, size: int, overlap: int, starts: Sequence[bool]) -> list[int]:
    """Start indices of windows of ``size`` subwords covering ``n_tokens`` with ``overlap``.

    Each start after the first is moved back to a sentence start if one lies in the overlap
    zone, so the window opens on a whole sentence; the last window ends at the last token.
    """
    if n_tokens <= size:
        return [0]
    result = [0]
    step = size - overlap
    while result[-1] + size < n_tokens:
        nominal = min(result[-1] + step, n_tokens - size)
        earliest = max(result[-1] + 1, result[-1] + size - 2 * overlap, nominal - overlap)
        snapped = next((i for i in range(nominal, earliest - 1, -1) if starts[i]), nominal)
        result.append(snapped)
    return result


def best_window_per_token(n_tokens: int, windows: Sequence[tuple[int, int]]) -> list[int]:
    """For each token, the index of the window in which it is farthest from an edge."""
    best = [-1] * n_tokens
    margin = [-1] * n_tokens
    for w, (start, end) in enumerate(windows):
        for i in range(start, end):
            here = min(i - start, end - 1 - i)
            if here > margin[i]:
                best[i], margin[i] = w, here
    return best


def merge_window_rows(n_tokens: int, windows: Sequence[tuple[int, int]],
                      window_rows: Sequence[Sequence[Any]]) -> list[Any]:
    """Article-level rows (labels or score vectors) from per-window rows."""
    best = best_window_per_token(n_tokens, windows)
    return [window_rows[w][i - windows[w][0]] for i, w in enumerate(best)]


# --------------------------------------------------------------------------- decoding


def allowed(previous: int, label: int, inside_word: bool = False) -> bool:
    """``I-x`` may only follow ``B-x`` or ``I-x``; everything else may follow anything. A
    subword ``inside_word`` (the rest of a word, `inside_words`) continues what the previous
    subword was: ``O`` after ``O``, ``I-x`` after ``B-x`` or ``I-x``."""
    if inside_word:
        return previous == 0 if label == 0 else label % 2 == 0 and previous in (label - 1, label)
    if label == 0 or label % 2 == 1:
        return True
    return previous in (label - 1, label)


def inside_words(text: str, offsets: Sequence[tuple[int, int]]) -> list[bool]:
    """True for a subword that continues the word before it: no space between them and a
    letter or digit on both sides ("shut|down", "Gen|nifer"). A span edge there would cut a
    word in two, which no annotation does; the tagger put one there in 29 of 8,545 spans of
    PolNeAR dev and the news dev sets. Hyphens stay edges: "then-Secretary Vázquez" names
    "Vázquez"."""
    result = [False] * len(offsets)
    for i in range(1, len(offsets)):
        at = offsets[i][0]
        result[i] = (at == offsets[i - 1][1] and 0 < at < len(text)
                     and text[at - 1].isalnum() and text[at].isalnum())
    return result


def viterbi(log_probs: Sequence[Sequence[float]],
            inside: Sequence[bool] | None = None) -> list[int]:
    """The best label sequence under `allowed` (label ids as in `LABELS`); ``inside`` marks
    the subwords that continue a word (`inside_words`), so no span starts or ends in one.

    Ties go to the lower label id, at every step and at the end (numpy's argmax keeps the
    first maximum).
    """
    import numpy as np

    scores = np.asarray(log_probs, dtype=np.float64)
    if scores.size == 0:
        return []
    between, within = _transition_penalty(False), _transition_penalty(True)
    score = scores[0] + between[0]  # the first label may follow nothing, as it may follow O
    back = np.empty((len(scores) - 1, len(LABELS)), dtype=np.int64)
    for t in range(1, len(scores)):
        penalty = within if inside is not None and inside[t] else between
        candidates = score[:, None] + penalty  # [previous, label]
        back[t - 1] = candidates.argmax(axis=0)
        score = candidates[back[t - 1], np.arange(len(LABELS))] + scores[t]
    label = int(score.argmax())
    path = [label]
    for pointers in back[::-1]:
        label = int(pointers[label])
        path.append(label)
    return path[::-1]


@lru_cache(maxsize=2)
def _transition_penalty(inside_word: bool) -> Any:
    """0 where `allowed(previous, label, inside_word)`, minus infinity elsewhere;
    [previous, label]."""
    import numpy as np

    n = len(LABELS)
    return np.array([[0.0 if allowed(j, k, inside_word) else -np.inf for k in range(n)]
                     for j in range(n)])


def labels_to_spans(labels: Sequence[int], offsets: Sequence[tuple[int, int]],
                    probs: Sequence[float] | None = None) -> list[TaggedSpan]:
    """BIO label ids per subword -> ``(role, char_start, char_end, mean probability)``.

    An I- after O or another role opens a span as B- would (only raw argmax labels have
    those; Viterbi paths never do).
    """
    probs = probs if probs is not None else [1.0] * len(labels)
    spans: list[TaggedSpan] = []
    current: list[Any] | None = None  # [role index, start, end, probabilities]

    def close() -> None:
        role, start, end, seen = current
        spans.append((ROLES[role - 1], start, end, sum(seen) / len(seen)))

    for label, (start, end), prob in zip(labels, offsets, probs, strict=True):
        role_index, is_begin = (label + 1) // 2, label % 2 == 1
        if current is not None and (role_index != current[0] or is_begin):
            close()
            current = None
        if role_index == 0:
            continue
        if current is None:
            current = [role_index, start, end, [prob]]
        else:
            current[2] = end
            current[3].append(prob)
    if current is not None:
        close()
    return spans


# --------------------------------------------------------------------------- tagger


# Subwords two neighbouring prediction windows share. 64 was chosen on the dev sets (ONNX
# int8 model, `claimtrace evaluate --sources news_dev,polnear --systems model,hybrid`):
# whole-attribution exact / overlap F1, hybrid on news dev 0.569 / 0.731 (96: 0.561 / 0.726;
# 32: 0.555 / 0.716), tagger alone on PolNeAR dev 0.495 / 0.750 (96: 0.488 / 0.746), and
# 14% fewer subwords to score than with 96 (171 Wikinews 2019 articles: 134k vs 156k).
PREDICT_OVERLAP = 64


@dataclass(frozen=True)
class WindowSettings:
    """What inference needs from the training run's ``training_config.json``."""

    max_length: int = 256
    predict_overlap: int = PREDICT_OVERLAP

    @classmethod
    def from_json(cls, path: Path, predict_overlap: int | None = None) -> WindowSettings:
        """The window length the model was trained with; `predict_overlap` (None: the run's
        own setting) is an inference choice, made on dev."""
        data = json.loads(path.read_text(encoding="utf-8"))
        overlap = data["predict_overlap"] if predict_overlap is None else predict_overlap
        return cls(max_length=data["max_length"], predict_overlap=overlap)


@dataclass
class AttributionTagger:
    """A token classifier + tokenizer + the window settings it was trained with.

    ``model`` is a torch module, or None when ``session`` (ONNX Runtime) does the scoring.
    """

    model: Any
    tokenizer: Any
    windows: WindowSettings
    batch_size: int = 16
    bf16: bool = False  # torch only: bf16 autocast, faster only on CPUs with native bf16
    session: Any = None  # an onnxruntime.InferenceSession over ONNX_FILE
    runtime: Runtime | None = None
    graph: str = ""  # the resolved path of ONNX_FILE, named in the states it returns

    def tag(self, texts: Sequence[str]) -> list[list[TaggedSpan]]:
        """Tagged spans per text: windows of every text are batched together."""
        encoded = [self._encode(text) for text in texts]
        windows = [(t, w) for t, item in enumerate(encoded) for w in item["windows"]]
        log_probs = self._forward([encoded[t]["ids"][a:b] for t, (a, b) in windows])
        results = []
        for t, item in enumerate(encoded):
            mine = [log_probs[i] for i, (owner, _) in enumerate(windows) if owner == t]
            results.append(self._decode(item, mine))
        return results

    def _decode(self, item: dict[str, Any], window_rows: Sequence[Any]) -> list[TaggedSpan]:
        """Spans of one encoded text from its windows' log-probabilities."""
        rows = merge_window_rows(len(item["ids"]), item["windows"], window_rows)
        path = viterbi(rows, item["inside"])
        probs = [_exp(row[label]) for row, label in zip(rows, path, strict=True)]
        return labels_to_spans(path, item["offsets"], probs)

    def tag_and_encode(self, text: str) -> tuple[list[TaggedSpan], Encoding | None]:
        """Tagged spans of one text and, where the graph returns its states, the `Encoding`
        the claim head reads (`pipeline.shared_encoder`), from the same windows."""
        if self.session is None:
            return self.tag([text])[0], None
        item = self._encode(text)
        runs = [self._run_onnx(item["ids"][a:b]) for a, b in item["windows"]]
        spans = self._decode(item, [r[0] for r in runs])
        if not self.has_hidden:
            return spans, None
        return spans, Encoding(item["offsets"], item["windows"], [r[1] for r in runs], self.graph)

    def encode(self, text: str) -> Encoding:
        """The text's `Encoding` alone, for the claim head when nothing tags (rules only)."""
        if not self.has_hidden:
            raise ValueError("this attribution graph has no 'hidden' output for a claim head; "
                             "export it again with `claimtrace models export-onnx`")
        item = self._encode(text)
        hidden = [self._run_onnx(item["ids"][a:b])[1] for a, b in item["windows"]]
        return Encoding(item["offsets"], item["windows"], hidden, self.graph)

    @cached_property
    def has_hidden(self) -> bool:
        return self.session is not None and HIDDEN in {o.name for o in
                                                       self.session.get_outputs()}

    def _encode(self, text: str) -> dict[str, Any]:
        # A whole article is longer than the model's 512 positions; it is cut into windows
        # below.
        ids, offsets = self.tokenizer.plain(text)
        size = self.windows.max_length - 2
        starts = window_starts(len(ids), size, self.windows.predict_overlap,
                               sentence_starts(text, offsets))
        windows = [(s, min(s + size, len(ids))) for s in starts] if ids else []
        return {"ids": ids, "offsets": offsets, "windows": windows,
                "inside": inside_words(text, offsets)}

    def _forward(self, chunks: list[list[int]]) -> list[Any]:
        """Log-probabilities per subword and label for each window (CLS/SEP stripped): one
        row per subword, a list or a numpy array."""
        if self.session is not None:
            return [self._forward_onnx(chunk) for chunk in chunks]
        return self._forward_torch(chunks)

    def _forward_onnx(self, chunk: list[int]) -> Any:
        return self._run_onnx(chunk)[0]

    def _run_onnx(self, chunk: list[int]) -> tuple[Any, Any]:
        """Log-probabilities per subword and label, and the last layer's states where the
        graph returns them (else None); CLS and SEP stripped.

        One window per call: int8 activations are quantised per call, so batching windows
        would make a window's scores depend on its batch-mates (and on padding). The rows
        stay a numpy array: `viterbi` reads them as one.
        """
        import numpy as np

        tok = self.tokenizer
        ids = np.array([[tok.cls_token_id, *chunk, tok.sep_token_id]], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        names = ["logits", HIDDEN] if self.has_hidden else ["logits"]
        outputs = self.session.run(names, feeds)
        logits = outputs[0][0, 1 : len(chunk) + 1]
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        hidden = outputs[1][0, 1 : len(chunk) + 1] if len(outputs) > 1 else None
        return log_probs.astype(np.float64), hidden

    def _forward_torch(self, chunks: list[list[int]]) -> list[list[list[float]]]:
        import torch

        tok = self.tokenizer
        by_index: dict[int, list[list[float]]] = {}
        # Sorting by length keeps padding small in each batch.
        order = sorted(range(len(chunks)), key=lambda i: len(chunks[i]))
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16)
        with torch.inference_mode(), autocast:
            for b in range(0, len(order), self.batch_size):
                batch = [chunks[i] for i in order[b : b + self.batch_size]]
                width = max(len(c) for c in batch) + 2
                ids = torch.full((len(batch), width), tok.pad_token_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, chunk in enumerate(batch):
                    ids[row, : len(chunk) + 2] = torch.tensor(
                        [tok.cls_token_id, *chunk, tok.sep_token_id])
                    mask[row, : len(chunk) + 2] = 1
                logits = self.model(input_ids=ids, attention_mask=mask).logits.float()
                scores = torch.log_softmax(logits, dim=-1)
                for row, chunk in enumerate(batch):
                    by_index[order[b + row]] = scores[row, 1 : len(chunk) + 1].tolist()
        return [by_index[i] for i in range(len(chunks))]


def _exp(value: float) -> float:
    import math

    return math.exp(value)


def bf16_supported() -> bool:
    """True when oneDNN has native bf16 kernels here (AVX512-BF16/AMX); elsewhere bf16 is
    emulated and slower than fp32."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def load_tagger(model_dir: str | Path | None = None, threads: int = 1,
                precision: str = "fp32", runtime: str = "auto",
                predict_overlap: int | None = PREDICT_OVERLAP) -> AttributionTagger:
    """Load the committed artifact after checking every file against its manifest.

    ``model_dir``: None for ``settings.model_dir("attribution")``. ``runtime``: ``"auto"``,
    ``"onnx"`` or ``"torch"`` (`claimtrace.pipeline.runtime.choose_runtime`). ``precision``
    applies to torch only: ``"fp32"``, ``"bf16"`` or ``"auto"`` (bf16 where the CPU has native
    bf16); the ONNX graph is int8.
    """
    if precision not in ("fp32", "bf16", "auto"):
        raise ValueError(f"precision must be 'fp32', 'bf16' or 'auto', got {precision!r}")

    model_dir = Path(model_dir or locate_model(ATTRIBUTION_MODEL))
    chosen = verified_runtime(runtime, model_dir, REQUIRED_FILES)
    tokenizer = SubwordTokenizer.from_folder(model_dir)
    windows = WindowSettings.from_json(model_dir / TRAINING_CONFIG, predict_overlap)
    if chosen.engine == "onnxruntime":
        session = onnx_session(model_dir / ONNX_FILE, threads)
        return AttributionTagger(None, tokenizer, windows, session=session, runtime=chosen,
                                 graph=str((model_dir / ONNX_FILE).resolve()))
    bf16 = precision == "bf16" or (precision == "auto" and bf16_supported())
    model = _torch_model(model_dir, threads)
    return AttributionTagger(model, tokenizer, windows, bf16=bf16,
                             runtime=replace(chosen, precision="bf16" if bf16 else "fp32"))


def _torch_model(model_dir: Path, threads: int) -> Any:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForTokenClassification

    from claimtrace.artifacts import dequantize_int8

    torch.set_num_threads(threads)
    model = AutoModelForTokenClassification.from_config(AutoConfig.from_pretrained(str(model_dir)))
    state = dequantize_int8(load_file(str(model_dir / TORCH_FILE)))
    model.load_state_dict(state, strict=True)  # every weight must come from the artifact
    return model.eval()


@lru_cache(maxsize=2)
def cached_tagger(model_dir: str, threads: int, precision: str,
                  runtime: str = "auto") -> AttributionTagger:
    return load_tagger(model_dir, threads, precision, runtime)


def predict_attributions(text: str, model_dir: str | Path | None = None, threads: int = 1,
                         precision: str = "auto", runtime: str = "auto") -> list[dict[str, Any]]:
    """Linked attribution dicts for one text (PolNeAR's span conventions, no parse needed)."""
    tagger = cached_tagger(str(model_dir or locate_model(ATTRIBUTION_MODEL)), threads, precision,
                           runtime)
    return link_spans(text, tagger.tag([text])[0])


# --------------------------------------------------------------------------- component


class AttributeTagger:
    """spaCy component: tags docs in batches, writes ``doc.spans["attributions_tagger"]``."""

    def __init__(self, nlp: Language, name: str, model_dir: str, threads: int, batch_size: int,
                 precision: str, runtime: str, ahead: int = 0):
        self.name = name
        self.ahead = ahead
        self.model_dir = model_dir or str(locate_model(ATTRIBUTION_MODEL))
        self.threads = threads
        self.batch_size = batch_size
        self.precision = precision
        self.runtime = runtime

    @property
    def tagger(self) -> AttributionTagger:
        return cached_tagger(self.model_dir, self.threads, self.precision, self.runtime)

    def __call__(self, doc: Doc) -> Doc:
        linked, doc._.encoding = self.tag_one(doc)
        self.set_annotations([doc], [linked])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 8) -> Iterable[Doc]:
        # One article per call (see `predict`), in a thread beside the parse when the run
        # has a core for it (`ahead`).
        for doc, (linked, encoding) in work_ahead(docs, self.tag_one, self.ahead):
            self.set_annotations([doc], [linked])
            doc._.encoding = encoding  # read by a claim head sharing the pass, if any
            yield doc

    def tag_one(self, doc: Doc) -> tuple[list[dict[str, Any]], Encoding | None]:
        """Linked attributions of one article, and the states of its windows where the graph
        returns them (`AttributionTagger.tag_and_encode`)."""
        tagger = self.tagger
        tagger.batch_size = self.batch_size
        spans, encoding = tagger.tag_and_encode(doc_text(doc))
        return link_spans(doc_text(doc), spans), encoding

    def predict(self, docs: Sequence[Doc]) -> list[list[dict[str, Any]]]:
        # One article at a time: a window's scores must not depend on which other articles
        # shared its batch (padding changes the kernels' sums), so --batch-size and
        # --workers give the same bytes.
        return [self.tag_one(doc)[0] for doc in docs]

    def set_annotations(self, docs: Sequence[Doc], predictions: list[list[dict]]) -> None:
        from claimtrace.pipeline.attribute.convention import tagger_attribution

        for doc, linked in zip(docs, predictions, strict=True):
            found = [tagger_attribution(doc, item) for item in linked]
            set_attributions(doc, [a for a in found if a is not None], TAGGER_KEY)


@Language.factory(
    "claimtrace_attribute_tagger",
    assigns=["doc.spans"],
    default_config={"model_dir": "", "threads": 1, "batch_size": 16, "precision": "auto",
                    "runtime": "auto", "ahead": 0},
)
def make_attribute_tagger(nlp: Language, name: str, model_dir: str, threads: int,
                          batch_size: int, precision: str, runtime: str,
                          ahead: int) -> AttributeTagger:
    return AttributeTagger(nlp, name, model_dir, threads, batch_size, precision, runtime, ahead)
