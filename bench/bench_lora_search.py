"""P7: TPE + percentile pruning vs Optuna's RandomSampler on the same trial budget, LoRA on SmolLM2.

Both searches run side by side in one process, for each seed, on instruction records built from the
self-instruct seed tasks (instruction + instances[0].input -> instances[0].output). The claim holds when the
median best eval loss of TPE+pruning is <= that of random search. Prints a markdown table and the command.

    python bench/bench_lora_search.py            # 3 seeds x 8 trials per search, one epoch per trial
    python bench/bench_lora_search.py --quick    # 1 seed x 4 trials, 4 steps x 4 per trial

Each seed is independent: `--seeds 0`, `--seeds 1`, … in separate processes run side by side on several cores.

One torch thread by default: on cores shared with other jobs, 2 OpenMP threads made a forward pass 2-9x slower.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import optuna  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

from trainnet.lora import LoraTuningConfig  # noqa: E402
from trainnet.lora.bayesian_optimizer import run_search  # noqa: E402
from trainnet.lora.lora_tuning import evaluate_loss, load_base_model, prepare_dataset  # noqa: E402

CACHE_DIR = Path(os.environ.get("TRAINNET_LLM_CACHE", "/tmp/trainnet-llm-cache"))
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "seed_tasks.jsonl"
LLAMA_BLOCK_LINEARS = (
    "self_attn.q_proj",
    "self_attn.k_proj",
    "self_attn.v_proj",
    "self_attn.o_proj",
    "mlp.gate_proj",
    "mlp.up_proj",
    "mlp.down_proj",
)
SMOLLM2_LAYERS = 30


def seed_task_records(path: Path, limit: int) -> list[dict]:
    """Instruction records from self-instruct seed tasks, in file order."""
    records = []
    for line in path.read_text().splitlines()[:limit]:
        task = json.loads(line)
        instance = task["instances"][0]
        records.append({"instruction": task["instruction"], "input": instance["input"], "output": instance["output"]})
    return records


def top_layer_targets(n_layers: int) -> tuple[str, ...]:
    """Every linear layer of the top `n_layers` blocks: backward stops there, which keeps CPU trials short."""
    return tuple(
        f"layers.{layer}.{name}"
        for layer in range(SMOLLM2_LAYERS - n_layers, SMOLLM2_LAYERS)
        for name in LLAMA_BLOCK_LINEARS
    )


def base_eval_loss(records: list[dict], config: LoraTuningConfig) -> float:
    """Eval loss of the base model before any tuning, on the split the searches score trials with."""
    model, tokenizer = load_base_model(config.model_name, cache_dir=CACHE_DIR)
    _, eval_set = prepare_dataset(records, tokenizer, config)
    return evaluate_loss(model, eval_set, config.batch_size, tokenizer.pad_token_id)


def run_one(name: str, records: list[dict], config: LoraTuningConfig, storage: str, **search) -> dict:
    started = time.perf_counter()
    result = run_search(name, records, config, storage, cache_dir=CACHE_DIR, **search)
    seconds = time.perf_counter() - started
    for trial in result.summary["trials"]:
        print(
            f"  {name} trial {trial['number']}: {trial['state']} eval losses {trial['eval_losses']} "
            f"params {trial['params']}",
            file=sys.stderr,
            flush=True,
        )
    states = result.summary["states"]
    return {
        "best": result.best_trial["eval_loss"],
        "best_params": result.best_trial["params"],
        "complete": states.get("COMPLETE", 0),
        "pruned": states.get("PRUNED", 0),
        "failed": states.get("FAIL", 0),
        "seconds": seconds,
        "per_trial": seconds / result.trials_run,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, 4 trials, 4 steps per trial")
    parser.add_argument("--seeds", type=int, nargs="+", default=None)
    parser.add_argument("--trials", type=int, default=None, help="trial budget of each search (<= 8)")
    parser.add_argument(
        "--steps", type=int, default=None, help="optimizer steps per trial (default: one epoch, the product's default)"
    )
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--records", type=int, default=96, help="seed tasks used (eval split is 1/8 of them)")
    parser.add_argument("--lora-layers", type=int, default=4, help="top SmolLM2 blocks that get LoRA")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    seeds = args.seeds or ([0] if args.quick else [0, 1, 2])
    n_trials = args.trials or (4 if args.quick else 8)
    steps = args.steps or (4 if args.quick else None)
    torch.set_num_threads(args.threads)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    records = seed_task_records(args.data, args.records)

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-lora-") as tmp:
        storage = f"sqlite:///{Path(tmp) / 'studies.db'}"
        for seed in seeds:
            config = LoraTuningConfig(
                n_trials=n_trials,
                max_steps=steps,
                batch_size=args.batch_size,
                max_length=96,
                eval_fraction=0.125,
                evals_per_trial=2,
                pruning_warmup_evals=0,
                target_modules=top_layer_targets(args.lora_layers),
                seed=seed,
            )
            untuned = base_eval_loss(records, config)
            tpe = run_one(f"tpe-{seed}", records, config, storage)
            rnd = run_one(
                f"random-{seed}",
                records,
                config,
                storage,
                sampler=optuna.samplers.RandomSampler(seed=seed),
                pruner=optuna.pruners.NopPruner(),
            )
            rows.append((seed, untuned, tpe, rnd))
            print(
                f"seed {seed}: base {untuned:.4f}, tpe {tpe['best']:.4f} ({tpe['seconds']:.0f} s), "
                f"random {rnd['best']:.4f} ({rnd['seconds']:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    length = "1 epoch" if steps is None else f"{steps} steps"
    print(
        f"\nP7 LoRA search, SmolLM2-135M-Instruct, {n_trials} trials per search, {length} x batch "
        f"{args.batch_size} per trial, LoRA on the top {args.lora_layers} blocks, {len(records)} seed tasks "
        f"(1/8 held out), {os.cpu_count()} CPU cores, {args.threads} torch thread(s)\n"
    )
    print(
        "| seed | base model eval loss | TPE+pruning best eval loss | random best eval loss | "
        "TPE complete/pruned | TPE s/trial | random s/trial | TPE best params |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for seed, untuned, tpe, rnd in rows:
        params = ", ".join(
            f"{k}={v:.2g}" if isinstance(v, float) else f"{k}={v}" for k, v in tpe["best_params"].items()
        )
        print(
            f"| {seed} | {untuned:.4f} | {tpe['best']:.4f} | {rnd['best']:.4f} | {tpe['complete']}/{tpe['pruned']} "
            f"| {tpe['per_trial']:.1f} | {rnd['per_trial']:.1f} | {params} |"
        )
    tpe_median = statistics.median(tpe["best"] for _, _, tpe, _ in rows)
    rnd_median = statistics.median(rnd["best"] for _, _, _, rnd in rows)
    tpe_time = sum(tpe["seconds"] for _, _, tpe, _ in rows)
    rnd_time = sum(rnd["seconds"] for _, _, _, rnd in rows)
    print(
        f"| **median** | | **{tpe_median:.4f}** | **{rnd_median:.4f}** | | "
        f"{tpe_time / (len(rows) * n_trials):.1f} | {rnd_time / (len(rows) * n_trials):.1f} | |"
    )
    verdict = "holds" if tpe_median <= rnd_median else "FAILS"
    print(
        f"\nP7 {verdict}: median best eval loss TPE+pruning {tpe_median:.4f} vs random {rnd_median:.4f}; "
        f"wall time TPE {tpe_time:.0f} s vs random {rnd_time:.0f} s (ratio {tpe_time / rnd_time:.2f})"
    )
    print(f"\nCommand: python {' '.join(shlex.quote(a) for a in sys.argv)}")


if __name__ == "__main__":
    main()
