"""Where the transformer passes run: ONNX Runtime over the shipped int8 graph, torch in training.

A shipped model folder holds one weights file, ``model.int8.onnx``: the fine-tuned weights
quantised to int8 and exported by `claimtrace.training.onnx_export`. ONNX Runtime multiplies
int8 weights by int8-quantised activations in int32; its kernel library dispatches on the CPU
at run time (AVX2, AVX-512, AVX-512 VNNI, AMX, NEON), so the pipeline needs no torch. The
weights use 7-bit range (``reduce_range``) so the AVX2 kernels, whose u8 x s8 multiply-add
saturates in 16 bits on CPUs without VNNI, give the same sums as the VNNI ones. A training run's
folder also holds ``model.safetensors`` (int8 rows, `claimtrace.artifacts`), which torch loads
for warm starts and for the ``torch`` runtime. `choose_runtime` picks one per folder; the
choice, with the CPU's instruction set, goes into each record's provenance (`Runtime.label`).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from claimtrace.artifacts import verify_artifact
from claimtrace.errors import ClaimtraceError, Errors
from claimtrace.settings import check_runtime

ONNX_FILE = "model.int8.onnx"
TORCH_FILE = "model.safetensors"
# x86 instruction sets, best first; ONNX Runtime's int8 kernels need at least AVX2.
_X86_LEVELS = (
    ("avx512_vnni", {"avx512f", "avx512bw", "avx512_vnni"}),
    ("avx512", {"avx512f", "avx512bw"}),
    ("avx_vnni", {"avx2", "avx_vnni"}),
    ("avx2", {"avx2", "fma"}),
)


@dataclass(frozen=True)
class CpuInfo:
    model: str
    flags: frozenset[str]
    machine: str

    @property
    def level(self) -> str:
        """The best vector instruction set the int8 kernels can use here."""
        if self.machine in ("aarch64", "arm64"):
            return "neon"
        for name, needed in _X86_LEVELS:
            if needed <= self.flags:
                return name
        return "baseline"


@lru_cache(maxsize=1)
def cpu_info(cpuinfo: str = "/proc/cpuinfo") -> CpuInfo:
    """Model name and feature flags of this CPU (Linux ``/proc/cpuinfo``; elsewhere the
    platform's name and no flags, which keeps such machines on the torch path)."""
    model, flags = platform.processor() or platform.machine(), frozenset()
    try:
        lines = Path(cpuinfo).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    for line in lines:
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "model name" and value.strip():
            model = value.strip()
        elif key in ("flags", "features") and not flags:
            flags = frozenset(value.split())
    return CpuInfo(model=model, flags=flags, machine=platform.machine().lower())


@dataclass(frozen=True)
class Runtime:
    """One choice of engine and precision, and why it was made."""

    engine: str  # "onnxruntime" or "torch"
    precision: str  # "int8" or "fp32"
    cpu_level: str

    @property
    def label(self) -> str:
        """For provenance, e.g. ``onnxruntime-1.32.0 int8 avx512_vnni``."""
        return f"{self.engine}-{_version(self.engine)} {self.precision} {self.cpu_level}"


def onnx_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def choose_runtime(requested: str, model_dir: Path, cpu: CpuInfo | None = None) -> Runtime:
    """``auto``: ONNX Runtime when the folder has the int8 graph (every shipped model does),
    else torch over ``model.safetensors`` (a training run not yet exported). ``onnx`` and
    ``torch`` insist; a `ClaimtraceError` (a set-up error: one line, exit 2) names what is
    missing."""
    check_runtime(requested)
    cpu = cpu or cpu_info()
    folder = Path(model_dir)
    has_graph, has_torch = (folder / ONNX_FILE).is_file(), (folder / TORCH_FILE).is_file()
    if requested == "onnx" or (requested == "auto" and has_graph):
        if not has_graph:
            raise _missing(folder / ONNX_FILE, "runtime onnx needs it (create it with "
                           "`claimtrace models export-onnx`)")
        if not onnx_available():
            # The graph is there; what is missing is the package that runs it.
            raise ClaimtraceError("runtime onnx: the onnxruntime package is not installed")
        return Runtime("onnxruntime", "int8", cpu.level)
    if not has_torch:
        raise (_missing(folder, f"it has neither {ONNX_FILE} nor {TORCH_FILE}")
               if requested == "auto" else
               _missing(folder / TORCH_FILE, "runtime torch needs it; shipped models hold "
                        "only the ONNX graph (torch runs a training run's folder)"))
    return Runtime("torch", "fp32", cpu.level)


def _missing(path: Path, hint: str) -> ClaimtraceError:
    return ClaimtraceError(Errors.E040.format(path=path, hint=hint))


def verified_runtime(requested: str, model_dir: Path, required: tuple[str, ...]) -> Runtime:
    """Check the folder against its manifest (`required` files listed), then choose the
    runtime; the weights it will load must be listed too."""
    folder = Path(model_dir)
    listed = verify_artifact(folder, required=required)["files"]
    chosen = choose_runtime(requested, folder)
    weights = ONNX_FILE if chosen.engine == "onnxruntime" else TORCH_FILE
    if weights not in listed:
        raise ClaimtraceError(Errors.E040.format(path=folder / weights,
                                                 hint="not listed in manifest.json"))
    return chosen


def onnx_session(path: Path, threads: int) -> Any:
    """An ONNX Runtime CPU session with a fixed thread count and no busy-waiting, so two
    worker processes on two cores do not steal each other's time."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3  # warnings about unused initialisers are not the user's
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _version(engine: str) -> str:
    try:
        return metadata.version(engine)
    except metadata.PackageNotFoundError:
        return "unknown"


class SubwordTokenizer:
    """The model folder's ``tokenizer.json`` through the `tokenizers` library alone, so
    inference imports neither transformers nor torch. It gives the same ids as the
    transformers tokenizer built from the same file (tested)."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.backend.no_padding()
        self.backend.no_truncation()
        self.cls_token_id = backend.token_to_id("[CLS]")
        self.sep_token_id = backend.token_to_id("[SEP]")
        self.pad_token_id = backend.token_to_id("[PAD]")

    @classmethod
    def from_folder(cls, folder: Path) -> SubwordTokenizer:
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_file(str(Path(folder) / "tokenizer.json")))

    def plain(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        """Subword ids and character offsets, no special tokens, no length limit."""
        encoding = self.backend.encode(text, add_special_tokens=False)
        return encoding.ids, encoding.offsets

    def for_model(self, texts: list[str], max_length: int) -> list[list[int]]:
        """``[CLS] ... [SEP]`` ids per text, cut to `max_length` as the model was trained."""
        self.backend.enable_truncation(max_length)
        try:
            return [e.ids for e in self.backend.encode_batch(texts)]
        finally:
            self.backend.no_truncation()
