"""Teachers: the language models that write new tasks and their answers.

Three kinds, one small protocol:

- `LlamaCppTeacher` (`llama_cpp_teacher.py`): any GGUF file through llama.cpp, several prompts decoded together;
  the default for the bundled SmolLM2 and any local GGUF once the bindings passed their check in a child
  process (`bindings_check.py`); otherwise `make_teacher` falls back to `LocalTeacher` and says why in `info`.
- `OpenAITeacher`: any OpenAI-compatible chat endpoint (vLLM, Ollama, OpenAI), requests sent concurrently, with
  retries and exponential backoff; an endpoint that stays down or keeps answering garbage raises `TeacherError`.
- `LocalTeacher`: a Hugging Face causal LM run in-process, prompts batched with left padding. The embedded
  default, SmolLM2-135M-Instruct, runs anywhere but writes poor tasks: use it to try the pipeline, and a real
  endpoint for data you mean to train on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Completion:
    """One answer: its text, whether the token limit cut it, and how many tokens were generated."""

    text: str
    truncated: bool = False
    tokens: int = 0


class Teacher(Protocol):
    """Anything that answers chat prompts (one user message each), in order. An answer ends at the end of
    generation, at `max_new_tokens` (truncated) or before the first of the `stop` strings it writes."""

    def complete(
        self, prompts: Sequence[str], max_new_tokens: int, temperature: float, stop: Sequence[str] = ()
    ) -> list[Completion]: ...


def teacher_info(teacher: Teacher) -> dict[str, Any]:
    """What a teacher says about itself (kind, model, threads, why it replaced another): its `info`, if any."""
    return dict(getattr(teacher, "info", None) or {})


class TeacherError(RuntimeError):
    """The teacher could not be used: unreachable, refusing the request, or answering garbage after retries."""


class LocalTeacher:
    """A Hugging Face causal LM in this process; `model_name` as accepted by `trainnet.models.llm.load_causal_lm`.

    The model loads on first use. Prompts are formatted with the tokenizer's chat template and generated in
    batches of `batch_size`, left-padded so every row continues right where its prompt ends. Temperature 0 is
    greedy decoding; above it, sampling seeded by `seed` (the global torch RNG is left untouched).
    """

    def __init__(
        self,
        model_name: str = "smollm2",
        cache_dir: str | Path | None = None,
        batch_size: int = 8,
        seed: int = 0,
        model=None,
        tokenizer=None,
    ) -> None:
        self.model_name = model_name
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.batch_size = batch_size
        self.seed = seed
        self._model = model
        self._tokenizer = tokenizer
        self._calls = 0
        self.info: dict[str, Any] = {"kind": "local", "model": model_name}

    def load(self):
        """(model, tokenizer), loading them on first call."""
        if self._model is None:
            from trainnet.models.llm import load_causal_lm

            self._model, self._tokenizer = load_causal_lm(self.model_name, cache_dir=self.cache_dir)
            self._model.eval()
        return self._model, self._tokenizer

    def complete(
        self, prompts: Sequence[str], max_new_tokens: int, temperature: float, stop: Sequence[str] = ()
    ) -> list[Completion]:
        """Answer each prompt, `batch_size` prompts per forward pass."""
        import torch

        self.info["threads"] = torch.get_num_threads()
        completions: list[Completion] = []
        for start in range(0, len(prompts), self.batch_size):
            group = prompts[start : start + self.batch_size]
            completions += self._complete_batch(group, max_new_tokens, temperature, list(stop))
        return completions

    def _complete_batch(
        self, prompts: Sequence[str], max_new_tokens: int, temperature: float, stop: list[str]
    ) -> list[Completion]:
        import torch

        model, tokenizer = self.load()
        chats = [
            tokenizer.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True, tokenize=False)
            for p in prompts
        ]
        batch = tokenizer(chats, return_tensors="pt", padding=True, padding_side="left", add_special_tokens=False)
        sampling: dict[str, bool | float] = {"do_sample": False}
        if temperature > 0:
            sampling = {"do_sample": True, "temperature": temperature, "top_p": 1.0}
        self._calls += 1
        with torch.random.fork_rng(devices=[]), torch.inference_mode():
            torch.manual_seed(self.seed + self._calls)
            output = model.generate(
                **batch,
                max_new_tokens=max_new_tokens,
                pad_token_id=tokenizer.pad_token_id,
                **({"stop_strings": stop, "tokenizer": tokenizer} if stop else {}),
                **sampling,
            )
        generated = output[:, batch["input_ids"].shape[1] :]
        stops = _stop_token_ids(model, tokenizer)
        completions = []
        for row in generated.tolist():
            length = next((i for i, token in enumerate(row) if token in stops), None)
            text = tokenizer.decode(row[:length], skip_special_tokens=True)
            cut = min((index for s in stop if (index := text.find(s)) >= 0), default=None)
            truncated = length is None and cut is None
            completions.append(Completion(text[:cut].strip(), truncated=truncated, tokens=len(row[:length])))
        return completions


def _stop_token_ids(model, tokenizer) -> set[int]:
    eos = model.generation_config.eos_token_id
    ids = set(eos if isinstance(eos, list) else [eos])
    ids.add(tokenizer.pad_token_id)
    return {token for token in ids if token is not None}


class OpenAITeacher:
    """An OpenAI-compatible chat endpoint, `concurrency` requests in flight.

    Connection failures, timeouts, rate limits, 5xx answers and malformed bodies are retried `max_retries`
    times, waiting `backoff_s`, then twice as long each time; a request the server rejects (bad key, unknown
    model, bad request) fails at once. Either way the error is a `TeacherError` saying why.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str = "not-needed",
        concurrency: int = 4,
        max_retries: int = 3,
        backoff_s: float = 1.0,
        timeout_s: float = 120.0,
        system_prompt: str | None = None,
    ) -> None:
        from openai import OpenAI

        self.model = model
        self.concurrency = max(1, concurrency)
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.system_prompt = system_prompt
        self.info: dict[str, Any] = {"kind": "openai", "model": model, "base_url": base_url}
        self._client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", max_retries=0, timeout=timeout_s)

    def complete(
        self, prompts: Sequence[str], max_new_tokens: int, temperature: float, stop: Sequence[str] = ()
    ) -> list[Completion]:
        """Answer each prompt; raises `TeacherError` if any prompt fails after its retries."""
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(lambda prompt: self._complete_one(prompt, max_new_tokens, temperature, stop), prompts))

    def _complete_one(self, prompt: str, max_new_tokens: int, temperature: float, stop: Sequence[str]) -> Completion:
        import openai

        messages = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        messages.append({"role": "user", "content": prompt})
        reason = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                delay = self.backoff_s * 2 ** (attempt - 1)
                logger.warning("teacher request failed (%s); retry %d in %.1fs", reason, attempt, delay)
                time.sleep(delay)
            try:
                response = self._client.chat.completions.create(
                    model=self.model,
                    messages=messages,  # type: ignore[arg-type]  # role/content dicts
                    max_tokens=max_new_tokens,
                    temperature=temperature,
                    stop=list(stop)[:4] or None,  # the API takes at most 4
                )
            except (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError) as error:
                raise TeacherError(f"teacher endpoint refused the request: {_describe(error)}") from error
            except (openai.BadRequestError, openai.UnprocessableEntityError) as error:
                raise TeacherError(f"teacher endpoint rejected the request: {_describe(error)}") from error
            except openai.OpenAIError as error:
                reason = _describe(error)
                continue
            completion = _completion_from(response)
            if completion is not None:
                return completion
            reason = f"malformed response: {str(response)[:200]!r}"
        raise TeacherError(f"teacher endpoint failed after {self.max_retries + 1} attempts: {reason}")


