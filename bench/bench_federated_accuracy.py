"""P2: accuracy of 4-shard federated training after 1, 2, 3, … rounds vs centralized training, same epochs.

"Same epochs" is the platform's `epochs` parameter: every shard trains that many local epochs per round, as
centralized training trains that many epochs, with the same batch size: from pretrained weights it is split across
the round's shards as the platform does (`TrainingParams.shard_batch_size`), from a random init each shard steps
on the whole batch. A random init first trains the platform's shared warm-up epoch on all training rows before
the shards copy it (`warm_up`, as the prepare job does; `--no-warmup` adds runs without it), and centralized
training is also shown with that epoch added. One federated run of `--rounds` rounds is evaluated after every
round, so its first round is the one-shot average (`rounds=1`) and its third is `rounds=3`. BatchNorm models
(MobileNetV2) re-estimate BN statistics after each average, as the platform does by default
(`--plain-batchnorm` adds runs without it), and centralized training is evaluated after the same
re-estimation. Uses the library's own functions (split, shards, warm_up, train_shard, average_weights,
recalibrate_batchnorm, evaluate) in one process. Target: multi-round within 1.0 point of centralized.

    .venv/bin/python bench/bench_federated_accuracy.py [--seeds 0 1] [--rounds 4] [--only digits|text|text-scratch]
        [--no-warmup] [--plain-batchnorm]
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import torch
from common import digits_examples, markdown_table, t0_source_examples

from trainnet.data.sharding import make_shards, split_holdout
from trainnet.federated.average import average_weights
from trainnet.training.batches import encode
from trainnet.training.evaluate import evaluate, has_batchnorm, recalibrate_batchnorm
from trainnet.training.model_zoo import MODEL_TYPES, build_initial_model
from trainnet.training.params import TrainingParams
from trainnet.training.shard_trainer import train_shard, warm_up

MAX_LENGTH = 64  # T0 prompts are long; 64 tokens keep the text runs to minutes on 2 cores
SHARDS = 4


def centralized(model0, everything, eval_data, epochs, lr, batch, seed) -> dict:
    model = copy.deepcopy(model0)
    train_shard(model, everything, epochs, lr, batch, seed=seed * 1000)
    if has_batchnorm(model):  # running stats as the finalizer leaves them, not the last batches' (momentum 0.997)
        recalibrate_batchnorm(model, everything)
    return evaluate(model, eval_data)


def federated(model0, shards, everything, eval_data, rounds, epochs, lr, batch, recalibrate, seed) -> list[dict]:
    """Metrics of the global model after each round; `batch` is the batch of each shard."""
    state = copy.deepcopy(model0.state_dict())
    model = copy.deepcopy(model0)
    curve = []
    for r in range(rounds):
        results = []
        for s, data in enumerate(shards):
            model.load_state_dict(state)
            results.append(train_shard(model, data, epochs, lr, batch, seed=seed * 1000 + r * 100 + s))
        model.load_state_dict(average_weights([x.state_dict for x in results], [x.rows for x in results]))
        if recalibrate:
            recalibrate_batchnorm(model, everything)
        state = copy.deepcopy(model.state_dict())
        curve.append(evaluate(model, eval_data))
    return curve


def bench(
    name,
    kind,
    inputs,
    labels,
    label_names,
    epochs,
    lr,
    batch,
    seeds,
    rounds,
    recalibrations,
    build,
    pretrained,
    warmups=(True,),
):
    results: dict[str, list[tuple[float, float, float]]] = {}
    for seed in seeds:
        torch.manual_seed(seed)
        train_idx, eval_idx = split_holdout(labels, 0.2, seed)
        model0, pre = build(label_names, [inputs[i] for i in train_idx])

        def enc(idx):
            return encode(kind, [inputs[i] for i in idx], [labels[i] for i in idx], pre, MAX_LENGTH)

        eval_data, everything = enc(eval_idx), enc(train_idx)
        shards = [enc(s) for s in make_shards(labels, train_idx, SHARDS, seed)]
        started = time.perf_counter()
        metrics = centralized(model0, everything, eval_data, epochs, lr, batch, seed)
        results.setdefault("centralized", []).append(
            (metrics["accuracy"], metrics["macro_f1"], time.perf_counter() - started)
        )
        print(f"  {name} seed {seed} centralized: acc {metrics['accuracy']:.4f}", flush=True)
        # P2 compares plain federated averaging with centralized training at the same epochs: one shared warm-up
        # epoch, a constant learning rate and no augmentation, as when this table was first measured.
        params = TrainingParams(
            num_shards=SHARDS,
            batch_size=batch,
            learning_rate=lr,
            seed=seed,
            rounds=rounds,
            epochs=epochs,
            warmup_epochs=1,
            lr_decay="none",
            lr_warmup=0,
            augment_shift=0,
        )
        extra = params.shared_warmup_epochs(pretrained)
        if extra:
            started = time.perf_counter()
            metrics = centralized(model0, everything, eval_data, epochs + extra, lr, batch, seed)
            results.setdefault(f"centralized, {epochs + extra} epochs (+ the warm-up)", []).append(
                (metrics["accuracy"], metrics["macro_f1"], time.perf_counter() - started)
            )
        for warmup in warmups if extra else (False,):
            started = time.perf_counter()
            start = copy.deepcopy(model0)
            if warmup:
                warm_up(start, everything, params, kind, pretrained)
            for recalibrate in recalibrations:
                curve = federated(
                    start,
                    shards,
                    everything,
                    eval_data,
                    rounds,
                    epochs,
                    lr,
                    params.shard_batch_size(pretrained),
                    recalibrate,
                    seed,
                )
                per_round = (time.perf_counter() - started) / rounds
                for r, metrics in enumerate(curve, start=1):
                    label = f"{SHARDS} shards, {r} round{'s' if r > 1 else ''}"
                    label += (
                        " + BN re-estimation" if recalibrate else (", plain average" if len(recalibrations) > 1 else "")
                    )
                    label += ", no warm-up" if extra and not warmup else ""
                    results.setdefault(label, []).append((metrics["accuracy"], metrics["macro_f1"], per_round * r))
                print(
                    f"  {name} seed {seed} warmup={warmup} recalibrate={recalibrate}: acc per round "
                    f"{[round(m['accuracy'], 4) for m in curve]}",
                    flush=True,
                )
                started = time.perf_counter()
    central = statistics.mean(a for a, _, _ in results["centralized"])
    rows = []
    for label, values in results.items():
        acc = statistics.mean(a for a, _, _ in values)
        rows.append(
            [
                name,
                label,
                f"{100 * acc:.2f}",
                f"{100 * statistics.mean(f for _, f, _ in values):.2f}",
                f"{100 * (acc - central):+.2f}",
                f"{statistics.mean(t for _, _, t in values):.0f}",
            ]
        )
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--rounds", type=int, default=4, help="federated rounds (evaluated after each)")
    parser.add_argument("--only", choices=["digits", "text", "text-scratch"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--plain-batchnorm", action="store_true", help="also average BN models without re-estimation")
    parser.add_argument("--no-warmup", action="store_true", help="also train a random init without the shared warm-up")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    if args.only in (None, "digits"):
        images, labels, names = digits_examples()

        def mobilenet(label_names, _train):
            model, processor, _ = build_initial_model(MODEL_TYPES["mobilenet_v2"], label_names, [], image_size=32)
            return model, processor

        recalibrations = [True, False] if args.plain_batchnorm else [True]
        rows += bench(
            "digits / mobilenet_v2 (random init, 32px)",
            "image",
            images,
            labels,
            names,
            6,
            2e-3,
            32,
            args.seeds,
            args.rounds,
            recalibrations,
            mobilenet,
            pretrained=False,
            warmups=(True, False) if args.no_warmup else (True,),
        )
    if args.only in (None, "text"):
        texts, labels, names = t0_source_examples(per_class=120)

        def minilm(label_names, _train):
            model, tokenizer, _ = build_initial_model(MODEL_TYPES["minilm"], label_names, [])
            return model, tokenizer

        rows += bench(
            "T0 prompt source (5 classes) / minilm (pretrained)",
            "text",
            texts,
            labels,
            names,
            2,
            5e-5,
            16,
            args.seeds,
            args.rounds,
            [False],
            minilm,
            pretrained=True,
        )
    if args.only in (None, "text-scratch"):
        texts, labels, names = t0_source_examples(per_class=120)

        def distilbert(label_names, train_texts):
            model, tokenizer, info = build_initial_model(MODEL_TYPES["distilbert"], label_names, train_texts)
            assert not info.pretrained, "this row is about a random init"
            return model, tokenizer

        rows += bench(
            "T0 prompt source (5 classes) / distilbert (random init, reduced)",
            "text",
            texts,
            labels,
            names,
            2,
            1e-3,
            16,
            args.seeds,
            args.rounds,
            [False],
            distilbert,
            pretrained=False,
            warmups=(True, False) if args.no_warmup else (True,),
        )
    print(
        f"\nP2 accuracy on the held-out 20%, mean over seeds {args.seeds}; every shard trains the same local "
        f"epochs per round as centralized training trains in total; seconds are cumulative\n"
    )
    print(
        markdown_table(
            ["dataset / model", "training", "accuracy %", "macro-F1 %", "Δ acc vs centralized", "seconds"], rows
        )
    )


if __name__ == "__main__":
    main()
