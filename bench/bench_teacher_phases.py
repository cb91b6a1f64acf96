"""Issue 20: where the llama.cpp teacher's time goes, per GGUF file: prefill (8 proposal prompts, one new token)
and decoding (8 short prompts, 64 new tokens each), `LlamaCppTeacher` with 8 parallel sequences, greedy.

Compare weight formats (the bundled Q4_1 and its Q8_0 / Q4_0 copies) and builds of the bindings (a second build
installed with `pip install --target DIR`, passed as `--bindings DIR`):

    .venv/bin/python bench/bench_teacher_phases.py                      # bundled Q4_1, and its Q8_0 and Q4_0 copies
    .venv/bin/python bench/bench_teacher_phases.py --bindings /tmp/llama-avx2 --models /tmp/llama-1b/llama-1b-q4_0.gguf
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_teacher import proposal_prompts, short_prompts  # noqa: E402
from common import markdown_table  # noqa: E402

_COPY = """
import ctypes, sys, llama_cpp
p = llama_cpp.llama_model_quantize_default_params()
p.ftype, p.allow_requantize = getattr(llama_cpp, sys.argv[3]), True
sys.exit(llama_cpp.llama_model_quantize(sys.argv[1].encode(), sys.argv[2].encode(), ctypes.byref(p)))
"""


def copies(source: Path, folder: Path) -> list[Path]:
    """`source` and its Q8_0 and Q4_0 copies (made once, in a child: quantizing prints a lot)."""
    paths = [source]
    for name in ("Q8_0", "Q4_0"):
        target = folder / f"{source.stem}.{name.lower()}.gguf"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            command = [sys.executable, "-c", _COPY, str(source), str(target), f"LLAMA_FTYPE_MOSTLY_{name}"]
            subprocess.run(command, check=True, capture_output=True)
        paths.append(target)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="*", type=Path, help="GGUF files (default: the bundled one and copies)")
    parser.add_argument("--bindings", type=Path, help="a folder holding another build of llama_cpp, tried first")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/trainnet-llm-cache/phases"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    if args.bindings:
        sys.path.insert(0, str(args.bindings))
    import llama_cpp

    from trainnet.generate.llama_cpp_teacher import LlamaCppTeacher
    from trainnet.models.llm import gguf_path

    features = llama_cpp.llama_print_system_info().decode().split("|")
    build = ", ".join(f.split("=")[0].strip() for f in features if f.strip().endswith("= 1") and "AVX" in f)
    models = args.models or copies(gguf_path("smollm2"), args.cache_dir)
    long, short = proposal_prompts(8), short_prompts(8)
    rows = []
    for path in models:
        teacher = LlamaCppTeacher(str(path), threads=args.threads, parallel=8)
        prompt_tokens = sum(len(teacher.prompt_tokens(p)) for p in long)
        teacher.complete(short[:2], 2, 0.0)  # load, first allocations
        prefill = decode = 0.0
        for _ in range(args.repeats):
            teacher._prefix = []  # read the shared beginning again, not the previous repeat's copy
            started = time.perf_counter()
            teacher.complete(long, 1, 0.0)
            seconds = time.perf_counter() - started
            prefill = max(prefill, prompt_tokens / seconds)
            started = time.perf_counter()
            generated = sum(c.tokens for c in teacher.complete(short, 64, 0.0))
            decode = max(decode, generated / (time.perf_counter() - started))
            print(f"{path.name}: prefill {prompt_tokens / seconds:.0f} tokens/s", flush=True)
        teacher.close()
        rows.append([path.name, build, prompt_tokens, f"{prefill:.0f}", f"{decode:.1f}"])
    header = ["GGUF", "build", "prompt tokens", "prefill tokens/s", "decode tokens/s (8 sequences, 64 new)"]
    print("\n" + markdown_table(header, rows))


if __name__ == "__main__":
    main()
