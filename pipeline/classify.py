"""Stage `classify`: a claim class and a check-worthiness score for every sentence span.

The model is the fine-tuned MiniLM committed under ``models/claim-checkworthiness/``
(see its model card); training lives in `claimtrace.training.claims`. It predicts
ClaimBuster's three classes (CFS / UFS / NFS, `evaluation/gold/GUIDELINES.md` section 4);
``score`` is p(CFS) and ``checkworthy`` is ``score >= threshold`` (threshold chosen on dev).
The model reads each sentence with its attribution marked (`claim_input`): whether the
sentence is the writer's own voice or reports someone, and which part is the reported
content, so quoted opinions can be told from the writer's facts. torch and transformers
are imported only when a model is loaded, so importing this module stays cheap.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from claimtrace.artifacts import dequantize_int8
from claimtrace.errors import ClaimtraceError, Errors
from claimtrace.pipeline.ahead import work_ahead
from claimtrace.pipeline.attribute import attributions_of
from claimtrace.pipeline.runtime import (
    ONNX_FILE,
    TORCH_FILE,
    Runtime,
    SubwordTokenizer,
    onnx_session,
    verified_runtime,
)
from claimtrace.pipeline.shared_encoder import (
    HEAD_WEIGHTS,
    POOLING,
    ClaimHead,
    content_flags,
    sentence_features,
)
from claimtrace.pipeline.split import sentence_spans
from claimtrace.pipeline.text import doc_text
from claimtrace.settings import CLAIM_MODEL, check_runtime
from claimtrace.settings import model_dir as locate_model

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

# Located once, by claimtrace.settings (package data, or $CLAIMTRACE_MODELS_DIR).
DEFAULT_MODEL_DIR = locate_model(CLAIM_MODEL)
HEAD = "claim_head.json"
# Besides these, the weights the chosen runtime loads (`runtime.verified_runtime`).
REQUIRED_FILES = (HEAD, "config.json", "tokenizer.json", "tokenizer_config.json")

# The single place the component's defaults are declared (factory and class read them).
DEFAULT_CONFIG: dict[str, Any] = {
    "model_path": None,  # None: the committed model in DEFAULT_MODEL_DIR
    "batch_size": 64,  # sentences per torch forward pass (ONNX Runtime scores one at a time)
    "max_length": None,  # None: the length the model was trained with
    "num_threads": 1,  # model threads; explicit so runs are comparable
    # torch only (a training run's folder): dynamic int8 Linear kernels, which quantise
    # activations per batch; the component batches per article (`ClaimClassify.pipe`), so a
    # score never depends on other articles. The ONNX graph is int8 anyway.
    "int8_kernels": True,
    # "auto": ONNX Runtime over the int8 graph where the folder has one, else torch
    # (`claimtrace.pipeline.runtime`).
    "runtime": "auto",
    # Articles scored in a thread of their own beside the parse (`pipeline.ahead`); 0: inline.
    "ahead": 0,
}

# ClaimBuster's classes, in the order of the 3-way model's outputs.
CLAIM_CLASSES = ("CFS", "UFS", "NFS")
POSITIVE = "CFS"
# Attribution marks in the model's input (plain vocabulary words, no new tokens).
WRITER_MARK = "writer :"  # the sentence is the writer's (or a debater's) own voice
QUOTE_MARK = "quote :"  # the sentence reports what someone said or thinks
CONTENT_OPEN, CONTENT_CLOSE = "«", "»"  # around the reported content inside the sentence

if not Span.has_extension("claim"):
    Span.set_extension("claim", default=None)


@dataclass(frozen=True)
class ClaimScore:
    checkworthy: bool
    score: float  # p(CFS)
    threshold: float
    model: str
    label: str | None = None  # CFS / UFS / NFS; None for a binary (1.x) model
    probabilities: dict[str, float] | None = None  # per class; None for a binary model


def claim_input(text: str, offset: int, contents: Iterable[tuple[int, int]] = ()) -> str:
    """The model's input for one sentence: its voice mark, reported content in « ».

    `offset` is where the sentence starts in the article; `contents` are attribution
    content spans in article offsets (those not overlapping the sentence are ignored).
    Without any, the sentence is the writer's own voice.
    """
    end = offset + len(text)
    parts = sorted({(max(s, offset) - offset, min(e, end) - offset)
                    for s, e in contents if s < end and offset < e})
    if not parts:
        return f"{WRITER_MARK} {text}"
    pieces, cursor = [], 0
    for start, stop in parts:
        start = max(start, cursor)  # overlapping contents: mark their union once
        if start >= stop:
            continue
        pieces += [text[cursor:start], f"{CONTENT_OPEN} ", text[start:stop], f" {CONTENT_CLOSE}"]
        cursor = stop
    pieces.append(text[cursor:])
    return f"{QUOTE_MARK} " + "".join(pieces)


def sentence_inputs(doc: Doc, spans: Sequence[Span]) -> list[str]:
    """`claim_input` for each span, from the attribution stage's spans on the Doc."""
    contents = [(a.content.start, a.content.end) for a in attributions_of(doc)]
    return [claim_input(span.text, span.start_char, contents) for span in spans]


