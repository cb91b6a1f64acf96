"""A teacher on llama.cpp: any GGUF file, quantized weights read as they are, several prompts decoded together.

`llama-cpp-python`'s high-level API decodes one sequence at a time; on a CPU that leaves most of each weight
read unused, so this teacher drives the bindings' batch API itself, the way llama-server serves parallel requests:

- every prompt of a call is a sequence in one context, `parallel` at a time, each in its own KV stream (a
  unified cache makes every token attend over all sequences' cells, masked, which costs more than the weights
  at proposal lengths);
- each decode carries the next token of every sequence that is generating plus the prompt tokens of those
  starting, so a slot freed by a finished answer takes the next prompt at once (continuous batching);
- the prompts' shared beginning (chat template, instructions) is read once into a prefix sequence that each new
  sequence copies, and kept across calls while the next prompts start the same way (as `Llama` reuses the
  previous prompt's prefix);
- an answer that falls into a loop (a long stretch of tokens repeating earlier ones exactly, which greedy small
  models do) ends there, marked truncated, instead of running to the token limit.

The chat template comes from the GGUF's metadata, as `create_chat_completion` uses it.
"""

from __future__ import annotations

import ctypes
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from trainnet.generate.teachers import Completion
from trainnet.models.cores import free_cores

_CTX_STEP = 256  # per-sequence context sizes are rounded up to this, so a slightly longer prompt keeps the context
_BATCH = 512  # tokens per decode
LOOP_WINDOW = 48  # an answer whose last this-many tokens already appeared, in order, earlier in it is looping
_LOOP_EVERY = 8  # how often (in tokens) the loop check runs


