"""Rebuild a torch model from a shipped ``model.int8.onnx``: the weights the pipeline serves.

Shipped folders keep one weights file, the int8 ONNX graph (`claimtrace.training.onnx_export`);
the training run's safetensors stay in ``runs/``, which is not committed. To continue training
from a shipped model, or to export it again with another graph, read its weights back from the
graph itself:

- fp32 initializers named after the module (``model.<param>``: biases, LayerNorms) load as they
  are;
- Gemm weights (the pooler, the classifier) are stored quantised and transposed under their
  parameter's name (``model.<param>_Transposed_quantized``);
- quantised embeddings (``model.<param>_quantized`` + ``_scale`` + ``_zero_point``) are
  dequantised;
- each ``MatMulInteger`` node is named after its Linear (``/model/<path>/MatMul_quant``); its
  weight input, dequantised per output channel and transposed, is that Linear's weight.

Re-quantising the result per channel gives back the same int8 values: every channel's largest
weight is an exact multiple of its scale, so the exporter recomputes the same scale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The exporter wraps the Hugging Face model as ``model`` (`onnx_export.logits_only`).
_PREFIX = "model."
_NODE_PREFIX = "/model/"
_NODE_SUFFIX = "/MatMul_quant"
_TRANSPOSED = "_Transposed"


def _dequantized(inits: dict[str, Any], base: str) -> Any:
    import numpy as np

    values = inits[f"{base}_quantized"].astype(np.float32)
    zero = inits[f"{base}_zero_point"].astype(np.float32)
    return (values - zero) * inits[f"{base}_scale"].astype(np.float32)


def state_from_onnx(path: Path) -> dict[str, Any]:
    """Parameter name -> float32 numpy array, for every weight the graph holds."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state: dict[str, Any] = {}
    for name, value in inits.items():
        if not name.startswith(_PREFIX):
            continue
        if name.endswith(_TRANSPOSED + "_quantized"):  # a Gemm's weight, stored [in, out]
            base = name[: -len("_quantized")]
            state[base[len(_PREFIX): -len(_TRANSPOSED)]] = _dequantized(inits, base).T.copy()
        elif name.endswith("_quantized"):
            base = name[: -len("_quantized")]
            state[base[len(_PREFIX):]] = _dequantized(inits, base)
        elif not name.endswith(("_scale", "_zero_point")):
            state[name[len(_PREFIX):]] = value.astype("float32")
    for node in graph.node:
        weight = node.input[1] if node.op_type == "MatMulInteger" else ""
        if not node.name.endswith(_NODE_SUFFIX) or weight.startswith(_PREFIX):
            continue  # not a MatMul node, or a Gemm's weight, named and read above
        module = node.name[len(_NODE_PREFIX): -len(_NODE_SUFFIX)].replace("/", ".")
        if not weight.endswith("_quantized") or weight not in inits:
            raise ValueError(f"{path}: {node.name} multiplies by {weight}, not a stored weight")
        state[f"{module}.weight"] = _dequantized(inits, weight[: -len("_quantized")]).T.copy()
    return state


def torch_model_from_onnx(folder: Path, token_level: bool) -> Any:
    """The folder's model in torch (fp32), every parameter taken from its ONNX graph."""
    import torch
    from transformers import (
        AutoConfig,
        AutoModelForSequenceClassification,
        AutoModelForTokenClassification,
    )

    from claimtrace.pipeline.runtime import ONNX_FILE

    config = AutoConfig.from_pretrained(str(folder), local_files_only=True)
    kind = AutoModelForTokenClassification if token_level else AutoModelForSequenceClassification
    model = kind.from_config(config)
    state = {k: torch.from_numpy(v) for k, v in state_from_onnx(folder / ONNX_FILE).items()}
    expected = set(model.state_dict())
    missing = sorted(k for k in expected - set(state) if not k.endswith("position_ids"))
    unknown = sorted(set(state) - expected)
    if missing or unknown:
        raise ValueError(f"{folder / ONNX_FILE}: weights missing {missing[:5]}, "
                         f"unknown {unknown[:5]}")
    model.load_state_dict(state, strict=False)  # buffers (position ids) keep their defaults
    return model.eval()
