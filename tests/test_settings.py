"""One place locates shipped files and holds the run defaults (claimtrace.settings)."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from claimtrace import settings
from claimtrace.settings import (
    ATTRIBUTION_MODEL,
    CLAIM_MODEL,
    MODELS_ENV,
    RunSettings,
    check_attribution_method,
    model_dir,
    models_dir,
)


def test_checkout_finds_the_repository_models_schema_and_sample():
    repo = Path(__file__).resolve().parent.parent
    assert not settings.INSTALLED  # the tests run from the source checkout
    assert models_dir() == repo / "models"
    assert (model_dir(CLAIM_MODEL) / "manifest.json").is_file()
    assert (model_dir(ATTRIBUTION_MODEL) / "manifest.json").is_file()
    assert settings.SCHEMA_DIR == repo / "schema"
    assert sorted(p.name for p in settings.SAMPLE_INPUT.glob("*.txt")) == [
        "clinic-study.txt", "harbor-bridge.txt", "river-cleanup.txt"]


def test_environment_variable_overrides_every_model_folder(monkeypatch, tmp_path):
    monkeypatch.setenv(MODELS_ENV, str(tmp_path))
    assert model_dir(ATTRIBUTION_MODEL) == tmp_path / "attribution"
    run = RunSettings()  # read when the settings are made, not at import
    assert (run.claim_model, run.attribution_model) == (
        tmp_path / "claim-checkworthiness", tmp_path / "attribution")
    monkeypatch.setenv(MODELS_ENV, "  ")
    assert models_dir() == settings.REPO_ROOT / "models"  # blank: not set


def test_models_dir_option_sets_both_models_as_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = RunSettings().with_models_dir("elsewhere")
    assert run.claim_model == tmp_path / "elsewhere" / "claim-checkworthiness"
    assert run.attribution_model == tmp_path / "elsewhere" / "attribution"
    assert RunSettings().with_models_dir(None).claim_model == model_dir(CLAIM_MODEL)


def test_unknown_model_name_is_an_error():
    with pytest.raises(ValueError, match="unknown model 'claims'"):
        model_dir("claims")


@pytest.mark.parametrize("changes, message", [
    ({"attribution_method": "neural"}, "unknown attribution method 'neural'"),
    ({"kinds": ("speech", "quotes")}, r"unknown kind\(s\) \['quotes'\]"),
    ({"kinds": ()}, "no kind given"),
    ({"min_score": 1.5}, "min_score=1.5"),
    ({"batch_size": 0}, "batch_size=0"),
])
def test_check_names_the_bad_value(changes, message):
    with pytest.raises(ValueError, match=message):
        RunSettings(**changes).check()


def test_check_accepts_the_defaults_and_every_method():
    assert RunSettings().check() == RunSettings()
    for method in settings.ATTRIBUTION_METHODS:
        assert check_attribution_method(method) == method


def test_to_dict_is_json_ready_and_complete():
    data = RunSettings().to_dict()
    assert set(data) == {f.name for f in fields(RunSettings)}
    assert data["claim_model"] == str(model_dir(CLAIM_MODEL))
    assert data["batch_size"] == RunSettings.batch_size


def test_cli_defaults_are_the_settings_defaults():
    import inspect

    from claimtrace.cli import run

    params = inspect.signature(run).parameters
    assert params["batch_size"].default == RunSettings.batch_size
    assert params["threads"].default == RunSettings.threads
    assert params["max_chars"].default == RunSettings.max_chars
    assert params["attribution"].default == RunSettings.attribution_method
    assert tuple(params["kinds"].default.split(",")) == RunSettings().kinds