def head_classes(head: dict[str, Any]) -> tuple[str, ...]:
    """Class names in output order; a binary 1.x head (no "classes") reads ("rest", "CFS")."""
    return tuple(head.get("classes") or ("rest", POSITIVE))


@dataclass
class LoadedClaimModel:
    model: PreTrainedModel | None  # None when `session` (ONNX Runtime) scores
    tokenizer: PreTrainedTokenizerBase | SubwordTokenizer  # the latter for ONNX Runtime
    head: dict[str, Any]
    runtime: Runtime | None = None
    session: Any = None
    shared: SharedHead | None = None  # a head on the tagger's encoder (3.x), no encoder here

    @property
    def name(self) -> str:
        return f"{self.head['name']}@{self.head['version']}"

    def class_rows(self, texts: Sequence[str], batch_size: int,
                   max_length: int) -> list[list[float]]:
        """Softmax over the classes per text, on whichever runtime was loaded."""
        if self.shared is not None:
            return self.shared.text_probabilities(texts)
        if self.session is not None:
            return onnx_class_probabilities(self.session, self.tokenizer, texts, max_length)
        return class_probabilities(self.model, self.tokenizer, texts, batch_size, max_length)


def load_claim_model(
    model_dir: Path | str | None = None, int8_kernels: bool = DEFAULT_CONFIG["int8_kernels"],
    runtime: str = DEFAULT_CONFIG["runtime"], threads: int = DEFAULT_CONFIG["num_threads"],
) -> LoadedClaimModel:
    """Verify the artifact's checksums, then load it for `runtime` (see `choose_runtime`):
    ONNX Runtime over ``model.int8.onnx``, or torch rebuilt from the int8 safetensors."""
    folder = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
    if is_shared_head(folder):
        shared = load_shared_head(folder, threads)
        return LoadedClaimModel(None, shared.tagger.tokenizer, shared.head, shared.tagger.runtime,
                                shared=shared)
    chosen = verified_runtime(runtime, folder, REQUIRED_FILES)
    head = json.loads((folder / HEAD).read_text(encoding="utf-8"))
    if chosen.engine == "onnxruntime":
        session = onnx_session(folder / ONNX_FILE, threads)
        return LoadedClaimModel(None, SubwordTokenizer.from_folder(folder), head,
                                runtime=chosen, session=session)
    from transformers import AutoTokenizer

    model = _torch_model(folder, int8_kernels, threads)
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    precision = "int8" if int8_kernels else "fp32"
    return LoadedClaimModel(model, tokenizer, head, runtime=replace(chosen, precision=precision))


def is_shared_head(folder: Path) -> bool:
    """True for a claim head that reads the attribution tagger's states (3.x)."""
    path = Path(folder) / HEAD
    return path.is_file() and "encoder" in json.loads(path.read_text(encoding="utf-8"))


