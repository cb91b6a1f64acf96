"""LoRA fine-tuning of a causal LM on instruction records: dataset preparation and one training trial.

Records are `{"instruction", "input", "output"}` dicts. The prompt is the tokenizer's chat template (a plain
"### Instruction / ### Response" layout when it has none); the loss covers the response tokens only.
A trial is a plain PyTorch loop over a PEFT model: optimizer step, periodic eval, best checkpoint saved.
"""

from __future__ import annotations

import gc
import logging
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

from trainnet.lora.lora_tuning_config import LoraTrialParams, LoraTuningConfig
from trainnet.models.device import training_device
from trainnet.models.llm import load_causal_lm
from trainnet.training.shard_trainer import adamw

log = logging.getLogger(__name__)

IGNORE_INDEX = -100  # label of tokens the loss skips (prompt and padding), as in transformers
PLAIN_PROMPT = "### Instruction:\n{instruction}\n\n### Response:\n"
PLAIN_PROMPT_WITH_INPUT = "### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:\n"

ReportEvalLoss = Callable[[int, float], None]
"""Called with (step, best eval loss so far) after each eval; it may raise (optuna.TrialPruned) to stop the trial.

The best so far is what the trial is worth if stopped there, because its best checkpoint is the one kept.
"""


@dataclass(frozen=True)
class TokenizedExample:
    input_ids: list[int]
    labels: list[int]  # IGNORE_INDEX on prompt tokens


@dataclass
class TrialResult:
    eval_loss: float  # the best eval loss of the trial: its saved adapter is that checkpoint
    best_step: int
    eval_losses: list[tuple[int, float]]  # (step, eval loss) at each eval
    steps: int
    seconds: float
    adapter_dir: Path | None = None
    device: str = "cpu"
    train_losses: list[float] = field(default_factory=list, repr=False)


def release_accelerator_memory() -> None:
    """Give a failed trial's GPU memory back before the next trial (a no-op when CUDA was never used)."""
    gc.collect()
    if torch.cuda.is_initialized():
        torch.cuda.empty_cache()


def load_base_model(model_name: str, cache_dir: Path | None = None, dtype: torch.dtype | None = None):
    """(model, tokenizer) for a base model name; a name that resolves to nothing is a ValueError saying so."""
    try:
        return load_causal_lm(model_name, cache_dir=cache_dir, dtype=dtype)
    except (OSError, ValueError) as error:
        raise ValueError(
            f"unknown base model {model_name!r}: use 'smollm2', a local model directory or a Hugging Face id "
            f"already in the local cache ({error})"
        ) from error


def prompt_text(tokenizer, instruction: str, input: str = "") -> str:
    """The prompt a model sees for an instruction, ending where its response starts (also used to generate)."""
    if tokenizer.chat_template:
        user = f"{instruction}\n\n{input}" if input else instruction
        messages = [{"role": "user", "content": user}]
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    template = PLAIN_PROMPT_WITH_INPUT if input else PLAIN_PROMPT
    prefix = tokenizer.bos_token or ""
    return prefix + template.format(instruction=instruction, input=input)


def tokenize_record(record: dict, tokenizer, max_length: int) -> TokenizedExample | None:
    """Prompt + response + EOS as token ids, labels masked on the prompt; None when the prompt fills max_length."""
    prompt = tokenizer(
        prompt_text(tokenizer, record["instruction"], record.get("input") or ""), add_special_tokens=False
    )["input_ids"]
    response = tokenizer(record["output"], add_special_tokens=False)["input_ids"] + [tokenizer.eos_token_id]
    if len(prompt) >= max_length:
        return None
    response = response[: max_length - len(prompt)]
    return TokenizedExample(prompt + response, [IGNORE_INDEX] * len(prompt) + response)


def prepare_dataset(
    records: list[dict], tokenizer, config: LoraTuningConfig
) -> tuple[list[TokenizedExample], list[TokenizedExample]]:
    """Validate and tokenize instruction records, then split them into (train, eval) with the config's seed."""
    for index, record in enumerate(records):
        _check_record(index, record)
    examples = [e for r in records if (e := tokenize_record(r, tokenizer, config.max_length)) is not None]
    if len(examples) < len(records):
        log.warning(
            "dropped %d records whose prompt alone fills max_length=%d", len(records) - len(examples), config.max_length
        )
    n_eval = math.floor(len(examples) * config.eval_fraction + 1e-9)
    if n_eval < config.min_eval_records:
        needed = math.ceil(config.min_eval_records / config.eval_fraction - 1e-9)
        raise ValueError(
            f"dataset too small for an eval split: {len(examples)} usable records (of {len(records)}) with "
            f"eval_fraction={config.eval_fraction} give {n_eval} eval records, and at least "
            f"{config.min_eval_records} are needed; provide at least {needed} records or raise eval_fraction"
        )
    order = list(range(len(examples)))
    random.Random(config.seed).shuffle(order)
    return [examples[i] for i in order[n_eval:]], [examples[i] for i in order[:n_eval]]


