"""Dropping the top encoder layers (`training.encoder`) before fine-tuning, for speed."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from claimtrace.training.encoder import keep_encoder_layers  # noqa: E402


def tiny_tagger(layers: int = 3):
    config = transformers.BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=layers,
                                     num_attention_heads=2, intermediate_size=16,
                                     max_position_embeddings=32, num_labels=3)
    torch.manual_seed(0)
    return transformers.BertForTokenClassification(config).eval()


def test_kept_layers_compute_what_the_full_model_computed_there() -> None:
    model = tiny_tagger(3)
    ids = torch.tensor([[1, 5, 7, 9, 2]])
    with torch.inference_mode():
        states = model.bert(input_ids=ids, output_hidden_states=True).hidden_states
    keep_encoder_layers(model, 2)
    assert len(model.bert.encoder.layer) == 2 and model.config.num_hidden_layers == 2
    with torch.inference_mode():
        cut = model.bert(input_ids=ids).last_hidden_state
    assert torch.allclose(cut, states[2], atol=1e-6)
    assert not torch.allclose(cut, states[3], atol=1e-3)


def test_zero_keeps_every_layer_and_too_many_is_an_error() -> None:
    model = tiny_tagger(3)
    keep_encoder_layers(model, 0)
    assert len(model.bert.encoder.layer) == 3
    with pytest.raises(ValueError, match="has 3 layers"):
        keep_encoder_layers(model, 4)
