"""Issue 20: teachers side by side, same GGUF, same prompts, same thread count, greedy.

Rows: today's batched `LocalTeacher` (transformers, float32 weights), bare llama.cpp (the bindings' own
`create_chat_completion`, one prompt at a time, no TrainNet code), and `LlamaCppTeacher` one prompt at a time and
with every prompt a parallel sequence. Tokens/s counts generated tokens only; each row keeps its best of
`--repeats` runs (the CPU is shared). The prompts are real self-instruct proposal prompts built from the seed tasks.

    .venv/bin/python bench/bench_teacher.py                                # the bundled SmolLM2-135M GGUF
    .venv/bin/python bench/bench_teacher.py --make-1b /tmp/llama-1b \\
        --llama-cpp-source <llama-cpp-python sdist>/vendor/llama.cpp        # build a ~1B Llama GGUF (random weights)
    .venv/bin/python bench/bench_teacher.py --model /tmp/llama-1b/llama-1b-q4_0.gguf --hf-model /tmp/llama-1b/hf
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import shlex
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED_DATA, markdown_table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def proposal_prompts(count: int) -> list[str]:
    from trainnet.generate.prompts import proposal_prompt
    from trainnet.generate.seeds import load_seed_tasks

    path = SHARED_DATA / "seed_tasks.jsonl"
    seeds = [task.to_record() for task in load_seed_tasks(path.read_bytes(), path.name)]
    rng = random.Random(0)
    return [proposal_prompt(rng.sample(seeds, 3), 10) for _ in range(count)]


TOPICS = [
    "the history of the printing press", "how volcanoes form", "why bread rises", "the life of honey bees",
    "how a bicycle gear works", "the rules of chess", "the water cycle", "how vaccines train the immune system",
]  # fmt: skip


def short_prompts(count: int) -> list[str]:
    """Short questions (a few dozen tokens with the chat template): decoding dominates, not the prompt."""
    return [f"Write a detailed explanation of {topic} for a curious student." for topic in TOPICS[:count]]


def timed_tokens(run) -> tuple[float, int]:
    started = time.perf_counter()
    tokens = run()
    return time.perf_counter() - started, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="smollm2", help="GGUF file (default: the bundled SmolLM2-135M)")
    parser.add_argument("--hf-model", help="the same weights as a transformers directory, for today's teacher")
    parser.add_argument("--cache-dir", default="/tmp/trainnet-llm-cache")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads of every row")
    parser.add_argument("--prompts", type=int, default=8)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--short-prompts", action="store_true", help="short questions instead of proposal prompts")
    parser.add_argument("--skip-local", action="store_true", help="leave out today's LocalTeacher")
    parser.add_argument("--make-1b", type=Path, help="build the ~1B Llama GGUF into this folder and exit")
    parser.add_argument("--llama-cpp-source", type=Path, help="vendor/llama.cpp of the llama-cpp-python sdist")
    args = parser.parse_args()
    if args.make_1b:
        print(make_llama_1b(args.make_1b, args.llama_cpp_source))
        return

    import torch
    from llama_cpp import Llama

    from trainnet.generate.llama_cpp_teacher import LlamaCppTeacher
    from trainnet.generate.requantize import fast_weights
    from trainnet.generate.teachers import LocalTeacher
    from trainnet.models.llm import gguf_path, load_causal_lm

    # The llama.cpp rows read the file the product's teacher reads: a Q4_1/Q5 GGUF's Q8_0 copy (requantize.py).
    source = gguf_path(args.model)
    weights, note = fast_weights(source, Path(args.cache_dir))
    path = str(weights)
    prompts = short_prompts(args.prompts) if args.short_prompts else proposal_prompts(args.prompts)
    n, threads = args.max_new_tokens, args.threads
    runs: dict[str, object] = {}

    if not args.skip_local:
        torch.set_num_threads(threads)
        model, tokenizer = load_causal_lm(args.hf_model or args.model, cache_dir=Path(args.cache_dir))
        model.eval()
        local = LocalTeacher(model=model, tokenizer=tokenizer, batch_size=len(prompts))
        runs[f"today's LocalTeacher, batched ({len(prompts)} prompts at once)"] = lambda: sum(
            c.tokens for c in local.complete(prompts, n, 0.0)
        )

    bare = Llama(model_path=path, n_ctx=2048, n_threads=threads, n_threads_batch=threads, verbose=False)

    def bare_run() -> int:
        tokens = 0
        for prompt in prompts:
            out = bare.create_chat_completion([{"role": "user", "content": prompt}], max_tokens=n, temperature=0.0)
            tokens += out["usage"]["completion_tokens"]
        return tokens

    runs["bare llama.cpp, create_chat_completion, one prompt at a time"] = bare_run
    one = LlamaCppTeacher(path, threads=threads, parallel=1)
    runs["LlamaCppTeacher, one prompt at a time"] = lambda: sum(c.tokens for c in one.complete(prompts, n, 0.0))
    together = LlamaCppTeacher(path, threads=threads, parallel=len(prompts))
    runs[f"LlamaCppTeacher, {len(prompts)} parallel sequences"] = lambda: sum(
        c.tokens for c in together.complete(prompts, n, 0.0)
    )

    one.complete(prompts[:1], 2, 0.0)  # warm-up: load, first allocations
    together.complete(prompts[:2], 2, 0.0)
    bare.create_chat_completion([{"role": "user", "content": "Hi"}], max_tokens=2)

    best: dict[str, tuple[float, int]] = {}
    for _ in range(args.repeats):
        for name, run in runs.items():
            seconds, tokens = timed_tokens(run)  # type: ignore[arg-type]
            if name not in best or tokens / seconds > best[name][1] / best[name][0]:
                best[name] = (seconds, tokens)
            print(f"{name}: {tokens} tokens in {seconds:.1f} s", flush=True)

    bare_rate = next(t / s for name, (s, t) in best.items() if name.startswith("bare"))
    local_rate = next((t / s for name, (s, t) in best.items() if name.startswith("today")), None)
    rows = []
    for name, (seconds, tokens) in best.items():
        rate = tokens / seconds
        versus_local = f"{rate / local_rate:.2f}x" if local_rate else "-"
        rows.append([name, threads, tokens, f"{seconds:.1f}", f"{rate:.1f}", f"{rate / bare_rate:.2f}x", versus_local])
    header = ["teacher", "threads", "generated tokens", "seconds", "tokens/s", "vs bare llama.cpp", "vs today's"]
    table = markdown_table(header, rows)
    command = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/bench_teacher.py", *sys.argv[1:]])
    kind = "short" if args.short_prompts else "proposal"
    weights_note = f" (llama.cpp rows: {note})" if note else ""
    print(
        f"\n`{command}` — {source.name}{weights_note}, {len(prompts)} {kind} prompts, {n} new tokens, greedy\n\n{table}"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"teacher-{Path(path).stem}.json").write_text(
        json.dumps({"command": command, "model": str(source), "weights": path, "header": header, "rows": rows})
    )


def make_llama_1b(folder: Path, source: Path | None) -> Path:
    """A ~1.1B-parameter Llama (TinyLlama's shape, random weights, SmolLM2's tokenizer) as a Q4_0 GGUF, plus the
    same weights as a transformers directory (`hf/`) for today's teacher."""
    import llama_cpp
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from trainnet.models.llm import SMOLLM2_GGUF, packaged_smollm2_dir

    if source is None or not (source / "convert_hf_to_gguf.py").is_file():
        raise SystemExit("--llama-cpp-source must be the vendor/llama.cpp folder of the llama-cpp-python sdist")
    hf, f16, q4 = folder / "hf", folder / "llama-1b-f16.gguf", folder / "llama-1b-q4_0.gguf"
    if q4.is_file():
        return q4
    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(packaged_smollm2_dir(), gguf_file=SMOLLM2_GGUF)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=2048,
        intermediate_size=5632,
        num_hidden_layers=22,
        num_attention_heads=32,
        num_key_value_heads=4,
        max_position_embeddings=2048,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    print(f"{sum(p.numel() for p in model.parameters()) / 1e9:.2f}B parameters", flush=True)
    model.save_pretrained(hf)
    tokenizer.save_pretrained(hf)
    del model
    env = {**os.environ, "PYTHONPATH": f"{source / 'gguf-py'}:{source}"}
    convert = [
        sys.executable,
        str(source / "convert_hf_to_gguf.py"),
        str(hf),
        "--outtype",
        "f16",
        "--outfile",
        str(f16),
    ]
    subprocess.run(convert, check=True, cwd=source, env=env)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_0
    params.nthread = 2
    status = llama_cpp.llama_model_quantize(str(f16).encode(), str(q4).encode(), ctypes.byref(params))
    if status != 0:
        raise SystemExit(f"llama_model_quantize returned {status}")
    f16.unlink()
    return q4


if __name__ == "__main__":
    main()
