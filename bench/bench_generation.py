"""P5: batched local generation against one-by-one generation, same model, same prompts, greedy decoding.

Tokens/s counts only generated tokens up to each row's end-of-sequence (never padding or the prompt).

    .venv/bin/python bench/bench_generation.py            # 16 prompts, batch 16 vs 1, 64 new tokens
    .venv/bin/python bench/bench_generation.py --quick    # 8 prompts, batch 8 vs 1, 32 new tokens
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

RESULTS = Path(__file__).resolve().parent / "results"
TOPICS = [
    "the history of the printing press", "how volcanoes form", "why bread rises", "the life of honey bees",
    "how a bicycle gear works", "the rules of chess", "the water cycle", "how vaccines train the immune system",
    "the invention of the telephone", "why leaves change colour in autumn", "how a refrigerator keeps food cold",
    "the migration of arctic terns", "how tides are caused by the moon", "the origins of the Olympic games",
    "how solar panels make electricity", "the architecture of Roman aqueducts",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 prompts, 32 new tokens")
    parser.add_argument("--model", default="smollm2")
    parser.add_argument("--cache-dir", default="/tmp/trainnet-llm-cache")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads, the same for both runs")
    parser.add_argument("--max-new-tokens", type=int)
    args = parser.parse_args()
    count = 8 if args.quick else 16
    max_new_tokens = args.max_new_tokens or (32 if args.quick else 64)

    import torch

    from trainnet.generate.teachers import LocalTeacher
    from trainnet.models.llm import load_causal_lm

    torch.set_num_threads(args.threads)
    model, tokenizer = load_causal_lm(args.model, cache_dir=Path(args.cache_dir))
    model.eval()
    prompts = [f"Write a detailed explanation of {topic} for a curious student." for topic in TOPICS[:count]]
    LocalTeacher(model=model, tokenizer=tokenizer, batch_size=1).complete(prompts[:1], 4, 0.0)  # warm-up

    runs = {}
    for batch_size in (1, count):
        teacher = LocalTeacher(model=model, tokenizer=tokenizer, batch_size=batch_size)
        started = time.perf_counter()
        completions = teacher.complete(prompts, max_new_tokens, 0.0)
        seconds = time.perf_counter() - started
        tokens = sum(completion.tokens for completion in completions)
        runs[batch_size] = {"seconds": seconds, "tokens": tokens, "texts": [c.text for c in completions]}

    one, batched = runs[1], runs[count]
    same_text = sum(a == b for a, b in zip(one["texts"], batched["texts"]))
    print(f"command: {' '.join(shlex.quote(part) for part in [sys.executable, *sys.argv])}")
    print(f"model: {args.model} (SmolLM2-135M-Instruct), CPU, {args.threads} torch thread(s), greedy, "
          f"{count} prompts, max_new_tokens={max_new_tokens}; "
          f"identical greedy text in {same_text}/{count} prompts\n")  # fmt: skip
    print("| generation | batch size | generated tokens | seconds | tokens/s | speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    base_rate = one["tokens"] / one["seconds"]
    for name, batch_size, run in (("one by one", 1, one), ("batched, left padding", count, batched)):
        rate = run["tokens"] / run["seconds"]
        speedup = rate / base_rate
        print(f"| {name} | {batch_size} | {run['tokens']} | {run['seconds']:.1f} | {rate:.1f} | {speedup:.2f}x |")
    RESULTS.mkdir(exist_ok=True)
    summary = {str(size): {k: v for k, v in run.items() if k != "texts"} for size, run in runs.items()}
    (RESULTS / "generation.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
