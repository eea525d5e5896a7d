"""Stage `classify`: a check-worthiness score for every sentence span.

The model is the fine-tuned MiniLM committed under ``models/claim-checkworthiness/``
(see its model card); training lives in `claimtrace.training.claims`. torch and
transformers are imported only when a model is loaded, so importing this module (for
example to register the spaCy factory) stays cheap.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from claimtrace.artifacts import dequantize_int8, verify_artifact
from claimtrace.settings import CLAIM_MODEL
from claimtrace.settings import model_dir as locate_model

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

# Located once, by claimtrace.settings (package data, or $CLAIMTRACE_MODELS_DIR).
DEFAULT_MODEL_DIR = locate_model(CLAIM_MODEL)
WEIGHTS = "model.safetensors"
HEAD = "claim_head.json"
REQUIRED_FILES = (WEIGHTS, HEAD, "config.json", "tokenizer.json", "tokenizer_config.json")

# The single place the component's defaults are declared (factory and class read them).
DEFAULT_CONFIG: dict[str, Any] = {
    "model_path": None,  # None: the committed model in DEFAULT_MODEL_DIR
    "batch_size": 64,  # sentences per forward pass
    "max_length": None,  # None: the length the model was trained with
    "num_threads": 1,  # torch intra-op threads; explicit so runs are comparable
    # Dynamic int8 Linear kernels are ~2.6x faster on CPU. They quantise activations per
    # batch, so a score depends on its batch-mates; the component therefore batches per
    # article (see `ClaimClassify.pipe`), which keeps runs reproducible. Dev F1 at batch 20:
    # 0.8465 vs 0.8505 with fp32 compute (model card, "Inference in the pipeline").
    "int8_kernels": True,
}

if not Span.has_extension("claim"):
    Span.set_extension("claim", default=None)


@dataclass(frozen=True)
class ClaimScore:
    checkworthy: bool
    score: float
    threshold: float
    model: str


@dataclass
class LoadedClaimModel:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    head: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.head['name']}@{self.head['version']}"


def load_claim_model(
    model_dir: Path | str | None = None, int8_kernels: bool = DEFAULT_CONFIG["int8_kernels"]
) -> LoadedClaimModel:
    """Verify the artifact's checksums, then rebuild the classifier from its int8 weights."""
    from safetensors.torch import load_file
    from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

    folder = Path(model_dir) if model_dir else DEFAULT_MODEL_DIR
    verify_artifact(folder, required=REQUIRED_FILES)
    head = json.loads((folder / HEAD).read_text(encoding="utf-8"))
    config = AutoConfig.from_pretrained(folder, local_files_only=True)
    model = AutoModelForSequenceClassification.from_config(config)
    model.load_state_dict(dequantize_int8(load_file(folder / WEIGHTS)), strict=True)
    model.eval()
    if int8_kernels:
        model = to_int8_kernels(model)
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    return LoadedClaimModel(model=model, tokenizer=tokenizer, head=head)


def to_int8_kernels(model: torch.nn.Module) -> torch.nn.Module:
    """Swap Linear layers for dynamic-int8 ones: same int8 weights, faster CPU matmuls."""
    import torch
    from torch.ao.quantization import quantize_dynamic

    with warnings.catch_warnings():
        # torch marks the eager quantisation API deprecated; it still works in 2.13.
        warnings.simplefilter("ignore", category=UserWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)


def score_texts(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts: Sequence[str],
    batch_size: int = 64,
    max_length: int = 128,
) -> list[float]:
    """P(check-worthy) per text, in input order.

    Texts are sorted by token length so each batch pads to a similar length (news sentences
    range from 3 to 100+ tokens); scores are put back in the caller's order.
    """
    import torch

    if not texts:
        return []
    encoded = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
    scores = [0.0] * len(texts)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch_ids = order[start : start + batch_size]
            batch = tokenizer.pad(
                {"input_ids": [encoded[i] for i in batch_ids]}, return_tensors="pt"
            )
            logits = model(**batch).logits
            probs = torch.softmax(logits.float(), dim=-1)[:, 1].tolist()
            for i, prob in zip(batch_ids, probs, strict=True):
                scores[i] = prob
    return scores


class ClaimClassifier:
    """Scores sentences; loads the model on first use and pins torch's thread count."""

    def __init__(
        self,
        model_path: str | None = DEFAULT_CONFIG["model_path"],
        batch_size: int = DEFAULT_CONFIG["batch_size"],
        max_length: int | None = DEFAULT_CONFIG["max_length"],
        num_threads: int = DEFAULT_CONFIG["num_threads"],
        int8_kernels: bool = DEFAULT_CONFIG["int8_kernels"],
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
        self._loaded: LoadedClaimModel | None = None

    @property
    def loaded(self) -> LoadedClaimModel:
        if self._loaded is None:
            import torch

            torch.set_num_threads(self.num_threads)
            self._loaded = load_claim_model(self.model_path, int8_kernels=self.int8_kernels)
        return self._loaded

    @property
    def threshold(self) -> float:
        return float(self.loaded.head["threshold"])

    @property
    def model_name(self) -> str:
        return self.loaded.name

    def predict(self, texts: list[str]) -> list[float]:
        loaded = self.loaded
        max_length = self.max_length or int(loaded.head["max_length"])
        return score_texts(loaded.model, loaded.tokenizer, texts, self.batch_size, max_length)

    def scores(self, texts: list[str]) -> list[ClaimScore]:
        threshold, name = self.threshold, self.model_name
        return [
            ClaimScore(checkworthy=p >= threshold, score=p, threshold=threshold, model=name)
            for p in self.predict(texts)
        ]


def sentence_spans(doc: Doc) -> list[Span]:
    """The split stage's sentences; spaCy's own boundaries, or the whole doc, as fallbacks."""
    if "sentences" in doc.spans:
        return list(doc.spans["sentences"])
    if doc.has_annotation("SENT_START"):
        return list(doc.sents)
    return [doc[:]] if len(doc) else []


class ClaimClassify:
    """spaCy component: `predict` scores, `set_annotations` writes `span._.claim`."""

    def __init__(self, name: str, classifier: ClaimClassifier) -> None:
        self.name = name
        self.classifier = classifier

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
        for doc in docs:
            self.set_annotations([doc], self.predict([doc]))
            yield doc

    def predict(self, docs: Sequence[Doc]) -> list[list[ClaimScore]]:
        spans = [sentence_spans(doc) for doc in docs]
        flat = self.classifier.scores([span.text for doc_spans in spans for span in doc_spans])
        out, start = [], 0
        for doc_spans in spans:
            out.append(flat[start : start + len(doc_spans)])
            start += len(doc_spans)
        return out

    def set_annotations(self, docs: Sequence[Doc], scores: list[list[ClaimScore]]) -> None:
        for doc, doc_scores in zip(docs, scores, strict=True):
            for span, score in zip(sentence_spans(doc), doc_scores, strict=True):
                span._.claim = score


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
) -> ClaimClassify:
    classifier = ClaimClassifier(model_path, batch_size, max_length, num_threads, int8_kernels)
    return ClaimClassify(name, classifier)
