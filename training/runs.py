"""Where a training run writes: ``runs/<run_name>/``, never the shipped models.

Both trainers' configs have the same three location fields (`LOCATION_FIELDS`): ``run_name``
(default: the model and the UTC date-time), ``output_dir`` (the artifact, default
``runs/<run_name>/model``) and ``run_dir`` (the trainer's checkpoints and logs, default
``runs/<run_name>/trainer``). They are never read from a ``--config`` file
(`claimtrace.training.options.parse_config`), so repeating a saved run cannot write over it;
`claimtrace models promote` is the one step that copies a run into the shipped models.
"""

from __future__ import annotations

import time
from pathlib import Path

RUNS_DIR = "runs"
LOCATION_FIELDS = ("run_name", "output_dir", "run_dir")


def run_locations(prefix: str, run_name: str, output_dir: str,
                  run_dir: str) -> tuple[str, str, str]:
    """(run_name, output_dir, run_dir) with the defaults above filled in for empty values;
    ValueError, while the options are read, for a run name that is a path ("../x" would
    write outside runs/)."""
    run_name = run_name or time.strftime(f"{prefix}-%Y%m%d-%H%M%S", time.gmtime())
    if run_name in (".", "..") or any(mark in run_name for mark in ("/", "\\", "\0")):
        raise ValueError(f"run_name {run_name!r} must be a plain folder name: it goes under "
                         f"{RUNS_DIR}/")
    return (run_name, output_dir or f"{RUNS_DIR}/{run_name}/model",
            run_dir or f"{RUNS_DIR}/{run_name}/trainer")


def resolve(path: str | Path) -> Path:
    """Relative data paths are taken from the repository root, so runs do not depend on cwd."""
    from claimtrace.settings import REPO_ROOT

    path = Path(path)
    return path if path.is_absolute() else REPO_ROOT / path


def check_output_dir(output_dir: str | Path) -> None:
    """ValueError when `output_dir` is the shipped models' folder or inside it."""
    from claimtrace.settings import models_dir

    out = Path(output_dir).resolve()
    shipped = models_dir().resolve()
    if out == shipped or shipped in out.parents:
        raise ValueError(f"output_dir {str(output_dir)!r} is inside the shipped models "
                         f"({shipped}); train into {RUNS_DIR}/ and use `claimtrace models "
                         "promote`")
