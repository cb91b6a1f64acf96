"""P4: the fast ROUGE-L near-duplicate filter against the reference, side by side, on the real T0 prompts.

The reference scores each prompt against every kept one with rouge_score's `RougeScorer(["rougeL"])` and
rejects it when the best F-measure is above the threshold (self-instruct's rule). Both run on the same first N
prompts, their keep/drop decisions must be identical, and then the fast filter alone runs on the whole file.

    .venv/bin/python bench/bench_dedup.py            # side by side on 2,000, fast alone on 10,000
    .venv/bin/python bench/bench_dedup.py --quick    # side by side on 300, fast alone on 2,000
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path

from trainnet.generate.dedup import DEFAULT_ROUGE_THRESHOLD, RougeDeduplicator, reference_keep_decisions

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "t0_instructions_10k.jsonl"
RESULTS = Path(__file__).resolve().parent / "results"


def timed(function, *args):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (300 side by side, 2,000 alone)")
    parser.add_argument("--side-by-side", type=int, help="prompts scored by both (default 2,000)")
    parser.add_argument("--full", type=int, help="prompts scored by the fast filter alone (default 10,000)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_ROUGE_THRESHOLD)
    args = parser.parse_args()
    side_by_side = args.side_by_side or (300 if args.quick else 2000)
    full = args.full or (2000 if args.quick else 10000)

    with open(CORPUS, encoding="utf-8") as lines:
        texts = [json.loads(line)["instruction"] for line in lines]
    subset = texts[:side_by_side]

    fast, fast_wall, fast_cpu = timed(RougeDeduplicator(args.threshold).keep_decisions, subset)
    reference, ref_wall, ref_cpu = timed(reference_keep_decisions, subset, args.threshold)
    if fast != reference:
        differing = [i for i, (a, b) in enumerate(zip(fast, reference)) if a != b]
        sys.exit(f"decisions differ at {len(differing)} prompts, first {differing[:10]}")
    everything, all_wall, all_cpu = timed(RougeDeduplicator(args.threshold).keep_decisions, texts[:full])

    rows = [
        ("reference (rouge_score, all pairs)", side_by_side, sum(reference), ref_wall, ref_cpu, "1.0x"),
        ("fast RougeDeduplicator", side_by_side, sum(fast), fast_wall, fast_cpu,
         f"{ref_wall / fast_wall:.0f}x wall, {ref_cpu / fast_cpu:.0f}x CPU"),
        ("fast RougeDeduplicator", len(texts[:full]), sum(everything), all_wall, all_cpu, "(reference not run)"),
    ]  # fmt: skip
    print(f"command: {' '.join(shlex.quote(part) for part in [sys.executable, *sys.argv])}")
    print(
        f"corpus: {CORPUS.name}, ROUGE-L threshold {args.threshold}; "
        f"decisions identical on the first {side_by_side}: yes\n"
    )
    print("| filter | prompts | kept | wall s | CPU s | speed-up |")
    print("|---|---:|---:|---:|---:|---|")
    for name, count, kept, wall, cpu, speedup in rows:
        print(f"| {name} | {count:,} | {kept:,} | {wall:.2f} | {cpu:.2f} | {speedup} |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "dedup.json").write_text(json.dumps({"rows": rows, "identical": True}, indent=2))


if __name__ == "__main__":
    main()
