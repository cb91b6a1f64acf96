"""Datasets and helpers shared by the benchmarks."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def digits_examples():
    """sklearn's digits (1,797 8x8 images) as pixel inputs 0-255 with integer labels."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return [[int(v * 16) for v in x] for x in digits.data], [int(y) for y in digits.target], [str(i) for i in range(10)]


def t0_source_examples(classes: int = 5, per_class: int = 300):
    """A real text-classification set: which dataset a T0 prompt comes from (its template's source prefix)."""
    rows = [json.loads(line) for line in (SHARED_DATA / "t0_instructions_10k.jsonl").read_text().splitlines()]
    source = [r["template"].split("_")[0] for r in rows]
    top = [name for name, _ in Counter(source).most_common(classes)]
    texts, labels, seen = [], [], Counter()
    for row, name in zip(rows, source):
        if name in top and seen[name] < per_class:
            seen[name] += 1
            texts.append(row["instruction"])
            labels.append(top.index(name))
    return texts, labels, top


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def median(values):
    return statistics.median(values)