@dataclass
class SharedHead:
    """A claim head (`pipeline.shared_encoder`) and the tagger whose states it reads."""

    head: dict[str, Any]
    weights: ClaimHead
    tagger: Any  # AttributionTagger over the graph named in the head

    def probabilities(self, doc: Doc, spans: Sequence[Span]) -> list[list[float]]:
        """Class probabilities per sentence span, from the Doc's `Encoding` when the tagger
        left one there (one pass for both heads), else from a pass of its own."""
        import numpy as np

        encoding = doc._.encoding
        if encoding is None or encoding.graph != self.tagger.graph:
            encoding = self.tagger.encode(doc_text(doc))
        flags = content_flags(encoding.offsets, [(a.content.start, a.content.end)
                                                 for a in attributions_of(doc)])
        width = self.weights.w1.shape[0]
        rows = [sentence_features(encoding, span.start_char, span.end_char, flags)
                for span in spans]
        # A sentence without subwords (whitespace only) is scored from zeros: a fixed answer.
        features = [r if r is not None else np.zeros(width, np.float32) for r in rows]
        return self.weights.probabilities(np.stack(features)).tolist() if features else []

    def text_probabilities(self, texts: Sequence[str]) -> list[list[float]]:
        """Class probabilities of sentences given without their article: each alone in its
        window and in the writer's own voice, as ClaimBuster rows are trained."""
        import numpy as np

        out = []
        for text in texts:
            encoding = self.tagger.encode(text)
            features = sentence_features(encoding, 0, len(text), [False] * len(encoding.offsets))
            if features is None:  # no subwords: a fixed answer, as in `probabilities`
                features = np.zeros(self.weights.w1.shape[0], np.float32)
            out.append(self.weights.probabilities(features)[0].tolist())
        return out


def load_shared_head(folder: Path, threads: int) -> SharedHead:
    """Verify the head's folder and the graph it names (a sibling model folder, checked by
    the sha256 the head was trained against), then load both for ONNX Runtime."""
    from claimtrace.artifacts import sha256_file, verify_artifact
    from claimtrace.pipeline.attribute.tagger import cached_tagger

    verify_artifact(folder, required=(HEAD, HEAD_WEIGHTS))
    head = json.loads((folder / HEAD).read_text(encoding="utf-8"))
    if head.get("pooling") != POOLING:
        raise ValueError(f"{folder / HEAD}: pooling {head.get('pooling')!r} is not {POOLING!r}")
    encoder = folder.parent / head["encoder"]["model"]
    if sha256_file(encoder / ONNX_FILE) != head["encoder"]["sha256"]:
        raise ClaimtraceError(Errors.E040.format(
            path=encoder / ONNX_FILE, hint=f"the claim head in {folder} was trained on another "
            "attribution graph; ship the two models of one `claimtrace train multitask` run"))
    tagger = cached_tagger(str(encoder), threads, "auto", "onnx")
    return SharedHead(head, ClaimHead.from_folder(folder), tagger)


def _torch_model(folder: Path, int8_kernels: bool, threads: int) -> torch.nn.Module:
    import torch
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForSequenceClassification

    torch.set_num_threads(threads)  # explicit, so runs are comparable
    config = AutoConfig.from_pretrained(folder, local_files_only=True)
    model = AutoModelForSequenceClassification.from_config(config)
    model.load_state_dict(dequantize_int8(load_file(folder / TORCH_FILE)), strict=True)
    model.eval()
    return to_int8_kernels(model) if int8_kernels else model


