"""P2: accuracy of 4-shard federated training (1 round and 3 rounds) vs centralized training, same epochs.

Every configuration sees the training split the same number of times (`--epochs` in total); the 3-round
runs train `epochs / 3` local epochs per round. The BatchNorm model (MobileNetV2) is run with and without
re-estimating BN statistics after averaging. Uses the library's own functions (split, shards, train_shard,
average_weights, recalibrate_batchnorm, evaluate) in one process. Target: multi-round within 1.0 point of
centralized.

    .venv/bin/python bench/bench_federated_accuracy.py [--seeds 0 1] [--only digits|text]
"""

from __future__ import annotations

import argparse
import copy
import time

import torch

from common import digits_examples, markdown_table, t0_source_examples
from trainnet.data.sharding import make_shards, split_holdout
from trainnet.federated.average import average_weights
from trainnet.training.batches import encode
from trainnet.training.evaluate import evaluate, recalibrate_batchnorm
from trainnet.training.model_zoo import MODEL_TYPES, build_initial_model
from trainnet.training.shard_trainer import train_shard

MAX_LENGTH = 64  # T0 prompts are long; 64 tokens keep the text runs to minutes on 2 cores


def run(model0, pre, kind, inputs, labels, train_idx, eval_data, shards, rounds, epochs, lr, batch, recalibrate, seed):
    encoded = [encode(kind, [inputs[i] for i in s], [labels[i] for i in s], pre, MAX_LENGTH) for s in shards]
    everything = encode(kind, [inputs[i] for i in train_idx], [labels[i] for i in train_idx], pre, MAX_LENGTH)
    state = copy.deepcopy(model0.state_dict())
    model = copy.deepcopy(model0)
    for r in range(rounds):
        results = []
        for s, data in enumerate(encoded):
            model.load_state_dict(state)
            results.append(train_shard(model, data, epochs, lr, batch, seed=seed * 1000 + r * 100 + s))
        model.load_state_dict(average_weights([x.state_dict for x in results], [x.rows for x in results]))
        if recalibrate:
            recalibrate_batchnorm(model, everything)
        state = copy.deepcopy(model.state_dict())
    return evaluate(model, eval_data)


def bench(name, kind, inputs, labels, label_names, total_epochs, lr, batch, seeds, batchnorm, build):
    rows = []
    configs = [("centralized", 1, 1, False)]
    configs += [("4 shards, 1 round", 4, 1, False), ("4 shards, 3 rounds", 4, 3, False)]
    if batchnorm:
        configs += [("4 shards, 1 round + BN re-estimation", 4, 1, True),
                    ("4 shards, 3 rounds + BN re-estimation", 4, 3, True)]
    results = {c[0]: [] for c in configs}
    for seed in seeds:
        torch.manual_seed(seed)
        train_idx, eval_idx = split_holdout(labels, 0.2, seed)
        model0, pre = build(label_names, [inputs[i] for i in train_idx])
        eval_data = encode(kind, [inputs[i] for i in eval_idx], [labels[i] for i in eval_idx], pre, MAX_LENGTH)
        for label, n_shards, rounds, recal in configs:
            started = time.perf_counter()
            shards = make_shards(labels, train_idx, n_shards, seed) if n_shards > 1 else [train_idx]
            metrics = run(model0, pre, kind, inputs, labels, train_idx, eval_data, shards, rounds,
                          total_epochs // rounds, lr, batch, recal, seed)
            results[label].append((metrics["accuracy"], metrics["macro_f1"], time.perf_counter() - started))
            print(f"  {name} seed {seed} {label}: acc {metrics['accuracy']:.4f}", flush=True)
    central = sum(a for a, _, _ in results["centralized"]) / len(seeds)
    for label, values in results.items():
        acc = sum(a for a, _, _ in values) / len(values)
        f1 = sum(f for _, f, _ in values) / len(values)
        secs = sum(t for _, _, t in values) / len(values)
        rows.append([name, label, f"{100 * acc:.2f}", f"{100 * f1:.2f}", f"{100 * (acc - central):+.2f}", f"{secs:.0f}"])
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--only", choices=["digits", "text"])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    if args.only in (None, "digits"):
        images, labels, names = digits_examples()

        def mobilenet(label_names, _train):
            model, processor, _ = build_initial_model(MODEL_TYPES["mobilenet_v2"], label_names, [], image_size=32)
            return model, processor

        rows += bench("digits / mobilenet_v2 (random init, 32px)", "image", images, labels, names, 6, 2e-3, 32,
                      args.seeds, True, mobilenet)
    if args.only in (None, "text"):
        texts, labels, names = t0_source_examples(per_class=120)

        def minilm(label_names, _train):
            model, tokenizer, _ = build_initial_model(MODEL_TYPES["minilm"], label_names, [])
            return model, tokenizer

        rows += bench("T0 prompt source (5 classes) / minilm (pretrained)", "text", texts, labels, names, 3, 5e-5, 16,
                      args.seeds, False, minilm)
    print(f"\nP2 accuracy on the held-out 20%, mean over seeds {args.seeds}; same total epochs in every row\n")
    print(markdown_table(["dataset / model", "training", "accuracy %", "macro-F1 %", "Δ acc vs centralized",
                          "seconds"], rows))


if __name__ == "__main__":
    main()