def _completion_from(response) -> Completion | None:
    """The first choice of a chat completion, or None when the body is not one."""
    try:
        choice = response.choices[0]
        text = choice.message.content
        finish_reason = choice.finish_reason
    except (AttributeError, IndexError, TypeError, KeyError):
        return None
    if not isinstance(text, str):
        return None
    usage = getattr(response, "usage", None)
    tokens = getattr(usage, "completion_tokens", 0) or 0
    return Completion(text.strip(), truncated=finish_reason == "length", tokens=int(tokens))


def _describe(error: Exception) -> str:
    status = getattr(error, "status_code", None)
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return f"{type(error).__name__} (HTTP {status}): {message}" if status else f"{type(error).__name__}: {message}"


def make_teacher(spec: dict, check_timeout_s: float = 120.0) -> Teacher:
    """Build a teacher from a plain spec, e.g. one stored with a job.

    `{"kind": "llamacpp", "model": "smollm2" or "/path/model.gguf", "threads": None, "parallel": 8, "seed": 0,
    "cache_dir": ..., "batch_size": 8}` (the last two for the transformers fallback),
    `{"kind": "local", "model": "smollm2", "cache_dir": ..., "batch_size": 8}` or
    `{"kind": "openai", "base_url": "http://localhost:8000/v1", "model": "...", "api_key": ..., "concurrency": 4,
    "max_retries": 3}`. Unknown keys are an error, so a typo is not silently ignored. A llamacpp teacher whose
    bindings fail their check (`check_timeout_s`) is the transformers `LocalTeacher` on the same model instead.
    """
    options = dict(spec)
    kind = options.pop("kind", "local")
    try:
        if kind == "llamacpp":
            return _llama_cpp_or_fallback(options, check_timeout_s)
        if kind == "local":
            if "model" in options:
                options["model_name"] = options.pop("model")
            return LocalTeacher(**options)
        if kind == "openai":
            missing = [key for key in ("base_url", "model") if not options.get(key)]
            if missing:
                raise ValueError(f"openai teacher needs {', '.join(missing)}")
            return OpenAITeacher(**options)
    except TypeError as error:
        raise ValueError(f"bad {kind} teacher spec: {error}") from None
    raise ValueError(f"unknown teacher kind {kind!r} (expected 'llamacpp', 'local' or 'openai')")


