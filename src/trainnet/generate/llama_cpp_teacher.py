"""A teacher on llama.cpp: any GGUF file, quantized weights read as they are, several prompts decoded together.

`llama-cpp-python`'s high-level API decodes one sequence at a time; on a CPU that leaves most of each weight
read unused, so this teacher drives the bindings' batch API itself: every prompt of a call is its own sequence in
one context, and each step decodes the next token of all unfinished sequences in one batch (how llama-server
serves parallel requests). The chat template comes from the GGUF's metadata, as `create_chat_completion` uses it.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trainnet.generate.teachers import Completion
from trainnet.models.cores import free_cores

_CTX_STEP = 256  # context sizes are rounded up to this, so a slightly longer prompt does not rebuild the context


@dataclass
class _Sequence:
    """One prompt being answered: its id in the context, position, sampler and what it generated so far."""

    seq_id: int
    position: int
    sampler: Any
    tokens: list[int] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)
    stopped: bool = False  # by the end-of-generation token or a stop string


class LlamaCppTeacher:
    """A GGUF model through llama.cpp; prompts answered `parallel` at a time, on `threads` threads (default: the
    cores free when a call starts). Temperature 0 is greedy; above it, sampling seeded by `seed`."""

    def __init__(self, model_path: str, threads: int | None = None, parallel: int = 8, seed: int = 0) -> None:
        self.model_path = model_path
        self.threads = threads
        self.parallel = max(1, parallel)
        self.seed = seed
        self.info: dict[str, Any] = {"kind": "llamacpp", "model": model_path, "parallel": self.parallel}
        self._llama: Any = None
        self._ctx: Any = None
        self._ctx_size = 0
        self._formatter: Any = None
        self._calls = 0

    def load(self):
        """The `llama_cpp.Llama` holding the model, loaded on first call."""
        if self._llama is None:
            from llama_cpp import Llama
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            # The Llama object's own context is not used for generation: keep it tiny.
            self._llama = Llama(model_path=self.model_path, n_ctx=64, n_batch=64, n_threads=1, verbose=False)
            template = self._llama.metadata.get("tokenizer.chat_template")
            if template:
                model = self._llama._model
                self._formatter = Jinja2ChatFormatter(
                    template,
                    eos_token=model.token_get_text(model.token_eos()) if model.token_eos() != -1 else "",
                    bos_token=model.token_get_text(model.token_bos()) if model.token_bos() != -1 else "",
                )
        return self._llama

    def close(self) -> None:
        """Free the context and the model (the garbage collector does it too, later)."""
        import llama_cpp

        if self._ctx is not None:
            llama_cpp.llama_free(self._ctx)
            self._ctx, self._ctx_size = None, 0
        if self._llama is not None:
            self._llama.close()
            self._llama = None

    def prompt_tokens(self, prompt: str) -> list[int]:
        """The chat-formatted prompt as tokens (the model's own template; plain text when it has none)."""
        llama = self.load()
        if self._formatter is None:
            return llama.tokenize(prompt.encode(), add_bos=True, special=False)
        formatted = self._formatter(messages=[{"role": "user", "content": prompt}])
        return llama.tokenize(formatted.prompt.encode(), add_bos=not formatted.added_special, special=True)

    def complete(
        self, prompts: Sequence[str], max_new_tokens: int, temperature: float, stop: Sequence[str] = ()
    ) -> list[Completion]:
        """Answer each prompt, `parallel` sequences per batch; a stop string ends an answer and is not part of it."""
        threads = self.threads or free_cores()
        self.info["threads"] = threads
        completions: list[Completion] = []
        for start in range(0, len(prompts), self.parallel):
            group = [self.prompt_tokens(p) for p in prompts[start : start + self.parallel]]
            completions += self._decode_group(group, max_new_tokens, temperature, [s.encode() for s in stop], threads)
        return completions

    def _context(self, size: int, threads: int):
        import llama_cpp

        if self._ctx is None or self._ctx_size < size:
            if self._ctx is not None:
                llama_cpp.llama_free(self._ctx)
            params = llama_cpp.llama_context_default_params()
            params.n_ctx = size
            params.n_batch = params.n_ubatch = 512
            params.n_seq_max = self.parallel
            params.kv_unified = True  # sequences of very different lengths share the cache as they need it
            params.no_perf = True
            self._ctx = llama_cpp.llama_init_from_model(self.load()._model.model, params)
            if self._ctx is None:
                raise RuntimeError(f"llama.cpp could not create a context of {size} tokens for {self.model_path}")
            self._ctx_size = size
        llama_cpp.llama_set_n_threads(self._ctx, threads, threads)
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(self._ctx), True)
        return self._ctx

    def _decode_group(
        self, prompts: list[list[int]], max_new_tokens: int, temperature: float, stop: list[bytes], threads: int
    ) -> list[Completion]:
        import llama_cpp

        llama = self.load()
        limit = max(1, min(max_new_tokens, llama._model.n_ctx_train() - max(len(p) for p in prompts) - 1))
        needed = sum(len(p) for p in prompts) + len(prompts) * (limit + 1)
        ctx = self._context(-(-needed // _CTX_STEP) * _CTX_STEP, threads)
        vocab = llama._model.vocab
        self._calls += 1
        sequences = [
            _Sequence(i, 0, _sampler(temperature, self.seed + 1000 * self._calls + i)) for i in range(len(prompts))
        ]
        batch = llama_cpp.llama_batch_init(512, 0, 1)
        try:
            # Prefill: the prompts' tokens, 512 per decode; a sequence's first token is sampled in the decode
            # that holds its prompt's last token (the next decode overwrites the logits).
            pending = [(seq, token, i == len(p) - 1) for seq, p in zip(sequences, prompts) for i, token in enumerate(p)]
            for start in range(0, len(pending), 512):
                chunk = pending[start : start + 512]
                for slot, (seq, token, last) in enumerate(chunk):
                    _put(batch, slot, token, seq, last)
                batch.n_tokens = len(chunk)
                _decode(ctx, batch)
                for slot, (seq, _, last) in enumerate(chunk):
                    if last:
                        self._accept(seq, llama_cpp.llama_sampler_sample(seq.sampler, ctx, slot), vocab, stop)
            # Generation: one token of every unfinished sequence per decode.
            while active := [s for s in sequences if not s.stopped and len(s.tokens) < limit]:
                for slot, seq in enumerate(active):
                    _put(batch, slot, seq.tokens[-1], seq, True)
                batch.n_tokens = len(active)
                _decode(ctx, batch)
                for slot, seq in enumerate(active):
                    self._accept(seq, llama_cpp.llama_sampler_sample(seq.sampler, ctx, slot), vocab, stop)
        finally:
            llama_cpp.llama_batch_free(batch)
            for seq in sequences:
                llama_cpp.llama_sampler_free(seq.sampler)
        return [_completion(seq, stop) for seq in sequences]

    def _accept(self, seq: _Sequence, token: int, vocab, stop: list[bytes]) -> None:
        import llama_cpp

        if llama_cpp.llama_vocab_is_eog(vocab, token):
            seq.stopped = True
            return
        seq.tokens.append(token)
        seq.text += _piece(vocab, token)
        if stop:
            tail = bytes(seq.text[-(max(map(len, stop)) + 16) :])
            seq.stopped = any(s in tail for s in stop)


def _piece(vocab, token: int) -> bytes:
    """The bytes a token stands for (part of a UTF-8 character, for some)."""
    import llama_cpp

    buffer = ctypes.create_string_buffer(64)
    length = llama_cpp.llama_token_to_piece(vocab, token, buffer, len(buffer), 0, False)
    if length < 0:  # longer than the buffer: it says how long
        buffer = ctypes.create_string_buffer(-length)
        length = llama_cpp.llama_token_to_piece(vocab, token, buffer, len(buffer), 0, False)
    return buffer.raw[:length]


def _sampler(temperature: float, seed: int):
    import llama_cpp

    chain = llama_cpp.llama_sampler_chain_init(llama_cpp.llama_sampler_chain_default_params())
    if temperature > 0:
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_temp(temperature))
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_dist(seed & 0xFFFFFFFF))
    else:
        llama_cpp.llama_sampler_chain_add(chain, llama_cpp.llama_sampler_init_greedy())
    return chain


def _put(batch, slot: int, token: int, seq: _Sequence, logits: bool) -> None:
    batch.token[slot] = token
    batch.pos[slot] = seq.position
    batch.n_seq_id[slot] = 1
    batch.seq_id[slot][0] = seq.seq_id
    batch.logits[slot] = logits
    seq.position += 1


def _decode(ctx, batch) -> None:
    import llama_cpp

    status = llama_cpp.llama_decode(ctx, batch)
    if status != 0:
        raise RuntimeError(f"llama_decode failed with status {status} (context full or out of memory)")


def _completion(seq: _Sequence, stop: list[bytes]) -> Completion:
    text = bytes(seq.text)
    cut = min((index for s in stop if (index := text.find(s)) >= 0), default=None)
    if cut is not None:
        text = text[:cut]
    return Completion(text.decode("utf-8", errors="ignore").strip(), truncated=not seq.stopped, tokens=len(seq.tokens))
