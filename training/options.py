"""Command-line options generated from a training config dataclass (one copy of each default).

`parse_config` builds an `transformers.HfArgumentParser` from the dataclass: every field is an
option (``--max_length`` or ``--max-length``), its ``help`` metadata is the help text and
``--help`` shows its default. ``--config run.json`` supplies options from a file saved by an
earlier run (`CONFIG_FILE`); flags given on the command line win over the file, a key the
dataclass does not know is an error, and an option the class has renamed since
(`JsonConfig.RENAMED`) is read under its new name.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from claimtrace.artifacts import TRAINING_CONFIG as CONFIG_FILE  # written beside every model
from claimtrace.settings import JsonConfig

T = TypeVar("T")


def build_parser(config_class: type, prog: str, description: str | None = None):
    from transformers import HfArgumentParser

    parser = HfArgumentParser(config_class, prog=prog, description=description)
    parser.add_argument("--config", type=Path, default=None,
                        help=f"JSON file with options, such as a run's {CONFIG_FILE}; flags "
                        "given here win over it")
    return parser


def parse_config(config_class: type[T], argv: list[str], prog: str,
                 description: str | None = None, not_from_file: tuple[str, ...] = ()) -> T:
    """The dataclass filled from `argv` (and ``--config``); argparse exits 2 on a bad flag,
    ValueError names a bad value or an unknown key in the file. Fields in `not_from_file`
    (where a run writes) are taken from flags only, so repeating a saved run's config never
    writes over that run or the model it produced."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--config", type=Path, default=None)
    known, _ = pre.parse_known_args(argv)
    parser = build_parser(config_class, prog, description)
    if known.config is not None:
        saved = _read_config(config_class, known.config)
        parser.set_defaults(**{k: v for k, v in saved.items() if k not in not_from_file})
    namespace = parser.parse_args(argv)
    values = {f.name: getattr(namespace, f.name) for f in fields(config_class)}  # type: ignore[arg-type]
    return config_class(**values)


def _read_config(config_class: type, path: Path) -> dict[str, Any]:
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"--config {path}: {err}") from err
    if not isinstance(values, dict):
        raise ValueError(f"--config {path}: expected a JSON object of options")
    if issubclass(config_class, JsonConfig):  # options the class renamed since
        try:
            values = config_class.upgrade(values)
        except ValueError as err:
            raise ValueError(f"--config {path}: {err}") from err
    known = {f.name for f in fields(config_class)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"--config {path}: unknown option(s) {unknown} for "
                         f"{config_class.__name__}; known: {sorted(known)}")
    return values