def _llama_cpp_or_fallback(options: dict, check_timeout_s: float) -> Teacher:
    from trainnet.generate.bindings_check import check_bindings
    from trainnet.generate.llama_cpp_teacher import LlamaCppTeacher
    from trainnet.generate.requantize import fast_weights
    from trainnet.models.llm import gguf_path

    model = options.pop("model", DEFAULT_GGUF)
    fallback = {key: options.pop(key) for key in ("cache_dir", "batch_size") if key in options}
    path = gguf_path(model)
    weights, note = fast_weights(path, Path(fallback["cache_dir"])) if "cache_dir" in fallback else (path, "")
    verdict = check_bindings(str(weights), check_timeout_s)
    if verdict.ok:
        llama = LlamaCppTeacher(str(weights), **options)
        llama.info["model"] = str(path)
        if note:
            llama.info["weights"] = note
        return llama
    teacher = LocalTeacher(model_name=str(path), seed=options.get("seed", 0), **fallback)
    teacher.info["fallback"] = f"llama.cpp not used: {verdict.reason}; generating with transformers instead"
    return teacher


DEFAULT_GGUF = "smollm2"
TEACHER_CHOICES = ("local", "gguf", "openai")


def teacher_spec(
    choice: str, settings: Any, model: str | None = None, base_url: str | None = None, **local_options: Any
) -> dict:
    """The spec of the teacher a user chose.

    - 'local': the server's own model (`LLAMA_MODEL_PATH`, else `TEACHER_LOCAL_MODEL`, the bundled SmolLM2 by
      default), on llama.cpp when it is a GGUF file, on transformers otherwise;
    - 'gguf': the GGUF file at `model` (checked: it exists and starts with the GGUF magic);
    - 'openai': an OpenAI-compatible endpoint, `base_url` and `model` or the settings' `TEACHER_BASE_URL` and
      `TEACHER_MODEL`;
    - anything else is taken as a local model: a GGUF file or a transformers model directory.

    `local_options` (e.g. batch_size, cache_dir, threads) go to a local teacher only. Raises ValueError saying
    what is missing or wrong.
    """
    from trainnet.models.llm import gguf_path, is_gguf_name

    if choice == "openai":
        url, name = base_url or settings.teacher_base_url, model or settings.teacher_model
        if not (url and name):
            raise ValueError("teacher 'openai' needs a base URL and a model (TEACHER_BASE_URL and TEACHER_MODEL)")
        return {
            "kind": "openai",
            "base_url": url,
            "model": name,
            "api_key": settings.teacher_api_key or "none",
            "concurrency": settings.teacher_concurrency,
        }
    if choice == "gguf":
        if not model:
            raise ValueError("teacher 'gguf' needs the path of a .gguf file on the server")
        name = str(gguf_path(model))
    else:
        name = (settings.llama_model_path or settings.teacher_local_model) if choice == "local" else choice
    if is_gguf_name(name):
        gguf_path(name)  # raises when it is not there or not a GGUF file
        llama_options = {k: v for k, v in local_options.items() if k in ("cache_dir", "batch_size", "threads")}
        return {"kind": "llamacpp", "model": name, **llama_options}
    return {"kind": "local", "model": name, **{k: v for k, v in local_options.items() if k != "threads"}}
