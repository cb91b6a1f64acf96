"""LoRA fine-tuning with a Bayesian hyper-parameter search.

- `lora_tuning_config`: `LoraTuningConfig`, the search space and training budget (cheap to import).
- `lora_tuning`: `prepare_dataset` and `run_trial`, one LoRA training run in plain PyTorch/PEFT.
- `bayesian_optimizer`: `run_search`, the resumable Optuna TPE study, and `study_summary`.
- `playground`: a finished job's prompt completed by the base model and by base + adapter, side by side.
"""

from trainnet.lora.lora_tuning_config import LoraTrialParams, LoraTuningConfig

__all__ = ["LoraTrialParams", "LoraTuningConfig"]
