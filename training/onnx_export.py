"""Export a model folder's int8 weights as the ONNX Runtime graph the pipeline serves.

The graph is built from the folder's own safetensors weights (never from a hub or a training
checkpoint), so both files hold the same int8 values: torch's TorchScript-based exporter writes
an fp32 graph, then ONNX Runtime's dynamic quantiser turns every MatMul and the embeddings into
int8 with one scale per output channel. That matches the per-row scales the safetensors file
already stores, so re-quantising loses almost nothing; the remaining error comes from
quantising activations at run time (measured on dev, see the model cards). Weights use 7 bits
(``reduce_range``) so CPUs without VNNI, whose AVX2 u8 x s8 kernels add pairs of products in
16 bits, cannot saturate (ONNX Runtime's quantisation guide describes the overflow).
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from pathlib import Path
from typing import Any

from claimtrace.artifacts import relist_manifest
from claimtrace.pipeline.runtime import ONNX_FILE
from claimtrace.pipeline.shared_encoder import HIDDEN, SHARED_LAYER

LOG = logging.getLogger(__name__)
OPSET = 17
# Tokens in the example input: any length works, the sequence axis is dynamic.
_EXAMPLE_LENGTH = 16


def logits_only(model: Any) -> Any:
    """`model` wrapped so the exported graph has one output, ``logits``."""
    import torch

    class LogitsOnly(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask).logits

    return LogitsOnly().eval()


def logits_and_states(model: Any) -> Any:
    """A token classifier wrapped so the graph has two outputs: ``logits`` and ``hidden``,
    the states of layer `SHARED_LAYER`, which the claim head reads (`pipeline.shared_encoder`)."""
    import torch

    class LogitsAndStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> Any:
            out = self.model.bert(input_ids=input_ids, attention_mask=attention_mask,
                                  output_hidden_states=True)
            return self.model.classifier(out.last_hidden_state), out.hidden_states[SHARED_LAYER]

    return LogitsAndStates().eval()


def load_torch_model(folder: Path) -> tuple[Any, bool]:
    """The fp32 torch model rebuilt from the folder's int8 weights, and whether it scores
    tokens (the attribution tagger) rather than sentences (the claim model). A shipped
    folder, which holds only the graph, is rebuilt from the graph's own weights."""
    from claimtrace.pipeline.classify import HEAD, load_claim_model
    from claimtrace.pipeline.runtime import TORCH_FILE

    token_level = not (folder / HEAD).is_file()
    if not (folder / TORCH_FILE).is_file():
        from claimtrace.artifacts import verify_artifact
        from claimtrace.training.onnx_import import torch_model_from_onnx

        verify_artifact(folder)
        return torch_model_from_onnx(folder, token_level), token_level
    if not token_level:
        return load_claim_model(folder, int8_kernels=False, runtime="torch").model, False
    from claimtrace.pipeline.attribute.tagger import load_tagger

    return load_tagger(folder, runtime="torch").model, True


def export_fp32(model: Any, path: Path, token_level: bool) -> None:
    import torch

    # Plain matmul-softmax-matmul attention rather than torch's SDPA kernel, which the tracer
    # spells as a longer chain of ONNX ops: after int8 quantisation the eager graph scores a
    # 256-subword window about a fifth faster, with the same fp32 logits (max difference
    # 1e-5) and the same agreement with them (`scripts/compare_onnx_graphs.py`).
    model.set_attn_implementation("eager")
    ids = torch.ones((1, _EXAMPLE_LENGTH), dtype=torch.long)
    tokens = {0: "batch", 1: "tokens"}
    axes = {"input_ids": tokens, "attention_mask": tokens,
            "logits": tokens if token_level else {0: "batch"}}
    # The tagger's graph also returns its states, so a claim head can share its pass.
    wrapped, outputs = logits_only(model), ["logits"]
    if token_level:
        wrapped, outputs = logits_and_states(model), ["logits", HIDDEN]
        axes[HIDDEN] = tokens
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer warnings about Python control flow in BERT
        torch.onnx.export(wrapped, (ids, torch.ones_like(ids)), str(path),
                          input_names=["input_ids", "attention_mask"], output_names=outputs,
                          dynamic_axes=axes, opset_version=OPSET, dynamo=False)


def quantize(fp32_path: Path, out: Path) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(fp32_path), str(out), weight_type=QuantType.QInt8, per_channel=True,
                     reduce_range=True, extra_options={"DefaultTensorType": TensorProto.FLOAT})


def export_onnx(folder: str | Path) -> Path:
    """Write ``model.int8.onnx`` into `folder` and re-list the folder in its manifest."""
    folder = Path(folder)
    model, token_level = load_torch_model(folder)  # verifies the manifest first
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.fp32.onnx"
        export_fp32(model, fp32, token_level)
        quantize(fp32, folder / ONNX_FILE)
    relist_manifest(folder)
    LOG.info("wrote %s (%.1f MB)", folder / ONNX_FILE, (folder / ONNX_FILE).stat().st_size / 1e6)
    return folder / ONNX_FILE

