"""Which layer of the shipped tagger's encoder should a claim head read? Probe each one frozen.

    .venv/bin/python scripts/probe_shared_layers.py [--tagger models/attribution]

1. Export the tagger with every layer's states as outputs and quantise it as the pipeline's
   graph is (`training.onnx_export`), from the weights in its shipped graph.
2. Pool each claim training and dev sentence on every layer as `pipeline.shared_encoder`
   does (ClaimBuster sentences alone, news sentences in the article windows the pipeline
   cuts, with the pipeline's attribution contents), using the claim trainer's splits.
3. Train the head (`training.multitask.shared_model_class`'s two layers) on each layer's
   features, the tagger frozen, and print the best dev epoch's joint F1 (the claim trainer's
   metric and threshold rule), ClaimBuster F1, news F1, news precision and news macro-F1.

Nothing is written into the repository; the graph goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np

from claimtrace.training.claims import ALLOWED, choose_joint_threshold, dev_metrics


def export_all_layers(tagger_dir: Path, out: Path) -> Path:
    import torch

    from claimtrace.training.onnx_export import OPSET, quantize
    from claimtrace.training.onnx_import import torch_model_from_onnx

    model = torch_model_from_onnx(tagger_dir, token_level=True)
    model.set_attn_implementation("eager")

    class AllLayers(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # A submodule, so the tracer records its weights as the graph's initialisers
            # (a closure's tensors would have to become constants).
            self.model = model.requires_grad_(False)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
            found = self.model.bert(input_ids=input_ids, attention_mask=attention_mask,
                               output_hidden_states=True)
            return torch.stack(found.hidden_states[1:], 0)

    ids = torch.ones((1, 16), dtype=torch.long)
    tokens = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")
        torch.onnx.export(AllLayers().eval(), (ids, torch.ones_like(ids)), str(out / "f.onnx"),
                          input_names=["input_ids", "attention_mask"], output_names=["layers"],
                          dynamic_axes={"input_ids": tokens, "attention_mask": tokens,
                                        "layers": {1: "batch", 2: "tokens"}},
                          opset_version=OPSET, dynamo=False)
    quantize(out / "f.onnx", out / "q.onnx")
    return out / "q.onnx"


def pooled_rows(tagger_dir: Path, graph: Path) -> dict[str, np.ndarray]:
    """Per sentence: [layers, 2 x hidden + 1] features, allowed classes, domain, gold, split."""
    from claimtrace.pipeline.attribute.tagger import load_tagger
    from claimtrace.pipeline.runtime import onnx_session
    from claimtrace.pipeline.shared_encoder import (
        content_flags,
        pooled_features,
        sentence_window,
        subword_range,
    )
    from claimtrace.training.multitask import MultiTaskTrainConfig, claim_splits

    tagger = load_tagger(tagger_dir, runtime="onnx")
    session, tok = onnx_session(graph, 1), tagger.tokenizer

    def layers_of(chunk: list[int]) -> np.ndarray:
        ids = np.array([[tok.cls_token_id, *chunk, tok.sep_token_id]], dtype=np.int64)
        found = session.run(["layers"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        return found[0][:, 0, 1:len(chunk) + 1]

    def pool(states: np.ndarray, flags: list[bool]) -> np.ndarray:
        return np.stack([pooled_features(layer, flags) for layer in states])

    splits = claim_splits(MultiTaskTrainConfig(run_name="probe"))
    rows: list[tuple] = []
    for split in ("claimbuster_train", "claimbuster_dev"):
        for text, label in zip(splits[split]["text"], splits[split]["label"], strict=True):
            item = tagger._encode(text)
            start, end = item["windows"][0]
            states = layers_of(item["ids"][start:end])
            rows.append((pool(states, [False] * states.shape[1]),
                         ALLOWED[f"claimbuster:{label}"], "claimbuster",
                         "CFS" if label else "rest", split))
    for split in ("news_train", "news_dev"):
        for row in sorted({c.row for c in splits[split]}):
            item = tagger._encode(splits["articles"][row])
            flags = content_flags(item["offsets"], splits["contents"][row])
            for claim in (c for c in splits[split] if c.row == row):
                first, stop = subword_range(item["offsets"], claim.start, claim.end)
                start, end = item["windows"][sentence_window(first, stop, item["windows"])]
                states = layers_of(item["ids"][start:end])
                a, b = max(first, start), min(stop, end)
                rows.append((pool(states[:, a - start:b - start], flags[a:b]),
                             ALLOWED[claim.label], "news", claim.label, split))
    return {"features": np.stack([r[0] for r in rows]).astype(np.float32),
            "allowed": np.array([r[1] for r in rows], np.float32),
            "domain": np.array([r[2] for r in rows]), "gold": np.array([r[3] for r in rows]),
            "split": np.array([r[4] for r in rows])}


def train_head(data: dict[str, np.ndarray], layer: int, epochs: int = 40, news_weight: float = 3.0,
               seed: int = 0) -> tuple:
    """Best dev epoch of a head on one layer's (standardised) features, the encoder frozen."""
    import torch

    from claimtrace.training.multitask import shared_model_class

    torch.manual_seed(seed)
    x = torch.tensor(data["features"][:, layer])
    train = np.isin(data["split"], ["claimbuster_train", "news_train"])
    x = (x - x[train].mean(0)) / (x[train].std(0) + 1e-6)
    allowed = torch.tensor(data["allowed"])
    weight = torch.tensor(np.where(data["domain"] == "news", news_weight, 1.0),
                          dtype=torch.float32)

    class Frozen(torch.nn.Module):
        config = type("Config", (), {"hidden_size": (x.shape[1] - 1) // 2})()

    head = shared_model_class()(Frozen(), head_hidden=256)
    optimizer = torch.optim.AdamW(head.parameters(), lr=1e-3, weight_decay=0.01)
    order, best = np.nonzero(train)[0], (-1.0,)
    dev = ~train
    domains, gold = data["domain"][dev], list(data["gold"][dev])
    labels = np.array([g == "CFS" for g in gold], dtype=int)
    for epoch in range(epochs):
        head.train()
        np.random.default_rng(seed + epoch).shuffle(order)
        for b in range(0, len(order), 64):
            i = order[b:b + 64]
            loss = _weighted(head.claim_logits(x[i]), allowed[i], weight[i])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        head.eval()
        with torch.no_grad():
            probs = torch.softmax(head.claim_logits(x[dev]), -1).numpy()
        found = dev_metrics(domains, gold, probs,
                            choose_joint_threshold(domains, labels, probs[:, 0]))
        if found["joint_f1"] > best[0]:
            best = (found["joint_f1"], epoch, found["claimbuster"]["f1"], found["news"]["f1"],
                    found["news"]["precision"], found["news"]["macro_f1"])
    return best


def _weighted(logits, allowed, weight):
    """`training.multitask.allowed_nll`, each row weighted (news rows count `news_weight`)."""
    import torch

    nll = torch.logsumexp(logits, -1) - torch.logsumexp(
        logits.masked_fill(allowed <= 0, float("-inf")), -1)
    return (nll * weight).sum() / weight.sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tagger", type=Path, default=Path("models/attribution"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = pooled_rows(args.tagger, export_all_layers(args.tagger, Path(tmp)))
    print("layer  joint F1  epoch  ClaimBuster F1  news F1  news P  news macro-F1")
    for layer in range(data["features"].shape[1]):
        best = train_head(data, layer)
        print(f"{layer + 1:5}  {best[0]:.4f}  {best[1]:5}  {best[2]:.4f}  {best[3]:.4f}  "
              f"{best[4]:.4f}  {best[5]:.4f}", flush=True)


if __name__ == "__main__":
    main()
