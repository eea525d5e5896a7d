"""Fewer encoder layers: the cheapest speed-up a fine-tuned MiniLM still trains back from.

Dropping the top layers of a pre-trained transformer and fine-tuning what is left keeps most
of its quality on classification and tagging tasks (Sajjad, Dalvi, Durrani and Nakov, "On the
effect of dropping layers of pre-trained transformer models", Computer Speech & Language
77, 2023: dropping the top third of BERT's and XLNet's layers before fine-tuning lost only
a little on GLUE). Inference cost on a CPU is close to linear in the number of layers, so a
4-layer MiniLM scores a window in about two thirds of the time of the 6-layer one; whether
it keeps the quality is measured per model (the model cards).
"""

from __future__ import annotations

from typing import Any


def keep_encoder_layers(model: Any, layers: int) -> Any:
    """Cut a Hugging Face BERT-style `model` to its first `layers` encoder layers, in place
    (0 keeps them all). The config follows, so the saved model reloads with the same shape
    and the ONNX export traces the shorter stack."""
    if layers <= 0:
        return model
    stack = model.base_model.encoder.layer
    if layers > len(stack):
        raise ValueError(f"encoder_layers={layers}, but the model has {len(stack)} layers")
    model.base_model.encoder.layer = stack[:layers]
    model.config.num_hidden_layers = layers
    return model