def to_int8_kernels(model: torch.nn.Module) -> torch.nn.Module:
    """Swap Linear layers for dynamic-int8 ones: same int8 weights, faster CPU matmuls."""
    import torch
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        # torch marks the eager quantisation API deprecated; it still works in 2.13.
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def class_probabilities(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    batch_size: int = 64,
    max_length: int = 128,
) -> list[list[float]]:
    """Softmax over the model's classes per text, in input order.

    Texts are sorted by token length so each batch pads to a similar length (news sentences
    range from 3 to 100+ tokens); scores are put back in the caller's order.
    """
    import torch

    if not texts:
        return []
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
    scores: list[list[float]] = [[]] * len(texts)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch_ids = order[start : start + batch_size]
            batch = tokenizer.pad(
                {"input_ids": [encoded[i] for i in batch_ids]}, return_tensors="pt"
            )
            logits = model(**batch).logits
            probs = torch.softmax(logits.float(), dim=-1).tolist()
            for i, prob in zip(batch_ids, probs, strict=True):
                scores[i] = prob
    return scores


def onnx_class_probabilities(
    session: Any, tokenizer: SubwordTokenizer, texts: Sequence[str], max_length: int = 128
) -> list[list[float]]:
    """Softmax over the classes per text, in input order, one text per ONNX Runtime call.

    Unbatched is the fastest here: batches pad every sentence to the longest one, and
    per-call overheads are small (30 Wikinews articles: 3.1 ms a sentence one by one, 4.1 in
    eights, 8.0 in an article's batch of up to 64). It also makes every score a function of
    its sentence alone: int8 activations are quantised per call.
    """
    import numpy as np

    if not texts:
        return []
    out = []
    for ids in tokenizer.for_model(list(texts), max_length):
        row = np.array([ids], dtype=np.int64)
        feeds = {"input_ids": row, "attention_mask": np.ones_like(row)}
        logits = session.run(["logits"], feeds)[0][0].astype(np.float64)
        exp = np.exp(logits - logits.max())
        out.append((exp / exp.sum()).tolist())
    return out