@dataclass
class _Sequence:
    """One prompt being answered: its slot in the context, position, sampler, prompt tokens still to read, and
    what it generated so far."""

    index: int  # of the prompt in the call
    seq_id: int
    position: int
    sampler: Any
    pending: list[int]
    tokens: list[int] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)
    stopped: bool = False  # by the end-of-generation token or a stop string
    looped: bool = False


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
        self._prefix: list[int] = []  # the tokens held by the prefix sequence
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
            self._ctx, self._ctx_size, self._prefix = None, 0, []
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
        """Answer each prompt, `parallel` sequences at a time; a stop string ends an answer and is not part of it."""
        if not prompts:
            return []
        threads = self.threads or free_cores()
        self.info["threads"] = threads
        tokens = [self.prompt_tokens(p) for p in prompts]
        return self._generate(tokens, max_new_tokens, temperature, [s.encode() for s in stop], threads)

    def _context(self, per_sequence: int, threads: int):
        """The context (rebuilt when a sequence needs more room): `parallel` generating sequences and the prefix
        sequence, each its own stream of `per_sequence` tokens."""
        import llama_cpp

        if self._ctx is None or self._ctx_size < per_sequence:
            if self._ctx is not None:
                llama_cpp.llama_free(self._ctx)
                self._ctx = None
            params = llama_cpp.llama_context_default_params()
            params.n_seq_max = self.parallel + 1
            params.n_ctx = per_sequence * params.n_seq_max
            params.n_batch = params.n_ubatch = _BATCH
            params.kv_unified = False
            params.no_perf = True
            self._ctx = llama_cpp.llama_init_from_model(self.load()._model.model, params)
            if self._ctx is None:
                raise RuntimeError(f"llama.cpp could not create a {params.n_ctx}-token context for {self.model_path}")
            self._ctx_size = per_sequence
            self._prefix = []
        llama_cpp.llama_set_n_threads(self._ctx, threads, threads)
        return self._ctx

    def _generate(
        self, prompts: list[list[int]], max_new_tokens: int, temperature: float, stop: list[bytes], threads: int
    ) -> list[Completion]:
        import llama_cpp

        llama = self.load()
        longest = max(len(p) for p in prompts)
        limit = max(1, min(max_new_tokens, llama._model.n_ctx_train() - longest - 1))
        ctx = self._context(-(-(longest + limit + 1) // _CTX_STEP) * _CTX_STEP, threads)
        memory = llama_cpp.llama_get_memory(ctx)
        vocab = llama._model.vocab
        self._calls += 1
        prefix_id = self.parallel
        for seq_id in range(self.parallel):
            llama_cpp.llama_memory_seq_rm(memory, seq_id, -1, -1)
        shared = shared_prefix_length(prompts)
        batch = llama_cpp.llama_batch_init(_BATCH, 0, 1)
        queue = deque(range(len(prompts)))
        free = list(range(self.parallel))
        active: list[_Sequence] = []
        done: dict[int, _Sequence] = {}
        try:
            self._read_prefix(ctx, batch, prompts[0][:shared])
            while queue or active:
                while queue and free:  # a free slot takes the next prompt: a copy of the prefix, then its own tokens
                    index, seq_id = queue.popleft(), free.pop(0)
                    if shared:
                        llama_cpp.llama_memory_seq_cp(memory, prefix_id, seq_id, -1, -1)
                    sampler = _sampler(temperature, self.seed + 1000 * self._calls + index)
                    active.append(_Sequence(index, seq_id, shared, sampler, prompts[index][shared:]))
                slots = _next_batch(active)
                for slot, (seq, token, logits) in enumerate(slots):
                    _put(batch, slot, token, seq.seq_id, seq.position, logits)
                    seq.position += 1
                batch.n_tokens = len(slots)
                _decode(ctx, batch)
                for slot, (seq, _, logits) in enumerate(slots):
                    if logits:
                        self._accept(seq, llama_cpp.llama_sampler_sample(seq.sampler, ctx, slot), vocab, stop)
                for seq in [q for q in active if not q.pending and (q.stopped or len(q.tokens) >= limit)]:
                    active.remove(seq)
                    done[seq.index] = seq
                    llama_cpp.llama_sampler_free(seq.sampler)
                    llama_cpp.llama_memory_seq_rm(memory, seq.seq_id, -1, -1)
                    free.append(seq.seq_id)
        finally:
            llama_cpp.llama_batch_free(batch)
            for seq in active:
                llama_cpp.llama_sampler_free(seq.sampler)
        return [_completion(done[i], stop) for i in range(len(prompts))]

    def _read_prefix(self, ctx, batch, prefix: list[int]) -> None:
        """Make the prefix sequence hold `prefix`, reading only what it does not hold from the previous call."""
        import llama_cpp

        kept = _common_length(self._prefix, prefix)
        llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(ctx), self.parallel, kept, -1)
        self._prefix = prefix[:kept]
        for start in range(kept, len(prefix), _BATCH):
            chunk = prefix[start : start + _BATCH]
            for slot, token in enumerate(chunk):
                _put(batch, slot, token, self.parallel, start + slot, False)
            batch.n_tokens = len(chunk)
            _decode(ctx, batch)
        self._prefix = prefix

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
        if not seq.stopped and len(seq.tokens) % _LOOP_EVERY == 0 and is_looping(seq.tokens):
            seq.stopped = seq.looped = True


def _next_batch(active: list[_Sequence]) -> list[tuple[_Sequence, int, bool]]:
    """One decode's (sequence, token, wants logits): the next token of every generating sequence, then prompt tokens
    of starting ones up to the batch size; a sequence's first token is sampled from the decode holding its prompt's
    last token."""
    slots = [(seq, seq.tokens[-1], True) for seq in active if not seq.pending]
    for seq in active:
        room = _BATCH - len(slots)
        if seq.pending and room > 0:
            chunk, seq.pending = seq.pending[:room], seq.pending[room:]
            last = len(chunk) - 1 if not seq.pending else -1
            slots += [(seq, token, i == last) for i, token in enumerate(chunk)]
    return slots


def is_looping(tokens: Sequence[int], window: int = LOOP_WINDOW) -> bool:
    """Whether the last `window` tokens already appeared, in the same order, earlier in `tokens`: the model is
    repeating itself word for word, and would until the token limit."""
    if len(tokens) < 2 * window:
        return False
    tail = list(tokens[-window:])
    first = tail[0]
    return any(tokens[i] == first and list(tokens[i : i + window]) == tail for i in range(len(tokens) - 2 * window + 1))


def shared_prefix_length(prompts: Sequence[Sequence[int]]) -> int:
    """How many leading tokens all `prompts` share, leaving each at least one token of its own (whose logits
    give the sequence its first new token); for a single prompt, all but its last token."""
    if not prompts:
        return 0
    limit = min(len(p) for p in prompts) - 1
    length = 0
    while length < limit and all(p[length] == prompts[0][length] for p in prompts):
        length += 1
    return length


def _common_length(a: Sequence[int], b: Sequence[int]) -> int:
    length = 0
    for x, y in zip(a, b):
        if x != y:
            break
        length += 1
    return length


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


def _put(batch, slot: int, token: int, seq_id: int, position: int, logits: bool) -> None:
    batch.token[slot] = token
    batch.pos[slot] = position
    batch.n_seq_id[slot] = 1
    batch.seq_id[slot][0] = seq_id
    batch.logits[slot] = logits


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
    truncated = seq.looped or not seq.stopped
    return Completion(text.decode("utf-8", errors="ignore").strip(), truncated=truncated, tokens=len(seq.tokens))
