"""Model folders: loading reads only what the manifest lists and verifies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from claimtrace.artifacts import MANIFEST, unlisted_files, verify_artifact, write_manifest
from claimtrace.errors import ClaimtraceError
from claimtrace.settings import model_dir

CLAIMS = model_dir("claim-checkworthiness")


@pytest.fixture
def artifact(tmp_path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "weights.bin").write_bytes(b"\x00" * 10)
    (folder / "README.md").write_text("card")
    write_manifest(folder)
    return folder


@pytest.mark.parametrize("folder", [CLAIMS, model_dir("attribution")])
def test_committed_artifacts_list_every_file(folder):
    verify_artifact(folder)
    assert unlisted_files(folder, json.loads((folder / MANIFEST).read_text())["files"]) == []


@pytest.mark.parametrize("name", ["added_tokens.json", "special_tokens_map.json",
                                  "sub/extra.bin", ".hidden"])
def test_an_unlisted_file_is_refused(artifact, name):
    (artifact / name).parent.mkdir(exist_ok=True)
    (artifact / name).write_text("{}")
    with pytest.raises(ClaimtraceError, match=f"does not list: {name}"):
        verify_artifact(artifact)


def test_documentation_may_change_freely(artifact):
    (artifact / "README.md").write_text("an edited card")
    (artifact / "plot.png").write_bytes(b"png")
    verify_artifact(artifact)


def test_a_listed_file_replaced_by_a_link_is_refused(artifact, tmp_path):
    target = tmp_path / "elsewhere.json"
    shutil.move(artifact / "config.json", target)
    (artifact / "config.json").symlink_to(target)
    with pytest.raises(ClaimtraceError, match="config.json"):
        verify_artifact(artifact)


@pytest.mark.parametrize("manifest", ["not json", "[]", '{"files": 3}',
                                      '{"files": {"config.json": {}}}'])
def test_a_malformed_manifest_is_a_clear_error(artifact, manifest):
    (artifact / MANIFEST).write_text(manifest)
    with pytest.raises(ClaimtraceError, match="malformed"):
        verify_artifact(artifact)


def test_the_claim_model_loader_refuses_an_added_tokens_file(tmp_path):
    """The issue's case: an added_tokens.json changed tokenisation, then crashed scoring."""
    from claimtrace.pipeline.classify import load_claim_model

    copy = Path(shutil.copytree(CLAIMS, tmp_path / "claims"))
    (copy / "added_tokens.json").write_text(json.dumps({"[NEW]": 30522}))
    with pytest.raises(ClaimtraceError, match="added_tokens.json"):
        load_claim_model(copy)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_with_a_tampered_model_fails_before_touching_its_output(tmp_path, workers):
    """A set-up error of the whole run (exit 2 from the CLI), not one error per article; with
    --workers too, where the workers, not this process, load the models."""
    from claimtrace.pipeline.runner import run_stage
    from claimtrace.settings import SAMPLE_INPUT, RunSettings

    copy = Path(shutil.copytree(CLAIMS, tmp_path / "claims"))
    (copy / "added_tokens.json").write_text("{}")
    output = tmp_path / "s.jsonl"
    output.write_text("a previous run's statements\n")
    with pytest.raises(ClaimtraceError, match="added_tokens.json"):
        run_stage("run", [SAMPLE_INPUT], output, RunSettings(claim_model=copy, progress=False),
                  workers=workers)
    assert output.read_text() == "a previous run's statements\n"
