"""Fixtures for the LoRA tests: a tiny random Llama with SmolLM2's tokenizer, saved once per session."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import torch  # noqa: E402

from trainnet.lora import LoraTuningConfig  # noqa: E402
from trainnet.models.llm import load_causal_lm  # noqa: E402

torch.set_num_threads(1)

LLM_CACHE = Path(os.environ.get("TRAINNET_LLM_CACHE", "/tmp/trainnet-llm-cache"))
NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
]
NAMES = ["Ana", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun"]


def build_tiny_llama(path: Path) -> Path:
    """A 2-layer, 32-wide random Llama with SmolLM2's tokenizer that `load_causal_lm(path)` loads; LoRA trials
    on it take about a second."""
    from transformers import LlamaConfig, LlamaForCausalLM

    _, tokenizer = load_causal_lm("smollm2", cache_dir=LLM_CACHE)
    config = LlamaConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        vocab_size=len(tokenizer),
        max_position_embeddings=256,
        # Wider than the default 0.02 init so a 32-wide model's logits can move and LoRA visibly learns.
        initializer_range=0.2,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama"))


@pytest.fixture(scope="session")
def tokenizer(tiny_model_dir):
    return load_causal_lm(str(tiny_model_dir))[1]


@pytest.fixture(scope="session")
def make_records():
    return instruction_records


@pytest.fixture(scope="session")
def make_config(tiny_model_dir):
    """`make_config(**overrides)`: a config for the tiny model."""
    return lambda **overrides: tiny_config(tiny_model_dir, **overrides)


def instruction_records(n: int) -> list[dict]:
    """A small, learnable instruction set: numbers to words, and greetings without an input."""
    records = []
    for i in range(n):
        if i % 2:
            name = NAMES[i // 2 % len(NAMES)]
            records.append({"instruction": f"Greet {name}.", "input": "", "output": f"Hello, {name}! ({i})"})
        else:
            number = i // 2 % len(NUMBER_WORDS)
            records.append(
                {
                    "instruction": "Write the number in words.",
                    "input": str(number),
                    "output": f"{NUMBER_WORDS[number]} ({i})",
                }
            )
    return records


def tiny_config(model_dir: Path, **overrides) -> LoraTuningConfig:
    """A budget the tiny model trains in about a second per trial."""
    values = dict(
        model_name=str(model_dir),
        n_trials=2,
        rank_choices=(2, 4),
        lora_alpha_bounds=(4, 16),
        learning_rate_bounds=(3e-3, 3e-2),
        max_steps=12,
        evals_per_trial=3,
        batch_size=4,
        max_length=64,
        eval_fraction=0.25,
        heartbeat_seconds=1,
        grace_seconds=1,
    )
    return LoraTuningConfig(**{**values, **overrides})