def _check_record(index: int, record) -> None:
    if not isinstance(record, dict):
        raise ValueError(f"record {index} is not an object with instruction/input/output")
    for key in ("instruction", "output"):
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise ValueError(f"record {index} has no {key!r} text")
    if not isinstance(record.get("input", ""), (str, type(None))):
        raise ValueError(f"record {index} has an 'input' that is not text")


def collate(examples: list[TokenizedExample], pad_token_id: int, device: torch.device) -> dict[str, torch.Tensor]:
    """Right-pad a batch: input_ids, attention_mask, labels (padding is ignored by the loss)."""
    width = max(len(e.input_ids) for e in examples)
    input_ids = torch.full((len(examples), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, example in enumerate(examples):
        n = len(example.input_ids)
        input_ids[row, :n] = torch.tensor(example.input_ids)
        labels[row, :n] = torch.tensor(example.labels)
        attention_mask[row, :n] = 1
    batch = {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
    return {name: tensor.to(device) for name, tensor in batch.items()}


def training_batches(examples: list[TokenizedExample], batch_size: int, seed: int) -> Iterator[list[TokenizedExample]]:
    """Shuffled batches, epoch after epoch, forever; the order depends only on the seed."""
    rng = random.Random(seed)
    while True:
        order = list(range(len(examples)))
        rng.shuffle(order)
        for start in range(0, len(order), batch_size):
            yield [examples[i] for i in order[start : start + batch_size]]


@torch.no_grad()
def evaluate_loss(model, examples: list[TokenizedExample], batch_size: int, pad_token_id: int) -> float:
    """Mean cross-entropy per response token over `examples` (token-weighted, not a mean of batch means)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    total, tokens = 0.0, 0
    for start in range(0, len(examples), batch_size):
        batch = collate(examples[start : start + batch_size], pad_token_id, device)
        n = int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())  # the loss predicts token t+1 from t
        total += model(**batch).loss.item() * n
        tokens += n
    model.train(was_training)
    return total / max(tokens, 1)


def run_trial(
    model_name: str,
    train_set: list[TokenizedExample],
    eval_set: list[TokenizedExample],
    params: LoraTrialParams,
    config: LoraTuningConfig,
    report: ReportEvalLoss | None = None,
    adapter_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> TrialResult:
    """Train one LoRA adapter with `params`, reporting eval losses; keep its best checkpoint in `adapter_dir`.

    The adapter is saved (PEFT format, with the tokenizer) at every eval that improves on the best eval loss,
    as nanoGPT keeps its best checkpoint, so a learning rate that overshoots late still yields its best model.

    A loss that turns NaN/inf raises FloatingPointError: the learning rate was too high for this model.
    """
    from peft import LoraConfig, get_peft_model

    started = time.perf_counter()
    device = training_device()
    dtype = torch.bfloat16 if device.type == "cuda" and torch.cuda.is_bf16_supported() else torch.float32
    torch.manual_seed(config.seed)  # same LoRA init and dropout for every trial: only the params differ
    base, tokenizer = load_base_model(model_name, cache_dir=cache_dir, dtype=dtype)
    lora = LoraConfig(
        r=params.rank,
        lora_alpha=params.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=list(config.target_modules),
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(base, lora).to(device)
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = adamw(trainable, params.learning_rate)

    total_steps = config.total_steps(len(train_set))
    eval_steps = set(config.eval_steps(total_steps))
    batches = training_batches(train_set, config.batch_size, config.seed)
    pad = tokenizer.pad_token_id
    train_losses: list[float] = []
    eval_losses: list[tuple[int, float]] = []
    best_eval_loss, best_step = math.inf, 0
    for step in range(1, total_steps + 1):
        loss = model(**collate(next(batches), pad, device)).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, config.max_grad_norm)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        train_losses.append(loss.item())
        if not math.isfinite(train_losses[-1]):
            raise FloatingPointError(f"training diverged: loss {train_losses[-1]} at step {step}")

        if step in eval_steps:
            eval_loss = evaluate_loss(model, eval_set, config.batch_size, pad)
            if not math.isfinite(eval_loss):
                raise FloatingPointError(f"training diverged: eval loss {eval_loss} at step {step}")
            eval_losses.append((step, eval_loss))
            log.info("step %d/%d: train loss %.4f, eval loss %.4f", step, total_steps, train_losses[-1], eval_loss)
            if eval_loss < best_eval_loss:
                best_eval_loss, best_step = eval_loss, step
                if adapter_dir is not None:
                    model.save_pretrained(str(adapter_dir))
            if report is not None:
                report(step, best_eval_loss)

    if adapter_dir is not None:
        tokenizer.save_pretrained(adapter_dir)
    return TrialResult(
        eval_loss=best_eval_loss,
        best_step=best_step,
        eval_losses=eval_losses,
        steps=total_steps,
        seconds=time.perf_counter() - started,
        adapter_dir=adapter_dir,
        device=device.type,
        train_losses=train_losses,
    )
