"""P1: shard-training throughput of TrainNet's trainer vs a bare transformers/PyTorch loop.

Same model, data, batch size and threads; runs are interleaved (ours, bare, bare-fused, ours, …) and the
median examples/s of each is compared. Target: ours ≥ 0.95x bare. "bare" is the loop users write
(`torch.optim.AdamW` with its defaults); "bare, fused AdamW" gives the bare loop the optimizer kernel TrainNet
uses, so that ratio isolates the rest of the trainer (batching, progress reports).

    .venv/bin/python bench/bench_shard_throughput.py [--repeats 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import copy
import time

import torch
from common import digits_examples, markdown_table, median, t0_source_examples
from torch.utils.data import DataLoader

from trainnet.training.batches import encode
from trainnet.training.model_zoo import MODEL_TYPES, build_initial_model
from trainnet.training.shard_trainer import train_shard


def same_order(n: int) -> list[int]:
    """The shuffled order `train_shard` uses (seed 0): padded batch lengths, and so the work, are identical."""
    return torch.randperm(n, generator=torch.Generator().manual_seed(0)).tolist()


def bare_text_loop(model, tokenizer, texts, labels, batch_size, lr, epochs, max_length, fused=None):
    """What a user would write with transformers: tokenize, DataCollatorWithPadding, DataLoader, AdamW."""
    from transformers import DataCollatorWithPadding

    encoded = tokenizer(texts, truncation=True, max_length=max_length)
    features = [
        {"input_ids": ids, "attention_mask": mask, "labels": y}
        for ids, mask, y in zip(encoded["input_ids"], encoded["attention_mask"], labels)
    ]
    loader = DataLoader(
        features,
        batch_size=batch_size,
        sampler=same_order(len(features)),
        collate_fn=DataCollatorWithPadding(tokenizer),
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, fused=fused)
    model.train()
    for _ in range(epochs):
        for batch in loader:
            loss = model(**batch).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()


def bare_image_loop(model, processor, images, labels, batch_size, lr, epochs, fused=None):
    from trainnet.data.examples import to_pil

    pixels = processor(images=[to_pil(v) for v in images], return_tensors="pt")["pixel_values"]
    dataset = torch.utils.data.TensorDataset(pixels, torch.tensor(labels))
    loader = DataLoader(dataset, batch_size=batch_size, sampler=same_order(len(dataset)))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, fused=fused)
    model.train()
    for _ in range(epochs):
        for x, y in loader:
            loss = model(pixel_values=x, labels=y).loss
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()


def measure(name, kind, model, preprocessor, inputs, labels, batch_size, lr, repeats, max_length=128):
    ours, bare, fused = [], [], []
    for _ in range(repeats):
        m = copy.deepcopy(model)
        started = time.perf_counter()
        data = encode(kind, inputs, labels, preprocessor, max_length)  # encoding is part of a shard job
        train_shard(m, data, epochs=1, learning_rate=lr, batch_size=batch_size)
        ours.append(len(labels) / (time.perf_counter() - started))
        for times, fused_adamw in ((bare, None), (fused, True)):
            m = copy.deepcopy(model)
            started = time.perf_counter()
            if kind == "text":
                bare_text_loop(m, preprocessor, inputs, labels, batch_size, lr, 1, max_length, fused_adamw)
            else:
                bare_image_loop(m, preprocessor, inputs, labels, batch_size, lr, 1, fused_adamw)
            times.append(len(labels) / (time.perf_counter() - started))
    return [
        name,
        batch_size,
        f"{median(ours):.1f}",
        f"{median(bare):.1f}",
        f"{median(ours) / median(bare):.3f}",
        f"{median(fused):.1f}",
        f"{median(ours) / median(fused):.3f}",
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    texts, labels, names = t0_source_examples(per_class=60)
    model, tokenizer, _ = build_initial_model(MODEL_TYPES["minilm"], names, [])
    rows.append(measure("minilm (pretrained, 22M)", "text", model, tokenizer, texts, labels, 16, 5e-5, args.repeats))
    model, tokenizer, _ = build_initial_model(MODEL_TYPES["distilbert"], names, texts)
    rows.append(
        measure("distilbert (random init, reduced)", "text", model, tokenizer, texts, labels, 16, 1e-3, args.repeats)
    )
    images, labels, names = digits_examples()
    model, processor, _ = build_initial_model(MODEL_TYPES["mobilenet_v2"], names, [], image_size=32)
    rows.append(
        measure(
            "mobilenet_v2 32px (random init)",
            "image",
            model,
            processor,
            images[:600],
            labels[:600],
            32,
            2e-3,
            args.repeats,
        )
    )
    print(f"P1 shard-training throughput, {args.threads} torch thread(s), median of {args.repeats} interleaved runs\n")
    print(
        markdown_table(
            ["model", "batch", "TrainNet ex/s", "bare loop ex/s", "ratio", "bare, fused AdamW ex/s", "ratio"], rows
        )
    )


if __name__ == "__main__":
    main()
