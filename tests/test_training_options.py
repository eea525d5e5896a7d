"""Training options come from the config dataclass: every field, its default, --config."""

from __future__ import annotations

import json
import re
from dataclasses import fields

import pytest

from claimtrace.artifacts import TRAINING_CONFIG
from claimtrace.training.attribution import AttributionTrainConfig
from claimtrace.training.claims import ClaimTrainingConfig
from claimtrace.training.options import build_parser, parse_config
from claimtrace.training.runs import LOCATION_FIELDS, check_output_dir

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
        check_output_dir(tmp_path / "attribution")
    with pytest.raises(ValueError, match="inside the shipped models"):
        check_output_dir(tmp_path)
    check_output_dir(tmp_path.parent / "runs" / "x")


def test_cli_help_lists_the_generated_options():
    from typer.testing import CliRunner

    from claimtrace.cli import app

    result = CliRunner().invoke(app, ["train", "attribution", "--help"])
    assert result.exit_code == 0, result.output
    assert "--warmup_fraction" in result.output and "--max_dev_articles" in result.output


# ------------------------------------------------------------- both trainers, one scheme


@pytest.mark.parametrize("config_class", [AttributionTrainConfig, ClaimTrainingConfig])
def test_both_trainers_share_option_names_and_run_folders(config_class):
    names = {f.name for f in fields(config_class)}
    shared = {"epochs", "threads", "warmup_fraction", "learning_rate", "weight_decay",
              "batch_size", "seed", "max_length", *LOCATION_FIELDS}
    assert shared <= names
    assert not names & {"num_epochs", "num_threads", "warmup_ratio", "work_dir"}
    config = config_class(run_name="same")
    assert (config.output_dir, config.run_dir) == ("runs/same/model", "runs/same/trainer")


def parse_claims(*argv: str) -> ClaimTrainingConfig:
    return parse_config(ClaimTrainingConfig, list(argv), "claimtrace train claims",
                        not_from_file=LOCATION_FIELDS)


def test_claims_options_are_generated_with_defaults():
    text = build_parser(ClaimTrainingConfig, "claimtrace train claims").format_help()
    for f in fields(ClaimTrainingConfig):
        assert f"--{f.name}" in text, f.name
    assert "(default: 5e-05)" in text and "(default: 96)" in text
    config = parse_claims("--epochs", "2", "--head-lr-multiplier", "20", "--no_baseline",
                          "--run_name", "c1")
    assert (config.epochs, config.head_lr_multiplier, config.baseline) == (2.0, 20.0, False)
    assert config.output_dir == "runs/c1/model"
    assert parse_claims().run_name.startswith("claims-")


def test_claims_config_with_old_names_is_read_under_the_new_ones(tmp_path):
    """A run saved before the trainers were aligned (num_epochs, work_dir, ...) repeats."""
    path = tmp_path / TRAINING_CONFIG
    path.write_text(json.dumps({"num_epochs": 2.0, "num_threads": 1, "warmup_ratio": 0.1,
                                "work_dir": "runs/old", "output_dir": "models/x", "seed": 5}))
    config = parse_claims("--config", str(path), "--run_name", "again")
    assert (config.epochs, config.threads, config.warmup_fraction, config.seed) == (
        2.0, 1, 0.1, 5)
    assert (config.output_dir, config.run_dir) == ("runs/again/model", "runs/again/trainer")
    loaded = ClaimTrainingConfig.from_json(path)
    assert (loaded.epochs, loaded.run_dir, loaded.output_dir) == (2.0, "runs/old", "models/x")


def test_claims_option_under_old_and_new_name_is_an_error(tmp_path):
    path = tmp_path / TRAINING_CONFIG
    path.write_text(json.dumps({"num_epochs": 2.0, "epochs": 3.0}))
    with pytest.raises(ValueError, match="num_epochs / epochs"):
        parse_claims("--config", str(path))
    with pytest.raises(ValueError, match="num_epochs / epochs"):
        ClaimTrainingConfig.from_json(path)


def test_claims_old_flag_is_not_an_option():
    with pytest.raises(SystemExit) as exit_info:
        parse_claims("--num_epochs", "2")
    assert exit_info.value.code == 2


def test_committed_claim_config_uses_the_new_names():
    from claimtrace.settings import CLAIM_MODEL, model_dir

    saved = json.loads((model_dir(CLAIM_MODEL) / TRAINING_CONFIG).read_text())
    # Options added after the shipped run (`encoder_layers`) take their defaults when it is
    # repeated; no option is saved under an old name.
    assert set(saved) <= {f.name for f in fields(ClaimTrainingConfig)}
    assert not set(saved) & set(ClaimTrainingConfig.RENAMED)


def test_train_claims_help_lists_the_generated_options():
    from typer.testing import CliRunner

    from claimtrace.cli import app

    result = CliRunner().invoke(app, ["train", "claims", "--help"])
    assert result.exit_code == 0, result.output
    for option in ("--warmup_fraction", "--run_name", "--claimbuster_train_rows", "--config"):
        assert option in result.output
    assert "promote-claims" not in CliRunner().invoke(app, ["train", "--help"]).output


def test_train_claims_bad_value_exits_2():
    from typer.testing import CliRunner

    from claimtrace.cli import app

    result = CliRunner().invoke(app, ["train", "claims", "--dev_fraction", "1.5"])
    assert result.exit_code == 2 and "dev_fraction must be in" in result.output


def test_train_claims_repeats_the_committed_run_into_runs(monkeypatch):
    """`--config` of the shipped model gives its options; where it writes is the new run's."""
    from typer.testing import CliRunner

    from claimtrace.cli import app
    from claimtrace.settings import CLAIM_MODEL, model_dir
    from claimtrace.training import claims

    seen = []
    monkeypatch.setattr(claims, "train_claims",
                        lambda config: seen.append(config) or {"threshold": 0.5})
    saved = model_dir(CLAIM_MODEL) / TRAINING_CONFIG
    result = CliRunner().invoke(app, ["train", "claims", "--config", str(saved),
                                      "--run_name", "again", "--seed", "14"])
    assert result.exit_code == 0, result.output
    (config,) = seen
    expected = {**json.loads(saved.read_text()), "seed": 14, "run_name": "again",
                "output_dir": "runs/again/model", "run_dir": "runs/again/trainer"}
    defaults = {f.name: f.default for f in fields(ClaimTrainingConfig)}
    expected |= {name: defaults[name] for name in set(defaults) - set(expected)}
    assert config.to_dict() == expected
    assert "claimtrace models promote runs/again/model claim-checkworthiness" in result.output


@pytest.mark.parametrize("run_name", ["../../escape", "a/b", ".."])
def test_a_run_name_is_a_plain_folder_name(run_name):
    from claimtrace.training.claims import ClaimTrainingConfig

    with pytest.raises(ValueError, match="plain folder name"):  # it would write outside runs/
        ClaimTrainingConfig(run_name=run_name)


def test_an_output_inside_the_shipped_models_is_refused_before_training(tmp_path):
    from typer.testing import CliRunner

    from claimtrace.cli import app

    result = CliRunner().invoke(app, ["train", "claims", "--output_dir",
                                      "models/claim-checkworthiness"])
    # The message names the checkout's path, so where the error box wraps it depends on
    # how long that path is: read the words, not the box's lines.
    words = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert result.exit_code == 2 and "inside the shipped models" in words
