"""Training options come from the config dataclass: every field, its default, --config."""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.training.attribution import (
    LOCATION_FIELDS,
    AttributionTrainConfig,
    check_output_dir,
)
from claimtrace.training.options import build_parser, parse_config

PROG = "claimtrace train attribution"


def parse(*argv: str) -> AttributionTrainConfig:
    return parse_config(AttributionTrainConfig, list(argv), PROG,
                        not_from_file=LOCATION_FIELDS)


def test_every_field_is_an_option_whose_help_shows_its_default():
    text = build_parser(AttributionTrainConfig, PROG).format_help()
    for f in fields(AttributionTrainConfig):
        assert f"--{f.name}" in text, f.name
    assert "(default: 0.0001)" in text and "(default: 256)" in text


def test_flags_set_fields_under_both_spellings():
    config = parse("--learning_rate", "3e-5", "--max-length", "128", "--bf16", "false",
                   "--run_name", "t1")
    assert (config.learning_rate, config.max_length, config.bf16) == (3e-5, 128, False)
    assert config.output_dir == "runs/t1/model" and config.run_dir == "runs/t1/trainer"


def test_default_run_goes_to_a_new_folder_under_runs():
    config = parse()
    assert config.run_name.startswith("attribution-")
    assert config.output_dir == f"runs/{config.run_name}/model"


def test_config_file_supplies_options_and_flags_win(tmp_path):
    saved = AttributionTrainConfig(epochs=3.0, seed=7, output_dir="models/attribution").to_dict()
    path = tmp_path / TRAINING_CONFIG
    path.write_text(json.dumps(saved))
    config = parse("--config", str(path), "--seed", "8", "--run_name", "again")
    assert config.epochs == 3.0 and config.seed == 8
    # where the saved run wrote is not repeated: a rerun never lands on the shipped model
    assert config.output_dir == "runs/again/model"


def test_unknown_key_in_config_file_is_an_error(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"num_epochs": 3}))
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['num_epochs'\]"):
        parse("--config", str(path))


def test_bad_value_is_an_error():
    with pytest.raises(ValueError, match="multi_annotator"):
        parse("--multi_annotator", "some")


def test_unknown_flag_exits_2():
    with pytest.raises(SystemExit) as exit_info:
        parse("--num-epochs", "2")
    assert exit_info.value.code == 2


def test_output_inside_the_shipped_models_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAIMTRACE_MODELS_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="inside the shipped models"):
        check_output_dir(AttributionTrainConfig(output_dir=str(tmp_path / "attribution")))
    check_output_dir(AttributionTrainConfig(output_dir=str(tmp_path.parent / "runs" / "x")))


def test_cli_help_lists_the_generated_options():
    from typer.testing import CliRunner

    from claimtrace.cli import app

    result = CliRunner().invoke(app, ["train", "attribution", "--help"])
    assert result.exit_code == 0, result.output
    assert "--warmup_fraction" in result.output and "--max_dev_articles" in result.output
