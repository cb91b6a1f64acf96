import pytest

from trainnet.lora.lora_tuning_config import MAX_N_TRIALS, LoraTuningConfig


def test_defaults_are_valid_and_start_up_trials_scale_with_the_budget():
    assert LoraTuningConfig().startup_trials == 3
    assert LoraTuningConfig(n_trials=30).startup_trials == 10
    assert LoraTuningConfig(n_trials=30, n_startup_trials=4).startup_trials == 4
    assert LoraTuningConfig(n_trials=2).startup_trials == 2  # never more than the budget
    assert LoraTuningConfig(n_trials=3, n_startup_trials=5).startup_trials == 3


def test_from_overrides_applies_values_and_turns_json_lists_into_tuples():
    config = LoraTuningConfig.from_overrides(
        {"model_name": "/models/llama", "n_trials": 12, "rank_choices": [8, 16], "learning_rate_bounds": [1e-4, 1e-3]}
    )
    assert (config.model_name, config.n_trials) == ("/models/llama", 12)
    assert config.rank_choices == (8, 16)
    assert config.learning_rate_bounds == (1e-4, 1e-3)
    assert config.lora_alpha_bounds == LoraTuningConfig().lora_alpha_bounds


@pytest.mark.parametrize("n_trials", [0, -3, MAX_N_TRIALS + 1])
def test_n_trials_outside_the_allowed_range_is_rejected(n_trials):
    with pytest.raises(ValueError, match=f"n_trials must be between 1 and {MAX_N_TRIALS}, got {n_trials}"):
        LoraTuningConfig.from_overrides({"n_trials": n_trials})


def test_unknown_setting_is_rejected_with_the_known_names():
    with pytest.raises(ValueError, match=r"unknown LoRA tuning settings \['n_trails'\]; known: .*'n_trials'"):
        LoraTuningConfig.from_overrides({"n_trails": 4})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"n_trials": "8"}, "n_trials has the wrong type"),
        ({"n_trials": True}, "n_trials has the wrong type"),
        ({"rank_choices": [4, "8"]}, "rank_choices has the wrong type"),
        ({"rank_choices": []}, "rank_choices must be positive integers"),
        ({"learning_rate_bounds": [1e-2, 1e-4]}, "learning_rate_bounds must be"),
        ({"lora_alpha_bounds": [0, 16]}, "lora_alpha_bounds must be"),
        ({"eval_fraction": 0.0}, "eval_fraction must be in"),
        ({"max_steps": 0}, "max_steps must be at least 1"),
        ({"target_modules": []}, "target_modules is empty"),
        ({"heartbeat_seconds": 30, "grace_seconds": 10}, "grace_seconds"),
    ],
)
def test_invalid_values_are_rejected_with_the_field_named(overrides, message):
    with pytest.raises(ValueError, match=message):
        LoraTuningConfig.from_overrides(overrides)


def test_every_field_is_documented():
    from dataclasses import fields

    assert all(f.metadata.get("help") for f in fields(LoraTuningConfig))


def test_steps_come_from_epochs_unless_max_steps_is_set():
    assert LoraTuningConfig(epochs=2, batch_size=4).total_steps(10) == 6
    assert LoraTuningConfig(epochs=2, max_steps=5).total_steps(10) == 5


def test_eval_steps_are_evenly_spaced_and_end_at_the_last_step():
    assert LoraTuningConfig(evals_per_trial=4).eval_steps(10) == [2, 5, 8, 10]
    assert LoraTuningConfig(evals_per_trial=4).eval_steps(2) == [1, 2]
    assert LoraTuningConfig(evals_per_trial=1).eval_steps(7) == [7]