class ClaimClassifier:
    """Scores sentences; loads the model on first use, with a fixed thread count."""

    def __init__(
        self,
        model_path: str | None = DEFAULT_CONFIG["model_path"],
        batch_size: int = DEFAULT_CONFIG["batch_size"],
        max_length: int | None = DEFAULT_CONFIG["max_length"],
        num_threads: int = DEFAULT_CONFIG["num_threads"],
        int8_kernels: bool = DEFAULT_CONFIG["int8_kernels"],
        runtime: str = DEFAULT_CONFIG["runtime"],
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        if num_threads < 1:
            raise ValueError(f"num_threads must be >= 1, got {num_threads}")
        self.model_path = model_path
        self.batch_size = batch_size
        self.max_length = max_length
        self.num_threads = num_threads
        self.int8_kernels = int8_kernels
        self.runtime = check_runtime(runtime)
        self._loaded: LoadedClaimModel | None = None

    @property
    def loaded(self) -> LoadedClaimModel:
        if self._loaded is None:
            self._loaded = load_claim_model(self.model_path, int8_kernels=self.int8_kernels,
                                            runtime=self.runtime, threads=self.num_threads)
        return self._loaded

    @property
    def threshold(self) -> float:
        return float(self.loaded.head["threshold"])

    @property
    def model_name(self) -> str:
        return self.loaded.name

    @property
    def classes(self) -> tuple[str, ...]:
        return head_classes(self.loaded.head)

    @property
    def shared(self) -> SharedHead | None:
        return self.loaded.shared

    def doc_scores(self, doc: Doc, spans: Sequence[Span]) -> list[ClaimScore]:
        """Scores of a Doc's sentence spans from a shared-encoder head."""
        rows = self.loaded.shared.probabilities(doc, spans)
        return self._scores([dict(zip(self.classes, row, strict=True)) for row in rows])

    @property
    def reads_marks(self) -> bool:
        """Whether the model reads `claim_input` (2.x) rather than plain sentences (1.x)."""
        return "input_format" in self.loaded.head

    def probabilities(self, texts: list[str]) -> list[dict[str, float]]:
        """Per text, the probability of each of the model's classes."""
        loaded = self.loaded
        # A shared-encoder head reads the tagger's windows and has no length of its own.
        max_length = self.max_length or int(loaded.head.get("max_length", 0))
        rows = loaded.class_rows(texts, self.batch_size, max_length)
        return [dict(zip(self.classes, row, strict=True)) for row in rows]

    def predict(self, texts: list[str]) -> list[float]:
        """p(CFS) per text (model inputs, see `claim_input`)."""
        return [p[POSITIVE] for p in self.probabilities(texts)]

    def scores(self, texts: list[str]) -> list[ClaimScore]:
        return self._scores(self.probabilities(texts))

    def _scores(self, rows: list[dict[str, float]]) -> list[ClaimScore]:
        threshold, name = self.threshold, self.model_name
        three_way = set(self.classes) == set(CLAIM_CLASSES)
        out = []
        for probs in rows:
            checkworthy = probs[POSITIVE] >= threshold
            out.append(ClaimScore(
                checkworthy=checkworthy, score=probs[POSITIVE], threshold=threshold, model=name,
                label=claim_label(probs, threshold) if three_way else None,
                probabilities=probs if three_way else None))
        return out


def claim_label(probabilities: dict[str, float], threshold: float) -> str:
    """CFS when p(CFS) reaches the threshold (so `label` agrees with `checkworthy`), else the
    likelier of UFS and NFS."""
    if probabilities[POSITIVE] >= threshold:
        return POSITIVE
    return max(("UFS", "NFS"), key=lambda c: probabilities[c])


class ClaimClassify:
    """spaCy component: `predict` scores, `set_annotations` writes `span._.claim`."""

    def __init__(self, name: str, classifier: ClaimClassifier, ahead: int = 0) -> None:
        self.name = name
        self.classifier = classifier
        self.ahead = ahead

    @property
    def model_name(self) -> str:
        return self.classifier.model_name  # "<name>@<version>", for run provenance

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations([doc], self.predict([doc]))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        # One article's sentences form the model's batches. Dynamic int8 kernels quantise
        # each batch with its own scale, so a score depends on its batch-mates: batching per
        # article makes every score a function of the article alone, the same whatever the
        # run's batch size, worker count or engine (tested byte-for-byte).
        for doc, scores in work_ahead(docs, lambda doc: self.predict([doc])[0], self.ahead):
            self.set_annotations([doc], [scores])
            yield doc

    def predict(self, docs: Sequence[Doc]) -> list[list[ClaimScore]]:
        spans = [sentence_spans(doc) for doc in docs]
        if self.classifier.shared is not None:
            return [self.classifier.doc_scores(doc, doc_spans)
                    for doc, doc_spans in zip(docs, spans, strict=True)]
        if self.classifier.reads_marks:
            texts = [text for doc, doc_spans in zip(docs, spans, strict=True)
                     for text in sentence_inputs(doc, doc_spans)]
        else:  # a 1.x model was trained on plain sentences
            texts = [span.text for doc_spans in spans for span in doc_spans]
        flat = self.classifier.scores(texts)
        out, start = [], 0
        for doc_spans in spans:
            out.append(flat[start : start + len(doc_spans)])
            start += len(doc_spans)
        return out

    def set_annotations(self, docs: Sequence[Doc], scores: list[list[ClaimScore]]) -> None:
        for doc, doc_scores in zip(docs, scores, strict=True):
            for span, score in zip(sentence_spans(doc), doc_scores, strict=True):
                span._.claim = score
            doc._.encoding = None  # the states were read; do not keep them with the Doc


@Language.factory(
    "claimtrace_classify", assigns=["span._.claim"], default_config=DEFAULT_CONFIG
)
def make_claim_classify(
    nlp: Language,
    name: str,
    model_path: str | None,
    batch_size: int,
    max_length: int | None,
    num_threads: int,
    int8_kernels: bool,
    runtime: str,
    ahead: int,
) -> ClaimClassify:
    classifier = ClaimClassifier(model_path, batch_size, max_length, num_threads, int8_kernels,
                                 runtime)
    return ClaimClassify(name, classifier, ahead)
