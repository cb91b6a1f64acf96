"""The adapter playground: one prompt through a finished LoRA job's base model, with and without its adapter.

Both completions come from one PEFT model (the base is that model with its adapter disabled), with the same
decoding settings, greedy by default, so any difference between them is the adapter's. The prompt is wrapped in
the template the adapter was trained with (`lora_tuning.prompt_text`).

Importing this module is cheap (torch and PEFT load on first use), so the API can read its limits.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trainnet.storage import Storage

ADAPTER_WEIGHTS = "adapter_model.safetensors"
DEFAULT_MAX_NEW_TOKENS = 64
MAX_NEW_TOKENS = 256
MAX_PROMPT_CHARS = 4000


@dataclass(frozen=True)
class Completions:
    base: str
    adapter: str


@dataclass
class AdapterModel:
    """A base model with a LoRA adapter attached (a `PeftModel`) and its tokenizer. One generation at a time:
    generating with the adapter disabled changes the model while it runs."""

    model: Any
    tokenizer: Any
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def generate_pair(loaded: AdapterModel, prompt: str, max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS) -> Completions:
    """Greedy completions of `prompt` by the base model (adapter disabled) and by base + adapter."""
    import torch

    from trainnet.lora.lora_tuning import prompt_text

    model, tokenizer = loaded.model, loaded.tokenizer
    text = prompt_text(tokenizer, prompt)
    inputs = tokenizer(text, return_tensors="pt", add_special_tokens=False)
    settings = {
        "max_new_tokens": max_new_tokens,
        "do_sample": False,
        "pad_token_id": tokenizer.pad_token_id,
    }
    with loaded.lock, torch.inference_mode():
        with model.disable_adapter():
            base = model.generate(**inputs, **settings)
        adapter = model.generate(**inputs, **settings)
    start = inputs["input_ids"].shape[1]

    def completion(ids) -> str:
        return tokenizer.decode(ids[0][start:], skip_special_tokens=True).strip()

    return Completions(base=completion(base), adapter=completion(adapter))


def load_adapter_model(base_model: str, adapter_dir: Path, cache_dir: Path | None = None) -> AdapterModel:
    """Load `base_model` and attach the PEFT adapter saved in `adapter_dir` (safetensors only, never a pickle)."""
    from peft import PeftModel

    from trainnet.lora.lora_tuning import load_base_model

    if not (adapter_dir / ADAPTER_WEIGHTS).is_file():
        raise ValueError(f"the stored adapter has no {ADAPTER_WEIGHTS}")
    base, tokenizer = load_base_model(base_model, cache_dir=cache_dir)
    model = PeftModel.from_pretrained(base, str(adapter_dir))
    model.eval()
    return AdapterModel(model, tokenizer)


def load_stored_adapter(
    storage: Storage, bucket: str, prefix: str, base_model: str, cache_dir: Path | None = None
) -> AdapterModel:
    """Load the adapter a LoRA job stored under `bucket/prefix` (see `lora.runner`) on `base_model`."""
    with tempfile.TemporaryDirectory(prefix="playground-") as tmp:
        folder = storage.get_dir(bucket, prefix.rstrip("/"), Path(tmp))
        return load_adapter_model(base_model, folder, cache_dir)
