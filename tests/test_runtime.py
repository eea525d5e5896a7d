"""pipeline.runtime: CPU detection, the runtime choice per model folder, the torch-free
tokenizer, and the ONNX export the shipped models come from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from claimtrace.errors import ClaimtraceError
from claimtrace.pipeline.runtime import (
    ONNX_FILE,
    TORCH_FILE,
    CpuInfo,
    SubwordTokenizer,
    choose_runtime,
    cpu_info,
    verified_runtime,
)
from claimtrace.settings import ATTRIBUTION_MODEL, CLAIM_MODEL, model_dir

OLD_CLAIM_MODEL = Path(__file__).parents[1] / "models" / "claim-checkworthiness-1.0.0"


def _cpu(flags: str, machine: str = "x86_64") -> CpuInfo:
    return CpuInfo(model="test cpu", flags=frozenset(flags.split()), machine=machine)


@pytest.mark.parametrize(("flags", "machine", "level"), [
    ("sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni", "x86_64", "avx512_vnni"),
    ("sse4_2 avx avx2 fma avx512f avx512bw", "x86_64", "avx512"),
    ("sse4_2 avx avx2 fma avx_vnni", "x86_64", "avx_vnni"),
    ("sse4_2 avx avx2 fma", "x86_64", "avx2"),  # an AMD EPYC without AVX-512
    ("sse4_2 avx", "x86_64", "baseline"),
    ("fp asimd", "aarch64", "neon"),
])
def test_cpu_level_names_the_best_int8_kernels(flags: str, machine: str, level: str) -> None:
    assert _cpu(flags, machine).level == level


def test_cpu_info_reads_model_and_flags(tmp_path: Path) -> None:
    fake = tmp_path / "cpuinfo"
    fake.write_text("processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu avx2 fma\n\n"
                    "processor\t: 1\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu avx2 fma\n")
    info = cpu_info.__wrapped__(str(fake))
    assert info.model == "AMD EPYC 7B13"
    assert info.flags == {"fpu", "avx2", "fma"}
    missing = cpu_info.__wrapped__(str(tmp_path / "nowhere"))
    assert missing.flags == frozenset() and missing.level in ("baseline", "neon")


def test_shipped_models_run_on_onnx_runtime() -> None:
    for name in (ATTRIBUTION_MODEL, CLAIM_MODEL):
        chosen = verified_runtime("auto", model_dir(name), ())
        assert (chosen.engine, chosen.precision) == ("onnxruntime", "int8")
        assert chosen.label.startswith("onnxruntime-") and chosen.cpu_level in chosen.label


def test_runtime_choice_follows_the_files(tmp_path: Path) -> None:
    avx2 = _cpu("avx2 fma")
    assert choose_runtime("auto", OLD_CLAIM_MODEL, avx2).engine == "torch"  # no graph yet
    # A missing weights file is a set-up error (one line, exit 2), not an internal one.
    with pytest.raises(ClaimtraceError, match="model.int8.onnx: runtime onnx needs it"):
        choose_runtime("onnx", OLD_CLAIM_MODEL, avx2)
    with pytest.raises(ClaimtraceError, match="model.safetensors: runtime torch needs it"):
        choose_runtime("torch", model_dir(CLAIM_MODEL), avx2)
    with pytest.raises(ClaimtraceError, match="neither"):
        choose_runtime("auto", tmp_path, avx2)
    with pytest.raises(ValueError, match="unknown runtime"):
        choose_runtime("tensorrt", model_dir(CLAIM_MODEL), avx2)


def test_unlisted_weights_are_refused(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(model_dir(CLAIM_MODEL), tmp_path / "model"))
    shutil.copyfile(OLD_CLAIM_MODEL / TORCH_FILE, copy / TORCH_FILE)  # not in the manifest
    with pytest.raises(ClaimtraceError, match="does not list: model.safetensors"):
        verified_runtime("torch", copy, ())


TEXTS = [
    "The minister said on Monday that taxes would rise.",
    "“It is fair,” she added — café prices, naïve résumés & 12.5% growth…",
    "A\u00a0non-breaking space, a tab\tand\nnew lines.",
    "",
    " ".join(["word"] * 300),
]


def test_subword_tokenizer_matches_transformers() -> None:
    from transformers import AutoTokenizer

    for name in (ATTRIBUTION_MODEL, CLAIM_MODEL):
        folder = model_dir(name)
        ours, theirs = SubwordTokenizer.from_folder(folder), AutoTokenizer.from_pretrained(folder)
        for text in TEXTS:
            expected = theirs(text, add_special_tokens=False, return_offsets_mapping=True,
                              verbose=False)
            ids, offsets = ours.plain(text)
            assert ids == expected["input_ids"]
            assert [tuple(o) for o in offsets] == [tuple(o) for o in expected["offset_mapping"]]
        expected_ids = theirs(TEXTS, truncation=True, max_length=96)["input_ids"]
        assert ours.for_model(TEXTS, 96) == expected_ids
        assert ours.plain(TEXTS[-1])[0] == expected["input_ids"]  # truncation was switched off


def test_exported_graph_scores_like_torch(tmp_path: Path) -> None:
    """Export a claim model with torch weights to ONNX, then score sentences both ways: the
    int8 graph must agree with the fp32 torch model it came from."""
    from claimtrace.pipeline.classify import ClaimClassifier
    from claimtrace.training.onnx_export import export_onnx

    copy = Path(shutil.copytree(OLD_CLAIM_MODEL, tmp_path / "model"))
    assert export_onnx(copy) == copy / ONNX_FILE
    sentences = ["Unemployment fell to 4.1 percent in March.",
                 "I think we can do better than that.",
                 "Thank you all for coming tonight.",
                 "The bill would cut taxes for 40 million families."]
    torch_scores = ClaimClassifier(str(copy), runtime="torch", int8_kernels=False)
    onnx_scores = ClaimClassifier(str(copy), runtime="onnx")
    assert onnx_scores.loaded.runtime.engine == "onnxruntime"
    fp32, int8 = torch_scores.predict(sentences), onnx_scores.predict(sentences)
    assert max(abs(a - b) for a, b in zip(fp32, int8, strict=True)) < 0.05
    assert [a >= 0.5 for a in fp32] == [b >= 0.5 for b in int8]
    # The export is deterministic: the same weights give the same bytes.
    first = (copy / ONNX_FILE).read_bytes()
    export_onnx(copy)
    assert (copy / ONNX_FILE).read_bytes() == first
